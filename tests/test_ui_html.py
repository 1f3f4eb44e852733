"""The page's HTML builders and the scope of a question, on the real chapter (.md and .pdf) and tiny texts."""
from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from retrieval import Engine
from retrieval.model import Footnote
from retrieval.scope import Scope, ask_within, cited_sources, content_key, copies_of, keeper, same_content
from tests.conftest import shared_path
from ui.html import inline, paragraph_html, popover, quote_html, reader_html, word_spans

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "corpus" / "bab3-sister-city-batam-gimje.md"
URL_38 = "https://www.visitkorea.or.id/article/festival-yang-harus-didatangi-saat-musim-gugur-festival-horizon-gimje"
URL_37_END = "selain-destinasi-wisata-kenali-batam-lebih-dekat-dengan-3-festival-kebudayaan-ini"


def test_highlighting_never_splits_a_link():
    text = f"Tentang Gimje. {URL_38} diakses"
    out = inline(text, (), word_spans(text, ["festival", "gimje", "article"]))
    assert f'<a href="{URL_38}" target="_blank" rel="noopener noreferrer">{URL_38}</a>' in out
    assert out.count('<mark class="kutip-word">') == 1                      # "Gimje" outside the address only


def test_document_text_is_escaped_and_only_web_addresses_are_links():
    text = 'Harga <script>alert(1)</script> & "x" javascript:alert(1) www.contoh.id/a?b=1&c=2'
    out = inline(text)
    assert "<script>" not in out and "&lt;script&gt;" in out and "&amp; &quot;x&quot;" in out
    assert 'href="javascript' not in out
    assert '<a href="www.contoh.id/a?b=1&amp;c=2"' not in out and "www.contoh.id/a?b=1&amp;c=2" in out


def test_quote_marks_open_their_note_and_the_short_answer_is_marked():
    note = Footnote(32, "Hasil. https://a.id/x diakses 1 Mei 2017", "Hasil.", "https://a.id/x", "1 Mei 2017", "web",
                    "bab.md")
    text = "penghasilan US$114,5 miliar dan US$ 13,200. Sedangkan"
    out = quote_html(text, [(42, 32)], ["penghasilan"], lambda n: popover(n, note, "Catatan kaki", "Diakses: {date}"),
                     (12, 27))
    assert '<mark class="kutip-short">US$114,5 miliar</mark>' in out
    assert ('US$ 13,200<details class="kutip-fn"><summary title="Catatan kaki 32">32</summary><span class="kutip-note">'
            '<b>[32]</b> Hasil. <a href="https://a.id/x" target="_blank" rel="noopener noreferrer">https://a.id/x</a>'
            '<small>Diakses: 1 Mei 2017</small></span></details>. Sedangkan') in out


@pytest.fixture(scope="module")
def both(tmp_path_factory, session_cache_dir) -> Engine:
    """The engine over the chapter as .md and as .pdf."""
    folder = tmp_path_factory.mktemp("both")
    shutil.copy(CHAPTER, folder)
    shutil.copy(shared_path("corpus-fixtures", "bab3-sister-city-batam-gimje.pdf"), folder)
    return Engine.build(folder, cache_dir=session_cache_dir)


def test_reader_view_of_the_pdf_has_pages_sections_notes_and_the_quote(both):
    a = both.ask("Festival apa yang ada di kota Gimje?")
    pdf = [p for p in both.passages if p.source.endswith(".pdf")]
    notes = [f for f in both.footnotes if f.source.endswith(".pdf")]
    target = next(p for p in pdf if "Festival Horizon Gimje" in p.text and p.kind != "footnote")
    start = target.text.index("Festival Horizon Gimje")
    out = reader_html(pdf, notes, target.id, start, start + len("Festival Horizon Gimje"))
    assert out.count('id="kutip-here"') == 1
    assert '<mark class="kutip-here">Festival Horizon Gimje</mark>' in out
    pages = re.findall(r'class="kutip-page">hlm\. ([\d–]+)<', out)
    assert pages[0] == "45" and pages[-1].endswith("56") and len(pages) == len(set(pages))
    assert ("<h4>B. Faktor Yang Mendorong Terjadinya Kerjasama Sister City Antara Kota Batam Dengan Kota Gimje</h4>"
            in out)
    assert '<sup><a href="#kutip-fn-38" title="38">38</a></sup>' in out
    entry = re.search(r'<li value="37" id="kutip-fn-37">(.*?)</li>', out).group(1)
    assert re.search(rf'href="https://www\.liputan6\.com/[^"]*{URL_37_END}"', entry)
    assert out.count("<th>PENANDA TANGAN</th>") == 1                          # the table once
    assert a.quotes


