"""Suggested questions made from the corpus itself, kept only when the engine answers them from their own passage."""
from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import zip_longest
from typing import TYPE_CHECKING

from .dates import INDONESIAN_MONTHS, YEAR
from .errors import KutipError
from .headings import without_numbering
from .model import Passage

if TYPE_CHECKING:
    from .engine import Engine

MAX_CANDIDATES = 60          # questions tried at most (each costs one engine.ask)
MAX_WORDS = 14               # a suggestion longer than this is not offered
_DATE = re.compile(rf"\b\d{{1,2}}\s+({'|'.join(INDONESIAN_MONTHS)})\s+{YEAR}\b", re.I)
_LEAD_HEAD = re.compile(r"^(?:berikut\s+(?:ini\s+)?(?:adalah\s+|merupakan\s+)?(?:beberapa\s+)?|"
                        r"dengan\s+beberapa\s+|beberapa\s+)", re.I)
_LEAD_TAIL = re.compile(r"[\s,:;.]*(?:\b(?:seperti|yaitu|yakni|meliputi|antara lain|sebagai berikut|adalah)\b"
                        r"[\s,:;.]*)*$", re.I)
_SIGNED = re.compile(r"(?:tanda|nanda)\s*tangan", re.I)
_FUNCTION_START = re.compile(r"^(?:untuk|dari|dan|atau|yang|dengan|pada|di|ke|hal|ini|itu)\b", re.I)
MAX_TOPIC_WORDS = 7          # a heading longer than this makes an awkward question
_HAS = re.compile(r"^(?:.*\s)?(\w+)\s+memiliki\s+(\w+)$", re.I)
_ASK_ABOUT = ("faktor", "tujuan", "alasan", "manfaat", "dampak", "syarat", "prinsip", "mekanisme", "prosedur")


def suggest_questions(engine: Engine, n: int = 4) -> list[str]:
    """Return up to n questions made from headings, list lead-ins and table rows that the engine answers
    with a quote from the passage each was made from (deterministic: corpus order, kinds interleaved)."""
    lower = _lowercase_words(engine.passages)
    groups = (_row_questions(engine.passages), _list_questions(engine.passages),
              _heading_questions(engine.passages, lower))
    budget = [MAX_CANDIDATES]
    answered = [_answered(engine, group, budget) for group in groups]
    out: list[str] = []
    for question in _interleave(*answered):
        if len(out) >= n:
            break
        if question not in out:
            out.append(question)
    return out


def _answered(engine: Engine, candidates: list[tuple[str, frozenset[int]]], budget: list[int]) -> Iterator[str]:
    """Yield, lazily, the candidates the engine answers from their own passage (budget: asks left, shared)."""
    for question, origin in candidates:
        if budget[0] <= 0:
            return
        if len(question.split()) > MAX_WORDS:
            continue
        budget[0] -= 1
        if _answered_from(engine, question, origin):
            yield question


def _answered_from(engine: Engine, question: str, origin: frozenset[int]) -> bool:
    """Tell whether the engine answers the question, its first quote coming from one of the origin passages."""
    try:
        answer = engine.ask(question)
    except KutipError:         # a suggestion is optional: a question the core refuses is dropped
        return False
    return not answer.abstained and bool(answer.quotes) and answer.quotes[0].passage.id in origin


def _interleave(*groups: Iterator[str]) -> Iterator[str]:
    """Yield one answered question of each kind in turn, so the suggestions are varied."""
    for batch in zip_longest(*groups):
        yield from (q for q in batch if q is not None)


def _row_questions(passages: tuple[Passage, ...]) -> list[tuple[str, frozenset[int]]]:
    """Return 'Kapan <kind> dengan <party> ditandatangani?' for table rows holding a date."""
    out = []
    for p in passages:
        if p.kind != "row":
            continue
        cells = _row_cells(p.text)
        dated = [(h, v) for h, v in cells if _DATE.search(v)]
        words = [(h, v) for h, v in cells if v.strip("-. ") and not _DATE.search(v) and not v.strip(". ").isdigit()]
        if not dated or len(words) < 2:
            continue
        party, kind = words[0][1], words[-1][1].split("/")[0].strip()
        verb = "ditandatangani" if any(_SIGNED.search(h) for h, _ in dated) else "dibuat"
        out.append((f"Kapan {kind} dengan {party} {verb}?", frozenset({p.id})))
    return out


def _row_cells(text: str) -> list[tuple[str, str]]:
    """Return the (header, value) cells of a row passage written 'Title — Head: value; Head: value'."""
    body = text.split(" — ", 1)[-1]
    cells = []
    for part in body.split("; "):
        head, sep, value = part.partition(": ")
        if sep:
            cells.append((head.strip(), value.strip()))
    return cells


def _list_questions(passages: tuple[Passage, ...]) -> list[tuple[str, frozenset[int]]]:
    """Return 'Apa saja <topic>?' for lists, the topic taken from the lead-in sentence."""
    out = []
    for p in passages:
        if p.kind != "list" or not p.lead:
            continue
        topic = _lead_topic(p.lead)
        if topic:
            out.append((f"Apa saja {topic}?", frozenset({p.id})))
    return out


def _lead_topic(lead: str) -> str:
    """Return what a list lead-in announces ('... memiliki tujuan, seperti:' -> 'tujuan kerjasama'), or ''."""
    clause = re.split(r"[.;]\s+|,\s+(?:dan\s+|terlebih lagi\s+|tapi\s+|namun\s+)", lead.strip())[-1]
    clause = _LEAD_TAIL.sub("", clause)
    clause = re.sub(r"\s+yang\s+telah\s+.*$", "", clause)
    clause = _LEAD_HEAD.sub("", clause.strip())
    has = _HAS.match(clause)
    if has:
        clause = f"{has.group(2)} {has.group(1)}"
    words = clause.split()
    if not words or len(words) > 10 or _FUNCTION_START.match(clause):
        return ""
    return " ".join(words)


def _heading_questions(passages: tuple[Passage, ...], lower: set[str]) -> list[tuple[str, frozenset[int]]]:
    """Return one question per section heading, answerable from the section's own paragraphs."""
    by_heading: dict[str, set[int]] = {}
    for p in passages:
        if p.kind == "footnote" or not p.section:
            continue
        by_heading.setdefault(p.section[-1], set()).add(p.id)
    out = []
    for heading, ids in by_heading.items():
        topic = _heading_topic(heading, lower)
        if not topic:
            continue
        if topic.split()[0].lower() in _ASK_ABOUT and len(topic.split()) >= 3:
            question = f"Apa {topic[0].lower()}{topic[1:]}?"
        else:
            question = f"Apa yang dimaksud dengan {topic}?"
        out.append((question, frozenset(ids)))
    return out


def _heading_topic(heading: str, lower: set[str]) -> str:
    """Return a heading without numbering and final stop, in sentence case ('' for an all-capitals title)."""
    text = without_numbering(heading).strip().rstrip(".").strip()
    if not text or text.isupper() or len(text.split()) > MAX_TOPIC_WORDS:
        return ""
    words = [w.lower() if w.lower() in lower else w for w in text.split()]
    return " ".join(words)


def _lowercase_words(passages: tuple[Passage, ...]) -> set[str]:
    """Return the words the corpus writes in lower case somewhere (so 'Kota' may be lowered, 'Batam' not)."""
    return {w for p in passages if p.kind != "footnote" for w in re.findall(r"\b[a-z][\w-]*", p.text)}
