"""Cited sources: is each footnote's document in the corpus (present, fetched, missing, failed), and does it support
a quote."""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from .files import failure_path, sidecar_path
from .linking import link_sources  # noqa: F401  (engine.py still imports link_sources from here)
from .model import Footnote, Passage, Quote
from .settings import DEFAULT, Settings
from .structure import split_sentences

SOURCES_DIR = "sources"
# how the text output names a status and a footnote's kind (the JSON keeps the codes), Indonesian first
STATUS_LABELS = {"present": "ada", "missing": "belum ada", "fetched": "diunduh", "failed": "gagal"}
KIND_LABELS = {"web": "web", "journal": "jurnal", "official": "resmi", "book": "buku", "other": "lainnya"}


@dataclass(frozen=True)
class SourceStatus:
    """Whether a footnote's cited document is in the corpus: present, fetched, missing or failed (and why)."""

    number: int
    kind: str
    url: str | None
    accessed: str | None
    status: str                     # "present" | "missing" | "fetched" | "failed"
    files: tuple[str, ...] = ()     # corpus-relative files of the cited document
    reason: str = ""


class Searcher(Protocol):
    """What best_support needs of an engine: its footnotes, settings and a search over its passages (no import of the
    engine)."""

    footnotes: tuple[Footnote, ...]
    settings: Settings

    def search(self, text: str, k: int = 10, where: Callable[[Passage], bool] | None = None) -> list[Quote]: ...

    def term_weights(self, text: str) -> dict[str, float]: ...


class Support(NamedTuple):
    """How well a footnote's source supports a quote: label, best score, best source quotes."""

    label: str                      # "strong" | "weak" | "not found"
    score: float
    quotes: tuple[Quote, ...]


def source_status(corpus: Path, footnotes: Sequence[Footnote], links: Mapping[str, int]) -> list[SourceStatus]:
    """Return, per footnote, whether its cited document is in corpus/sources (present, fetched) or not (missing,
    failed).

    links: corpus file -> the footnote it was linked to when read (linking.link_sources; the engine's DocStatus.cites).
    """
    corpus = Path(corpus)
    folder = corpus / SOURCES_DIR
    links = dict(links)
    read = set(links)
    return [_status(note, folder, corpus, links, read) for note in footnotes]


def _status(note: Footnote, folder: Path, corpus: Path, links: dict[str, int], read: set[str]) -> SourceStatus:
    """Return the status of one footnote's cited document."""
    files = {src for src, n in links.items() if n == note.number}
    files |= {_relative(p, corpus) for p in _numbered_files(folder, note.number)}
    ordered = tuple(sorted(files))
    fetched = [r for r in (_record(sidecar_path(folder / Path(f).name)) for f in ordered) if r]
    fetched = [r for r in fetched if r.get("footnote") in (None, note.number)]
    failure = _record(failure_path(folder, note.number))
    base: dict[str, Any] = dict(number=note.number, kind=note.kind, url=note.url, accessed=note.accessed, files=ordered)
    if ordered:
        notes = [f"{f}: tidak terbaca (format tak dikenal atau rusak) / not read (unknown format or unreadable)"
                 for f in ordered if f not in read]
        status = "fetched" if fetched else "present"
        if fetched:
            last = max(fetched, key=lambda r: str(r.get("fetched_at", "")))
            notes.insert(0, _fetched_reason(last))
            if failure and str(failure.get("attempted_at", "")) > str(last.get("fetched_at", "")):
                notes.append(f"unduhan terakhir gagal / last fetch failed ({failure.get('reason', '?')}); "
                             f"salinan lama dipakai / earlier copy kept")
        elif failure:
            notes.append(f"unduhan gagal / fetch failed ({failure.get('reason', '?')}); "
                         f"berkas di sources/ dipakai / file in sources/ used")
        return SourceStatus(status=status, reason="; ".join(notes), **base)
    if failure:
        return SourceStatus(status="failed", reason=str(failure.get("reason", "unduhan gagal / fetch failed")), **base)
    reason = "belum diunduh / not fetched yet" if note.url else \
        f"tanpa URL: taruh dokumennya di {SOURCES_DIR}/ sebagai {note.number}-<nama>.pdf / " \
        f"no URL: put the document in {SOURCES_DIR}/ as {note.number}-<name>.pdf"
    return SourceStatus(status="missing", reason=reason, **base)


def _numbered_files(folder: Path, number: int) -> list[Path]:
    """Return the visible files in folder named '<number>-...'."""
    try:
        return [p for p in folder.glob(f"{number}-*") if p.is_file() and not p.name.startswith(".")]
    except OSError:
        return []


def _relative(path: Path, corpus: Path) -> str:
    """Return path relative to the corpus, with forward slashes."""
    try:
        return path.relative_to(corpus).as_posix()
    except ValueError:
        return path.as_posix()


def _record(path: Path) -> dict | None:
    """Return a JSON record written by fetch, or None if absent or unreadable."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _fetched_reason(record: dict) -> str:
    """Return a short account of a fetch record."""
    when = str(record.get("fetched_at", "?"))
    how = f"HTTP {record['http_status']}" if record.get("http_status") else "ok"
    where = f", salinan arsip / archived copy {record.get('final_url')}" if record.get("archived") else ""
    return f"diunduh / fetched {when} ({how}{where})"


def support_label(score: float, settings: Settings = DEFAULT) -> str:
    """Return 'strong' (score >= settings.strong_support), 'weak' (>= settings.weak_support) or 'not found'."""
    if score >= settings.strong_support:
        return "strong"
    if score >= settings.weak_support:
        return "weak"
    return "not found"


def best_support(engine: Searcher, quote: Quote | str, number: int, top: int = 2) -> Support:
    """Return how well the source linked to footnote `number` supports the quote, with its best passages; the score
    is the largest share of the word weight (idf) of the quote, or of one of its sentences, that one passage holds
    (the engine's settings say which sentences count and where strong and weak begin)."""
    chapter: str | None
    if isinstance(quote, Quote):
        text, chapter = quote.text, quote.passage.source
    else:
        note = next((f for f in engine.footnotes if f.number == number), None)
        text, chapter = str(quote), note.source if note is not None else None

    def from_source(p: Passage) -> bool:
        return number in p.footnotes and not p.marks and p.kind != "footnote" and p.source != chapter

    quotes = tuple(engine.search(text, k=max(1, top), where=from_source)[:max(1, top)]) if text.strip() else ()
    held = [set(engine.term_weights(q.passage.text)) for q in quotes]
    settings = engine.settings
    claims = [engine.term_weights(text)] + [w for a, b in split_sentences(text)
                                             if len(w := engine.term_weights(text[a:b])) >= settings.min_claim_terms]
    score = max((_share(claim, terms) for claim in claims for terms in held), default=0.0)
    return Support(support_label(score, settings), round(score, 4), quotes)


def _share(weights: dict[str, float], held: set[str]) -> float:
    """Return the share of a claim's word weight (idf) that the terms in `held` hold."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in held) / total if total > 0 else 0.0
