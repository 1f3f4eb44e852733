"""Which documents a question searches: all, one, or the cited sources only; the same content read twice counts once."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .model import Answer, Passage

if TYPE_CHECKING:
    from .engine import Engine

_WORD = re.compile(r"[0-9a-z]+")


@dataclass(frozen=True)
class Scope:
    """What to search: kind "all", "one" (with its document) or "cited"."""

    kind: str = "all"
    document: str | None = None


def content_key(passages: list[Passage]) -> str:
    """Return a digest of a document's words (lower-case letters and digits only), the same for .md, .pdf, .docx."""
    digest, space = hashlib.sha256(), b""
    for p in passages:          # passage by passage: one regex over a whole 20 MB text held the GIL for ~0.7 s, and
        words = _WORD.findall(p.text.lower()) if p.kind != "footnote" else []     # every other session waited
        if words:
            digest.update(space + " ".join(words).encode())
            space = b" "
    return digest.hexdigest()


def same_content(engine: Engine) -> dict[str, str]:
    """Return document -> the first document (in the engine's order) with the same normalised text, for repeats."""
    by_source: dict[str, list[Passage]] = {}
    for p in engine.passages:
        by_source.setdefault(p.source, []).append(p)
    first: dict[str, str] = {}
    repeats: dict[str, str] = {}
    for source, passages in by_source.items():
        key = content_key(passages)
        if not any(p.kind != "footnote" for p in passages):
            continue
        if key in first:
            repeats[source] = first[key]
        else:
            first[key] = source
    return repeats


def copies_of(source: str, repeats: dict[str, str]) -> list[str]:
    """Return the other documents holding the same content as source."""
    original = repeats.get(source, source)
    return [s for s in [original, *sorted(k for k, v in repeats.items() if v == original)] if s != source]


def cited_sources(engine: Engine) -> set[str]:
    """Return the documents that are the cited source of a footnote."""
    return {d.source for d in engine.documents if d.cites is not None}


def keeper(engine: Engine, scope: Scope, repeats: dict[str, str]) -> Callable[[Passage], bool] | None:
    """Return the test a passage must pass to be quoted (None: every passage), repeats of a content left out."""
    if scope.kind == "one" and scope.document:       # the chosen file's own passages, a repeat's too (its pages)
        doc = scope.document
        return lambda p: p.source == doc
    if scope.kind == "cited":
        cited = cited_sources(engine)
        return lambda p: p.source in cited and p.source not in repeats
    if repeats:
        return lambda p: p.source not in repeats
    return None


def ask_within(engine: Engine, question: str, top_k: int, keep: Callable[[Passage], bool] | None) -> Answer:
    """Return the engine's answer from the passages keep accepts (at most top_k, drawn from the engine's best
    settings.scoped_candidates quotes); none that answers: abstained."""
    if keep is None:
        return engine.ask(question, top_k=top_k)
    return engine.ask(question, top_k=top_k, where=keep, pool=engine.settings.scoped_candidates)
