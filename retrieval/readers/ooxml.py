"""Opening a Word package safely: bounded size and part count before anything unpacks, clear messages for
old .doc files, password-protected and broken files."""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from ..errors import ReadError

MAX_MEMBERS = 10_000                 # a thesis with figures has a few hundred parts; more is a crafted archive
MAX_UNPACKED = 256 * 1024 * 1024     # python-docx holds every part in memory: bound what unpacking may take
MAX_XML_PART = 64 * 1024 * 1024      # an lxml tree costs ~10x its XML; a whole thesis's text is a few MB
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # old .doc files and password-protected .docx both start so
MAX_OLE_SCAN = 32 * 1024 * 1024      # bytes searched for "EncryptedPackage" to tell a locked .docx from a .doc


class CorruptDocx(ReadError):
    """The file is not a readable .docx."""


class EncryptedDocx(ReadError):
    """The .docx is protected by a password."""


def check_package(path: Path) -> None:
    """Raise a ReadError unless path is a zip of bounded size that could be a .docx (before anything unpacks)."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(OLE_MAGIC))
    except OSError as e:
        raise ReadError(f"{path.name}: berkas tidak bisa dibuka / cannot open file ({e.strerror})") from e
    if head == OLE_MAGIC:
        with open(path, "rb") as f:
            data = f.read(MAX_OLE_SCAN)
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise EncryptedDocx(f"{path.name}: .docx dilindungi kata sandi; buka di Word, hapus kata sandinya, "
                                f"lalu simpan lagi / password-protected .docx: remove the password in Word")
        raise CorruptDocx(f"{path.name}: ini berkas Word lama (.doc) bernama .docx; simpan ulang sebagai .docx "
                          f"atau PDF / an old Word .doc file named .docx: save it as .docx or PDF")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except Exception as e:  # zipfile raises BadZipFile, NotImplementedError, ValueError, EOFError, ... on damage
        raise CorruptDocx(f"{path.name}: bukan .docx yang utuh / not a valid .docx (rusak / corrupt)") from e
    if len(infos) > MAX_MEMBERS:
        raise CorruptDocx(f"{path.name}: .docx berisi terlalu banyak bagian ({len(infos)}; maksimal {MAX_MEMBERS})"
                          f" / too many parts")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED:
        raise CorruptDocx(f"{path.name}: .docx terlalu besar setelah dibuka ({total // 1_048_576} MB; maksimal "
                          f"{MAX_UNPACKED // 1_048_576} MB) / too large when unpacked")
    big = next((i for i in infos if i.filename.endswith((".xml", ".rels")) and i.file_size > MAX_XML_PART), None)
    if big is not None:
        raise CorruptDocx(f"{path.name}: bagian {big.filename} terlalu besar ({big.file_size // 1_048_576} MB; "
                          f"maksimal {MAX_XML_PART // 1_048_576} MB) / part too large when unpacked")
    if not any(i.filename.endswith("document.xml") for i in infos):
        raise CorruptDocx(f"{path.name}: bukan dokumen Word / not a Word document (no document.xml)")


def open_docx(path: Path) -> Any:
    """Return python-docx's Document for path, or raise CorruptDocx saying why in one line."""
    import docx

    try:
        return docx.Document(str(path))
    except Exception as e:  # python-docx raises assorted errors on a broken package
        reason = " ".join(str(e).split())[:120] or type(e).__name__
        raise CorruptDocx(f"{path.name}: .docx rusak / corrupt .docx ({reason})") from e
