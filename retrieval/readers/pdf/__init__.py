"""Read a PDF into Blocks: body text, raised footnote markers, footnotes, headings, list items and
tables, told apart by font size and position relative to the rest of the page, never by fixed sizes.

Order of the blocks: for each page its body blocks, then its footnotes, then a "break" (none after the
last page; a break carries the page and page_index of the page it leads to).  A paragraph or item cut by
the page bottom comes out as two blocks around the footnotes and the break; a table that runs over the
break is one block.  Block.page is the PDF's own label when it has real numeric labels, else the printed
page number, else one inferred from the numbered pages (None where that would be below 1).
"""

from .errors import CorruptPdf, EncryptedPdf, ScannedPdf
from .reading import read_pdf

__all__ = ["CorruptPdf", "EncryptedPdf", "ScannedPdf", "read_pdf"]
