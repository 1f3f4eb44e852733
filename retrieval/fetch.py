"""Download the web pages a chapter's footnotes cite into sources/, with an archived copy when one is gone."""
from __future__ import annotations

import hashlib
import json
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from .errors import KutipError
from .fetchnames import ARCHIVE_BASE, access_year, archive_url, file_stem, now_iso, slug_for, with_scheme  # noqa: F401
from .files import META_DIR, failure_path, sidecar_path, write_atomic
from .model import Footnote
from .netguard import AddressRefused, Deadline, check_url, guarded_session
from .readers.html import decode_html, extract_page, page_text
from .readers.text import decode

USER_AGENT = "Kutip/0.1 (+thesis citation checker)"
TYPES = {"text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf", "text/plain": ".txt"}
GONE = frozenset({404, 410})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
CHUNK = 65536
URL_SECONDS = 60         # wall-clock limit on one URL (hops, retries, body): a server dripping 1 byte/s holds nothing


@dataclass(frozen=True)
class FetchResult:
    """What became of one cited URL: fetched (saved now), kept (fetch failed, earlier copy kept) or failed."""

    number: int
    url: str
    status: str                     # "fetched" | "failed" | "kept"
    final_url: str | None = None    # after redirects (the archive's URL for an archived copy)
    http_status: int | None = None
    path: str | None = None         # the saved (or kept) file
    reason: str = ""                # why it failed; for an archived copy, why the original was not used


@dataclass(frozen=True)
class _Download:
    """The outcome of one download (following redirects, with retries)."""

    url: str
    ok: bool
    final_url: str | None = None
    http_status: int | None = None
    content_type: str = ""
    body: bytes = b""
    reason: str = ""
    gone: bool = False              # 404 / 410 / no connection: worth asking the archive
    archived: bool = False          # the body is the archive's copy


@dataclass(frozen=True)
class _Options:
    """Download settings shared by every request of one run."""

    timeout: float
    max_bytes: int
    retries: int
    backoff: float
    max_redirects: int
    allow_private: bool = False     # fetch loopback / private / link-local addresses too (tests, intranet use)
    deadline: float = URL_SECONDS


def fetch_sources(footnotes: Sequence[Footnote], dest: Path, *, timeout: float = 15, max_bytes: int = 10_000_000,
                  retries: int = 2, archive: bool = True, session=None, archive_base: str = ARCHIVE_BASE,
                  backoff: float = 0.5, max_redirects: int = 10, allow_private: bool = False,
                  deadline: float = URL_SECONDS) -> list[FetchResult]:
    """Return one FetchResult per footnote with a URL, saving each page under dest as <N>-<slug>-<hash>.<ext>.

    Addresses that are not public are refused (after DNS, on every redirect, and on the connected socket of our own
    session) unless allow_private; each URL gets `deadline` seconds of wall-clock time, whatever the server does.

    Beside the raw file, dest/.kutip/ gets <N>-<slug>.txt (the extracted text) and <N>-<slug>.json
    (url, final_url, fetched_at, http_status, content_type, sha256, footnote).  A failed download is
    recorded in dest/.kutip/<N>-failed.json and never touches an earlier good copy.  Waits between
    retries grow as backoff * 2**attempt; never raises for network trouble.
    """
    dest = Path(dest)
    (dest / META_DIR).mkdir(parents=True, exist_ok=True)
    options = _Options(timeout, max_bytes, retries, backoff, max_redirects, allow_private, deadline)
    own = session is None
    session = guarded_session() if own else session
    try:
        return [_fetch_guarded(note, dest, session, options, archive_base if archive else None)
                for note in footnotes if note.url]
    finally:
        if own:
            session.close()


def _fetch_guarded(note: Footnote, dest: Path, session, options: _Options, archive_base: str | None) -> FetchResult:
    """Fetch one footnote's source; an unforeseen error fails that footnote only, never the whole run."""
    try:
        return _fetch_one(note, dest, session, options, archive_base)
    except Exception as exc:  # one odd URL or response must not lose the other footnotes' results
        copy = good_copy(dest, note.number, with_scheme(note.url or ""))
        return FetchResult(note.number, note.url or "", "kept" if copy else "failed", path=str(copy) if copy else None,
                           reason=f"unexpected error: {type(exc).__name__}: {exc}")


