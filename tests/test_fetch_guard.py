"""fetch-sources against hostile URLs and servers: private addresses, redirects there, DNS rebinding, slow drip,
and two chapters citing different pages under one footnote number."""
from __future__ import annotations

import ipaddress
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import pytest

from retrieval import netguard
from retrieval.__main__ import main
from retrieval.fetch import fetch_sources, file_stem
from retrieval.model import Footnote

PAGE = (b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>HALAMAN UJI</title></head><body><main><article>"
        b"<h1>Halaman uji KUTIP</h1><p>HALAMAN UJI KUTIP. %s Kerja sama sister city Batam dan Gimje dibahas dalam "
        b"pertemuan kedua kota pada tahun 2011 dan dilanjutkan dengan penandatanganan nota kesepahaman.</p>"
        b"</article></main></body></html>")
DRIP_LENGTH = 100_000


class Handler(BaseHTTPRequestHandler):
    hits: dict[str, int]

    def log_message(self, *args) -> None:
        pass

    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        self.hits[self.path] = self.hits.get(self.path, 0) + 1
        port = self.server.server_address[1]
        if self.path in ("/bab-a", "/bab-b"):
            self.reply(200, PAGE % self.path.encode())
        elif self.path == "/odd-type":                 # a header that tries to drive the terminal
            self._odd_type()
        elif self.path == "/to-metadata":
            self.reply(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        elif self.path == "/to-loopback":
            self.reply(302, headers={"Location": f"http://0x7f000002:{port}/bab-a"})
        elif self.path == "/drip":                      # declares 100 000 bytes, then sends one every 0.2 s
            self._drip(headers_too=False)
        elif self.path == "/drip-headers":              # even the headers come one byte at a time
            self._drip(headers_too=True)
        else:
            self.reply(404)

    def _odd_type(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/x\x1b]0;judul\x07\x1b[2J\x9b31m")
        self.send_header("Content-Length", "4")
        self.end_headers()
        self.wfile.write(b"data")

    def _drip(self, headers_too: bool) -> None:
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {DRIP_LENGTH}\r\n\r\n").encode()
        try:
            if headers_too:
                for i in range(len(head)):
                    self.wfile.write(head[i:i + 1])
                    self.wfile.flush()
                    time.sleep(0.2)
            else:
                self.wfile.write(head)
            for _ in range(DRIP_LENGTH):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass


pytestmark = pytest.mark.usefixtures("no_proxy")   # every request stays on 127.0.0.1


@pytest.fixture()
def server():
    hits: dict[str, int] = {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (Handler,), {"hits": hits}))
    httpd.daemon_threads = True
    httpd.block_on_close = False
    Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd.server_address[1], hits
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def loopback_is_public(monkeypatch):
    """Treat 127.0.0.1 (the test server) as a public host, so what follows its redirects is what is tested."""
    real = netguard.public
    monkeypatch.setattr(netguard, "public", lambda ip: ip == ipaddress.ip_address("127.0.0.1") or real(ip))


def note(number: int, url: str) -> Footnote:
    return Footnote(number, f"Catatan uji {number}. {url}", f"Catatan uji {number}.", url, "1 Mei 2020", "web",
                    "bab3.md")


def run(notes, dest: Path, **kw):
    options = dict(timeout=2, retries=0, backoff=0.01, archive=False)
    options.update(kw)
    return fetch_sources(notes, dest, **options)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "0x7f000001", "2130706433", "0177.0.0.1", "127.1",
                                  "[::1]", "[::ffff:127.0.0.1]", "10.0.0.1", "192.168.1.1", "172.16.0.1",
                                  "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "240.0.0.1", "[fe80::1]",
                                  "[fc00::1]"])
def test_private_and_odd_addresses_are_refused_before_any_request(server, tmp_path, host):
    _, port, hits = server
    [result] = run([note(1, f"http://{host}:{port}/bab-a")], tmp_path)
    assert result.status == "failed"
    assert result.reason.startswith("alamat privat/lokal ditolak / private or local address refused: "), result.reason
    assert "--allow-private-addresses" in result.reason
    assert hits == {} and not list(tmp_path.glob("1-*"))


def test_public_addresses_pass_the_check():
    for ip in ("93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"):
        assert netguard.public(ipaddress.ip_address(ip)), ip
    for ip in ("::ffff:10.0.0.1", "2002:7f00:1::", "::", "255.255.255.255"):
        assert not netguard.public(ipaddress.ip_address(ip)), ip


def test_the_flag_allows_private_addresses(server, tmp_path):
    base, _, hits = server
    [result] = run([note(1, f"{base}/bab-a")], tmp_path, allow_private=True)
    assert result.status == "fetched" and hits == {"/bab-a": 1}


