"""How much a PDF may cost to read: unpacked bytes, seconds and memory, and the bytes a page unpacks to.

pypdf caps each stream (75 MB by default) but not a document, so a small file with one large stream per
page unpacks without end; here the caps of pypdf's own Configuration are lowered to what is left of the
document's budget, and every page's content streams (and the forms it may draw) are counted before the
page is read.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pypdf.errors import LimitReachedError

from .errors import TooLargePdf

# the chapter unpacks to 11.5 KB a page, so a 1,000-page thesis is ~12 MB; five times that still parses in seconds
MAX_UNPACKED = 64_000_000
# a page of the chapter reads in ~0.02 s; one that takes 500 times as long is a bomb, not text
PAGE_SECONDS = 10.0
# a 1,000-page thesis reads in ~25 s; past four times that a document has stalled, whatever its size
DOCUMENT_SECONDS = 120.0
# the reading process's address space: the worst case within MAX_UNPACKED (one long string) peaks near 0.5 GB
MAX_MEMORY = 1 << 30
# the reader's output (the blocks as JSON) may be this many times the unpacked budget (escapes, a few fields)
OUTPUT_FACTOR = 4

# pypdf Configuration fields that cap the output of one stream's decoding (0 there means "no cap")
STREAM_CAPS = ("zlib_maximum_output_length", "lzw_maximum_output_length", "run_length_maximum_output_length",
               "brotli_maximum_output_length", "array_based_stream_maximum_output_length")


@dataclass(frozen=True)
class PdfLimits:
    """What one PDF may cost to read; tests lower them so that a small bomb shows the bound."""

    unpacked_bytes: int = MAX_UNPACKED
    page_seconds: float = PAGE_SECONDS
    document_seconds: float = DOCUMENT_SECONDS
    memory_bytes: int = MAX_MEMORY


LIMITS = PdfLimits()


def too_large(name: str, why_id: str, why_en: str) -> TooLargePdf:
    """Return the error for a PDF that unpacks to more than may be read, saying which bound it passed."""
    return TooLargePdf(f"{name}: PDF terlalu besar setelah dibuka ({why_id}) / too large when unpacked ({why_en})")


def megabytes(n: int) -> str:
    """Return a byte count in (decimal) megabytes, e.g. "64 MB" or "1.5 MB"."""
    return f"{n / 1_000_000:g} MB"


@contextmanager
def stream_caps(left: int) -> Iterator[None]:
    """Lower pypdf's cap on one stream's unpacked size to what is left of the document's budget."""
    from pypdf import apply_configuration, get_configuration

    current = get_configuration()
    caps = {}
    for name in STREAM_CAPS:
        if hasattr(current, name):
            now = getattr(current, name)
            caps[name] = max(1, min(now, left) if now else left)
    with apply_configuration(**caps):  # type: ignore[arg-type]  # cap names only, never "configuration"
        yield


def page_unpacked(page: Any, left: int) -> int:
    """Return the bytes a page's content streams and forms unpack to, stopping once past `left`."""
    total = 0
    for stream in page_streams(page):
        try:
            total += len(stream.get_data())
        except (MemoryError, LimitReachedError):
            raise
        except Exception:  # a broken stream is the reader's concern (pypdf skips a broken form), not the budget's
            continue
        if total > left:
            break
    return total


def page_streams(page: Any) -> Iterator[Any]:
    """Yield a page's content streams, then the form XObjects it can draw (nested forms too, each once)."""
    contents = resolve(page.get("/Contents"))
    for part in contents if isinstance(contents, list) else [contents]:
        part = resolve(part)
        if hasattr(part, "get_data"):
            yield part
    seen: set[int] = set()
    todo = [resolve(page.get("/Resources"))]
    while todo:
        resources = todo.pop()
        if not hasattr(resources, "get"):
            continue
        xobjects = resolve(resources.get("/XObject"))
        for value in xobjects.values() if hasattr(xobjects, "values") else ():
            form = resolve(value)
            if id(form) in seen or not hasattr(form, "get_data") or form.get("/Subtype") != "/Form":
                continue
            seen.add(id(form))
            yield form
            todo.append(resolve(form.get("/Resources")))


def resolve(obj: Any) -> Any:
    """Return the object an indirect reference points to (None if it cannot be resolved)."""
    try:
        return obj.get_object() if obj is not None and hasattr(obj, "get_object") else obj
    except Exception:  # a dangling reference counts as nothing
        return None
