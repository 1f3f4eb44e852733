"""The .docx reader: the real chapter as Word saved it, a .docx built here with python-docx (+ lxml for the
footnotes part and a tracked change), refused formats (.doc, .odt) and broken or oversized files."""
from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_SECTION
from docx.opc.constants import CONTENT_TYPE as CT, RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import word_at_mark
from retrieval import Engine, readers, userdocs
from retrieval.cache import corpus_files
from retrieval.errors import EmptyCorpus, ReadError, UnsupportedFormat
from retrieval.model import Block, Document
from retrieval.readers import KNOWN, ooxml, read_file, readable_suffixes
from retrieval.readers.docx import CorruptDocx, EncryptedDocx, read_docx
from retrieval.structure import structure

FIXTURE = Path(__file__).parent / "data" / "bab3-sister-city-batam-gimje.docx"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
URL_37 = ("https://www.liputan6.com/citizen6/read/3299230/"
          "selain-destinasi-wisata-kenali-batam-lebih-dekat-dengan-3-festival-kebudayaan-ini")


def notes(doc: Document) -> dict[int, Block]:
    """Return footnote number -> footnote block."""
    return {b.number: b for b in doc.blocks if b.kind == "footnote"}


# ---------------------------------------------------------------- the real chapter


@pytest.fixture(scope="module")
def chapter() -> Document:
    return read_docx(FIXTURE)


def test_footnotes_are_32_to_40_with_their_full_text(chapter):
    found = notes(chapter)
    assert list(found) == list(range(32, 41))
    assert [b.label for b in found.values()] == [str(n) for n in range(32, 41)]
    assert found[37].text == ("Tentang pariwisata yang ada di Kota Batam " + URL_37 + " diakses pada 29 January 2019")
    assert found[39].text == ("Ali Mukti, Takdir, Paradiplomacy:Kerjasama Luar Negeri Oleh Pemda di Indonesia "
                              "(Yogyakarta:The Phinsi Press,2013, hlm. 26-28.")


def test_footnote_urls_come_out_whole(chapter):
    _, footnotes = structure(chapter)
    urls = {f.number: f.url for f in footnotes}
    assert urls[37] == URL_37
    assert urls[32] == ("https://finance.detik.com/berita-ekonomi-bisnis/d-3164021/"
                        "banyak-negara-belajar-dari-batam-dan-berhasil-tapi-batam-malah-ketinggalan")
    assert urls[38] == ("https://www.visitkorea.or.id/article/"
                        "festival-yang-harus-didatangi-saat-musim-gugur-festival-horizon-gimje")
    assert [n for n, u in urls.items() if u is None] == [36, 39, 40]
    assert {f.number: f.kind for f in footnotes if f.kind != "web"} == {36: "official", 39: "book", 40: "journal"}


def test_every_marker_stands_after_its_word(chapter):
    marked = {n: b for b in chapter.blocks for _, n in b.marks}
    assert sorted(marked) == list(range(32, 41))
    assert word_at_mark(marked[35], 35) == "terorisme|."
    assert word_at_mark(marked[33], 33) == "pertanian|."
    assert word_at_mark(marked[37], 37) == "Kenduri|."
    assert word_at_mark(marked[32], 32) == "13,200|."


def test_the_table_has_its_header_and_three_rows(chapter):
    tables = [b for b in chapter.blocks if b.kind == "table"]
    assert len(tables) == 1
    header, *rows = tables[0].rows
    assert header == ("No", "NAMA PEMERINTAH DAERAH", "PENANDA TANGAN", "JANGKA WAKTU", "BERAKHIR", "KETERANGAN")
    assert rows == [
        ("1.", "Pemko Shenzhen-RRC", "Shenzhen-RRC 18 Desember 2006", "-", "-", "Letter Of Intent"),
        ("2.", "Pemko Gimje-Korsei", "Gimje-Korsei 28 Desember 2011", "-", "-", "Letter Of Intent"),
        ("3.", "Pemko Gimje-Korsei", "Batam, 17 Agustus 2013", "5 tahun", "17 Agustus 2018",
         "Mou/Memorandum Saling Penghargaan"),
    ]


