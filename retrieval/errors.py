"""Named errors of the core; only the shells (CLI, app) turn them into messages."""
from __future__ import annotations


class KutipError(Exception):
    """Base of every error the core raises on purpose."""


class CorpusNotFound(KutipError):
    """The corpus folder does not exist or is not a folder."""


class EmptyCorpus(KutipError):
    """The corpus holds no readable document."""


class BadQuestion(KutipError):
    """The question is empty or too long to be a question."""


class ReadError(KutipError):
    """One file could not be read; the message says why in one line."""


class UnsupportedFormat(ReadError):
    """No reader knows this file's suffix."""


class ModelFileError(KutipError):
    """A fitted model file shipped with Kutip is missing or corrupt (refit it; never answer without it)."""


class BuildFailed(KutipError):
    """The worker process building a corpus failed; the message names what it raised there, or how it ended."""


class RefusedWrite(KutipError):
    """An output file was not written: it exists (no --force), is a link, or lies in the corpus folder."""
