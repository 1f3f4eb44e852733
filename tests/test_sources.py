"""Cited sources: URL keys, linking files to footnotes, source status, and support labels."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from retrieval import Engine
from retrieval.linking import link_sources, url_key
from retrieval.model import Block, Document, Footnote, Quote
from retrieval.settings import DEFAULT
from retrieval.sources import SourceStatus, best_support, source_status, support_label

STRONG_SUPPORT, WEAK_SUPPORT = DEFAULT.strong_support, DEFAULT.weak_support

ANTARA = "http://kepri.antaranews.com/berita/17979/gimje-bahas-sister-city-dengan-batam"
LIPUTAN_CUT = "https://www.liputan6.com/citizen6/read/3299230/selain-destinasi-"
LIPUTAN_FULL = ("https://www.liputan6.com/citizen6/read/3299230/selain-destinasi-wisata-kenali-batam-lebih-dekat-"
                "dengan-3-festival-kebudayaan-ini")


def note(number: int, url: str | None, kind: str = "web", source: str = "bab3.md",
         accessed: str | None = "29 januari 2018") -> Footnote:
    return Footnote(number=number, text=f"Catatan {number}. {url or ''}", description=f"Catatan {number}.",
                    url=url, accessed=accessed if url else None, kind=kind, source=source)


def doc(source: str, **meta: str) -> Document:
    return Document(source=source, blocks=(Block(kind="paragraph", text="Teks uji."),), meta=tuple(meta.items()))


NOTES = [note(32, "https://finance.detik.com/berita-ekonomi-bisnis/d-3164021/banyak-negara-belajar-dari-batam"),
         note(33, ANTARA), note(36, None, kind="official"), note(37, LIPUTAN_CUT), note(39, None, kind="book")]


@pytest.mark.parametrize("url, key", [
    ("http://kepri.antaranews.com/berita/17979/", "kepri.antaranews.com/berita/17979"),
    ("https://WWW.Kemlu.go.id/id/berita/Pages/X.aspx#top", "kemlu.go.id/id/berita/Pages/X.aspx"),
    ("www.example.com/a?b=1&c=2", "example.com/a?b=1&c=2"),
    ("<https://example.com:443/>", "example.com"),
    ("http://example.com:8080/x/", "example.com:8080/x"),
    ("https://example.com/caf%C3%A9", "example.com/café"),
    ("https://web.archive.org/web/2018id_/http://kepri.antaranews.com/berita/17979",
     "kepri.antaranews.com/berita/17979"),
    ("https://web.archive.org/web/20180301000000/https://www.example.com/a/", "example.com/a"),
])
def test_url_key(url, key):
    assert url_key(url) == key


def test_url_key_makes_equal_what_is_the_same_page():
    assert url_key("https://www.kemlu.go.id/id/") == url_key("http://kemlu.go.id/id") == url_key("kemlu.go.id/id/#x")
    assert url_key("https://example.com/A") != url_key("https://example.com/a")  # paths keep their case
    assert url_key("https://example.com/a?x=1") != url_key("https://example.com/a?x=2")


def test_link_by_url_canonical_og_or_fetch_record():
    docs = [doc("sources/antara.html", url=ANTARA.replace("http://", "https://") + "/"),
            doc("sources/detik-page.html", canonical="https://finance.detik.com/berita-ekonomi-bisnis/d-3164021/"
                                                      "banyak-negara-belajar-dari-batam#comments"),
            doc("sources/unrelated.html", url="https://example.com/berita/lain"),
            doc("bab3.md")]
    assert link_sources(docs, NOTES) == {"sources/antara.html": 33, "sources/detik-page.html": 32}


def test_link_by_file_name_when_the_footnote_exists():
    docs = [doc("sources/39-paradiplomacy.txt"), doc("sources/36-panduan.pdf"), doc("sources/99-lain.pdf"),
            doc("sources/2018-laporan.pdf"), doc("sources/paradiplomacy-39.txt")]
    assert link_sources(docs, NOTES) == {"sources/39-paradiplomacy.txt": 39, "sources/36-panduan.pdf": 36}


def test_url_beats_file_name_and_cut_short_url_still_links():
    docs = [doc("sources/32-salah-nama.html", url=ANTARA), doc("sources/liputan.html", url=LIPUTAN_FULL),
            doc("sources/archived.html", url=f"https://web.archive.org/web/2018id_/{ANTARA}")]
    assert link_sources(docs, NOTES) == {"sources/32-salah-nama.html": 33, "sources/liputan.html": 37,
                                         "sources/archived.html": 33}


def test_site_home_page_does_not_match_a_cited_article():
    notes = [note(35, "https://www.kemlu.go.id/")]  # a bare site cited: only that page links, no prefixes
    docs = [doc("sources/kemlu-news.html", url="https://www.kemlu.go.id/id/berita/Pages/lain.aspx")]
    assert link_sources(docs, notes) == {}


def test_same_url_cited_twice_prefers_the_file_name():
    notes = [note(33, ANTARA), note(45, ANTARA, source="bab4.md")]
    docs = [doc("sources/45-antaranews.html", url=ANTARA), doc("sources/antaranews.html", url=ANTARA)]
    assert link_sources(docs, notes) == {"sources/45-antaranews.html": 45, "sources/antaranews.html": 33}


def test_a_document_never_links_to_its_own_footnotes():
    notes = [note(3, None, source="3-bab.md"), note(33, ANTARA, source="3-bab.md")]
    docs = [doc("3-bab.md", url=ANTARA), doc("sources/3-buku.pdf")]
    assert link_sources(docs, notes) == {"sources/3-buku.pdf": 3}


def write_record(corpus: Path, name: str, record: dict) -> None:
    folder = corpus / "sources" / ".kutip"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(record), encoding="utf-8")


def test_source_status(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "33-antaranews.html").write_text("<html></html>", encoding="utf-8")
    write_record(tmp_path, "33-antaranews.json", {"footnote": 33, "url": ANTARA, "final_url": ANTARA,
                                                  "http_status": 200, "fetched_at": "2026-01-01T00:00:00+00:00"})
    (sources / "39-paradiplomacy.txt").write_text("Teks.", encoding="utf-8")
    (sources / "36-panduan.docx").write_bytes(b"PK")
    write_record(tmp_path, "32-failed.json", {"footnote": 32, "reason": "HTTP 404; archive: HTTP 404",
                                              "attempted_at": "2026-01-01T00:00:00+00:00"})
    docs = [doc("bab3.md"), doc("sources/33-antaranews.html", url=ANTARA), doc("sources/39-paradiplomacy.txt")]
    statuses = source_status(tmp_path, NOTES, link_sources(docs, NOTES))
    got = {s.number: s for s in statuses}
    assert [s.number for s in statuses] == [32, 33, 36, 37, 39]
    assert got[32] == SourceStatus(32, "web", NOTES[0].url, "29 januari 2018", "failed", (),
                                   "HTTP 404; archive: HTTP 404")
    assert (got[33].status, got[33].files) == ("fetched", ("sources/33-antaranews.html",))
    assert got[33].reason == "diunduh / fetched 2026-01-01T00:00:00+00:00 (HTTP 200)"
    assert (got[36].status, got[36].files, got[36].kind) == ("present", ("sources/36-panduan.docx",), "official")
    assert "not read" in got[36].reason
    assert (got[37].status, got[37].reason) == ("missing", "belum diunduh / not fetched yet")
    assert (got[39].status, got[39].files, got[39].reason) == ("present", ("sources/39-paradiplomacy.txt",), "")


def test_status_tells_of_a_failed_refetch_with_a_kept_copy(tmp_path):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "33-antaranews.html").write_text("<html></html>", encoding="utf-8")
    write_record(tmp_path, "33-antaranews.json", {"footnote": 33, "http_status": 200, "archived": True,
                                                  "final_url": "https://web.archive.org/web/2018id_/x",
                                                  "fetched_at": "2026-01-01T00:00:00+00:00"})
    write_record(tmp_path, "33-failed.json", {"footnote": 33, "reason": "timeout (no answer within 15 s)",
                                              "attempted_at": "2026-02-01T00:00:00+00:00"})
    notes = [note(33, ANTARA)]
    [status] = source_status(tmp_path, notes, link_sources([doc("sources/33-antaranews.html")], notes))
    assert status.status == "fetched"
    assert status.reason == ("diunduh / fetched 2026-01-01T00:00:00+00:00 (HTTP 200, salinan arsip / archived copy "
                             "https://web.archive.org/web/2018id_/x); unduhan terakhir gagal / last fetch failed "
                             "(timeout (no answer within 15 s)); salinan lama dipakai / earlier copy kept")


def test_status_without_sources_folder(tmp_path):
    statuses = source_status(tmp_path, [note(33, ANTARA), note(39, None, kind="book")], {})
    assert [(s.status, s.files) for s in statuses] == [("missing", ()), ("missing", ())]
    assert statuses[1].reason == ("tanpa URL: taruh dokumennya di sources/ sebagai 39-<nama>.pdf / "
                                  "no URL: put the document in sources/ as 39-<name>.pdf")


def test_support_label_thresholds():
    assert 0 < WEAK_SUPPORT < STRONG_SUPPORT <= 1
    assert support_label(1.2) == support_label(STRONG_SUPPORT) == "strong"
    assert support_label(STRONG_SUPPORT - 0.01) == support_label(WEAK_SUPPORT) == "weak"
    assert support_label(WEAK_SUPPORT - 0.01) == support_label(0.0) == "not found"
    stricter = replace(DEFAULT, strong_support=0.6, weak_support=0.2)
    assert [support_label(s, stricter) for s in (0.6, 0.5, 0.2, 0.1)] == ["strong", "weak", "weak", "not found"]


CHAPTER = """# BAB III

