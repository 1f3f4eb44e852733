"""Sentence units: each row of the index as a passage span, with what it holds (a date, a number, a cause, ...)."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields

import numpy as np

from .analysis import continues, tokenise
from .dates import BARE_MONTHS, YEAR
from .e5onnx import joined, written
from .model import Passage
from .state import Arrays, BadState, State, array

UNITS_STEP = 2000           # passages between two progress reports while making units

_YEAR = re.compile(rf"{YEAR}$")
_DATE_WORDS = BARE_MONTHS | {"abad"}
_DEFINING_WORDS = frozenset("adalah merupakan ialah yaitu yakni disebut berarti artinya didefinisikan diartikan"
                            .split())
_CAUSE_WORDS = frozenset("karena dikarenakan sebab disebabkan akibat sehingga because due".split())


@dataclass(frozen=True)
class Units:
    """Sentence units: which passage and span each row of the index is, and what it holds."""

    passage: np.ndarray     # int32 passage id per unit
    start: np.ndarray       # int32
    end: np.ndarray         # int32
    has_date: np.ndarray    # bool: a year or month name
    has_number: np.ndarray  # bool: any digit
    has_cause: np.ndarray   # bool: a causal connective (karena, sebab, akibat, ...)
    in_list: np.ndarray     # bool: an item of a list
    defines: np.ndarray     # bool: a defining word (adalah, merupakan, ialah, yaitu, ...)
    continues: np.ndarray   # bool: opens with a connective tying it to the sentence before ("Dengan demikian")

    def to_state(self) -> State:
        """Return every field as an array (nothing else to store)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}, {}

    @classmethod
    def from_state(cls, arrays: Arrays, meta: dict) -> Units:
        """Return units from to_state's output; every field has one entry per unit."""
        units = cls(*(array(arrays, f.name, "i" if f.name in ("passage", "start", "end") else "b")
                      for f in fields(cls)))
        if len({len(getattr(units, f.name)) for f in fields(cls)}) > 1:
            raise BadState("units: fields of different lengths")
        return units


def make_units(passages: list[Passage], progress=None) -> tuple[Units, list[list[str]]]:
    """Return the sentence units of passages with their flags, and the tokens of each unit."""
    pid, start, end, date, number, cause, in_list, linked, defines = [], [], [], [], [], [], [], [], []
    tokens: list[list[str]] = []
    for k, p in enumerate(passages):
        if progress and k % UNITS_STEP == 0:
            progress("tokenise", k, len(passages))
        for a, b in p.sentences or ((0, len(p.text)),):
            words = tokenise(p.text[a:b])
            tokens.append(words)
            pid.append(p.id)
            start.append(a)
            end.append(b)
            date.append(any(w in _DATE_WORDS or _YEAR.match(w) for w in words))
            number.append(any(w[0].isdigit() for w in words))
            cause.append(not _CAUSE_WORDS.isdisjoint(words))
            in_list.append(p.kind == "list")
            linked.append(continues(words))
            defines.append(not _DEFINING_WORDS.isdisjoint(words))
    units = Units(np.array(pid, np.int32), np.array(start, np.int32), np.array(end, np.int32),
                  np.array(date, bool), np.array(number, bool), np.array(cause, bool), np.array(in_list, bool),
                  np.array(defines, bool), np.array(linked, bool))
    return units, tokens


def unit_inputs(passages, units: Units, limit: int, texts: list[str] | None = None) -> list[str]:
    """Return what each unit is embedded as: its sentence (after the lead-in for a list item or table row) read off
    its passage's own pass (e5onnx.span), or read alone when it ends past the passage's first `limit` characters
    (what the passage's own vector reads); texts: passage_texts(passages), when the caller has them."""
    return [joined(head, text) for head, text in unit_parts(passages, units, limit, texts)]


def unit_parts(passages, units: Units, limit: int, texts: list[str] | None = None) -> list[tuple[str, str]]:
    """Return `unit_inputs` as (the span's ranges as e5onnx.written, the text it is read off) or ("", the text
    read alone), without writing the spans out; a passage's units share one text object."""
    texts = passage_texts(passages) if texts is None else texts
    out: list[tuple[str, str]] = []
    last, cut = -1, ""
    for p, a, b in zip(units.passage.tolist(), units.start.tolist(), units.end.tolist()):
        passage = passages[p]
        if p != last:
            last, cut = p, texts[p][:limit]
        shift = len(passage.lead) + 1 if passage.lead else 0
        lead = passage.kind in ("list", "row") and passage.lead
        if shift + b <= limit:
            out.append((written(([(0, len(passage.lead))] if lead else []) + [(shift + a, shift + b)]), cut))
        else:
            out.append(("", (passage.lead + " " if lead else "") + passage.text[a:b]))
    return out


def passage_texts(passages) -> list[str]:
    """Return the text each whole passage is embedded as: its lead-in (a list's, a table's title) and its text."""
    return [(p.lead + " " if p.lead else "") + p.text for p in passages]
