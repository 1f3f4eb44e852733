"""File names, URLs and dates of fetched sources: <N>-<site>-<hash of the URL>, archive addresses."""
from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from .dates import YEAR

ARCHIVE_BASE = "https://web.archive.org/web"
HASH_CHARS = 8           # hex digits of the URL's hash in a saved file's name: two chapters' footnote 1 never collide
_SECOND_LEVEL = {"ac", "co", "com", "edu", "go", "gov", "mil", "net", "or", "org", "sch", "web", "my", "ne"}


def now_iso() -> str:
    """Return the current UTC time as ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def with_scheme(url: str) -> str:
    """Return url with http:// in front when it has no scheme (www.example.com/...)."""
    url = url.strip().strip("<>")
    return url if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", url) else f"http://{url}"


def access_year(accessed: str | None) -> int | None:
    """Return the year of an access date ('18 Februari 2017', '20/02/19'), or None."""
    if not accessed:
        return None
    years = re.findall(rf"(?<!\d)({YEAR})(?!\d)", accessed)
    if years:
        return int(years[-1])
    short = re.search(r"\d{1,2}[-/.]\d{1,2}[-/.](\d{2})\s*$", accessed.strip())
    return 2000 + int(short.group(1)) if short else None


def archive_url(url: str, year: int | None, base: str = ARCHIVE_BASE) -> str:
    """Return the archive's address of url's copy nearest to `year` (default this year), original bytes (id_)."""
    return f"{base.rstrip('/')}/{year or datetime.now(UTC).year}id_/{url}"


def file_stem(number: int, url: str) -> str:
    """Return the name (without suffix) a fetched URL is saved under: <N>-<site>-<hash of the URL>."""
    return f"{number}-{slug_for(url)}-{hashlib.sha256(url.encode('utf-8', 'replace')).hexdigest()[:HASH_CHARS]}"


def slug_for(url: str) -> str:
    """Return a short file-name slug for a URL: the site's name ('kepri.antaranews.com' -> 'antaranews')."""
    host = (urlsplit(with_scheme(url)).hostname or "").lower()
    if re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", host):
        name = host
    else:
        labels = [label for label in host.split(".") if label and label != "www"]
        if len(labels) > 1:
            labels = labels[:-1]
        if len(labels) > 1 and labels[-1] in _SECOND_LEVEL:
            labels = labels[:-1]
        name = labels[-1] if labels else ""
    slug = re.sub(r"[^a-z0-9]+", "-", name).strip("-")[:40] or "source"
    return "failed-site" if slug == "failed" else slug
