"""The one renderer's pieces (retrieval/render.py) and the one table of interface strings (retrieval/strings.py)."""
from __future__ import annotations

import pytest

from retrieval import strings
from retrieval.model import Passage, Quote
from retrieval.render import DOT, footnote_marks, place, place_line, scope_label
from retrieval.scope import Scope
from retrieval.strings import TEXT


def quote(source: str = "bab3.md", section: tuple[str, ...] = ("BAB III", "A. Latar"), page: int | None = 12) -> Quote:
    """Return a quote of a one-sentence passage (on a printed page when page is given)."""
    passage = Passage(id=0, source=source, kind="paragraph", text="Kota Batam menandatangani MoU.", section=section,
                      pages=((0, page, 0),) if page is not None else ())
    return Quote(passage, 0, len(passage.text), 1.0, (32, 33))


def test_every_language_has_every_string():
    assert set(TEXT["id"]) == set(TEXT["en"])
    assert all(value.strip() for table in TEXT.values() for value in table.values())


def test_one_place_in_the_text_and_the_app_forms():
    q = quote()
    assert place(q) == "bab3.md › BAB III › A. Latar, hlm. 12"
    assert place(q, TEXT["en"]["page"]) == "bab3.md › BAB III › A. Latar, p. 12"
    assert place(q, TEXT["id"]["page"], DOT) == "bab3.md · BAB III › A. Latar · hlm. 12"
    assert place(q.passage, joiner=DOT) == "bab3.md · BAB III › A. Latar"            # a passage: no page
    assert place(quote(section=(), page=None)) == "bab3.md"
    assert place(quote(section=("BAB I", "", "1.1"))) == "bab3.md › BAB I › 1.1, hlm. 12"   # no empty step


def test_a_terminal_place_is_one_line():
    assert place_line(quote(source="a\nb\x1b[31m.md", page=None)) == "a\\nb.md › BAB III › A. Latar"


def test_footnote_marks_and_scope_labels():
    assert footnote_marks(quote().footnotes) == "[32][33]" and footnote_marks((), " ") == ""
    assert footnote_marks((7,), " ") == " [7]"
    assert scope_label(Scope()) == "semua dokumen" and scope_label(Scope("cited"), "en") == "cited sources only"
    assert scope_label(Scope("one", "d.md")) == "satu dokumen (d.md)"


def test_the_interface_table_has_both_languages_on_every_row(tmp_path, monkeypatch):
    assert list(TEXT["id"]) == list(TEXT["en"]) and len(TEXT["id"]) == 133
    assert (TEXT["id"]["not_found"], TEXT["en"]["not_found"]) == ("Tidak ditemukan dalam bab ini.",
                                                                  "Not found in this chapter.")
    monkeypatch.setattr(strings, "DATA", tmp_path)
    (tmp_path / "strings.tsv").write_text("# a comment\nok\tya\tyes\nlost\thilang\n", encoding="utf-8")
    with pytest.raises(ValueError, match="strings.tsv:3: key, Indonesian and English"):
        strings._read()
