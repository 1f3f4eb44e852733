"""The HTML reader: main text only, in order, as blocks; URL and title in meta; clear errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.errors import ReadError
from retrieval.files import META_DIR
from retrieval.readers import read_file
from retrieval.readers.html import read_html

# A page written for these tests (not a copy of a real site): an article wrapped in boilerplate.
ARTICLE = """<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8">
<title>HALAMAN UJI KUTIP - Gimje bahas sister city dengan Batam | Situs Uji</title>
<link rel="canonical" href="https://kepri.example.test/berita/17979/gimje-bahas-sister-city">
<meta property="og:url" content="https://og.example.test/berita/17979">
</head><body>
<header><nav><ul><li><a href="/">Beranda NAVTEXT</a></li><li><a href="/ekonomi">Ekonomi NAVTEXT</a></li>
<li><a href="/olahraga">Olahraga NAVTEXT</a></li></ul></nav></header>
<div id="cookie-banner" class="cookie-consent">COOKIETEXT Situs ini memakai cookie untuk pengalaman terbaik.
<button>Setuju</button></div>
<main><article>
<h1>Gimje bahas sister city dengan Batam</h1>
<p>HALAMAN UJI KUTIP. Wakil Wali Kota Gimje, Seo Sung Heo, datang ke Batam pada Agustus 2011 untuk membahas
kerja sama sister city antara kedua kota. Pertemuan berlangsung di kantor wali kota dan dihadiri pejabat daerah.</p>
<h2>Lima bidang kerja sama</h2>
<p>Kedua pihak sepakat menjajaki kerja sama dalam lima bidang, yaitu pariwisata, industri dan perdagangan,
investasi, pendidikan dan pertanian. Tag &lt;b&gt; ditulis di artikel sebagai teks &amp; tetap teks.</p>
<ol><li>Pariwisata dan kebudayaan daerah.</li><li>Industri dan perdagangan antar kota.</li></ol>
<p>Menurut wali kota, kerja sama ini akan <b>saling mendukung</b> industri masing-masing kota: Batam belajar
teknologi pertanian dan Gimje belajar manufaktur.<br>Kalimat sesudah baris baru.</p>
</article></main>
<aside class="related">Berita terkait RELATEDTEXT: harga cabai naik.</aside>
<footer>FOOTERTEXT Hak cipta 2018 Situs Uji. Semua hak dilindungi. Kontak | Redaksi | Pedoman</footer>
</body></html>
"""


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_main_text_in_order_without_boilerplate(tmp_path):
    doc = read_html(write(tmp_path, "33-uji.html", ARTICLE))
    assert doc.source == "33-uji.html"
    assert [(b.kind, b.label) for b in doc.blocks] == [
        ("heading", ""), ("paragraph", ""), ("heading", ""), ("paragraph", ""), ("item", "1."), ("item", "2."),
        ("paragraph", "")]
    assert doc.blocks[0].text == "Gimje bahas sister city dengan Batam"
    assert doc.blocks[1].text.startswith("HALAMAN UJI KUTIP. Wakil Wali Kota Gimje, Seo Sung Heo, datang ke Batam")
    assert doc.blocks[4].text == "Pariwisata dan kebudayaan daerah."
    assert doc.blocks[6].text.endswith("Gimje belajar manufaktur. Kalimat sesudah baris baru.")
    everything = " ".join(b.text for b in doc.blocks)
    for noise in ("NAVTEXT", "COOKIETEXT", "FOOTERTEXT", "RELATEDTEXT", "Setuju"):
        assert noise not in everything
    assert "  " not in everything and "\n" not in everything


def test_markup_written_in_the_text_stays_text(tmp_path):
    doc = read_html(write(tmp_path, "a.html", ARTICLE))
    para = doc.blocks[3].text
    assert "Tag <b> ditulis di artikel sebagai teks & tetap teks." in para
    assert "saling mendukung" in doc.blocks[6].text and "<b>" not in doc.blocks[6].text


def test_meta_url_is_canonical_then_og_url(tmp_path):
    doc = read_html(write(tmp_path, "a.html", ARTICLE))
    assert doc.get("url") == "https://kepri.example.test/berita/17979/gimje-bahas-sister-city"
    assert doc.get("og_url") == "https://og.example.test/berita/17979"
    assert doc.get("title") and "Gimje bahas sister city dengan Batam" in doc.get("title")
    no_canonical = ARTICLE.replace(
        '<link rel="canonical" href="https://kepri.example.test/berita/17979/gimje-bahas-sister-city">', "")
    assert read_html(write(tmp_path, "b.html", no_canonical)).get("url") == "https://og.example.test/berita/17979"
    bare = no_canonical.replace('<meta property="og:url" content="https://og.example.test/berita/17979">', "")
    assert read_html(write(tmp_path, "c.html", bare)).get("url") is None


def test_url_recorded_by_fetch_wins(tmp_path):
    path = write(tmp_path, "33-antaranews.html", ARTICLE)
    (tmp_path / META_DIR).mkdir()
    record = {"url": "http://kepri.antaranews.com/berita/17979/gimje-bahas-sister-city-dengan-batam",
              "final_url": "https://web.archive.org/web/2018id_/http://kepri.antaranews.com/berita/17979",
              "fetched_at": "2026-01-02T03:04:05+00:00", "footnote": 33}
    (tmp_path / META_DIR / "33-antaranews.json").write_text(json.dumps(record), encoding="utf-8")
    doc = read_html(path)
    assert doc.meta[0] == ("url", record["url"])
    assert doc.get("final_url") == record["final_url"]
    assert doc.get("canonical") == "https://kepri.example.test/berita/17979/gimje-bahas-sister-city"


def test_broken_sidecar_is_ignored(tmp_path):
    path = write(tmp_path, "33-x.html", ARTICLE)
    (tmp_path / META_DIR).mkdir()
    (tmp_path / META_DIR / "33-x.json").write_text("{not json", encoding="utf-8")
    assert read_html(path).get("url") == "https://kepri.example.test/berita/17979/gimje-bahas-sister-city"


def test_declared_legacy_charset(tmp_path):
    page = ARTICLE.replace('<meta charset="utf-8">',
                           '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">')
    page = page.replace("dihadiri pejabat daerah.", "dihadiri pejabat daerah – café “Melayu”.")
    doc = read_html(write(tmp_path, "a.html", page.encode("cp1252")))
    assert doc.blocks[1].text.endswith("dihadiri pejabat daerah – café “Melayu”.")


def test_undeclared_latin_bytes_fall_back_to_windows_1252(tmp_path):
    page = ARTICLE.replace('<meta charset="utf-8">', "").replace("dihadiri pejabat daerah.", "di café daerah.")
    doc = read_html(write(tmp_path, "a.html", page.encode("cp1252")))
    assert doc.blocks[1].text.endswith("di café daerah.")


def test_table_and_nested_list(tmp_path):
    page = ARTICLE.replace("<ol><li>Pariwisata dan kebudayaan daerah.</li>", """