def _fetch_one(note: Footnote, dest: Path, session, options: _Options, archive_base: str | None) -> FetchResult:
    """Fetch one footnote's URL (or its archived copy) and save it, or record why not."""
    url = with_scheme(note.url or "")
    got = download(session, url, options)
    if not got.ok and got.gone and archive_base:
        copy = download(session, archive_url(url, access_year(note.accessed), archive_base), options)
        got = replace(copy, archived=True, reason=f"archived copy (original: {got.reason})") if copy.ok else \
            replace(got, reason=f"{got.reason}; archive: {copy.reason}")
    suffix, problem = _suffix(got) if got.ok else ("", "")
    if problem:
        got = replace(got, ok=False, reason=problem)
    if got.ok:
        try:
            return _save(note, url, got, suffix, dest)
        except OSError as exc:
            got = replace(got, ok=False, reason=f"cannot save: {exc.strerror or exc}")
    return _failed(note, url, got, dest)


class _Refused(KutipError):
    """The body is refused while reading: larger than max_bytes, or too slow."""


def download(session, url: str, options: _Options) -> _Download:
    """Return the body of url after redirects, stopping past max_bytes or the deadline; a loop of redirects fails."""
    with Deadline(options.deadline, options.allow_private) as deadline:
        got = _follow(session, url, options, deadline)
    if deadline.expired and not got.ok:
        return replace(got, reason=f"too slow (not fetched within {options.deadline:g} s)", gone=False)
    return got


def _follow(session, url: str, options: _Options, deadline: Deadline) -> _Download:
    """Follow redirects ourselves, checking every hop's address before asking it."""
    seen = [url]
    current = url
    while True:
        try:
            scheme = urlsplit(current).scheme.lower()
        except ValueError:
            return _Download(url, False, final_url=current, reason=f"invalid URL {current}")
        if scheme not in ("http", "https"):
            return _Download(url, False, final_url=current, reason=f"unsupported URL scheme in {current}")
        try:
            if not options.allow_private:
                check_url(current)
        except AddressRefused as exc:
            return _Download(url, False, final_url=current, reason=str(exc))
        got, location = _get_with_retries(session, url, current, options, deadline)
        if location is None:
            return got
        nxt = urljoin(current, location)
        if seen.count(nxt) >= 2:  # once more is allowed: some sites redirect to the same page to set a cookie
            last = len(seen) - 1 - seen[::-1].index(nxt)
            return _Download(url, False, final_url=nxt, http_status=got.http_status,
                             reason=f"redirect loop ({' -> '.join([*seen[last:], nxt])})")
        if len(seen) > options.max_redirects:
            return _Download(url, False, final_url=nxt, http_status=got.http_status,
                             reason=f"too many redirects (more than {options.max_redirects})")
        seen.append(nxt)
        current = nxt


def _get_with_retries(session, url: str, current: str, options: _Options,
                      deadline: Deadline) -> tuple[_Download, str | None]:
    """GET one URL without following redirects; retry 5xx, 429, timeouts and connection errors (in time)."""
    got = _Download(url, False, reason="not tried")
    for attempt in range(options.retries + 1):
        if attempt:
            time.sleep(min(options.backoff * 2 ** (attempt - 1), deadline.left()))
        if not deadline.left():
            break
        got, location, retry = _get(session, url, current, options, deadline)
        if not retry:
            break
    return got, location


