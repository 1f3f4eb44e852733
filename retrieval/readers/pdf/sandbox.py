"""Read a PDF in a worker process of its own, stopped when it passes its time, memory or output bound.

The decompression and parsing run in that process, never in the caller's, so a hostile upload neither holds
the app's interpreter lock nor its memory: other sessions keep answering while it is read or stopped.
"""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ...errors import ReadError
from ...model import Document
from .budget import LIMITS, OUTPUT_FACTOR, PdfLimits, megabytes, too_large
from .errors import CorruptPdf
from .worker import ERRORS, document_from

ROOT = Path(__file__).resolve().parents[3]  # the folder holding the `retrieval` package, for the worker's path
# the worker: -P keeps the current folder off its path; the package is found through ROOT
BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from retrieval.readers.pdf.worker import main; " \
       "sys.exit(main(sys.argv[2:]))"
CHUNK = 1 << 16  # bytes read from the worker's output at a time


def read_pdf(path: Path, progress: Callable[[int, int], None] | None = None, limits: PdfLimits = LIMITS) -> Document:
    """Return the PDF at path as a Document of blocks in reading order; progress(done, total) per page."""
    path = Path(path)
    command = [sys.executable, "-P", "-c", BOOT, str(ROOT), str(path), json.dumps(asdict(limits))]
    try:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    except OSError as e:
        raise ReadError(f"{path.name}: pembaca PDF tidak dapat dijalankan / cannot start the PDF reader ({e})") from e
    try:
        return watch(proc, path.name, progress, limits)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()


def watch(proc: subprocess.Popen, name: str, progress: Callable[[int, int], None] | None,
          limits: PdfLimits) -> Document:
    """Return the worker's Document, or raise its error; raise TooLargePdf once it passes a bound."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    document_deadline = time.monotonic() + limits.document_seconds
    page_deadline: float | None = None
    page = 0
    cap = OUTPUT_FACTOR * limits.unpacked_bytes
    buffer = bytearray()
    while True:
        now = time.monotonic()
        if page_deadline is not None and now >= page_deadline and page_deadline < document_deadline:
            raise too_large(name, f"halaman {page} lebih dari {limits.page_seconds:g} detik",
                            f"page {page} took over {limits.page_seconds:g} s")
        if now >= document_deadline:
            raise too_large(name, f"lebih dari {limits.document_seconds:g} detik",
                            f"over {limits.document_seconds:g} s")
        deadline = min(document_deadline, page_deadline or document_deadline)
        ready, _, _ = select.select([fd], [], [], deadline - now)
        if not ready:
            continue
        chunk = os.read(fd, CHUNK)
        if not chunk:
            break
        buffer += chunk
        if len(buffer) > cap:
            raise too_large(name, f"teks lebih dari {megabytes(cap)}", f"text over {megabytes(cap)}")
        while (end := buffer.find(b"\n")) >= 0:
            try:
                message: dict[str, Any] = json.loads(bytes(buffer[:end]))
            except ValueError as e:
                raise CorruptPdf(f"{name}: corrupt or unreadable PDF: the reader said {bytes(buffer[:40])!r}") from e
            del buffer[:end + 1]
            if "start" in message:
                page, page_deadline = message["start"] + 1, time.monotonic() + limits.page_seconds
            elif "done" in message:
                page_deadline = None
                if progress is not None:
                    progress(message["done"], message["total"])
            elif "doc" in message:
                return document_from(message["doc"])
            else:
                raise ERRORS.get(message.get("error", ""), CorruptPdf)(str(message.get("message", "")))
    code = proc.wait()
    raise CorruptPdf(f"{name}: corrupt or unreadable PDF: the reader stopped (exit code {code})")