def test_headings_from_styles_and_the_chapter_title(chapter):
    headings = [b.text for b in chapter.blocks if b.kind == "heading"]
    assert headings[:3] == ["BAB III", "FAKTOR YANG MENDORONG TERJADINYA KERJASAMA SISTER CITY.",
                            "A. Kerjasama Sister City Kota Batam Dengan Negera Sebelumnya."]
    assert "2) Perbedaan Iklim dan Kesuburan Tanah" in headings
    assert len(headings) == 17


def test_list_items_carry_the_labels_word_shows(chapter):
    items = [b for b in chapter.blocks if b.kind == "item"]
    assert [b.label for b in items[:7]] == ["a.", "b.", "c.", "d.", "e.", "f.", "g."]
    assert items[0].text == "Untuk memacu dalam pertumbuhan ekonomi setiap Negara."
    assert [b.label for b in items if b.text.startswith("Persamaan")] == ["1)", "2)", "3)", "4)", "1."]


def test_the_sentence_cut_in_the_markdown_is_one_sentence_with_its_footnote(chapter):
    passages, _ = structure(chapter)
    sentence = "Dalam kerjasama tersebut diperlukan menjaga kesinambungan kerjasama dalam bidang perekonomian."
    hits = [(p, s, e) for p in passages for s, e in p.sentences if p.text[s:e] == sentence]
    assert len(hits) == 1
    passage, start, end = hits[0]
    assert passage.section == ("BAB III FAKTOR YANG MENDORONG TERJADINYA KERJASAMA SISTER CITY",
                               "A. Kerjasama Sister City Kota Batam Dengan Negera Sebelumnya")
    assert passage.footnotes == (33,) and passage.footnotes_in(start, end) == ()   # 33 ends the sentence before


def test_a_paragraph_cut_between_two_word_paragraphs_is_rejoined(chapter):
    passages, _ = structure(chapter)
    joined = [p for p in passages if "Menteri Luar Negeri RI, Retno Marsudi, pada pernyataan pers" in p.text]
    assert len(joined) == 1 and joined[0].footnotes == (35,)


# ---------------------------------------------------------------- a .docx made here


def _footnote_ref(paragraph, note_id: int, custom: str = "") -> None:
    """Add a run holding a footnote reference (and its custom mark) to a paragraph."""
    run = paragraph.add_run()
    ref = OxmlElement("w:footnoteReference")
    ref.set(qn("w:id"), str(note_id))
    if custom:
        ref.set(qn("w:customMarkFollows"), "1")
    run._r.append(ref)
    if custom:
        text = OxmlElement("w:t")
        text.text = custom
        run._r.append(text)


def _tracked(paragraph, inserted: str, deleted: str) -> None:
    """Add a tracked insertion and a tracked deletion to a paragraph."""
    p = paragraph._p
    p.append(parse_xml(f'<w:ins xmlns:w="{W_NS}" w:id="91" w:author="Pembimbing" w:date="2024-01-01T00:00:00Z">'
                       f'<w:r><w:t>{inserted}</w:t></w:r></w:ins>'))
    p.append(parse_xml(f'<w:del xmlns:w="{W_NS}" w:id="92" w:author="Pembimbing" w:date="2024-01-01T00:00:00Z">'
                       f'<w:r><w:delText>{deleted}</w:delText></w:r></w:del>'))


