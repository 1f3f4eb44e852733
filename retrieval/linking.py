"""Source linking: which corpus file is the document a footnote cites, by the URL it carries or its '<N>-' name."""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .model import Document, Footnote

_URL_META = ("url", "canonical", "og_url", "final_url")
_WAYBACK = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?web\.archive\.org/web/[^/]*/(.+)$", re.I)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:/{1,3}", re.I)
_NUMBERED = re.compile(r"^(\d{1,4})-")
_MIN_PREFIX_PATH = 12   # a cited URL cut short (a line break in the chapter) still names a page if this long


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
