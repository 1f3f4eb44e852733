"""The user's own documents: a folder that survives restarts, safe names, no overwriting, and the combined corpus."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from .cache import corpus_listing
from .errors import CorpusNotFound, KutipError
from .files import temporary_file
from .readers import KNOWN, advice_for, describe_formats, readable_suffixes

ENV = "KUTIP_USER_DOCS"
SHARED_ENV = "KUTIP_SHARED_LIBRARY"   # "1": uploads go to one library every session sees (single-user machine)
ALLOWED = readable_suffixes()        # from the one formats table in readers/
MAX_BYTES = 20 * 1024 * 1024         # as .streamlit/config.toml server.maxUploadSize: a thesis PDF is a few MB
SESSION_TTL_SECONDS = 6 * 3600       # a browser session's uploads are removed after this long without activity
SESSIONS = "kutip-sessions"          # the folder under the system temp dir holding one folder per browser session
_SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_NAME_CHARS = 120                 # the stem; the suffix comes on top
UPLOADS = "unggahan"                 # the folder the user's documents appear under in the combined corpus
FALLBACK_STEM = "dokumen"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\u200b-\u200f\u2028-\u202e\u2060\ufeff]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$", re.I)

Signature = tuple[tuple[str, int, int], ...]


class UserDocError(KutipError):
    """A document the user gave cannot be stored (wrong type, too large, unreadable name)."""


def user_docs_dir(explicit: Path | None = None) -> Path:
    """Return the user documents folder: explicit, else $KUTIP_USER_DOCS, else <user data dir>/documents."""
    if explicit is not None:
        return Path(explicit)
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    from platformdirs import user_data_dir
    return Path(user_data_dir("kutip", appauthor=False)) / "documents"


def shared_library() -> bool:
    """Tell whether uploads go to one shared library ($KUTIP_SHARED_LIBRARY=1) instead of the browser session."""
    return os.environ.get(SHARED_ENV, "").strip() == "1"


def sessions_root() -> Path:
    """Return the folder holding one upload folder per browser session (under the system temp dir)."""
    return Path(tempfile.gettempdir()) / SESSIONS


def session_dir(session_id: str, root: Path | None = None) -> Path:
    """Return the private upload folder of one browser session (created, readable by this user only)."""
    if not _SESSION_ID.match(session_id):
        raise UserDocError(f"session id tidak sah: {session_id!r}")
    root = root or sessions_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder = root / session_id
    folder.mkdir(exist_ok=True, mode=0o700)
    return folder


def prune_sessions(root: Path | None = None, now: float | None = None, keep: str | None = None) -> list[str]:
    """Remove the session folders untouched for SESSION_TTL_SECONDS (but not `keep`); return their names."""
    root = root or sessions_root()
    now = time.time() if now is None else now
    removed: list[str] = []
    if not root.is_dir():
        return removed
    for folder in root.iterdir():
        with contextlib.suppress(OSError):
            if folder.is_dir() and folder.name != keep and _SESSION_ID.match(folder.name) \
                    and now - folder.stat().st_mtime > SESSION_TTL_SECONDS:
                shutil.rmtree(folder)
                removed.append(folder.name)
    return removed


def check_upload(name: str, size: int) -> tuple[str, dict] | None:
    """Return why an upload is refused, as (message key, values) for the interface, or None when it is accepted."""
    suffix = Path(name or "").suffix.lower()
    if suffix not in ALLOWED:
        return "bad_type", {"name": name, "suffix": suffix or "(tanpa akhiran)",
                            "formats": ", ".join(s.lstrip(".").upper() for s in ALLOWED)}
    if size > MAX_BYTES:
        return "too_big", {"name": name, "size": size / 1_048_576, "max": MAX_BYTES // 1_048_576}
    return None


def safe_name(name: str) -> str:
    """Return a plain, visible, NFC-normalised, length-limited file name with a lower-case allowed suffix.

    Raises UserDocError when the suffix is not one of ALLOWED.
    """
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1]
    base = " ".join(_UNSAFE.sub("_", base).split())
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = "." + suffix.lower().strip() if suffix else ""
    if suffix not in ALLOWED:
        advice = advice_for(suffix)
        raise UserDocError(f"{name!r}: {advice}" if advice else
                           f"{name!r}: hanya berkas {describe_formats()} yang bisa diunggah / only these can be added")
    stem = stem.strip(" ._-")
    if _RESERVED.match(stem):
        stem = f"{stem}_"
    stem = stem[:MAX_NAME_CHARS].rstrip(" .") or FALLBACK_STEM
    return stem + suffix


def list_documents(folder: Path | None = None) -> list[str]:
    """Return the names of the stored documents, sorted (hidden and temporary files are left out)."""
    folder = user_docs_dir(folder)
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith((".", "_")) and p.suffix.lower() in ALLOWED)


def save_document(name: str, data: bytes, folder: Path | None = None) -> Path:
    """Store data under a safe version of name, never overwriting ('x (2).pdf' when 'x.pdf' exists); return the path."""
    if len(data) > MAX_BYTES:
        raise UserDocError(f"{name}: berkas terlalu besar ({len(data) / 1_048_576:.1f} MB; "
                           f"maksimal {MAX_BYTES // 1_048_576} MB)")
    clean = safe_name(name)
    folder = user_docs_dir(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with temporary_file(folder, data) as tmp:
        return _claim(tmp, folder, clean)


def _claim(tmp: Path, folder: Path, clean: str) -> Path:
    """Give the written temp file the first free name 'x', 'x (2)', ... without ever replacing a file."""
    stem, suffix = clean[: -len(Path(clean).suffix)], Path(clean).suffix
    for n in range(1, 10_000):
        target = folder / (clean if n == 1 else f"{stem} ({n}){suffix}")
        try:
            os.link(tmp, target)           # atomic, and fails if the name is taken
            return target
        except FileExistsError:
            continue
        except OSError:                    # no hard links on this file system: exclusive create instead
            try:
                with open(target, "xb") as out, open(tmp, "rb") as src:
                    shutil.copyfileobj(src, out)
                return target
            except FileExistsError:
                continue
    raise UserDocError(f"{clean}: terlalu banyak berkas dengan nama ini")


def remove_document(name: str, folder: Path | None = None) -> bool:
    """Delete one stored document by its listed name; return False if there is no such document."""
    folder = user_docs_dir(folder)
    if name not in list_documents(folder):
        return False
    try:
        (folder / name).unlink()
    except FileNotFoundError:
        return False
    return True


def signature(folder: Path) -> Signature:
    """Return (relative path, size, mtime) of every file under folder: it changes whenever a file does."""
    if not folder.is_dir():
        return ()
    out = []
    for p in sorted(folder.rglob("*")):
        with contextlib.suppress(OSError):
            if p.is_file():
                st = p.stat()
                out.append((p.relative_to(folder).as_posix(), st.st_size, st.st_mtime_ns))
    return tuple(out)


@contextlib.contextmanager
def combined_corpus(corpus: Path, folder: Path | None = None) -> Iterator[Path]:
    """Yield a corpus folder holding the shipped corpus and, under UPLOADS/, the user's documents.

    Without user documents this is the shipped corpus itself; otherwise a temporary folder of links
    (copies where links are not allowed), removed afterwards: the engine keeps the text it read.
    """
    corpus = Path(corpus)
    if not corpus.is_dir():
        raise CorpusNotFound(f"folder korpus tidak ditemukan: {corpus}")
    folder = user_docs_dir(folder)
    names = list_documents(folder)
    if not names:
        yield corpus
        return
    with tempfile.TemporaryDirectory(prefix="kutip-corpus-") as tmp:
        root = Path(tmp)
        files, refused = corpus_listing(corpus, KNOWN)
        for path in files:
            _link_or_copy(path, root / path.relative_to(corpus))
        for name, _ in refused:         # kept as links out of the folder, so the engine lists them as skipped
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            os.symlink((corpus / name).resolve(), root / name)
        for name in names:
            _link_or_copy(folder / name, root / UPLOADS / name)
        yield root


def _link_or_copy(src: Path, dst: Path) -> None:
    """Make dst point at src: a hard link (a symbolic one would lead out of the folder), else a copy."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src.resolve(), dst)
    except OSError:
        shutil.copy2(src, dst)
