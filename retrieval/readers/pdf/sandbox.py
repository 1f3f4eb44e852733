"""Read a PDF in a worker process, stopped (killed) when it passes its time, memory or output bound.

The decompression and parsing run in that process, never in the caller's, so a hostile upload neither holds
the app's interpreter lock nor its memory: other sessions keep answering while it is read or stopped.  A worker
that finished a PDF cleanly waits for the next one, so a corpus of many PDFs pays one start-up, not one each.
"""
from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ...errors import ReadError
from ...model import Document
from .budget import LIMITS, OUTPUT_FACTOR, PdfLimits, megabytes, too_large
from .errors import CorruptPdf, TooLargePdf
from .worker import ERRORS, document_from

ROOT = Path(__file__).resolve().parents[3]  # the folder holding the `retrieval` package, for the worker's path
# the worker: -P keeps the current folder off its path; the package is found through ROOT
BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from retrieval.readers.pdf.worker import main; " \
       "sys.exit(main(sys.argv[2:]))"
CHUNK = 1 << 16  # bytes read from the worker's output at a time
MAX_IDLE = 2     # warm workers kept between reads: a build reads its files in turn, the app one upload at a time
MAX_READS = 100  # a worker is retired after this many PDFs, so nothing pypdf leaves behind can pile up

_idle: list[tuple[subprocess.Popen, int, int]] = []  # (worker, its memory cap, PDFs it has read)
_lock = threading.Lock()


def read_pdf(path: Path, progress: Callable[[int, int], None] | None = None, limits: PdfLimits = LIMITS) -> Document:
    """Return the PDF at path as a Document of blocks in reading order; progress(done, total) per page."""
    path = Path(path)
    proc, reads = take(limits.memory_bytes, path.name)
    clean = False
    try:
        assert proc.stdin is not None
        proc.stdin.write((json.dumps({"path": str(path.absolute()), "limits": asdict(limits)}) + "\n").encode())
        proc.stdin.flush()
        try:
            doc = watch(proc, path.name, progress, limits)
        except TooLargePdf:
            raise
        except ReadError:
            clean = True  # the worker said why, and is ready for the next file
            raise
        clean = True
        return doc
    except OSError as e:  # the worker is gone before it could take the request
        raise CorruptPdf(f"{path.name}: corrupt or unreadable PDF: the reader stopped ({e})") from e
    finally:
        if clean:
            give(proc, limits.memory_bytes, reads + 1)
        else:
            stop(proc)


def take(memory: int, name: str) -> tuple[subprocess.Popen, int]:
    """Return an idle worker with this memory cap (and how many PDFs it has read), or start one."""
    with _lock:
        for k, (proc, cap, reads) in enumerate(_idle):
            if cap == memory and proc.poll() is None:
                del _idle[k]
                return proc, reads
    command = [sys.executable, "-P", "-c", BOOT, str(ROOT), str(memory)]
    try:
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    except OSError as e:
        raise ReadError(f"{name}: pembaca PDF tidak dapat dijalankan / cannot start the PDF reader ({e})") from e
    return proc, 0


def give(proc: subprocess.Popen, memory: int, reads: int) -> None:
    """Keep a worker that read a PDF cleanly for the next one, unless enough wait or it has read its share."""
    with _lock:
        if reads < MAX_READS and len(_idle) < MAX_IDLE and proc.poll() is None:
            _idle.append((proc, memory, reads))
            return
    stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """Kill a worker (if still running) and collect it."""
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            try:
                pipe.close()
            except OSError:  # a pipe the dead worker left broken
                pass


@atexit.register
def stop_idle() -> None:
    """Stop the waiting workers when the program ends."""
    with _lock:
        waiting, _idle[:] = list(_idle), []
    for proc, _, _ in waiting:
        stop(proc)


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
