"""Why a PDF could not be read, one error per reason."""
from __future__ import annotations

from ...errors import ReadError


class ScannedPdf(ReadError):
    """The PDF has pages but no text a reader can extract."""


class EncryptedPdf(ReadError):
    """The PDF is encrypted and the empty password does not open it."""


class CorruptPdf(ReadError):
    """The file is not a readable PDF."""


class TooLargePdf(ReadError):
    """The PDF unpacks to more bytes, seconds or memory than one document may take to read."""
