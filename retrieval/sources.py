"""Cited sources: which file is which footnote's document, is it there, and how well does it support a quote."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Sequence
from urllib.parse import unquote, urlsplit

from .model import Document, Footnote, Passage, Quote
from .readers.html import META_DIR

if TYPE_CHECKING:
    from .engine import Engine

SOURCES_DIR = "sources"
STRONG_SUPPORT = 0.5    # a source passage scoring this much restates the quote (engine search score)
WEAK_SUPPORT = 0.15     # ... this much shares its topic; unrelated text scores about 0.1 (fuzzy word matches)
_URL_META = ("url", "canonical", "og_url", "final_url")
_WAYBACK = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?web\.archive\.org/web/[^/]*/(.+)$", re.I)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:/{1,3}", re.I)
_NUMBERED = re.compile(r"^(\d{1,4})-")
_MIN_PREFIX_PATH = 12   # a cited URL cut short (a line break in the chapter) still names a page if this long


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


class Support(NamedTuple):
    """How well a footnote's source supports a quote: label, best score, best source quotes."""

    label: str                      # "strong" | "weak" | "not found"
    score: float
    quotes: tuple[Quote, ...]


def url_key(url: str) -> str:
    """Return a URL reduced for comparison: no scheme, lower-case host without www., no trailing slash or fragment.

    An archive.org copy's address reduces to the archived URL's key.
    """
    url = url.strip().strip("<>").strip()
    wayback = _WAYBACK.match(url)
    if wayback:
        return url_key(wayback.group(1))
    url = "//" + (_SCHEME.sub("", url, count=1) if _SCHEME.match(url) else url.lstrip("/"))
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = unquote(parts.path).rstrip("/")
    query = unquote(parts.query)
    return netloc + path + (f"?{query}" if query else "")


def link_sources(documents: Sequence[Document], footnotes: Sequence[Footnote]) -> dict[str, int]:
    """Return source file -> the footnote whose cited document it is, by the URL it carries or an '<N>-' file name."""
    links: dict[str, int] = {}
    for doc in documents:
        candidates = [f for f in footnotes if f.source != doc.source]
        named = _named_number(doc.source, candidates)
        number = _url_number(doc, candidates, named)
        number = named if number is None else number
        if number is not None:
            links[doc.source] = number
    return links


def _named_number(source: str, candidates: Sequence[Footnote]) -> int | None:
    """Return N for a file named '<N>-...' when footnote N is among the candidates."""
    match = _NUMBERED.match(Path(source).name)
    if match and any(f.number == int(match.group(1)) for f in candidates):
        return int(match.group(1))
    return None


def _url_number(doc: Document, candidates: Sequence[Footnote], prefer: int | None) -> int | None:
    """Return the footnote whose URL the document carries (exactly, else as a cut-short prefix)."""
    keys = {url_key(v) for v in (doc.get(k) for k in _URL_META) if v}
    keys.discard("")
    if not keys:
        return None
    cited = [(f.number, url_key(f.url)) for f in candidates if f.url]
    exact = [n for n, key in cited if key in keys]
    if exact:
        return prefer if prefer in exact else exact[0]
    prefixed = sorted(((len(key), n) for n, key in cited if _names_page(key) and any(k.startswith(key) for k in keys)),
                      reverse=True)
    return prefixed[0][1] if prefixed else None


def _names_page(key: str) -> bool:
    """Tell whether a URL key has enough path to stand for one page when cut short."""
    _, _, path = key.partition("/")
    return len(path) >= _MIN_PREFIX_PATH


def source_status(corpus: Path, footnotes: Sequence[Footnote], documents: Sequence[Document]) -> list[SourceStatus]:
    """Return, per footnote, whether its cited document is in corpus/sources (present, fetched) or not (missing, failed)."""
    corpus = Path(corpus)
    folder = corpus / SOURCES_DIR
    links = link_sources(documents, footnotes)
    read = set(links)
    return [_status(note, folder, corpus, links, read) for note in footnotes]


def _status(note: Footnote, folder: Path, corpus: Path, links: dict[str, int], read: set[str]) -> SourceStatus:
    """Return the status of one footnote's cited document."""
    files = {src for src, n in links.items() if n == note.number}
    files |= {_relative(p, corpus) for p in _numbered_files(folder, note.number)}
    ordered = tuple(sorted(files))
    fetched = [r for r in (_record(folder / META_DIR / f"{Path(f).stem}.json") for f in ordered) if r]
    fetched = [r for r in fetched if r.get("footnote") in (None, note.number)]
    failure = _record(folder / META_DIR / f"{note.number}-failed.json")
    base = dict(number=note.number, kind=note.kind, url=note.url, accessed=note.accessed, files=ordered)
    if ordered:
        notes = [f"{f}: not read (unknown format or unreadable)" for f in ordered if f not in read]
        status = "fetched" if fetched else "present"
        if fetched:
            last = max(fetched, key=lambda r: str(r.get("fetched_at", "")))
            notes.insert(0, _fetched_reason(last))
            if failure and str(failure.get("attempted_at", "")) > str(last.get("fetched_at", "")):
                notes.append(f"last fetch failed ({failure.get('reason', '?')}); earlier copy kept")
        elif failure:
            notes.append(f"fetch failed ({failure.get('reason', '?')}); file in sources/ used")
        return SourceStatus(status=status, reason="; ".join(notes), **base)
    if failure:
        return SourceStatus(status="failed", reason=str(failure.get("reason", "fetch failed")), **base)
    reason = "not fetched yet" if note.url else \
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
    how = f"HTTP {record['http_status']}" if record.get("http_status") else "fetched"
    where = f", archived copy {record.get('final_url')}" if record.get("archived") else ""
    return f"fetched {when} ({how}{where})"


def support_label(score: float) -> str:
    """Return 'strong' (score >= STRONG_SUPPORT), 'weak' (>= WEAK_SUPPORT) or 'not found'."""
    if score >= STRONG_SUPPORT:
        return "strong"
    if score >= WEAK_SUPPORT:
        return "weak"
    return "not found"


def best_support(engine: "Engine", quote: Quote | str, number: int, top: int = 2) -> Support:
    """Return how well the source linked to footnote `number` supports the quote, with its best passages."""
    if isinstance(quote, Quote):
        text, chapter = quote.text, quote.passage.source
    else:
        note = next((f for f in engine.footnotes if f.number == number), None)
        text, chapter = str(quote), note.source if note is not None else None

    def from_source(p: Passage) -> bool:
        return number in p.footnotes and not p.marks and p.kind != "footnote" and p.source != chapter

    quotes = tuple(engine.search(text, k=max(1, top), where=from_source)[:max(1, top)]) if text.strip() else ()
    score = max((q.score for q in quotes), default=0.0)
    return Support(support_label(score), score, quotes)
