"""The PDF reader: body, raised markers, footnotes, headings, items, tables, printed page numbers, errors."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fpdf import FPDF

from conftest import word_at_mark
from retrieval.errors import ReadError
from retrieval.model import Block, Document
from retrieval.readers import read_file
from retrieval.readers.pdf import CorruptPdf, EncryptedPdf, ScannedPdf, read_pdf

HERE = Path(__file__).parent
FIXTURE_NAME = "bab3-sister-city-batam-gimje.pdf"
FIXTURE = HERE / "data" / FIXTURE_NAME  # a byte copy of ../shared/corpus-fixtures' PDF, kept with the tests


def notes_joined(doc: Document) -> dict[int, str]:
    """Return footnote number -> text, continuations appended as the structure stage does."""
    notes: dict[int, str] = {}
    last = None
    for b in doc.blocks:
        if b.kind != "footnote":
            continue
        if b.number is None:
            sep = "" if notes[last].endswith("-") else " "
            notes[last] += sep + b.text
        else:
            last = b.number
            notes[last] = b.text
    return notes


def body(doc: Document) -> list[Block]:
    """Return the heading, paragraph and item blocks."""
    return [b for b in doc.blocks if b.kind in ("heading", "paragraph", "item")]


# ---------------------------------------------------------------- the real chapter

@pytest.fixture(scope="module")
def chapter() -> Document:
    """The thesis chapter typeset like Word, read once."""
    return read_pdf(FIXTURE)


def test_chapter_has_footnotes_32_to_40_with_full_urls(chapter: Document) -> None:
    notes = notes_joined(chapter)
    assert sorted(notes) == list(range(32, 41))
    assert "https://finance.detik.com/berita-ekonomi-bisnis/d-3164021/banyak-negara-belajar-dari-batam-dan-" \
           "berhasil-tapi-batam-malah-ketinggalan diakses pada tanggal 18 Februari 2017." in notes[32]
    assert notes[33].startswith("Perencanaan kerjasama kota Gimje pada Kota Batam. http://kepri.antaranews.com/")
    assert notes[33].endswith("diakses pd tgl 29 januari 2018")
    assert "https://arsipskpd.batam.go.id/batamkota/skpd.batamkota.go.id/penanamanmodal/profil/rencana-strategis/" \
           "isu-strategis/index.html diakses pada 20 januari 2019" in notes[34]
    assert "https://www.kemlu.go.id/id/berita/Pages/Indonesia-dan-Thailand-Pererat-Kerja-Sama.aspx" in notes[35]
    assert notes[36].startswith("“Direktorat Perjanjian Ekonomi dan Sosial-Budaya Departemen Luar Negeri 2006.")
    assert notes[37] == ("Tentang pariwisata yang ada di Kota Batam https://www.liputan6.com/citizen6/read/3299230/"
                         "selain-destinasi-wisata-kenali-batam-lebih-dekat-dengan-3-festival-kebudayaan-ini "
                         "diakses pada 29 January 2019")
    assert "https://www.visitkorea.or.id/article/festival-yang-harus-didatangi-saat-musim-gugur-festival-horizon-" \
           "gimje diakses pada 29 January 2019" in notes[38]
    assert notes[39] == ("Ali Mukti, Takdir, Paradiplomacy:Kerjasama Luar Negeri Oleh Pemda di Indonesia "
                         "(Yogyakarta:The Phinsi Press,2013, hlm. 26-28.")
    assert notes[40].endswith("Jurnal Ilmiah Cano Ekonomos Vol.3 No.2 Juli 2014")


def test_chapter_footnotes_sit_on_their_printed_pages(chapter: Document) -> None:
    pages = {b.number: (b.page, b.page_index) for b in chapter.blocks if b.kind == "footnote"}
    assert pages == {32: (45, 0), 33: (46, 1), 34: (46, 1), 35: (48, 3), 36: (49, 4),
                     37: (53, 8), 38: (53, 8), 39: (54, 9), 40: (55, 10)}


def test_chapter_markers_are_removed_and_attached(chapter: Document) -> None:
    blocks = body(chapter)
    first = next(b for b in blocks if "US$114,5 miliar" in b.text)
    assert "US$ 13,200." in first.text and "13,20032" not in first.text
    assert word_at_mark(first, 32) == "13,200|."
    gimje = next(b for b in blocks if "pertanian. Dalam" in b.text)
    assert word_at_mark(gimje, 33) == "pertanian|."
    assert "pertanian33" not in gimje.text
    markers = sorted(n for b in blocks for _, n in b.marks)
    assert markers == list(range(32, 41))
    assert not any(re.search(r"[a-z.,]3[2-9]\b|[a-z.,]40\b", b.text) for b in blocks)


def test_chapter_sentence_across_lines_is_one_block(chapter: Document) -> None:
    sentence = "Dalam kerjasama tersebut diperlukan menjaga kesinambungan kerjasama dalam bidang perekonomian."
    assert sum(sentence in b.text for b in body(chapter)) == 1


def test_chapter_printed_page_numbers(chapter: Document) -> None:
    assert sorted({b.page for b in chapter.blocks}) == list(range(45, 57))
    assert all(b.page == b.page_index + 45 for b in chapter.blocks if b.kind != "break")
    for b in body(chapter):
        assert not re.fullmatch(r"\d+", b.text)
        assert not re.search(r"\b(4[5-9]|5[0-6])$", b.text), b.text


def test_chapter_paragraph_cut_by_page_break(chapter: Document) -> None:
    kinds = [b.kind for b in chapter.blocks]
    assert kinds.count("break") == 11
    i = next(i for i, b in enumerate(chapter.blocks) if b.text.endswith("Dalam kerjasamanya yang tidak jauh juga"))
    assert [b.kind for b in chapter.blocks[i:i + 4]] == ["paragraph", "footnote", "break", "paragraph"]
    assert chapter.blocks[i + 3].text.startswith("sama dalam sektor ekonomi. Namun")
    assert chapter.blocks[i + 3].page == 46


def test_chapter_headings_and_items(chapter: Document) -> None:
    headings = [b.text for b in chapter.blocks if b.kind == "heading"]
    assert headings[:4] == ["BAB III", "FAKTOR YANG MENDORONG TERJADINYA KERJASAMA SISTER CITY.",
                            "A. Kerjasama Sister City Kota Batam Dengan Negera Sebelumnya.",
                            "B. Faktor Yang Mendorong Terjadinya Kerjasama Sister City Antara Kota Batam "
                            "Dengan Kota Gimje."]
    assert "1. Faktor Kerjasama" in headings and "2) Perbedaan Iklim dan Kesuburan Tanah" in headings
    assert len(headings) == 17
    items = [b for b in chapter.blocks if b.kind == "item"]
    assert [b.label for b in items[:7]] == ["a.", "b.", "c.", "d.", "e.", "f.", "g."]
    assert items[0].text == "Untuk memacu dalam pertumbuhan ekonomi setiap Negara."
    assert [(b.label, b.text) for b in items if b.label == "5."] == [("5.", "Sesuai dengan peraturan undang-undang.")]
    g = next(b for b in items if b.text.startswith("Sebagai tindak lanjut dari LoI"))
    assert (g.label, g.page) == ("g.", 50)
    assert len(items) == 33


def test_chapter_table(chapter: Document) -> None:
    tables = [b for b in chapter.blocks if b.kind == "table"]
    assert len(tables) == 1
    table = tables[0]
    assert table.rows == (
        ("No", "NAMA PEMERINTAH DAERAH", "PENANDA TANGAN", "JANGKA WAKTU", "BERAKHIR", "KETERANGAN"),
        ("1.", "Pemko Shenzhen-RRC", "Shenzhen-RRC 18 Desember 2006", "-", "-", "Letter Of Intent"),
        ("2.", "Pemko Gimje-Korsei", "Gimje-Korsei 28 Desember 2011", "-", "-", "Letter Of Intent"),
        ("3.", "Pemko Gimje-Korsei", "Batam, 17 Agustus 2013", "5 tahun", "17 Agustus 2018",
         "Mou/Memorandum Saling Penghargaan"),
    )
    assert (table.text, table.page, table.page_index) == ("", 46, 1)
    i = chapter.blocks.index(table)
    assert chapter.blocks[i - 1].text == ("PERKEMBANGAN DAN REKAPITULASI KESEPAKATAN BERSAMA (MOU) "
                                          "ANTARA PEMKO BATAM DAN LUAR NEGERI s.d TAHUN 2015")
    caption = next(b for b in chapter.blocks[i + 1:] if b.kind == "paragraph")
    assert (caption.text, caption.page) == ("Gambar 3.1 Rekapitulasi kesepakatan bersama.", 47)
    words = " ".join(" ".join(row) for row in table.rows)
    assert "WAKT " not in words and "KETERANG " not in words


def test_chapter_hyphens_stay(chapter: Document) -> None:
    text = " ".join(b.text for b in body(chapter))
    assert "masing-masing" in text and "faktor-faktor kerjasama sister citty" in text
    assert "Tukar-menukar pengetahuan" in text
    assert "faktor- faktor" not in text


def test_chapter_meta(chapter: Document) -> None:
    assert chapter.source == FIXTURE_NAME and chapter.get("pages") == "12"


# ---------------------------------------------------------------- a PDF made here, with other sizes and margins

LEFT, INDENT, PITCH, BODY, NOTE, MARK, RISE = 60.0, 20.0, 15.0, 11.0, 8.0, 5.5, 3.5


class Pages:
    """Lays lines out by hand with fpdf2: Helvetica 11 pt body, 8 pt footnotes, 5.5 pt raised markers."""

    def __init__(self, first_number: int = 7, header: bool = True) -> None:
        self.pdf = FPDF(unit="pt", format="letter")
        self.pdf.set_auto_page_break(False)
        self.number = first_number - 1
        self.header = header
        self.y = 0.0

    def page(self) -> None:
        """Start a page: running header on the left, printed page number on the right of the same line."""
        self.pdf.add_page()
        self.number += 1
        if self.header:
            self.put(LEFT, 40, "Laporan Uji Kutip", 9)
            self.put(540, 40, str(self.number), 9)
        self.y = 90.0

    def put(self, x: float, y: float, text: str, size: float, style: str = "") -> float:
        """Draw text with its baseline at y (from the top); return where it ends."""
        self.pdf.set_font("Helvetica", style, size)
        self.pdf.text(x, y, text)
        return x + self.pdf.get_string_width(text)

    def line(self, *parts: str | int, x: float = LEFT, style: str = "", gap: float = PITCH) -> None:
        """Draw one body line; an int part is a raised footnote marker glued to the text before it."""
        self.y += gap
        for part in parts:
            if isinstance(part, int):
                x = self.put(x, self.y - RISE, str(part), MARK)
            else:
                x = self.put(x, self.y, part, BODY, style)

    def note(self, y: float, text: str, number: int | None = None) -> None:
        """Draw one footnote line at y: a raised small number then 8 pt text."""
        x = LEFT
        if number is not None:
            x = self.put(x, y - 2.5, str(number), 4.5) + 1
        self.put(x, y, text, NOTE)

    def bytes(self) -> bytes:
        """Return the PDF."""
        return bytes(self.pdf.output())


def made_pdf() -> bytes:
    """Return a 3-page report whose facts the test below knows by heart."""
    p = Pages()
    p.page()
    p.line("BAB IV", style="B", gap=0)
    p.line("A. Bagian Pertama Uji", style="B", gap=30)
    p.line("Kota Batam dan Kota Gimje menjalin kerja sama dalam lima bidang, yaitu", x=LEFT + INDENT, gap=25)
    p.line("pariwisata, industri dan perdagangan, investasi, pendidikan dan pertanian", 5, ". Dalam")
    p.line("kerja sama tersebut diperlukan menjaga kesinambungan kerja sama dalam bidang")
    p.line("perekonomian.")
    p.line("Tukar-menukar pengalaman dilakukan setiap tahun oleh pejabat kedua kota dan", x=LEFT + INDENT)
    p.line("masyarakat. Kegiatan ini mencakup festival budaya, pameran dagang dan tukar-")
    p.line("menukar pelajar", 6, " yang disepakati oleh kedua")
    p.pdf.line(LEFT, 690, LEFT + 150, 690)
    p.note(705, "Sumber uji. https://contoh.example.test/berita/2018/kerja-sama-", 5)
    p.note(715, "batam-gimje-bidang-ekonomi diakses pada 1 Mei 2019")
    p.note(727, "Catatan panjang yang dimulai di halaman ini dan", 6)
    p.page()
    p.line("pihak pada tahun 2013.", gap=0)
    p.line("B. Bagian Kedua", style="B", gap=30)
    p.line("Tujuan kerja sama ini antara lain:", x=LEFT + INDENT, gap=25)
    p.line("a.", x=LEFT + 20)
    p.put(LEFT + 40, p.y, "Meningkatkan perdagangan.", BODY)
    p.line("b.", x=LEFT + 20)
    p.put(LEFT + 40, p.y, "Memperkuat hubungan budaya antara kedua kota yang sudah terjalin", BODY)
    p.line("sejak lama.", x=LEFT + 40)
    p.line("REKAPITULASI UJI", x=LEFT + INDENT, style="B")
    table = [("No", "KOTA", "WAK", "KETERANGAN"), ("", "", "TU", ""),
             ("1.", "Batam", "5 thn", "Kota industri"),
             ("2.", "Gimje", "3 thn", "Kota pertanian dan"), ("", "", "", "pariwisata")]
    p.y += 7
    for row in table:
        p.y += 13
        for x, cell in zip((LEFT, LEFT + 30, LEFT + 140, LEFT + 190), row, strict=True):
            if cell:
                p.put(x, p.y, cell, BODY)
    p.line("Tabel 4.1 Rekapitulasi uji.", x=LEFT + INDENT, gap=20)
    p.note(727, "berlanjut di halaman berikutnya.")
    p.page()
    p.line("Penutup uji ini sengaja singkat.", x=LEFT + INDENT, gap=0)
    return p.bytes()


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Document:
    """The hand-laid report, read once."""
    path = tmp_path_factory.mktemp("pdf") / "laporan.pdf"
    path.write_bytes(made_pdf())
    return read_pdf(path)


def test_made_blocks_in_order(made: Document) -> None:
    got = [(b.kind, b.page, b.text or b.rows, b.label, b.number) for b in made.blocks]
    assert got == [
        ("heading", 7, "BAB IV", "", None),
        ("heading", 7, "A. Bagian Pertama Uji", "", None),
        ("paragraph", 7, "Kota Batam dan Kota Gimje menjalin kerja sama dalam lima bidang, yaitu pariwisata, "
                         "industri dan perdagangan, investasi, pendidikan dan pertanian. Dalam kerja sama tersebut "
                         "diperlukan menjaga kesinambungan kerja sama dalam bidang perekonomian.", "", None),
        ("paragraph", 7, "Tukar-menukar pengalaman dilakukan setiap tahun oleh pejabat kedua kota dan masyarakat. "
                         "Kegiatan ini mencakup festival budaya, pameran dagang dan tukar-menukar pelajar yang "
                         "disepakati oleh kedua", "", None),
        ("footnote", 7, "Sumber uji. https://contoh.example.test/berita/2018/kerja-sama-batam-gimje-bidang-ekonomi "
                        "diakses pada 1 Mei 2019", "", 5),
        ("footnote", 7, "Catatan panjang yang dimulai di halaman ini dan", "", 6),
        ("break", 8, (), "", None),
        ("paragraph", 8, "pihak pada tahun 2013.", "", None),
        ("heading", 8, "B. Bagian Kedua", "", None),
        ("paragraph", 8, "Tujuan kerja sama ini antara lain:", "", None),
        ("item", 8, "Meningkatkan perdagangan.", "a.", None),
        ("item", 8, "Memperkuat hubungan budaya antara kedua kota yang sudah terjalin sejak lama.", "b.", None),
        ("paragraph", 8, "REKAPITULASI UJI", "", None),
        ("table", 8, (("No", "KOTA", "WAKTU", "KETERANGAN"), ("1.", "Batam", "5 thn", "Kota industri"),
                      ("2.", "Gimje", "3 thn", "Kota pertanian dan pariwisata")), "", None),
        ("paragraph", 8, "Tabel 4.1 Rekapitulasi uji.", "", None),
        ("footnote", 8, "berlanjut di halaman berikutnya.", "", None),
        ("break", 9, (), "", None),
        ("paragraph", 9, "Penutup uji ini sengaja singkat.", "", None),
    ]
    assert [b.page_index for b in made.blocks if b.kind == "break"] == [1, 2]


def test_made_markers_and_footnotes(made: Document) -> None:
    first, second = [b for b in made.blocks if b.kind == "paragraph"][:2]
    assert word_at_mark(first, 5) == "pertanian|."
    assert word_at_mark(second, 6) == "pelajar| "
    assert notes_joined(made) == {
        5: "Sumber uji. https://contoh.example.test/berita/2018/kerja-sama-batam-gimje-bidang-ekonomi "
           "diakses pada 1 Mei 2019",
        6: "Catatan panjang yang dimulai di halaman ini dan berlanjut di halaman berikutnya.",
    }


def test_progress_and_read_file(made: Document, tmp_path: Path) -> None:
    path = tmp_path / "laporan.pdf"
    path.write_bytes(made_pdf())
    calls: list[tuple[int, int]] = []
    assert read_pdf(path, progress=lambda done, total: calls.append((done, total))) == made
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert read_file(path, source="sumber.pdf") == Document("sumber.pdf", made.blocks, made.meta)


def test_made_header_and_page_numbers_removed(made: Document) -> None:
    texts = " ".join(b.text for b in made.blocks)
    assert "Laporan" not in texts
    assert not any(re.search(r"(^|\s)[789]$", b.text) for b in made.blocks)


FLOW = ("Kerja sama antar daerah memerlukan kepercayaan yang dijaga oleh kedua belah pihak dalam waktu yang "
        "lama. ") * 40


def flowed_pdf() -> bytes:
    """Return a Times 12 pt justified flow (fpdf2 wraps it): a superscript by text rise, a paragraph over a page
    break, and in the footer a 9 pt footnote and "Halaman N" starting at 21."""
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_margins(90, 70, 80)
    pdf.set_auto_page_break(True, 140)

    def footer() -> None:
        if pdf.page_no() == 1:
            pdf.set_xy(90, -120)
            pdf.char_vpos = "SUP"
            pdf.set_font("Times", "", 9)
            pdf.write(11, "41")
            pdf.char_vpos = "LINE"
            pdf.set_font("Times", "", 9)
            pdf.write(11, " Catatan uji untuk kalimat pertanian.")
        pdf.set_xy(90, -50)
        pdf.set_font("Times", "", 10)
        pdf.cell(0, 10, f"Halaman {pdf.page_no() + 20}", align="C")

    pdf.footer = footer
    pdf.add_page()
    pdf.set_font("Times", "B", 14)
    pdf.multi_cell(0, 20, "BAB V PENUTUP", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    pdf.set_font("Times", "", 12)
    pdf.write(18, "Kalimat dengan catatan pertanian")
    pdf.char_vpos = "SUP"
    pdf.write(18, "41")
    pdf.char_vpos = "LINE"
    pdf.write(18, ". Selesai.")
    pdf.ln(30)
    pdf.multi_cell(0, 18, FLOW.strip(), align="J", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_flowed_justified_text(tmp_path: Path) -> None:
    path = tmp_path / "flow.pdf"
    path.write_bytes(flowed_pdf())
    doc = read_pdf(path)
    kinds = [(b.kind, b.page) for b in doc.blocks]
    assert kinds == [("heading", 21), ("paragraph", 21), ("paragraph", 21), ("footnote", 21),
                     ("break", 22), ("paragraph", 22)]
    heading, marked, first, note, _, rest = doc.blocks
    assert heading.text == "BAB V PENUTUP"
    assert (marked.text, word_at_mark(marked, 41)) == ("Kalimat dengan catatan pertanian. Selesai.", "pertanian|.")
    assert (note.number, note.text) == (41, "Catatan uji untuk kalimat pertanian.")
    assert first.text + " " + rest.text == FLOW.strip()
    assert "Halaman" not in " ".join(b.text for b in doc.blocks)


PARAS = [
    "Paragraf pembuka jurnal uji ini ditulis tanpa indentasi baris pertama dan dipisahkan dari paragraf "
    "berikutnya oleh jarak vertikal, seperti gaya banyak jurnal.",
    "Paragraf kedua menyebut beberapa hal:",
]
BULLET_ITEMS = ["Butir pertama yang cukup panjang sehingga harus dilanjutkan pada baris berikutnya di bawah "
                "teksnya sendiri.", "Butir kedua."]
QUOTE = ("Kutipan panjang ini menjorok ke dalam dari kedua sisi dan setiap barisnya dimulai pada posisi yang sama, "
         "sehingga semua barisnya tetap satu paragraf kutipan.")
CLOSING = "Paragraf penutup kembali ke margin kiri halaman dan berakhir di sini."


def journal_pdf() -> bytes:
    """Return an A5 journal-style PDF laid out by fpdf2 itself: block paragraphs, bullets at the margin,
    a block quote, and a running header that holds the page number (12, 13) in the same text."""
    pdf = FPDF(unit="pt", format=(419.53, 595.28))  # A5
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_margins(50, 60, 50)
    pdf.set_auto_page_break(True, 60)

    def header() -> None:
        n = pdf.page_no() + 11
        pdf.set_xy(50, 30)
        pdf.set_font("Times", "I", 8)
        pdf.cell(0, 10, f"{n}    Jurnal Uji Kutip" if n % 2 == 0 else f"Jurnal Uji Kutip    {n}")
        pdf.set_font("Times", "", 10)
        pdf.set_y(60)

    pdf.header = header
    pdf.add_page()
    pdf.set_y(60)
    pdf.set_font("Times", "", 10)
    for _ in range(5):
        for text in PARAS:
            pdf.multi_cell(0, 13, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(8)
        for text in BULLET_ITEMS:
            y = pdf.get_y()
            pdf.text(50, y + 10, "•")
            pdf.set_xy(62, y)
            pdf.multi_cell(0, 13, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)
        pdf.set_left_margin(80)
        pdf.set_right_margin(80)
        pdf.set_x(80)
        pdf.multi_cell(0, 13, QUOTE, new_x="LMARGIN", new_y="NEXT")
        pdf.set_left_margin(50)
        pdf.set_right_margin(50)
        pdf.ln(8)
        pdf.multi_cell(0, 13, CLOSING, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)
    return bytes(pdf.output())


def test_journal_layout(tmp_path: Path) -> None:
    path = tmp_path / "jurnal.pdf"
    path.write_bytes(journal_pdf())
    doc = read_pdf(path)
    assert {b.page for b in doc.blocks} == {12, 13}
    assert not any("Jurnal" in b.text or re.search(r"\b1[23]\b", b.text) for b in doc.blocks)
    page_one = [(b.kind, b.label, b.text) for b in doc.blocks if b.page_index == 0]
    assert page_one[:7] == [("paragraph", "", PARAS[0]), ("paragraph", "", PARAS[1]),
                            ("item", "-", BULLET_ITEMS[0]), ("item", "-", BULLET_ITEMS[1]),
                            ("paragraph", "", QUOTE), ("paragraph", "", CLOSING), ("paragraph", "", PARAS[0])]
    cut = doc.blocks.index(next(b for b in doc.blocks if b.kind == "break"))
    before, after = doc.blocks[cut - 1], doc.blocks[cut + 1]
    whole = {*PARAS, *BULLET_ITEMS, QUOTE, CLOSING}
    assert before.text in whole or (before.text + " " + after.text) in whole


def test_page_labels_win_over_position(tmp_path: Path) -> None:
    p = Pages(header=False)
    p.page()
    p.pdf.set_page_label(label_style="D", label_start=101)
    p.line("Halaman pertama dengan label seratus satu.", gap=0)
    p.page()
    p.line("halaman kedua menyambung.", gap=0)
    path = tmp_path / "label.pdf"
    path.write_bytes(p.bytes())
    doc = read_pdf(path)
    assert [(b.kind, b.page, b.page_index) for b in doc.blocks] == [
        ("paragraph", 101, 0), ("break", 102, 1), ("paragraph", 102, 1)]


def test_no_page_numbers_gives_page_count_from_one(tmp_path: Path) -> None:
    p = Pages(header=False)
    p.page()
    p.line("Satu baris saja, tanpa nomor halaman.", gap=0)
    path = tmp_path / "plain.pdf"
    path.write_bytes(p.bytes())
    assert [(b.kind, b.page, b.text) for b in read_pdf(path).blocks] == [
        ("paragraph", 1, "Satu baris saja, tanpa nomor halaman.")]


# ---------------------------------------------------------------- files that cannot be read


def small_pdf() -> bytes:
    """Return a one-page PDF with one line of text."""
    p = Pages(header=False)
    p.page()
    p.line("Teks rahasia kota Batam.", gap=0)
    return p.bytes()


def encrypted(data: bytes, user: str, owner: str) -> bytes:
    """Return data encrypted with pypdf."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password=owner)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("data, error, message", [
    (b"", CorruptPdf, "empty.pdf: corrupt or unreadable PDF: empty file"),
    (b"this is not a PDF at all", CorruptPdf, "empty.pdf: corrupt or unreadable PDF: "),
    (small_pdf()[:300], CorruptPdf, "empty.pdf: corrupt or unreadable PDF: "),
    (encrypted(small_pdf(), "rahasia", "pemilik"), EncryptedPdf, "empty.pdf: encrypted PDF: password required"),
], ids=["zero-bytes", "not-a-pdf", "truncated", "user-password"])
def test_unreadable_files(tmp_path: Path, data: bytes, error: type, message: str) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(data)
    with pytest.raises(error) as caught:
        read_pdf(path)
    assert isinstance(caught.value, ReadError)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_empty_user_password_opens(tmp_path: Path) -> None:
    path = tmp_path / "open.pdf"
    path.write_bytes(encrypted(small_pdf(), "", "pemilik"))
    assert [b.text for b in read_pdf(path).blocks] == ["Teks rahasia kota Batam."]


def test_image_only_pdf_is_scanned(tmp_path: Path) -> None:
    from PIL import Image

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.image(Image.new("RGB", (60, 80), "gray"), x=50, y=50, w=300)
    pdf.rect(40, 40, 320, 420)
    path = tmp_path / "scan.pdf"
    path.write_bytes(bytes(pdf.output()))
    with pytest.raises(ScannedPdf, match=re.escape("scan.pdf: no extractable text (scanned?)")):
        read_pdf(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"nope\.pdf"):
        read_pdf(tmp_path / "nope.pdf")
