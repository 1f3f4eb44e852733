"""fetch_sources against a local test server on 127.0.0.1: saved files, metadata, failures, archive, kept copies."""
from __future__ import annotations

import hashlib
import json
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import pytest
import requests

from conftest import one_page_pdf
from retrieval import Engine
from retrieval.fetch import USER_AGENT, access_year, archive_url, fetch_sources, file_stem, slug_for
from retrieval.model import Footnote

# Pages written for these tests only; each says so in its text.
ARTICLE = b"""<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">
<title>HALAMAN UJI KUTIP - artikel</title></head><body>
<nav><a href="/">Beranda NAVTEXT</a> <a href="/x">Ekonomi NAVTEXT</a> <a href="/y">Olahraga NAVTEXT</a></nav>
<div class="cookie-banner">COOKIETEXT Situs ini memakai cookie. <button>Setuju</button></div>
<main><article><h1>Halaman uji: Gimje bahas sister city dengan Batam</h1>
<p>HALAMAN UJI KUTIP. Wakil Wali Kota Gimje datang ke Batam pada Agustus 2011 untuk membahas kerja sama
sister city antara kedua kota, dan pertemuan itu dihadiri banyak pejabat daerah dari kedua belah pihak.</p>
<p>Kedua pihak sepakat menjajaki kerja sama dalam lima bidang, yaitu pariwisata, industri dan perdagangan,
investasi, pendidikan dan pertanian, yang akan dibahas lagi dalam pertemuan berikutnya.</p>
</article></main>
<footer>FOOTERTEXT Hak cipta 2018 Situs Uji. Semua hak dilindungi.</footer></body></html>"""
ARCHIVED = ARTICLE.replace(b"HALAMAN UJI KUTIP.", b"HALAMAN UJI KUTIP (salinan arsip).")
CHANGED = ARTICLE.replace(b"HALAMAN UJI KUTIP.", b"HALAMAN UJI KUTIP (versi baru).")
NO_TEXT = b"<html><head><title>HALAMAN UJI</title></head><body><nav><a href='/'>Beranda</a></nav></body></html>"
PLAIN = b"HALAMAN UJI KUTIP (teks biasa).\n\nKerja sama Batam dan Gimje.\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
SIZE_LIMIT = 20_000
ARCHIVE_YEAR = 2018


PDF = one_page_pdf("HALAMAN UJI KUTIP (PDF). Kerja sama sister city Batam dan Gimje dalam lima bidang.")