@pytest.mark.parametrize("path, refused", [("/to-metadata", "169.254.169.254"), ("/to-loopback", "127.0.0.2")])
def test_a_redirect_to_a_private_address_is_refused(server, tmp_path, loopback_is_public, path, refused):
    base, _, hits = server
    [result] = run([note(1, f"{base}{path}")], tmp_path)
    assert result.status == "failed" and f"-> {refused} " in result.reason, result.reason
    assert hits == {path: 1}                            # the private hop was never asked


def test_dns_rebinding_is_caught_on_the_connected_socket(server, tmp_path, monkeypatch):
    _, port, hits = server
    real = socket.getaddrinfo
    answers = iter([[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]])

    def rebinding(host, *args, **kwargs):           # public when checked, this machine when connecting
        if host == "rebind.test":
            return next(answers, None) or real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    [result] = run([note(1, f"http://rebind.test:{port}/bab-a")], tmp_path)
    assert result.status == "failed"
    assert result.reason.endswith("private or local address refused: connected to 127.0.0.1"), result.reason
    assert hits == {}                                   # refused after connecting, before a byte of the request


@pytest.mark.parametrize("path", ["/drip", "/drip-headers"])
def test_slow_drip_is_bounded_by_the_deadline(server, tmp_path, path):
    base, _, _ = server
    started = time.monotonic()
    [result] = run([note(1, f"{base}{path}")], tmp_path, allow_private=True, deadline=1.0, timeout=5)
    elapsed = time.monotonic() - started
    assert result.status == "failed" and result.reason == "too slow (not fetched within 1 s)", result.reason
    assert elapsed < 2.5, elapsed                       # the socket timeout (5 s) never fired: the deadline did
    assert not list(tmp_path.glob("1-*"))


def test_a_kept_alive_connection_does_not_escape_the_next_urls_deadline(server, tmp_path, monkeypatch):
    base, _, hits = server
    monkeypatch.setattr(Handler, "protocol_version", "HTTP/1.1")      # the server keeps connections open
    started = time.monotonic()
    results = run([note(1, f"{base}/bab-a"), note(2, f"{base}/drip")], tmp_path, allow_private=True, deadline=1.0,
                  timeout=5)
    assert [r.status for r in results] == ["fetched", "failed"] and hits == {"/bab-a": 1, "/drip": 1}
    assert results[1].reason == "too slow (not fetched within 1 s)" and time.monotonic() - started < 2.5


def test_two_chapters_citing_different_pages_under_one_number_keep_both(server, tmp_path):
    base, _, _ = server
    results = run([note(1, f"{base}/bab-a"), note(1, f"{base}/bab-b")], tmp_path, allow_private=True)
    assert [r.status for r in results] == ["fetched", "fetched"]
    paths = [Path(r.path) for r in results]
    assert paths[0] != paths[1] and [p.name for p in paths] == [f"{file_stem(1, f'{base}/bab-a')}.html",
                                                                f"{file_stem(1, f'{base}/bab-b')}.html"]
    assert b"/bab-a" in paths[0].read_bytes() and b"/bab-b" in paths[1].read_bytes()


def test_cli_refuses_private_addresses_unless_asked(server, tmp_path, capsys):
    base, _, hits = server
    (tmp_path / "bab3.md").write_text("# BAB III\n\nKerja sama dibahas<sup>33</sup>.\n\n---\n\n"
                                      f"<sup>33</sup> Berita uji. <{base}/bab-a> diakses pada 29 januari 2018\n",
                                      encoding="utf-8")
    assert main(["fetch-sources", "--corpus", str(tmp_path), "--no-cache"]) == 1       # nothing could be fetched
    out, err = capsys.readouterr()
    assert out.startswith(f"[33] gagal    {base}/bab-a  (alamat privat/lokal ditolak") and hits == {}
    assert err.endswith("kutip: tidak ada yang terunduh (1 gagal) / nothing could be fetched (1 failed)\n")
    assert main(["fetch-sources", "--corpus", str(tmp_path), "--no-cache", "--allow-private-addresses"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"[33] diunduh  {base}/bab-a  -> ") and hits == {"/bab-a": 1}


def test_control_characters_from_http_headers_do_not_reach_the_terminal(server, tmp_path, capsys):
    base, _, _ = server
    (tmp_path / "bab3.md").write_text("# BAB III\n\nKerja sama dibahas<sup>34</sup>.\n\n---\n\n"
                                      f"<sup>34</sup> Berita uji. <{base}/odd-type> diakses pada 29 januari 2018\n",
                                      encoding="utf-8")
    assert main(["fetch-sources", "--corpus", str(tmp_path), "--no-cache", "--allow-private-addresses"]) == 1
    out = capsys.readouterr().out
    assert out == f"[34] gagal    {base}/odd-type  (unsupported content type text/x]0)\n", repr(out)
