"""Table rows: they inherit the footnotes of the sentence introducing the table, and read as (column, value) pairs."""
from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.readers import read_file
from retrieval.structure import structure
from retrieval.tables import row_cells
from tests.conftest import shared_path

ROOT = Path(__file__).resolve().parents[1]
ROW_3 = [("No", "3."), ("NAMA PEMERINTAH DAERAH", "Pemko Gimje-Korsei"), ("PENANDA TANGAN", "Batam, 17 Agustus 2013"),
         ("JANGKA WAKTU", "5 tahun"), ("BERAKHIR", "17 Agustus 2018"),
         ("KETERANGAN", "Mou/Memorandum Saling Penghargaan")]


def rows_of(path: Path):
    """Return the row passages of a file."""
    return [p for p in structure(read_file(path))[0] if p.kind == "row"]


@pytest.mark.parametrize("form", ["md", "pdf"])
def test_mou_rows_cite_the_introducing_sentence(form):
    path = ROOT / "corpus" / "bab3-sister-city-batam-gimje.md" if form == "md" else \
        shared_path("corpus-fixtures", "bab3-sister-city-batam-gimje.pdf")
    rows = rows_of(path)
    assert [p.footnotes for p in rows] == [(34,), (34,), (34,)]
    assert [p.footnotes_in(0, len(p.text)) for p in rows] == [(34,), (34,), (34,)]
    assert row_cells(rows[2]) == ROW_3
    assert row_cells(rows[0])[2] == ("PENANDA TANGAN", "Shenzhen-RRC 18 Desember 2006")


def write(tmp_path: Path, text: str) -> Path:
    """Write a small markdown chapter and return its path."""
    path = tmp_path / "t.md"
    path.write_text(text, encoding="utf-8")
    return path


TABLE = "No\tKota\tTahun\n1.\tGimje\t2011\n2.\tBatam\t2013\n"


def test_intro_with_a_pointer_gives_its_footnotes(tmp_path):
    path = write(tmp_path, "Data kota. Tabel berikut merangkum kerjasama<sup>7</sup>.\n\n" + TABLE
                 + "\n<sup>7</sup> Sumber data kota.\n")
    rows = rows_of(path)
    assert [p.footnotes for p in rows] == [(7,), (7,)]
    assert row_cells(rows[1]) == [("No", "2."), ("Kota", "Batam"), ("Tahun", "2013")]


def test_footnote_of_an_unrelated_sentence_is_not_inherited(tmp_path):
    path = write(tmp_path, "Kerjasama dimulai tahun 2011<sup>7</sup>. Kedua kota setuju.\n\n" + TABLE
                 + "\n<sup>7</sup> Sumber data kota.\n")
    assert [p.footnotes for p in rows_of(path)] == [(), ()]


def test_a_paragraph_is_not_a_row(tmp_path):
    path = write(tmp_path, "Satu paragraf saja.\n")
    assert row_cells(structure(read_file(path))[0][0]) is None