class Site:
    """What the test server serves and what it saw."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.agents: list[str] = []
        self.toggle_good = True
        self.flaky_left = 1


class Handler(BaseHTTPRequestHandler):
    site: Site

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        site, path = self.site, self.path
        site.hits[path] = site.hits.get(path, 0) + 1
        site.agents.append(self.headers.get("User-Agent", ""))
        port = self.server.server_address[1]
        if path == "/article":
            self.send(200, ARTICLE)
        elif path == "/moved":
            self.send(301, headers={"Location": "/article"})
        elif path == "/gone":
            self.send(404, b"HALAMAN UJI: tidak ditemukan")
        elif path == f"/web/{ARCHIVE_YEAR}id_/http://127.0.0.1:{port}/gone":
            self.send(302, headers={"Location": f"/web/20180301000000id_/http://127.0.0.1:{port}/gone"})
        elif path == f"/web/20180301000000id_/http://127.0.0.1:{port}/gone":
            self.send(200, ARCHIVED)
        elif path == "/error":
            self.send(500, b"HALAMAN UJI: galat server")
        elif path == "/flaky":
            if site.flaky_left:
                site.flaky_left -= 1
                self.send(503, b"HALAMAN UJI: coba lagi")
            else:
                self.send(200, ARTICLE)
        elif path == "/slow":
            time.sleep(1.5)
            self.send(200, ARTICLE)
        elif path == "/loop-a":
            self.send(302, headers={"Location": "/loop-b"})
        elif path == "/loop-b":
            self.send(302, headers={"Location": f"http://127.0.0.1:{port}/loop-a"})
        elif path == "/huge":
            self.send(200, b"<html><body><p>" + b"x" * (SIZE_LIMIT * 3) + b"</p></body></html>")
        elif path == "/huge-stream":  # no Content-Length: only counting the bytes read can stop it
            self.send(200, b"<html><body><p>" + b"y" * (SIZE_LIMIT * 3) + b"</p></body></html>", length=False)
        elif path == "/image":
            self.send(200, PNG, ctype="image/png")
        elif path == "/doc":
            self.send(200, PDF, ctype="application/pdf")
        elif path == "/fake-pdf":
            self.send(200, b"HALAMAN UJI: bukan PDF", ctype="application/pdf")
        elif path == "/notes":
            self.send(200, PLAIN, ctype="text/plain; charset=utf-8")
        elif path == "/empty-page":
            self.send(200, NO_TEXT)
        elif path == "/toggle":
            self.send(200, ARTICLE) if site.toggle_good else self.send(500, b"HALAMAN UJI: rusak")
        else:
            self.send(404, b"HALAMAN UJI: tidak ada")


pytestmark = pytest.mark.usefixtures("no_proxy")   # every request stays on 127.0.0.1


@pytest.fixture()
def server():
    site = Site()
    handler = type("SiteHandler", (Handler,), {"site": site})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    thread = Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield base, site
    httpd.shutdown()
    httpd.server_close()


def note(number: int, url: str | None, accessed: str | None = "29 januari 2018") -> Footnote:
    return Footnote(number=number, text=f"Catatan uji {number}. {url or ''}", description=f"Catatan uji {number}.",
                    url=url, accessed=accessed, kind="web" if url else "book", source="bab3.md")


def fetch(base: str, notes: list[Footnote], dest: Path, **kw) -> list:
    options = dict(timeout=0.5, retries=2, backoff=0.01, max_bytes=SIZE_LIMIT, archive_base=f"{base}/web",
                   allow_private=True)    # the test server is on 127.0.0.1
    options.update(kw)
    return fetch_sources(notes, dest, **options)


def meta(dest: Path, stem: str) -> dict:
    return json.loads((dest / ".kutip" / f"{stem}.json").read_text(encoding="utf-8"))


def test_article_saved_with_text_and_metadata(server, tmp_path):
    base, site = server
    [result] = fetch(base, [note(33, f"{base}/article")], tmp_path)
    assert (result.number, result.status, result.http_status, result.reason) == (33, "fetched", 200, "")
    stem = file_stem(33, f"{base}/article")
    assert stem == f"33-127-0-0-1-{hashlib.sha256(f'{base}/article'.encode()).hexdigest()[:8]}"
    raw = tmp_path / f"{stem}.html"
    assert result.path == str(raw) and raw.read_bytes() == ARTICLE
    record = meta(tmp_path, stem)
    assert record["url"] == f"{base}/article" and record["final_url"] == f"{base}/article"
    assert record["http_status"] == 200 and record["content_type"] == "text/html" and record["footnote"] == 33
    assert record["sha256"] == hashlib.sha256(ARTICLE).hexdigest() and record["archived"] is False
    assert record["fetched_at"].endswith("+00:00") and record["fetched_at"][:2] == "20"
    text = (tmp_path / ".kutip" / f"{stem}.txt").read_text(encoding="utf-8")
    assert text.startswith("Halaman uji: Gimje bahas sister city dengan Batam\n\nHALAMAN UJI KUTIP. Wakil Wali Kota")
    assert "lima bidang" in text
    for noise in ("NAVTEXT", "COOKIETEXT", "FOOTERTEXT"):
        assert noise not in text
    assert site.agents == [USER_AGENT] == ["Kutip/0.1 (+thesis citation checker)"]
    assert not list(tmp_path.glob("**/*.tmp")) and not list(tmp_path.glob("**/.*.tmp"))


def test_redirect_followed_and_final_url_recorded(server, tmp_path):
    base, _ = server
    [result] = fetch(base, [note(32, f"{base}/moved")], tmp_path)
    assert result.status == "fetched" and result.final_url == f"{base}/article"
    assert meta(tmp_path, file_stem(32, f"{base}/moved"))["url"] == f"{base}/moved"


def test_gone_page_comes_from_the_archive_of_the_access_year(server, tmp_path):
    base, site = server
    [result] = fetch(base, [note(34, f"{base}/gone", accessed="20 januari 2018")], tmp_path)
    assert result.status == "fetched", result.reason
    assert result.reason == "archived copy (original: HTTP 404)"
    assert result.final_url == f"{base}/web/20180301000000id_/{base}/gone"
    assert Path(result.path).read_bytes() == ARCHIVED
    record = meta(tmp_path, file_stem(34, f"{base}/gone"))
    assert record["archived"] is True and record["url"] == f"{base}/gone"
    assert record["sha256"] == hashlib.sha256(ARCHIVED).hexdigest()
    assert site.hits[f"/web/{ARCHIVE_YEAR}id_/{base}/gone"] == 1
    assert site.hits["/gone"] == 1  # a 404 is not retried


def test_gone_without_archive(server, tmp_path):
    base, site = server
    [result] = fetch(base, [note(34, f"{base}/gone")], tmp_path, archive=False)
    assert (result.status, result.http_status, result.reason, result.path) == ("failed", 404, "HTTP 404", None)
    assert not any(k.startswith("/web/") for k in site.hits)


def test_server_error_retried_then_failed(server, tmp_path):
    base, site = server
    [result] = fetch(base, [note(35, f"{base}/error")], tmp_path)
    assert (result.status, result.http_status, result.reason) == ("failed", 500, "HTTP 500")
    assert site.hits["/error"] == 3  # first try + 2 retries
    assert not any(k.startswith("/web/") for k in site.hits)  # an error is not a page gone
    failed = json.loads((tmp_path / ".kutip" / "35-failed.json").read_text(encoding="utf-8"))
    assert failed["reason"] == "HTTP 500" and failed["footnote"] == 35 and failed["url"] == f"{base}/error"
    assert [p.name for p in tmp_path.iterdir()] == [".kutip"]


def test_transient_error_recovers_on_retry(server, tmp_path):
    base, site = server
    [result] = fetch(base, [note(36, f"{base}/flaky")], tmp_path)
    assert result.status == "fetched" and site.hits["/flaky"] == 2


def test_timeout(server, tmp_path):
    base, site = server
    started = time.monotonic()
    [result] = fetch(base, [note(37, f"{base}/slow")], tmp_path, timeout=0.2, retries=1)
    assert result.status == "failed" and result.reason.startswith("timeout"), result.reason
    assert site.hits["/slow"] == 2 and time.monotonic() - started < 1.5


def test_redirect_loop(server, tmp_path):
    base, _ = server
    [result] = fetch(base, [note(38, f"{base}/loop-a")], tmp_path)
    assert result.status == "failed" and result.reason.startswith("redirect loop ("), result.reason
    assert f"{base}/loop-a -> {base}/loop-b -> {base}/loop-a" in result.reason


@pytest.mark.parametrize("path", ["/huge", "/huge-stream"])
def test_too_large(server, tmp_path, path):
    base, _ = server
    [result] = fetch(base, [note(39, f"{base}{path}")], tmp_path)
    assert result.status == "failed" and result.reason.startswith("too large"), result.reason
    assert str(SIZE_LIMIT) in result.reason and not list(tmp_path.glob("39-*"))


def test_unsupported_content_type(server, tmp_path):
    base, _ = server
    [result] = fetch(base, [note(40, f"{base}/image")], tmp_path)
    assert (result.status, result.reason, result.http_status) == ("failed", "unsupported content type image/png", 200)


def test_pdf_saved_as_pdf(server, tmp_path):
    base, _ = server
    [result] = fetch(base, [note(36, f"{base}/doc")], tmp_path)
    stem = file_stem(36, f"{base}/doc")
    assert result.status == "fetched" and result.path.endswith(f"{stem}.pdf")
    assert Path(result.path).read_bytes() == PDF
    record = meta(tmp_path, stem)
    assert record["content_type"] == "application/pdf" and record["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert record["text"] == f"{stem}.txt"                       # text through the project's PDF reader
    text = (tmp_path / ".kutip" / f"{stem}.txt").read_text(encoding="utf-8")
    assert text.startswith("HALAMAN UJI KUTIP (PDF). Kerja sama sister city Batam dan Gimje")


def test_body_that_is_not_what_it_claims_fails(server, tmp_path):
    base, _ = server
    results = fetch(base, [note(36, f"{base}/fake-pdf"), note(37, f"{base}/empty-page")], tmp_path)
    assert [r.status for r in results] == ["failed", "failed"]
    assert results[0].reason == "not a PDF (body does not start with %PDF-)"
    assert "no main text" in results[1].reason


def test_plain_text_saved_as_txt(server, tmp_path):
    base, _ = server
    [result] = fetch(base, [note(39, f"{base}/notes")], tmp_path)
    stem = file_stem(39, f"{base}/notes")
    assert result.status == "fetched" and Path(result.path).name == f"{stem}.txt"
    assert (tmp_path / ".kutip" / f"{stem}.txt").read_text(encoding="utf-8") == PLAIN.decode("utf-8")


def test_failed_refetch_keeps_the_good_copy_byte_for_byte(server, tmp_path):
    base, site = server
    [first] = fetch(base, [note(33, f"{base}/toggle")], tmp_path)
    assert first.status == "fetched"
    raw = Path(first.path)
    before = {p: p.read_bytes() for p in [raw, *(tmp_path / ".kutip").iterdir()]}
    site.toggle_good = False
    [again] = fetch(base, [note(33, f"{base}/toggle")], tmp_path)
    assert (again.status, again.path, again.reason, again.http_status) == ("kept", str(raw), "HTTP 500", 500)
    assert {p: p.read_bytes() for p in before} == before
    assert json.loads((tmp_path / ".kutip" / "33-failed.json").read_text(encoding="utf-8"))["reason"] == "HTTP 500"
    site.toggle_good = True
    [third] = fetch(base, [note(33, f"{base}/toggle")], tmp_path)
    assert third.status == "fetched" and not (tmp_path / ".kutip" / "33-failed.json").exists()


def test_manual_copy_is_kept_when_fetch_fails(server, tmp_path):
    base, _ = server
    manual = tmp_path / "35-laporan.pdf"
    manual.write_bytes(PDF)
    [result] = fetch(base, [note(35, f"{base}/error")], tmp_path)
    assert (result.status, result.path) == ("kept", str(manual)) and manual.read_bytes() == PDF


def test_hand_placed_file_of_the_same_name_is_not_replaced(server, tmp_path):
    base, _ = server
    stem = file_stem(33, f"{base}/article")
    mine = tmp_path / f"{stem}.html"
    mine.write_bytes(b"<html><body><p>HALAMAN UJI: salinan tangan</p></body></html>")
    [result] = fetch(base, [note(33, f"{base}/article")], tmp_path)
    assert (result.status, result.path) == ("kept", str(mine))
    assert result.reason == f"{stem}.html was not fetched by Kutip; left untouched"
    assert mine.read_bytes() == b"<html><body><p>HALAMAN UJI: salinan tangan</p></body></html>"
    assert not (tmp_path / ".kutip" / f"{stem}.json").exists()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_network_every_url_fails_cleanly(tmp_path):
    dead = f"http://127.0.0.1:{closed_port()}"
    notes = [note(32, f"{dead}/a"), note(33, None), note(34, f"{dead}/b", accessed=None)]
    results = fetch_sources(notes, tmp_path, timeout=0.5, retries=1, backoff=0.01, archive_base=f"{dead}/web",
                            allow_private=True)
    assert [(r.number, r.status) for r in results] == [(32, "failed"), (34, "failed")]
    for r in results:
        assert r.reason.startswith("connection failed: ") and "; archive: connection failed: " in r.reason, r.reason
    assert sorted(p.name for p in (tmp_path / ".kutip").iterdir()) == ["32-failed.json", "34-failed.json"]


class NoAnswer:
    """A session whose every connection attempt times out (a host that drops packets)."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def get(self, url: str, **kwargs):
        self.urls.append(url)
        raise requests.exceptions.ConnectTimeout("connect timed out")


