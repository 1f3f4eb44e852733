"""Plain state for the cache: numpy arrays (no objects) plus JSON-able values, never pickle.

Every cached part has `to_state() -> (arrays, meta)` and `from_state(arrays, meta)`; a part nests another
under a prefix with `nest` / `part`, so a new array field is one more entry in its owner's dict.
"""
from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np

Arrays = dict[str, np.ndarray]
State = tuple[Arrays, dict[str, Any]]


class BadState(ValueError):
    """A stored state does not have the shape its class expects (a cache to rebuild, never to trust)."""


def nest(prefix: str, state: State, arrays: Arrays, meta: dict[str, Any]) -> None:
    """Add a part's state under prefix to its owner's arrays and meta."""
    sub_arrays, sub_meta = state
    arrays.update({f"{prefix}.{k}": v for k, v in sub_arrays.items()})
    meta[prefix] = sub_meta


def part(prefix: str, arrays: Arrays, meta: dict[str, Any]) -> State:
    """Return the state nested under prefix (the inverse of nest)."""
    head = f"{prefix}."
    sub = meta.get(prefix)
    if not isinstance(sub, dict):
        raise BadState(f"missing part {prefix}")
    return {k[len(head):]: v for k, v in arrays.items() if k.startswith(head)}, sub


def array(arrays: Arrays, name: str, kind: str, ndim: int = 1) -> np.ndarray:
    """Return arrays[name], checked to be an ndim-d array of numpy kind `kind` ('i' int, 'f' float, 'b' bool)."""
    value = arrays.get(name)
    if not isinstance(value, np.ndarray) or value.dtype.kind != kind or value.ndim != ndim:
        raise BadState(f"array {name}: expected {ndim}-d of kind {kind}")
    return value


def records(items, cls) -> dict[str, Any]:
    """Return frozen dataclass instances as {"fields": names, "rows": [values, ...]} (JSON-able)."""
    names = [f.name for f in fields(cls)]
    return {"fields": names, "rows": [[getattr(item, n) for n in names] for item in items]}


def from_records(data: Any, cls) -> tuple:
    """Return the instances stored by `records`; the stored field names must be the class's own."""
    names = [f.name for f in fields(cls)]
    if not isinstance(data, dict) or data.get("fields") != names or not isinstance(data.get("rows"), list):
        raise BadState(f"{cls.__name__}: fields do not match")
    try:
        return tuple(cls(*(frozen(v) for v in row)) for row in data["rows"])
    except TypeError as exc:
        raise BadState(f"{cls.__name__}: {exc}") from None


def frozen(value: Any) -> Any:
    """Return a JSON value with every list turned into a tuple, recursively (the dataclasses hold tuples)."""
    if isinstance(value, list):
        return tuple(frozen(v) for v in value)
    return value
