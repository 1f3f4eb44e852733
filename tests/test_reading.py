"""Reading: the markdown reader and structure() on the real chapter, on tiny hand-made markdown, and the text reader."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import CHAPTER, passage_with
from retrieval.errors import ReadError, UnsupportedFormat
from retrieval.headings import heading_level, is_chapter_only, without_numbering
from retrieval.model import Block, Document
from retrieval.readers import read_file
from retrieval.readers.markdown import clean_inline, parse_markdown, read_markdown
from retrieval.readers.text import parse_text, read_text
from retrieval.structure import split_sentences, structure

BAB = "BAB III FAKTOR YANG MENDORONG TERJADINYA KERJASAMA SISTER CITY"
SEC_A = "A. Kerjasama Sister City Kota Batam Dengan Negera Sebelumnya"
SEC_B = "B. Faktor Yang Mendorong Terjadinya Kerjasama Sister City Antara Kota Batam Dengan Kota Gimje"

URLS = {
    32: "https://finance.detik.com/berita-ekonomi-bisnis/d-3164021/banyak-negara-belajar-dari-batam-dan-berhasil-"
        "tapi-batam-malah-ketinggalan",
    33: "http://kepri.antaranews.com/berita/17979/gimje-bahas-sister-city-dengan-batam",
    34: "https://arsipskpd.batam.go.id/batamkota/skpd.batamkota.go.id/penanamanmodal/profil/rencana-strategis/"
        "isu-strategis/index.html",
    35: "https://www.kemlu.go.id/id/berita/Pages/Indonesia-dan-Thailand-Pererat-Kerja-Sama.aspx",
    36: None,
    37: "https://www.liputan6.com/citizen6/read/3299230/selain-destinasi-wisata-kenali-batam-lebih-dekat-dengan-3-"
        "festival-kebudayaan-ini",
    38: "https://www.visitkorea.or.id/article/festival-yang-harus-didatangi-saat-musim-gugur-festival-horizon-gimje",
    39: None,
    40: None,
}
ACCESSED = {32: "18 Februari 2017", 33: "29 januari 2018", 34: "20 januari 2019", 35: "20 feb 2019", 36: None,
            37: "29 January 2019", 38: "29 January 2019", 39: None, 40: None}
KINDS = {32: "web", 33: "web", 34: "web", 35: "web", 36: "official", 37: "web", 38: "web", 39: "book", 40: "journal"}

TABLE_TITLE = ("PERKEMBANGAN DAN REKAPITULASI KESEPAKATAN BERSAMA (MOU) ANTARA PEMKO BATAM DAN LUAR NEGERI "
               "s.d TAHUN 2015")
COLUMNS = ("No", "NAMA PEMERINTAH DAERAH", "PENANDA TANGAN", "JANGKA WAKTU", "BERAKHIR", "KETERANGAN")


def structured(md: str, source: str = "uji.md"):
    """Return (passages, footnotes) of a markdown string."""
    return structure(Document(source=source, blocks=tuple(parse_markdown(md))))


# --- footnotes of the chapter ---------------------------------------------------------------------------------

def test_chapter_has_exactly_footnotes_32_to_40(footnotes):
    assert sorted(footnotes) == list(range(32, 41))


def test_footnote_37_url_is_joined_across_the_page_and_dated(footnotes):
    note = footnotes[37]
    assert note.url == ("https://www.liputan6.com/citizen6/read/3299230/selain-destinasi-wisata-kenali-batam-lebih-"
                        "dekat-dengan-3-festival-kebudayaan-ini")
    assert note.accessed == "29 January 2019"
    # the markdown cuts the URL after "selain-destinasi-" and puts the rest pages later
    raw = CHAPTER.read_text(encoding="utf-8")
    assert note.url not in raw


@pytest.mark.parametrize("number", sorted(URLS))
def test_every_footnote_url_accessed_and_kind(footnotes, number):
    note = footnotes[number]
    assert (note.url, note.accessed, note.kind) == (URLS[number], ACCESSED[number], KINDS[number])
    assert note.source == CHAPTER.name


def test_footnote_34_url_comes_from_its_own_line(footnotes):
    blocks = parse_markdown(CHAPTER.read_text(encoding="utf-8"))
    notes = [b for b in blocks if b.kind == "footnote"]
    i = next(k for k, b in enumerate(notes) if b.number == 34)
    assert notes[i].text == "Sepak terjang kerjasama sister city yang pernah dilakukan kota Batam."
    assert notes[i + 1].number is None and notes[i + 1].text.startswith(URLS[34])
    assert footnotes[34].text == f"Sepak terjang kerjasama sister city yang pernah dilakukan kota Batam. {URLS[34]} " \
                                 "diakses pada 20 januari 2019"
    assert footnotes[34].description == "Sepak terjang kerjasama sister city yang pernah dilakukan kota Batam."


def test_footnote_entries_are_passages_citing_themselves(passages):
    entries = [p for p in passages if p.kind == "footnote"]
    assert [p.footnotes for p in entries] == [(n,) for n in range(32, 41)]
    assert [p.section for p in entries] == [(f"Catatan kaki {n}",) for n in range(32, 41)]
    assert passage_with(passages, "Paradiplomacy").kind == "footnote"
    assert passage_with(passages, "Paradiplomacy").lead == "catatan kaki sumber referensi rujukan kutipan buku halaman"


# --- rejoined paragraphs and lists -----------------------------------------------------------------------------

def test_sentence_cut_by_footnotes_is_one_sentence_of_one_passage(passages):
    sentence = "Dalam kerjasama tersebut diperlukan menjaga kesinambungan kerjasama dalam bidang perekonomian."
    assert sentence not in CHAPTER.read_text(encoding="utf-8")        # the .md splits it around footnotes 32-33
    p = passage_with(passages, sentence)
    assert p.kind == "paragraph"
    assert [p.text[a:b] for a, b in p.sentences].count(sentence) == 1
    assert p.text.endswith(sentence)


def test_retno_marsudi_paragraph_joins_the_one_before(passages):
    p = passage_with(passages, "Retno Marsudi")
    assert "Hal tersebut dikemukakan oleh Menteri Luar Negeri RI, Retno Marsudi, pada pernyataan pers bersama" in p.text
    assert p.text.startswith("Suatu kerjasama berlandaskan dari kepentingan pemerintah daerah")
    assert p.text.endswith("Namun secara mendasar kerjasama memiliki tujuan, seperti:")
    assert p.footnotes == (35,)
    assert not any(q.text.startswith("Retno") for q in passages)


@pytest.mark.parametrize("joined", [
    "adalah kerjasama luar negeri dalam bidang tertentu dan kerjasama sister city",
    "mengenai prosedur dan mekanisme dari sebuah kerjasama sister city maka ajakan",
    "terbentuknya sebuah kerjasama dan tujuannya, dan untuk dsara faktor dari sebuah kerjasama",
    "Sebuah kerjasama bisa menjadi sebagai sumber tambahan pendapatan",
    "memiliki potensi yang bisa memperjuangkan kepentingannya, masing-masing pelaku kerjasama dapat mencegah konflik",
])
def test_paragraphs_cut_at_a_blank_line_or_page_are_rejoined(passages, joined):
    assert passage_with(passages, joined).kind == "paragraph"


def test_list_item_continues_across_footnote_37(passages):
    p = passage_with(passages, "Festival Horizon Gimje")
    assert p.kind == "list"
    items = p.text.split("\n")
    assert [i[:2] for i in items] == ["1)", "2)", "3)", "4)"]
    second = items[1]
    assert second.startswith("2) kedua kota memiliki faktor budaya")
    assert "seperti Festival Kenduri. Yang mana seni ini yang menunjukkan seni dan budaya Melayu. " \
           "Sedangkan pada Kota Gimje ada Festival Horizon Gimje" in second
    assert second.endswith("yang harus dikunjungi ke Korea Selatan pada musim gugur.")
    # each marker stands right after the words it cites
    marks = dict((n, off) for off, n in p.marks)
    assert p.text[:marks[37]].endswith("Festival Kenduri")
    assert p.text[:marks[38]].endswith("ke Korea Selatan pada musim gugur")
    assert p.footnotes == (37, 38)


def test_paragraph_after_a_list_is_not_joined_into_it(passages):
    p = passage_with(passages, "faktor-faktor dasar yang tertulis sebelumnya")
    assert p.kind == "paragraph"
    assert p.text.startswith("faktor-faktor dasar yang tertulis sebelumnya sedikit menggambarkan")
    before = passages[passages.index(p) - 1]
    assert before.kind == "list"
    assert before.text.endswith("5) Komplementaritas antar kedua belah pihak menimbulkan barang dan jasa "
                                "pertukaran kunjungan pejabat dan pengusaha")


def test_list_cut_by_footnote_36_is_one_list_of_seven_items(passages):
    p = passage_with(passages, "Naskah dari LoI yang disepakati bersama")
    assert p.kind == "list"
    assert [line[:2] for line in p.text.split("\n")] == ["a.", "b.", "c.", "d.", "e.", "f.", "g."]
    assert p.lead == ("Berikut ini adalah mekanisme dan prosedur dalam kerjasama sister city atau province city "
                      "yang telah di susun kementerian Luar Negeri:")


def test_list_keeps_its_lead_in(passages):
    p = next(p for p in passages if p.kind == "list" and p.text.startswith("a. Untuk memacu"))
    assert p.lead == "Namun secara mendasar kerjasama memiliki tujuan, seperti:"
    assert p.context == f"{p.lead}\n{p.text}"
    assert p.text.split("\n")[-1] == "g. Untuk membuka peluang dalam perdagangan internasional."


# --- sections ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, section", [
    ("Pada bab sebelumnya menjelaskan", (BAB,)),
    ("Kerjasama sister city sudah dijelaskan", (BAB, SEC_A)),
    ("dapat menutupi kekurangannya.",
     (BAB, SEC_B, "2. Faktor perbedaan", "3) Perbedaan ilmu pengetahuan dan teknologi")),
    # "### 3) Kesamaan Ideologi" sits under "### 3. Faktor kesamaan": numbering decides, not the '#' count
    ("NATO adalah kerjasama", (BAB, SEC_B, "3. Faktor kesamaan", "3) Kesamaan Ideologi")),
    ("Kesamaan sumberdaya alam", (BAB, SEC_B, "3. Faktor kesamaan", "1) Kesamaan sumber daya alam")),
    ("Dari poin-poin tujuan dasar", (BAB, SEC_B, "4. Tujuan dari kerjasama")),
])
def test_section_paths(passages, text, section):
    assert passage_with(passages, text).section == section


# --- the table --------------------------------------------------------------------------------------------------

def test_table_gives_three_row_passages_with_title_and_columns(passages):
    rows = [p for p in passages if p.kind == "row"]
    assert len(rows) == 3
    for n, row in enumerate(rows, 1):
        assert row.text.startswith(f"{TABLE_TITLE} — No: {n}.; ")
        assert all(f"{c}: " in row.text for c in COLUMNS)
        assert row.lead == "Gambar 3.1 Rekapitulasi kesepakatan bersama."
        assert row.section == (BAB, SEC_A)
    third = rows[2].text
    assert third == (f"{TABLE_TITLE} — No: 3.; NAMA PEMERINTAH DAERAH: Pemko Gimje-Korsei; PENANDA TANGAN: Batam, "
                     "17 Agustus 2013; JANGKA WAKTU: 5 tahun; BERAKHIR: 17 Agustus 2018; KETERANGAN: Mou/Memorandum "
                     "Saling Penghargaan")
    # the title is carried by the rows, not left behind as a paragraph of its own
    assert not [p for p in passages if p.kind == "paragraph" and "REKAPITULASI" in p.text]


# --- footnote markers and clean text ----------------------------------------------------------------------------

def test_marker_cites_the_sentence_it_ends(passages):
    p = passage_with(passages, "pendidikan dan pertanian.")
    spans = {p.text[a:b]: (a, b) for a, b in p.sentences}
    cited = next(s for s in spans if s.endswith("pendidikan dan pertanian."))
    assert p.footnotes_in(*spans[cited]) == (33,)
    following = "Dalam kerjasama tersebut diperlukan menjaga kesinambungan kerjasama dalam bidang perekonomian."
    assert p.footnotes_in(*spans[following]) == ()


def test_dollar_amounts_are_literal(passages):
    p = passage_with(passages, "US$114,5 miliar")
    assert "memiliki pendapatan per-kapita US$ 13,200. Sedangkan" in p.text
    assert p.text[:dict((n, o) for o, n in p.marks)[32]].endswith("US$ 13,200")


def test_no_markup_left_in_any_text(chapter_parts):
    passages, notes = chapter_parts
    texts = [p.text for p in passages] + [p.lead for p in passages] + [" ".join(p.section) for p in passages]
    texts += [n.text for n in notes]
    for t in texts:
        for junk in ("<sup>", "</sup>", "*", "\\", "<https", "](", "\ue000", "\ue001", "\ue002"):
            assert junk not in t, (junk, t[:80])


# --- tiny hand-made markdown --------------------------------------------------------------------------------------

def test_pipe_table_rows_title_and_caption():
    md = ("Tabel kota kembar\n\n| Kota | Negara |\n|---|:---:|\n| Batam | Indonesia |\n| Gimje | Korea Selatan |\n\n"
          "Tabel 1 Kota kembar.\n")
    blocks = parse_markdown(md)
    assert blocks[1] == Block(kind="table", rows=(("Kota", "Negara"), ("Batam", "Indonesia"),
                                                  ("Gimje", "Korea Selatan")))
    ps, _ = structure(Document("t.md", tuple(blocks)))
    assert [(p.kind, p.text, p.lead) for p in ps] == [
        ("row", "Tabel kota kembar — Kota: Batam; Negara: Indonesia", "Tabel 1 Kota kembar."),
        ("row", "Tabel kota kembar — Kota: Gimje; Negara: Korea Selatan", "Tabel 1 Kota kembar."),
    ]
    assert ps[0].context == ("Tabel kota kembar\nKota\tNegara\nBatam\tIndonesia\nGimje\tKorea Selatan\n"
                             "Tabel 1 Kota kembar.")


def test_bracket_footnotes_marks_and_definitions():
    md = ("Batam bermitra dengan Gimje[^1]. Festival Horizon digelar tiap musim gugur[^2].\n\n"
          "[^1]: Berita kerja sama. <https://contoh.test/berita-1> diakses pada 2 Mei 2020\n\n"
          "[^2]: Pariwisata Korea. Jurnal Wisata Vol. 2 No. 1, 2019.\n")
    ps, notes = structured(md)
    body = ps[0]
    assert body.text == "Batam bermitra dengan Gimje. Festival Horizon digelar tiap musim gugur."
    assert body.marks == ((27, 1), (70, 2))
    assert [body.footnotes_in(a, b) for a, b in body.sentences] == [(1,), (2,)]
    assert [(n.number, n.url, n.accessed, n.kind) for n in notes] == [
        (1, "https://contoh.test/berita-1", "2 Mei 2020", "web"), (2, None, None, "journal")]
    assert [p.kind for p in ps] == ["paragraph", "footnote", "footnote"]


def test_consecutive_bracket_footnote_definitions_are_separate():
    _, notes = structured("Teks[^1] dan teks[^2].\n\n[^1]: Catatan satu.\n[^2]: Catatan dua.\n")
    assert [(n.number, n.text) for n in notes] == [(1, "Catatan satu."), (2, "Catatan dua.")]


@pytest.mark.parametrize("raw, text", [
    ("Ini **tebal**, *miring*, ***keduanya*** dan __garis__.", "Ini tebal, miring, keduanya dan garis."),
    ("Pendapatan US\\$114,5 miliar dan US\\$ 13,200 per-kapita",
     "Pendapatan US$114,5 miliar dan US$ 13,200 per-kapita"),
    ("\\# bukan judul dan a_b_c tetap", "# bukan judul dan a_b_c tetap"),
    ("*Free Trade Zone* (FTZ)", "Free Trade Zone (FTZ)"),
    ("[Gimje](https://gimje.example) dan [teks](#) serta <https://a.example/c>",
     "Gimje (https://gimje.example) dan teks serta https://a.example/c"),
    ("Kota <b>Batam</b><br/>dan <span class=\"x\">Gimje</span> &amp; <i>lain</i>&nbsp;nya",
     "Kota Batam dan Gimje & lain nya"),
])
def test_inline_markup_is_removed(raw, text):
    assert clean_inline(raw) == (text, ())


def test_escaped_emphasis_characters_are_kept_literally():
    assert clean_inline(r"tanda \*bintang\* dan \_garis\_") == ("tanda *bintang* dan _garis_", ())


def test_html_sup_marker_is_a_footnote_mark_and_tags_go():
    text, marks = clean_inline("<p>Kerjasama <em>lima</em> bidang<sup>33</sup>. Selesai<sup> 7 </sup></p>")
    assert text == "Kerjasama lima bidang. Selesai"
    assert marks == ((21, 33), (30, 7))


def test_heading_hierarchy_comes_from_numbering_not_hash_count():
    md = ("# BAB II\n\n## TINJAUAN PUSTAKA\n\n#### A. Bagian Satu\n\nTeks A.\n\n# 1. Sub Satu\n\nTeks A1.\n\n"
          "###### 1) Subsub\n\nTeks A1a.\n\n## 2. Sub Dua\n\nTeks A2.\n\n### B. Bagian Dua\n\nTeks B.\n\n"
          "# Lampiran tanpa nomor\n\nTeks L.\n")
    ps, _ = structured(md)
    assert [(p.text, p.section) for p in ps] == [
        ("Teks A.", ("BAB II TINJAUAN PUSTAKA", "A. Bagian Satu")),
        ("Teks A1.", ("BAB II TINJAUAN PUSTAKA", "A. Bagian Satu", "1. Sub Satu")),
        ("Teks A1a.", ("BAB II TINJAUAN PUSTAKA", "A. Bagian Satu", "1. Sub Satu", "1) Subsub")),
        ("Teks A2.", ("BAB II TINJAUAN PUSTAKA", "A. Bagian Satu", "2. Sub Dua")),
        ("Teks B.", ("BAB II TINJAUAN PUSTAKA", "B. Bagian Dua")),
        ("Teks L.", ("BAB II TINJAUAN PUSTAKA", "Lampiran tanpa nomor")),
    ]
    assert [heading_level(t) for t in ("BAB IV", "A. X", "1. X", "1.2 X", "1.2.3 X", "1) X", "a. X", "Ringkasan")] \
        == [0, 1, 2, 3, 4, 3, 4, None]


def test_list_items_with_lead_and_continuation_lines():
    md = ("Tujuannya antara lain. Yaitu sebagai berikut:\n\n"
          "- a. Satu\n  lanjutan satu.\n- b. Dua.\n* Tiga tanpa huruf.\n")
    ps, _ = structured(md)
    assert [(p.kind, p.text) for p in ps] == [
        ("paragraph", "Tujuannya antara lain. Yaitu sebagai berikut:"),
        ("list", "a. Satu lanjutan satu.\nb. Dua.\nTiga tanpa huruf."),
    ]
    assert ps[1].lead == "Yaitu sebagai berikut:"


def test_page_cut_paragraph_is_rejoined_only_when_it_reads_on():
    md = ("Kota Batam menjalin kerjasama dengan\n\n---\n\n<sup>1</sup> Catatan.\n\n"
          "kota Gimje sejak 2013.\n\nSatu kalimat utuh.\n\nKalimat lain mulai besar.\n")
    ps, notes = structured(md)
    assert [p.text for p in ps if p.kind == "paragraph"] == [
        "Kota Batam menjalin kerjasama dengan kota Gimje sejak 2013.", "Satu kalimat utuh.",
        "Kalimat lain mulai besar."]
    assert [n.text for n in notes] == ["Catatan."]


def test_sentence_split_keeps_abbreviations_and_letter_labels():
    text = "Menurut Dr. Budi pada tgl. 5 Mei. Harga US$ 13,200 naik. lalu turun.\na. Satu hal."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Menurut Dr. Budi pada tgl. 5 Mei.", "Harga US$ 13,200 naik. lalu turun.", "a. Satu hal."]


def test_the_word_before_a_stop_is_read_from_the_end_of_a_long_sentence():
    long = "Kata " * 40 + "sampai hlm. 26 dan " + "x" * 80 + ". Kalimat kedua mulai. Lalu " + "y" * 70 + " dr. Budi."
    assert [long[a:b] for a, b in split_sentences(long)] == [
        "Kata " * 40 + "sampai hlm. 26 dan " + "x" * 80 + ".", "Kalimat kedua mulai.",
        "Lalu " + "y" * 70 + " dr. Budi."]        # "hlm." and "dr." end no sentence; an 80-letter word ends one


def test_numbered_item_label_stays_with_its_item():
    text = "1. Persamaan kedudukan.\n2. Saling memberikan keuntungan."
    assert [text[a:b] for a, b in split_sentences(text)] == ["1. Persamaan kedudukan.",
                                                             "2. Saling memberikan keuntungan."]


def test_separator_only_pipe_table_does_not_crash():
    parse_markdown("| --- |\n| --- |\n")


# --- the text reader ------------------------------------------------------------------------------------------------

def test_text_paragraphs_are_split_at_blank_lines_and_pages_at_form_feeds():
    blocks = parse_text("Kota Batam\nterletak di Kepri.\n\n\n  \nKota Gimje di Korea.\r\n\r\nPenutup.\fHalaman dua.")
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "Kota Batam terletak di Kepri."), ("paragraph", "Kota Gimje di Korea."),
        ("paragraph", "Penutup."), ("break", ""), ("paragraph", "Halaman dua.")]


def test_text_file_read_through_the_reader_table(tmp_path: Path):
    path = tmp_path / "catatan.txt"
    path.write_text("Satu.\n\nDua.\n", encoding="utf-8")
    doc = read_file(path, source="sub/catatan.txt")
    assert doc.source == "sub/catatan.txt"
    assert [b.text for b in doc.blocks] == ["Satu.", "Dua."]


@pytest.mark.parametrize("data", [bytes(range(256)) * 4, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
                                  b"\x01\x02\x03\x04\x05\x06ab" * 50])
@pytest.mark.parametrize("reader, suffix", [(read_text, ".txt"), (read_markdown, ".md")])
def test_binary_bytes_are_a_read_error_naming_the_file(tmp_path: Path, data, reader, suffix):
    path = tmp_path / f"rusak{suffix}"
    path.write_bytes(data)
    with pytest.raises(ReadError, match=re.escape(f"rusak{suffix}")) as err:
        reader(path)
    assert "\n" not in str(err.value)


def test_utf16_with_bom_is_read(tmp_path: Path):
    path = tmp_path / "utf16.txt"
    path.write_bytes("Kota Gimje — festival\n\nKerjasama ‘sister city’".encode("utf-16"))
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    assert [b.text for b in read_text(path).blocks] == ["Kota Gimje — festival", "Kerjasama ‘sister city’"]


def test_utf8_bom_and_windows_1252_are_read(tmp_path: Path):
    (tmp_path / "bom.txt").write_bytes("\ufeffKota Batam".encode("utf-8"))
    (tmp_path / "cp.txt").write_bytes("Caf\u00e9 \u201cBatam\u201d".encode("cp1252"))
    assert [b.text for b in read_text(tmp_path / "bom.txt").blocks] == ["Kota Batam"]
    assert [b.text for b in read_text(tmp_path / "cp.txt").blocks] == ["Café “Batam”"]


def test_unknown_suffix_names_itself(tmp_path: Path):
    path = tmp_path / "bab.pages"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnsupportedFormat, match=r"bab\.pages.*\.pages"):
        read_file(path)


def test_heading_numbering_is_removed_whole():
    assert [without_numbering(h) for h in ("BAB III Kerjasama", "B. Latar Belakang", "2.1. Tujuan", "1.2 Manfaat",
                                           "3) Dampak", "a. Syarat", "A.1 Prosedur", "II. Teori", "Pendahuluan")] \
        == ["Kerjasama", "Latar Belakang", "Tujuan", "Manfaat", "Dampak", "Syarat", "Prosedur", "Teori", "Pendahuluan"]
    assert [is_chapter_only(h) for h in ("BAB III", "bab 3.", "BAB III KERJASAMA", "Bab")] == [True, True, False, False]