## A. Kerjasama Batam dan Gimje

Setelah pertemuan tersebut mereka menambah akan melakukan kerjasama dalam lima bidang, yaitu pariwisata, industri dan perdagangan, investasi, pendidikan dan pertanian<sup>33</sup>. Kunjungan itu juga diberitakan media lain<sup>34</sup> dan dicatat dalam laporan<sup>35</sup>.

---

<sup>33</sup> Perencanaan kerjasama kota Gimje pada Kota Batam. <http://kepri.antaranews.com/berita/17979/gimje-bahas-sister-city-dengan-batam> diakses pd tgl 29 januari 2018

<sup>34</sup> Berita uji. <https://berita.example.test/gimje-batam> diakses pada 20 januari 2019

<sup>35</sup> Laporan uji. <https://laporan.example.test/rendang> diakses pada 20 januari 2019
"""  # noqa: E501 (a chapter's paragraphs are long lines)
# Source texts written for the test: one restates the quote, one shares its topic, one is about something else.
RESTATES = "Kedua kota sepakat melakukan kerjasama dalam lima bidang, yaitu pariwisata, industri dan perdagangan, " \
           "investasi, pendidikan dan pertanian."
SAME_TOPIC = "Batam dan Gimje bekerja sama di bidang pertanian."
UNRELATED = "Resep rendang daging sapi membutuhkan santan, cabai, dan waktu memasak yang lama."


def test_best_support_labels_calibrated_on_a_small_corpus(tmp_path):
    (tmp_path / "bab3.md").write_text(CHAPTER, encoding="utf-8")
    sources = tmp_path / "sources"
    sources.mkdir()
    for name, text in (("33-antaranews.txt", RESTATES), ("34-berita.txt", SAME_TOPIC), ("35-laporan.txt", UNRELATED)):
        (sources / name).write_text(f"HALAMAN UJI KUTIP.\n\n{text}\n\nPasar ikan di pelabuhan buka sejak subuh.\n",
                                    encoding="utf-8")
    engine = Engine.build(tmp_path, cache_dir=tmp_path / "cache")
    cited = engine.search("lima bidang pariwisata industri perdagangan investasi pendidikan pertanian", k=1,
                          where=lambda p: p.source == "bab3.md" and bool(p.marks))[0]
    assert cited.text.startswith("Setelah pertemuan tersebut") and 33 in cited.footnotes

    strong = best_support(engine, cited, 33)
    assert strong.label == "strong" and strong.quotes[0].text == RESTATES
    assert strong.quotes[0].passage.source == "sources/33-antaranews.txt"
    label, score, quotes = best_support(engine, cited, 34)
    assert label == "weak" and quotes[0].text == SAME_TOPIC and WEAK_SUPPORT <= score < STRONG_SUPPORT
    unrelated = best_support(engine, cited.text, 35)
    assert unrelated.label == "not found" and unrelated.score < WEAK_SUPPORT
    assert all(q.passage.source == "sources/35-laporan.txt" for q in unrelated.quotes)
    assert best_support(engine, cited, 99) == ("not found", 0.0, ())
    assert len(best_support(engine, cited, 33, top=2).quotes) <= 2
    assert all(q.passage.kind != "footnote" for n in (33, 34, 35) for q in best_support(engine, cited, n, top=5).quotes)


def test_a_paragraph_is_supported_by_the_source_of_one_of_its_sentences(tmp_path):
    """A long paragraph whose footnote backs one sentence: that sentence is scored on its own (whole: weak)."""
    chapter = CHAPTER.replace("dicatat dalam laporan<sup>35</sup>.", "dicatat dalam laporan<sup>35</sup>. Delegasi "
                              "Gimje kemudian meninjau pelabuhan, kawasan industri Batamindo, bandara Hang Nadim dan "
                              "pasar tradisional Tanjung Pinang bersama pejabat daerah setempat.")
    (tmp_path / "bab3.md").write_text(chapter, encoding="utf-8")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "33-antaranews.txt").write_text(RESTATES, encoding="utf-8")
    engine = Engine.build(tmp_path, cache_dir=tmp_path / "cache")
    passage = next(p for p in engine.passages if p.source == "bab3.md" and "Batamindo" in p.text)
    whole = Quote(passage, 0, len(passage.text), 0.0, passage.footnotes)
    support = best_support(engine, whole, 33)
    weights, held = engine.term_weights(whole.text), engine.term_weights(RESTATES)
    assert sum(w for t, w in weights.items() if t in held) / sum(weights.values()) < STRONG_SUPPORT
    assert support.label == "strong" and support.quotes[0].text == RESTATES
    longer = engine.with_settings(replace(engine.settings, min_claim_terms=14))    # the restated sentence has 13
    assert best_support(longer, whole, 33)[:2] == ("weak", 0.2365)                # terms: the whole is scored alone


def test_cli_sources_lists_what_the_engine_linked_when_it_read_the_corpus(tmp_path, capsys):
    from conftest import CHAPTER, CHAPTER_NAME
    from retrieval.__main__ import main
    (tmp_path / CHAPTER_NAME).write_bytes(CHAPTER.read_bytes())
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "39-paradiplomacy.txt").write_text("Paradiplomasi adalah kerja sama kota.",
                                                               encoding="utf-8")
    (tmp_path / "sources" / "36-panduan.doc").write_bytes(b"\xd0\xcf\x11\xe0 not a docx")
    assert main(["sources", "--json", "--corpus", str(tmp_path), "--no-cache"]) == 0
    rows = {r["number"]: r for r in json.loads(capsys.readouterr().out)}
    assert sorted(rows) == list(range(32, 41))
    assert (rows[39]["status"], rows[39]["files"], rows[39]["reason"]) == ("present", ["sources/39-paradiplomacy.txt"],
                                                                           "")
    assert (rows[36]["status"], rows[36]["files"]) == ("present", ["sources/36-panduan.doc"])
    assert rows[36]["reason"] == ("sources/36-panduan.doc: tidak terbaca (format tak dikenal atau rusak) / "
                                  "not read (unknown format or unreadable)")
    assert (rows[33]["status"], rows[33]["reason"]) == ("missing", "belum diunduh / not fetched yet")


def test_cli_sources_text_speaks_indonesian_first(tmp_path, capsys):
    from conftest import CHAPTER, CHAPTER_NAME
    from retrieval.__main__ import main
    (tmp_path / CHAPTER_NAME).write_bytes(CHAPTER.read_bytes())
    assert main(["sources", "--corpus", str(tmp_path), "--no-cache"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == ("[33] web      belum ada -  http://kepri.antaranews.com/berita/17979/gimje-bahas-sister-city-"
                        "dengan-batam  29 januari 2018  (belum diunduh / not fetched yet)")
    assert lines[4] == ("[36] resmi    belum ada -      (tanpa URL: taruh dokumennya di sources/ sebagai 36-<nama>.pdf"
                        " / no URL: put the document in sources/ as 36-<name>.pdf)")
    assert [line.split()[1] for line in lines] == ["web"] * 4 + ["resmi"] + ["web"] * 2 + ["buku", "jurnal"]