def test_connect_timeout_counts_as_gone_and_asks_the_archive(tmp_path):
    session = NoAnswer()
    [result] = fetch_sources([note(33, "http://127.0.0.1:9/x")], tmp_path, session=session, timeout=0.5, retries=1,
                             backoff=0.01, archive_base="http://127.0.0.1:9/web", allow_private=True)
    assert result.status == "failed"
    assert result.reason == "timeout (no connection within 0.5 s); archive: timeout (no connection within 0.5 s)"
    assert session.urls == ["http://127.0.0.1:9/x"] * 2 + ["http://127.0.0.1:9/web/2018id_/http://127.0.0.1:9/x"] * 2


def test_a_given_session_is_used_and_left_open(server, tmp_path):
    base, site = server
    with requests.Session() as session:
        [result] = fetch(base, [note(33, f"{base}/article")], tmp_path, session=session)
        assert result.status == "fetched"
        assert session.get(f"{base}/article", timeout=2).status_code == 200


def test_helpers():
    assert access_year("18 Februari 2017") == 2017
    assert access_year("29 januari 2018") == 2018
    assert access_year("20/02/19") == 2019
    assert access_year(None) is None and access_year("kemarin") is None
    assert archive_url("http://kepri.antaranews.com/berita/17979", 2018) == \
        "https://web.archive.org/web/2018id_/http://kepri.antaranews.com/berita/17979"
    assert slug_for("http://kepri.antaranews.com/berita/17979/gimje") == "antaranews"
    assert slug_for("https://finance.detik.com/berita-ekonomi-bisnis/d-3164021/x") == "detik"
    assert slug_for("https://arsipskpd.batam.go.id/batamkota/index.html") == "batam"
    assert slug_for("https://www.kemlu.go.id/id/berita/Pages/x.aspx") == "kemlu"
    assert slug_for("https://www.liputan6.com/citizen6/read/3299230/selain-destinasi-") == "liputan6"
    assert slug_for("https://www.visitkorea.or.id/article/festival") == "visitkorea"
    assert slug_for("www.example.com/a") == "example"


def test_fetched_page_links_to_its_footnote_in_the_engine(server, tmp_path):
    from retrieval.sources import source_status

    base, _ = server
    url = f"{base}/article"
    (tmp_path / "bab3.md").write_text(
        "# BAB III\n\nKerja sama dalam lima bidang dibahas<sup>33</sup>.\n\n---\n\n"
        f"<sup>33</sup> Berita uji. <{url}> diakses pada 29 januari 2018\n", encoding="utf-8")
    engine = Engine.build(tmp_path, cache_dir=tmp_path / "cache", use_cache=False)
    [cited] = [f for f in engine.footnotes if f.number == 33]
    assert cited.url == url
    [result] = fetch_sources(engine.footnotes, tmp_path / "sources", timeout=2, backoff=0.01, allow_private=True)
    assert result.status == "fetched"
    engine = Engine.build(tmp_path, cache_dir=tmp_path / "cache", use_cache=False)
    saved = f"sources/{file_stem(33, url)}.html"
    assert {d.source: d.cites for d in engine.documents}[saved] == 33
    assert any(p.source == saved and p.footnotes == (33,) for p in engine.passages)
    [status] = source_status(tmp_path, engine.footnotes, {})
    assert (status.status, status.files) == ("fetched", (saved,))