def _get(session, url: str, current: str, options: _Options,
         deadline: Deadline) -> tuple[_Download, str | None, bool]:
    """GET once: return (outcome, redirect location or None, whether retrying may help)."""
    import requests

    failed = _Download(url, False, final_url=current)
    timeout = f"timeout (no answer within {options.timeout:g} s)"
    wait = max(0.01, min(options.timeout, deadline.left()))
    try:
        response = session.get(current, headers={"User-Agent": USER_AGENT}, stream=True, allow_redirects=False,
                               timeout=(wait, wait))
    except AddressRefused as exc:       # the name resolved elsewhere when connecting (DNS rebinding)
        return replace(failed, reason=str(exc)), None, False
    except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema, requests.exceptions.MissingSchema,
            ValueError) as exc:
        return replace(failed, reason=f"invalid URL {current} ({type(exc).__name__})"), None, False
    except requests.exceptions.ConnectTimeout:  # no server answering at all: as good as gone
        return replace(failed, reason=f"timeout (no connection within {options.timeout:g} s)", gone=True), None, True
    except requests.exceptions.RequestException as exc:
        if _timed_out(exc):
            return replace(failed, reason=timeout), None, True
        return replace(failed, reason=f"connection failed: {_cause(exc)}", gone=True), None, True
    with response:
        failed = replace(failed, http_status=response.status_code)
        status = response.status_code
        if status in REDIRECTS and response.headers.get("Location"):
            return failed, response.headers["Location"], False
        if status != 200:
            return replace(failed, reason=f"HTTP {status}", gone=status in GONE), None, status >= 500 or status == 429
        ctype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        try:
            body = _read_capped(response, options, deadline)
        except _Refused as exc:
            return replace(failed, content_type=ctype, reason=str(exc)), None, False
        except requests.exceptions.RequestException as exc:
            reason = timeout if _timed_out(exc) else f"connection broken: {_cause(exc)}"
            return replace(failed, reason=reason), None, True
    return replace(failed, ok=True, content_type=ctype, body=body), None, False


