"""The reading process: reads PDFs one after another under a memory cap, one request a line on stdin, and
reports on stdout, one JSON object a line.

Request: {"path": file, "limits": PdfLimits as a dict}.  Replies: {"start": page index, "total": n} before a
page, {"done": pages read, "total": n} after it, then {"doc": the Document} or {"error": error class name,
"message": one line}.  The process ends when stdin closes.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ...errors import ReadError
from ...model import Block, Document
from .budget import PdfLimits, megabytes, too_large
from .errors import CorruptPdf, EncryptedPdf, ScannedPdf, TooLargePdf
from .extract import short_reason
from .reading import read_in_process

ERRORS: dict[str, type[ReadError]] = {e.__name__: e for e in (ScannedPdf, EncryptedPdf, CorruptPdf, TooLargePdf,
                                                               ReadError)}
CPU_SPARE = 5  # seconds of CPU beyond the document's wall-clock bound before the kernel stops a lost worker


def main(argv: list[str]) -> int:
    """Serve read requests from stdin until it closes, with the address space capped at argv[0] bytes."""
    cap_memory(int(argv[0]))
    for line in sys.stdin:
        request = json.loads(line)
        serve(Path(request["path"]), PdfLimits(**request["limits"]))
    return 0


def serve(path: Path, limits: PdfLimits) -> None:
    """Read one PDF and report it (or why it could not be read); never raise."""
    cap_cpu(limits)
    try:
        doc = read_in_process(path, budget=limits.unpacked_bytes,
                              progress=lambda done, total: say(done=done, total=total),
                              starting=lambda index, total: say(start=index, total=total))
        say(doc=document_dict(doc))
    except ReadError as e:
        say(error=type(e).__name__ if type(e).__name__ in ERRORS else "ReadError", message=str(e))
    except MemoryError:
        mem = megabytes(limits.memory_bytes)
        say(error="TooLargePdf", message=str(too_large(path.name, f"lebih dari {mem} memori", f"over {mem} of memory")))
    except Exception as e:  # noqa: BLE001 - whatever pypdf meets in a hostile file is reported, not raised
        say(error="CorruptPdf", message=f"{path.name}: corrupt or unreadable PDF: {short_reason(e)}")


def cap_memory(limit: int) -> None:
    """Cap this process's address space: past it an allocation fails with MemoryError instead of swapping."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not a POSIX system: the parent's deadline still holds
        return
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def cap_cpu(limits: PdfLimits) -> None:
    """Let this read use the document's seconds of CPU (plus a spare), so a worker whose parent is gone stops."""
    try:
        import resource
    except ImportError:  # pragma: no cover
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime + limits.document_seconds) + CPU_SPARE
    resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.RLIM_INFINITY))


def say(**message: Any) -> None:
    """Write one message to the parent (ASCII JSON, one line) and flush it."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def document_dict(doc: Document) -> dict[str, Any]:
    """Return a Document as plain JSON values."""
    blocks = [[b.kind, b.text, [list(m) for m in b.marks], b.page, b.page_index, b.label, b.number,
               [list(r) for r in b.rows]] for b in doc.blocks]
    return {"source": doc.source, "blocks": blocks, "meta": [list(m) for m in doc.meta]}


def document_from(data: dict[str, Any]) -> Document:
    """Return the Document that document_dict turned into `data`."""
    blocks = tuple(Block(kind, text, tuple((int(o), int(n)) for o, n in marks), page, page_index, label, number,
                         tuple(tuple(row) for row in rows))
                   for kind, text, marks, page, page_index, label, number, rows in data["blocks"])
    return Document(source=data["source"], blocks=blocks, meta=tuple((k, v) for k, v in data["meta"]))