def test_whole_paragraph_keeps_its_marks(both):
    p = next(p for p in both.passages if p.source.endswith(".md") and "US$ 13,200" in p.text)
    start = p.text.index("Dari kerjasama Shen Zen")
    out = paragraph_html(p, start, start + 40, [], lambda n: f"[{n}]")
    assert "US$ 13,200[32]" in out and out.count("[") == 1
    assert '<mark class="kutip-here">Dari kerjasama Shen Zen dengan Batam' in out


def test_the_same_chapter_as_md_and_pdf_counts_once(both):
    repeats = same_content(both)
    assert repeats == {"bab3-sister-city-batam-gimje.pdf": "bab3-sister-city-batam-gimje.md"}
    assert copies_of("bab3-sister-city-batam-gimje.md", repeats) == ["bab3-sister-city-batam-gimje.pdf"]
    a = ask_within(both, "Kapan MoU Batam dan Gimje ditandatangani?", 3, keeper(both, Scope(), repeats))
    assert {q.passage.source for q in a.quotes} == {"bab3-sister-city-batam-gimje.md"}
    assert sum("Batam, 17 Agustus 2013" in q.text for q in a.quotes) == 1
    assert [f.number for f in a.footnotes] == [34]
    one = keeper(both, Scope("one", "bab3-sister-city-batam-gimje.pdf"), repeats)
    assert not one(a.quotes[0].passage)                         # a repeat chosen alone: its own passages (issue 29)
    pdf = ask_within(both, "Kapan MoU Batam dan Gimje ditandatangani?", 3, one)
    assert {q.passage.source for q in pdf.quotes} == {"bab3-sister-city-batam-gimje.pdf"}
    assert "Batam, 17 Agustus 2013" in pdf.quotes[0].text and pdf.quotes[0].page == 46     # with its page
    assert [q.page for q in pdf.quotes] == [46, 46, 50]
    narrow = both.with_settings(replace(both.settings, scoped_candidates=3))    # of its 3 best quotes, one the PDF's
    assert [q.page for q in ask_within(narrow, "Kapan MoU Batam dan Gimje ditandatangani?", 3, one).quotes] == [46]
    assert a.short.text == pdf.short.text == "17 Agustus 2013"     # the short answer of the quote shown in scope
    assert cited_sources(both) == set()
    nothing = ask_within(both, "Kapan MoU Batam dan Gimje ditandatangani?", 3, keeper(both, Scope("cited"), repeats))
    assert nothing.abstained and not nothing.quotes


def test_reader_view_marks_a_quoted_footnote_entry(both):
    md = [p for p in both.passages if p.source.endswith(".md")]
    entry = next(p for p in md if p.kind == "footnote" and p.footnotes == (38,))
    notes = [f for f in both.footnotes if f.source.endswith(".md")]
    out = reader_html(md, notes, entry.id, 0, len(entry.text))
    assert out.count('id="kutip-here"') == 1
    assert re.search(r'<li value="38" id="kutip-fn-38"><mark class="kutip-here" id="kutip-here">Tentang pariwisata',
                     out)


def test_content_key_is_the_digest_of_the_document_s_words_read_passage_by_passage(both):
    md = [p for p in both.passages if p.source.endswith(".md")]
    words = re.findall(r"[0-9a-z]+", " ".join(p.text for p in md if p.kind != "footnote").lower())
    assert content_key(md) == hashlib.sha256(" ".join(words).encode()).hexdigest()
    assert content_key(md) == content_key([p for p in both.passages if p.source.endswith(".pdf")])
    assert content_key(md[:1]) != content_key(md)
