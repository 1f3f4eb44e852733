"""Kutip's core: answer questions about a corpus with verbatim quotes and their footnotes.

The public API is imported from here (`from retrieval import Engine, Answer`).  Names load on first use, so a
process that imports only a small part of the package (the PDF worker) does not pay for the engine's imports.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

# public name -> the module (under retrieval) that defines it
_HOMES = {
    "Engine": "engine",
    "DocStatus": "model", "Answer": "model", "Passage": "model", "Footnote": "model", "Quote": "model",
    "DEFAULT_TOP_K": "model",
    "Settings": "settings", "MAX_QUESTION_CHARS": "question",
    "KutipError": "errors", "CorpusNotFound": "errors", "EmptyCorpus": "errors", "BadQuestion": "errors",
    "ReadError": "errors", "UnsupportedFormat": "errors",
}
__all__ = sorted(_HOMES)

if TYPE_CHECKING:
    from .engine import Engine
    from .errors import BadQuestion, CorpusNotFound, EmptyCorpus, KutipError, ReadError, UnsupportedFormat
    from .model import DEFAULT_TOP_K, Answer, DocStatus, Footnote, Passage, Quote
    from .question import MAX_QUESTION_CHARS
    from .settings import Settings


def __getattr__(name: str):
    """Return a public name, importing its module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'retrieval' has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value          # later lookups skip this function
    return value


def __dir__() -> list[str]:
    """Return the module's names with the public API."""
    return sorted(set(globals()) | set(__all__))
