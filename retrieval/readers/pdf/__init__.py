"""Read a PDF into Blocks: body text, raised footnote markers, footnotes, headings, list items and
tables, told apart by font size and position relative to the rest of the page, never by fixed sizes.

Order of the blocks: for each page its body blocks, then its footnotes, then a "break" (none after the
last page; a break carries the page and page_index of the page it leads to).  A paragraph or item cut by
the page bottom comes out as two blocks around the footnotes and the break; a table that runs over the
break is one block.  Block.page is the PDF's own label when it has real numeric labels, else the printed
page number, else one inferred from the numbered pages (None where that would be below 1).

Reading runs in a worker process of its own (`sandbox`), bounded in unpacked bytes, seconds and memory
(`budget`); one module per stage: `extract` (pypdf runs into lines), `measure` (document-wide layout, page
numbers, running lines), `footnotes`, `tables`, `body` (blocks in order), `lines` (text of runs and lines),
`parts` (the pieces being assembled), `reading` (the stages in order, inside the worker).
"""
from .budget import LIMITS, PdfLimits
from .errors import CorruptPdf, EncryptedPdf, ScannedPdf, TooLargePdf
from .sandbox import read_pdf

__all__ = ["LIMITS", "CorruptPdf", "EncryptedPdf", "PdfLimits", "ScannedPdf", "TooLargePdf", "read_pdf"]