def _hyperlink(paragraph, part, text: str, url: str) -> None:
    """Add an external hyperlink (a relationship of `part`) showing `text`."""
    rel_id = part.relate_to(url, RT.HYPERLINK, is_external=True)
    paragraph._p.append(parse_xml(f'<w:hyperlink xmlns:w="{W_NS}" xmlns:r="{R_NS}" r:id="{rel_id}">'
                                  f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:hyperlink>'))


def _footnote_pr(sect_pr, **settings: str) -> None:
    """Give a section its own footnote numbering (numStart, numRestart, ...)."""
    pr = OxmlElement("w:footnotePr")
    for name, value in settings.items():
        child = OxmlElement(f"w:{name}")
        child.set(qn("w:val"), value)
        pr.append(child)
    sect_pr.insert(0, pr)


def _add_footnotes(document, texts: dict[int, str], linked: tuple[int, str, str] | None = None) -> None:
    """Add word/footnotes.xml with the given footnotes (python-docx has no API for them)."""
    body = "".join(
        f'<w:footnote w:id="{n}"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {t}</w:t></w:r>'
        f'</w:p></w:footnote>' for n, t in texts.items())
    xml = (f'<w:footnotes xmlns:w="{W_NS}" xmlns:r="{R_NS}">'
           f'<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
           f'<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
           f'</w:footnote>{body}</w:footnotes>')
    part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(xml), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)
    if linked is not None:
        note_id, text, url = linked
        rel_id = part.relate_to(url, RT.HYPERLINK, is_external=True)
        note = next(n for n in part.element.iter(qn("w:footnote")) if n.get(qn("w:id")) == str(note_id))
        note[0].append(parse_xml(f'<w:hyperlink xmlns:w="{W_NS}" xmlns:r="{R_NS}" r:id="{rel_id}">'
                                 f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:hyperlink>'))


def make_docx(path: Path) -> Path:
    """Write a small thesis chapter: two sections (footnotes restart at 10 in the second), a custom mark,
    a numbered list, a table, a hyperlink, a comment and a tracked change."""
    d = docx.Document()
    d.add_heading("BAB I", level=1)
    d.add_paragraph("PENDAHULUAN")
    d.add_heading("A. Latar Belakang", level=2)
    p = d.add_paragraph("Kota Zorbania menandatangani kerja sama")
    _footnote_ref(p, 1)
    p.add_run(" pada tahun ")
    _tracked(p, "2019", "2018")
    p.add_run(".")
    _footnote_ref(p, 4, custom="*")
    p = d.add_paragraph("Lihat ")
    _hyperlink(p, d.part, "situs resmi", "https://contoh.test/zorbania")
    commented = p.add_run(" untuk rinciannya.")
    d.add_comment(commented, text="Perlu sumber lain", author="Pembimbing")
    d.add_paragraph("Bidang kerja samanya meliputi:")
    d.add_paragraph("Pertanian.", style="List Number")
    item = d.add_paragraph("Pariwisata", style="List Number")
    _footnote_ref(item, 2)
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate((("No", "Kota", "Tahun"), ("1.", "Zorbania", "2019"), ("2.", "", "2021"))):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(1, 1).merge(table.cell(2, 1))                 # "Zorbania" spans both rows
    d.add_section(WD_SECTION.NEW_PAGE)
    d.add_heading("B. Penutup", level=2)
    p = d.add_paragraph("Kerja sama diperpanjang")
    _footnote_ref(p, 3)
    p.add_run(".")
    _footnote_pr(d.sections[1]._sectPr, numStart="10", numRestart="eachSect")
    _add_footnotes(d, {1: "Sumber pertama, hlm. 3.", 2: "Laporan pariwisata", 3: "Catatan penutup.",
                       4: "Catatan penulis.", 9: "Tidak dirujuk."},
                   linked=(2, " laporan daring", "https://contoh.test/laporan-pariwisata-2021"))
    d.save(str(path))
    return path


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Document:
    return read_docx(make_docx(tmp_path_factory.mktemp("docx") / "bab1.docx"))


def test_made_docx_blocks_exactly(made):
    first = "Kota Zorbania menandatangani kerja sama"
    sentence = first + " pada tahun 2019."
    body = [b for b in made.blocks if b.kind != "footnote"]
    assert body == [
        Block(kind="heading", text="BAB I"),
        Block(kind="heading", text="PENDAHULUAN"),
        Block(kind="heading", text="A. Latar Belakang"),
        Block(kind="paragraph", text=sentence, marks=((len(first), 1), (len(sentence), 11))),
        Block(kind="paragraph", text="Lihat situs resmi (https://contoh.test/zorbania) untuk rinciannya."),
        Block(kind="paragraph", text="Bidang kerja samanya meliputi:"),
        Block(kind="item", text="Pertanian.", label="1."),
        Block(kind="item", text="Pariwisata", label="2.", marks=((len("Pariwisata"), 2),)),
        Block(kind="table", rows=(("No", "Kota", "Tahun"), ("1.", "Zorbania", "2019"), ("2.", "Zorbania", "2021"))),
        Block(kind="heading", text="B. Penutup"),
        Block(kind="paragraph", text="Kerja sama diperpanjang.", marks=((len("Kerja sama diperpanjang"), 10),)),
    ]


def test_made_docx_footnotes_restart_per_section_and_keep_custom_marks(made):
    assert [(b.number, b.label, b.text) for b in made.blocks if b.kind == "footnote"] == [
        (1, "1", "Sumber pertama, hlm. 3."),
        (2, "2", "Laporan pariwisata laporan daring (https://contoh.test/laporan-pariwisata-2021)"),
        (10, "10", "Catatan penutup."),
        (11, "*", "Catatan penulis."),
    ]
    _, footnotes = structure(made)
    assert {f.number: f.url for f in footnotes}[2] == "https://contoh.test/laporan-pariwisata-2021"


def test_made_docx_tracked_deletion_and_comment_are_left_out(made):
    text = " ".join(b.text for b in made.blocks)
    assert "2018" not in text and "Perlu sumber lain" not in text and "Tidak dirujuk" not in text


def test_made_docx_structures_into_sections_list_and_rows(made):
    passages, _ = structure(made)
    by_kind = {}
    for p in passages:
        by_kind.setdefault(p.kind, []).append(p)
    assert by_kind["list"][0].text == "1. Pertanian.\n2. Pariwisata"
    assert by_kind["list"][0].lead == "Bidang kerja samanya meliputi:"
    assert [p.text for p in by_kind["row"]] == ["No: 1.; Kota: Zorbania; Tahun: 2019",
                                                "No: 2.; Kota: Zorbania; Tahun: 2021"]
    assert by_kind["paragraph"][0].section == ("BAB I PENDAHULUAN", "A. Latar Belakang")


def test_numbering_formats_as_word_writes_them():
    from retrieval.readers.numbering import format_number
    assert [format_number(n, "lowerLetter") for n in (1, 26, 27)] == ["a", "z", "aa"]
    assert [format_number(n, "upperRoman") for n in (4, 9, 14, 40)] == ["IV", "IX", "XIV", "XL"]
    assert format_number(7, "decimal") == "7" and format_number(3, "decimalZero") == "03"


# ---------------------------------------------------------------- refused and broken files


@pytest.mark.parametrize("name, words", [("bab.doc", "Word lama (.doc)"), ("bab.odt", "OpenDocument (.odt)")])
def test_doc_and_odt_say_what_to_do(tmp_path, name, words):
    path = tmp_path / name
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(UnsupportedFormat) as err:
        read_file(path)
    assert str(err.value) == (f"{name}: format {words} tidak bisa dibaca; simpan ulang sebagai .docx atau PDF lalu "
                              f"tambahkan lagi / save it as .docx or PDF and add it again / "
                              f"{'old Word format (.doc)' if name.endswith('.doc') else 'OpenDocument (.odt)'} "
                              f"cannot be read")
    with pytest.raises(userdocs.UserDocError, match="simpan ulang sebagai .docx atau PDF"):
        userdocs.safe_name(name)


def test_uploads_take_every_readable_format():
    assert userdocs.ALLOWED == readable_suffixes() == (".md", ".markdown", ".txt", ".pdf", ".docx", ".html", ".htm")
    assert userdocs.safe_name("Bab Tiga.DOCX") == "Bab Tiga.docx"


def _zip(members: dict[str, bytes]) -> bytes:
    """Return a zip archive holding members."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("data, error, words", [
    (b"", CorruptDocx, "bukan .docx yang utuh / not a valid .docx"),
    (b"PK\x03\x04 rusak", CorruptDocx, "bukan .docx yang utuh / not a valid .docx"),
    (b"<html>bukan word</html>", CorruptDocx, "bukan .docx yang utuh / not a valid .docx"),
    (None, CorruptDocx, "bukan dokumen Word / not a Word document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), EncryptedDocx, "kata sandi"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, CorruptDocx, "berkas Word lama (.doc) bernama .docx"),
])
def test_broken_docx_gets_one_clear_line(tmp_path, data, error, words):
    path = tmp_path / "rusak.docx"
    path.write_bytes(data if data is not None else _zip({"isi.txt": b"bukan word"}))
    with pytest.raises(error) as err:
        read_docx(path)
    assert str(err.value).startswith("rusak.docx: ") and words in str(err.value)
    assert "\n" not in str(err.value)


def test_a_docx_without_its_main_part_is_corrupt(tmp_path):
    good = FIXTURE.read_bytes()
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        members = {n: z.read(n) for n in z.namelist() if n != "[Content_Types].xml"}
    path = tmp_path / "tanpa-jenis.docx"
    path.write_bytes(_zip(members))
    with pytest.raises(CorruptDocx, match=r"^tanpa-jenis.docx: .docx rusak / corrupt .docx \("):
        read_docx(path)


def test_unpacked_size_and_member_count_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(ooxml, "MAX_UNPACKED", FIXTURE.stat().st_size)   # the fixture unpacks to more
    with pytest.raises(CorruptDocx, match="too large when unpacked"):
        read_docx(FIXTURE)
    monkeypatch.undo()
    monkeypatch.setattr(ooxml, "MAX_XML_PART", 40_000)                  # document.xml is 49,482 bytes
    with pytest.raises(CorruptDocx, match=r"bagian word/document.xml terlalu besar"):
        read_docx(FIXTURE)
    monkeypatch.undo()
    monkeypatch.setattr(ooxml, "MAX_MEMBERS", 16)                       # the fixture has 17 parts
    with pytest.raises(CorruptDocx, match=r"terlalu banyak bagian \(17; maksimal 16\)"):
        read_docx(FIXTURE)
    monkeypatch.undo()
    assert len(notes(read_docx(FIXTURE))) == 9


def test_a_document_holding_more_text_than_the_bound_is_refused_and_the_others_are_read(tmp_path, monkeypatch):
    # the fixture holds 22,358 characters of text (paragraphs, footnotes, table cells); a .docx whose 60 MB of XML
    # unpack to 42 million characters is refused the same way at the shipped bound (24 million)
    monkeypatch.setattr(readers, "MAX_TEXT_CHARS", 22_358)
    assert len(notes(read_file(FIXTURE))) == 9                           # at the bound: read
    monkeypatch.setattr(readers, "MAX_TEXT_CHARS", 22_357)
    with pytest.raises(ReadError, match=r"^bab3-sister-city-batam-gimje.docx: teksnya terlalu panjang \(22\.358 "
                                        r"karakter; paling banyak 22\.357\) / too much text \(22,358 characters"):
        read_file(FIXTURE)
    corpus = tmp_path / "korpus"
    corpus.mkdir()
    (corpus / "bab3.docx").write_bytes(FIXTURE.read_bytes())
    (corpus / "catatan.txt").write_text("Danau Kerinci berwarna hijau zamrud sepanjang tahun.", encoding="utf-8")
    engine = Engine.build(corpus, use_cache=False)
    status = {d.source: (d.status, d.reason[:41]) for d in engine.documents}
    assert status == {"bab3.docx": ("skipped", "bab3.docx: teksnya terlalu panjang (22.35"),
                      "catatan.txt": ("indexed", "")}


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    corpus = tmp_path / "korpus"
    corpus.mkdir()
    make_docx(corpus / "bab1.docx")
    (corpus / "rusak.docx").write_bytes(b"PK\x03\x04 rusak")
    (corpus / "lama.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    (corpus / "terbuka.odt").write_bytes(b"PK")
    (corpus / "catatan.pages").write_bytes(b"PK")
    assert [p.name for p in corpus_files(corpus, KNOWN)] == ["bab1.docx", "lama.doc", "rusak.docx", "terbuka.odt"]
    engine = Engine.build(corpus, use_cache=False)
    status = {d.source: (d.status, d.reason) for d in engine.documents}
    assert status["bab1.docx"][0] == "indexed"
    assert status["rusak.docx"] == ("skipped",
                                    "rusak.docx: bukan .docx yang utuh / not a valid .docx (rusak / corrupt)")
    assert status["lama.doc"][0] == "skipped" and "simpan ulang sebagai .docx atau PDF" in status["lama.doc"][1]
    assert status["terbuka.odt"][0] == "skipped" and "OpenDocument (.odt)" in status["terbuka.odt"][1]
    assert sorted(f.number for f in engine.footnotes) == [1, 2, 10, 11]


def test_read_errors_are_read_errors():
    assert issubclass(CorruptDocx, ReadError) and issubclass(EncryptedDocx, ReadError)


_PARTS = ("archive", "word/document.xml", "word/footnotes.xml", "word/numbering.xml", "word/styles.xml",
          "word/_rels/document.xml.rels", "[Content_Types].xml")


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_PARTS),
       st.lists(st.tuples(st.integers(0, 1 << 20), st.sampled_from(b'<>"/=&:; aw01\x00\xff')), min_size=1,
                max_size=12),
       st.booleans())
def test_a_mutated_docx_is_read_or_refused_in_one_line(part, changes, cut):
    original = FIXTURE.read_bytes()
    with zipfile.ZipFile(io.BytesIO(original)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    data = bytearray(original if part == "archive" else members[part])
    for at, byte in changes:
        data[at % len(data)] = byte
    if cut:
        data = data[:changes[0][0] % len(data)]
    if part != "archive":
        data = bytearray(_zip({**members, part: bytes(data)}))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "acak.docx"
        path.write_bytes(bytes(data))
        try:
            structure(read_docx(path))
        except ReadError as e:
            assert str(e).startswith("acak.docx: ") and "\n" not in str(e)


def test_word_heading_numbering_is_written_before_the_heading(tmp_path):
    d = docx.Document()
    heading = d.add_heading("Latar Belakang", level=2)
    _footnote_ref(heading, 1)
    num_id = d.styles["List Number"].element.pPr.numPr.numId.val      # a decimal "%1." list of the template
    heading._p.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = num_id
    d.add_paragraph("Isi bagian pertama.")
    d.add_heading("Rumusan Masalah", level=2)._p.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = num_id
    _add_footnotes(d, {1: "Catatan judul."})
    d.save(str(tmp_path / "judul.docx"))
    blocks = read_docx(tmp_path / "judul.docx").blocks
    assert blocks[0] == Block(kind="heading", text="1. Latar Belakang", marks=((len("1. Latar Belakang"), 1),))
    assert blocks[2] == Block(kind="heading", text="2. Rumusan Masalah")


def test_an_uploaded_docx_is_stored_and_indexed_with_the_chapter(tmp_path):
    folder = tmp_path / "dokumen"
    saved = userdocs.save_document("Bab Satu.DOCX", make_docx(tmp_path / "bab1.docx").read_bytes(), folder)
    assert saved.name == "Bab Satu.docx" and userdocs.list_documents(folder) == ["Bab Satu.docx"]
    chapter_dir = tmp_path / "korpus"
    chapter_dir.mkdir()
    (chapter_dir / FIXTURE.name).write_bytes(FIXTURE.read_bytes())
    with userdocs.combined_corpus(chapter_dir, folder) as corpus:
        engine = Engine.build(corpus, use_cache=False)
    assert {(d.source, d.status) for d in engine.documents} == {
        (FIXTURE.name, "indexed"), (f"{userdocs.UPLOADS}/Bab Satu.docx", "indexed")}
    assert sorted(f.number for f in engine.footnotes) == [1, 2, 10, 11, *range(32, 41)]


def test_a_corpus_of_only_old_word_files_says_what_to_do(tmp_path):
    (tmp_path / "bab.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    with pytest.raises(EmptyCorpus) as err:
        Engine.build(tmp_path, use_cache=False)
    assert str(err.value) == (f"tidak ada teks yang bisa dibaca di {tmp_path} (bab.doc: format Word lama (.doc) "
                              f"tidak bisa dibaca; simpan ulang sebagai .docx atau PDF lalu tambahkan lagi / "
                              f"save it as .docx or PDF and add it again / old Word format (.doc) cannot be read)")