def _read_capped(response, options: _Options, deadline: Deadline) -> bytes:
    """Return the response body, raising _Refused past max_bytes or past the URL's deadline."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > options.max_bytes:
        raise _Refused(f"too large ({int(declared)} bytes, limit {options.max_bytes})")
    chunks, size = [], 0
    for chunk in response.iter_content(CHUNK):
        size += len(chunk)
        if size > options.max_bytes:
            raise _Refused(f"too large (more than {options.max_bytes} bytes)")
        if not deadline.left():
            raise _Refused(f"too slow (not fetched within {options.deadline:g} s)")
        chunks.append(chunk)
    if deadline.expired:                # the watchdog cut the connection: what arrived is not the whole body
        raise _Refused(f"too slow (not fetched within {options.deadline:g} s)")
    return b"".join(chunks)


def _timed_out(exc: BaseException) -> bool:
    """Tell whether a requests error is a read/connect timeout in disguise (streaming wraps them)."""
    import requests

    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            return False
        if isinstance(seen, requests.exceptions.Timeout) or "timed out" in str(seen).lower():
            return True
        inner = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = inner or seen.__cause__ or seen.__context__
    return False


def _cause(exc: BaseException) -> str:
    """Return the innermost, short reason of a connection error (e.g. 'Connection refused')."""
    text = str(exc)
    found = re.findall(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    if found:
        return found[-1].strip()
    return type(exc).__name__


def _suffix(got: _Download) -> tuple[str, str]:
    """Return (file suffix for a downloaded body, '') or ('', why it cannot be used)."""
    ctype = got.content_type
    if ctype in ("", "application/octet-stream", "binary/octet-stream"):
        ctype = _sniff(got.body) or ctype or "(none)"
    suffix = TYPES.get(ctype)
    if suffix is None:
        return "", f"unsupported content type {ctype}"
    if not got.body.strip():
        return "", "empty body"
    if suffix == ".pdf" and not got.body.lstrip().startswith(b"%PDF-"):
        return "", "not a PDF (body does not start with %PDF-)"
    return suffix, ""


def _sniff(body: bytes) -> str:
    """Return a content type guessed from the first bytes, or ''."""
    head = body.lstrip()[:256].lower()
    if head.startswith(b"%pdf-"):
        return "application/pdf"
    if head.startswith((b"<!doctype html", b"<html")):
        return "text/html"
    return ""


def _save(note: Footnote, url: str, got: _Download, suffix: str, dest: Path) -> FetchResult:
    """Write raw file, extracted text and metadata atomically; a page without text fails, a hand-placed file stays."""
    stem = file_stem(note.number, url)
    text, text_error = _extract(got.body, suffix, f"{stem}{suffix}")
    if suffix == ".html" and text is None:  # a page with no main text is no copy worth keeping
        return _failed(note, url, replace(got, ok=False, reason=text_error), dest)
    raw = dest / f"{stem}{suffix}"
    if raw.exists() and not sidecar_path(raw).exists():  # put there by hand: never ours to replace
        return FetchResult(note.number, url, "kept", got.final_url, got.http_status, str(raw),
                           f"{raw.name} was not fetched by Kutip; left untouched")
    write_atomic(raw, got.body)
    if text is not None:
        write_atomic(sidecar_path(raw, ".txt"), text.encode("utf-8"))
    record = {
        "footnote": note.number, "url": url, "final_url": got.final_url, "http_status": got.http_status,
        "content_type": got.content_type, "fetched_at": now_iso(), "sha256": hashlib.sha256(got.body).hexdigest(),
        "bytes": len(got.body), "file": raw.name, "text": f"{stem}.txt" if text is not None else None,
        "archived": got.archived, "note": got.reason,
    }
    if text_error:
        record["text_error"] = text_error
    write_atomic(sidecar_path(raw), (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    failure_path(dest, note.number).unlink(missing_ok=True)
    return FetchResult(note.number, url, "fetched", got.final_url, got.http_status, str(raw), got.reason)


def _extract(body: bytes, suffix: str, name: str) -> tuple[str | None, str]:
    """Return (plain text of the body or None, why no text)."""
    try:
        if suffix == ".html":
            blocks, _ = extract_page(decode_html(body, name), name)
            return page_text(blocks), ""
        if suffix == ".txt":
            return decode(body, name), ""
        return _pdf_text(body, name)
    except KutipError as exc:
        return None, str(exc)


def _pdf_text(body: bytes, name: str) -> tuple[str | None, str]:
    """Return the text of a PDF through the project's PDF reader, if it is there."""
    try:
        from .readers import reader_for
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(body)
            doc = reader_for(path)(path)
        return page_text(doc.blocks), ""
    except KutipError as exc:
        return None, str(exc)
    except Exception as exc:  # reader missing or broken: the raw PDF is still worth keeping
        return None, f"PDF text not extracted ({type(exc).__name__}: {exc})"


def _failed(note: Footnote, url: str, got: _Download, dest: Path) -> FetchResult:
    """Record a failure in .kutip/<N>-failed.json and return kept (an earlier copy exists) or failed."""
    record = {"footnote": note.number, "url": url, "final_url": got.final_url, "http_status": got.http_status,
              "reason": got.reason, "attempted_at": now_iso()}
    try:
        write_atomic(failure_path(dest, note.number),
                     (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    except OSError:
        pass
    copy = good_copy(dest, note.number, url)
    status = "kept" if copy else "failed"
    return FetchResult(note.number, url, status, got.final_url, got.http_status,
                       str(copy) if copy else None, got.reason)


def good_copy(dest: Path, number: int, url: str | None = None) -> Path | None:
    """Return an existing non-empty source file for footnote `number` (<N>-*.*) in dest, or None.

    A file fetched for another URL (another chapter's footnote of the same number) is not this URL's copy.
    """
    try:
        found = sorted(p for p in dest.glob(f"{number}-*") if p.is_file() and p.stat().st_size > 0
                       and not p.name.startswith("."))
    except OSError:
        return None
    fetched = [p for p in found if sidecar_path(p).is_file()]
    hand = [p for p in found if p not in fetched]
    if url is not None:
        fetched = [p for p in fetched if p.stem == file_stem(number, url)]
    return next(iter(fetched or hand), None)
