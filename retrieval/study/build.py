"""The bundle of all study aids for one engine, computed once: outline, timeline, glossary, cards, citation check."""
from __future__ import annotations

import time
from dataclasses import dataclass

from .cards import make_cards
from .check import Check, check_citations
from .common import Progress
from .glossary import glossary
from .outline import outline
from .timeline import timeline


@dataclass(frozen=True)
class Study:
    """All the aids for one engine, computed once."""

    outline: tuple
    timeline: tuple
    glossary: tuple
    cards: tuple
    check: Check
    seconds: float


def build_study(engine, n_cards: int = 20, progress: Progress | None = None) -> Study:
    """Return every aid for the engine's corpus (progress is told each stage)."""
    t0 = time.perf_counter()
    stages = ("outline", "timeline", "glossary", "cards", "check")
    say = progress or (lambda *_: None)
    say("study outline", 0, len(stages))
    out = outline(engine.passages)
    say("study timeline", 1, len(stages))
    events = timeline(engine.passages, progress)
    say("study glossary", 2, len(stages))
    terms = glossary(engine.passages)
    say("study cards", 3, len(stages))
    cards = make_cards(engine.passages, n_cards, events=events, terms=terms)
    say("study check", 4, len(stages))
    checked = check_citations(engine.passages)
    say("study check", 5, len(stages))
    return Study(tuple(out), tuple(events), tuple(terms), tuple(cards), checked, time.perf_counter() - t0)