<table><tr><th>Bidang</th><th>Kota</th></tr><tr><td>Pertanian</td><td>Gimje</td></tr>
<tr><td>Manufaktur</td><td>Batam</td></tr></table>
<ol><li>Pariwisata dan kebudayaan daerah.<ul><li>Festival Horizon Gimje.</li></ul></li>""")
    blocks = read_html(write(tmp_path, "a.html", page)).blocks
    table = next(b for b in blocks if b.kind == "table")
    assert table.rows == (("Bidang", "Kota"), ("Pertanian", "Gimje"), ("Manufaktur", "Batam"))
    items = [(b.label, b.text) for b in blocks if b.kind == "item"]
    assert items == [("1.", "Pariwisata dan kebudayaan daerah."), ("-", "Festival Horizon Gimje."),
                     ("2.", "Industri dan perdagangan antar kota.")]


@pytest.mark.parametrize("data, says", [
    (b"", "empty file"),
    (b"   \n\t ", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary content"),
    (bytes(range(1, 32)) * 40, "binary content"),
    (b"just words, no markup at all", "no markup"),
    (b"<html><head><title>t</title></head><body><nav><a href='/'>x</a></nav></body></html>", "no main text"),
])
def test_unreadable_pages_raise_read_error(tmp_path, data, says):
    with pytest.raises(ReadError) as err:
        read_html(write(tmp_path, "bad.html", data))
    message = str(err.value)
    assert message.startswith("bad.html: ") and says in message and "\n" not in message


def test_reader_table_serves_htm(tmp_path):
    doc = read_file(write(tmp_path, "page.HTM", ARTICLE), source="sources/page.HTM")
    assert doc.source == "sources/page.HTM" and doc.blocks[0].kind == "heading"


SCRIPTED = """<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>Uji skrip</title>
<script type="application/ld+json">{"@type": "NewsArticle", "articleBody": "NOSKRIP ld. %s"}</script>
<script>var kata = "NOSKRIP head";</script><style>p::after { content: "NOSKRIP gaya"; }</style></head>
<body><p>Teks pendek.</p><p>Kalimat kedua <noscript>NOSKRIP noscript</noscript>tetap dibaca.</p>
<script>document.write("NOSKRIP body")</script></body></html>""" % ("Isi panjang dari skrip saja. " * 8)


def test_script_style_and_noscript_text_is_no_content(tmp_path):
    doc = read_html(write(tmp_path, "skrip.html", SCRIPTED))
    assert [b.text for b in doc.blocks] == ["Teks pendek.", "Kalimat kedua tetap dibaca."]
    assert dict(doc.meta)["title"] == "Uji skrip"
