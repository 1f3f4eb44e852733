"""Hostile or broken input through the CLI and the readers: one-line errors (exit 2), capped echoes, no terminal
control from documents, UTF-8 with one bad byte, AES-encrypted PDFs."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from fpdf import FPDF

from conftest import CHAPTER, CHAPTER_NAME, write_corpus
from retrieval import Engine, __main__ as cli
from retrieval.control_chars import one_line, terminal_safe
from retrieval.readers.markdown import read_markdown
from retrieval.readers.pdf import read_pdf
from retrieval.readers.text import read_text

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("bab"), {CHAPTER_NAME: CHAPTER.read_bytes()})


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str, start: str) -> None:
    assert err.startswith(start) and err.count("\n") == 1 and "Traceback" not in err, err


def test_ask_without_a_question_is_exit_2(corpus, capsys):
    code, out, err = run(["ask", "--corpus", str(corpus)], capsys)
    assert code == 2 and out == ""
    one_line_error(err, "kutip: tidak ada pertanyaan / no question")


@pytest.mark.parametrize("command", ["ask", "eval"])
def test_batch_or_eval_file_that_is_a_folder_or_missing_is_exit_2(corpus, tmp_path, capsys, command):
    args = ["ask", "--batch"] if command == "ask" else ["eval"]
    code, _, err = run([*args, str(tmp_path), "--corpus", str(corpus)], capsys)
    assert code == 2
    one_line_error(err, f"kutip: ini folder, bukan berkas / a folder, not a file: {tmp_path}")
    code, _, err = run([*args, str(tmp_path / "tidak-ada.jsonl"), "--corpus", str(corpus)], capsys)
    assert code == 2
    one_line_error(err, f"kutip: berkas tidak ditemukan / file not found: {tmp_path / 'tidak-ada.jsonl'}")


@pytest.mark.parametrize("content, message", [
    ('{"q": "Kapan MoU ditandatangani?"}\n{"q": "rusak"\n', ":2: bukan JSON / not JSON (Expecting ',' delimiter)"),
    ('{"q": "Kapan?"}\n\n["bukan", "objek"]\n', ':3: tidak ada pertanyaan "q" / no "q" question'),
    ('{"question": "Kapan?"}\n', ':1: tidak ada pertanyaan "q" / no "q" question'),
    ("\udcff\n", ":1: bukan JSON / not JSON"),
])
def test_malformed_eval_file_is_one_line_and_exit_2(corpus, tmp_path, capsys, content, message):
    path = tmp_path / "eval.jsonl"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    code, out, err = run(["eval", str(path), "--corpus", str(corpus)], capsys)
    assert code == 2 and out == ""
    one_line_error(err, f"kutip: {path}{message}")


def test_a_huge_batch_line_is_refused_and_echoed_capped(corpus, monkeypatch, capsys):
    monkeypatch.setattr(cli, "LINE_CHARS", 5_000)           # the bound, small for the test
    huge = "kerjasama " * 30_000                             # 300 000 characters on one line
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(
        f"{huge}\nKapan MoU Batam dan Gimje ditandatangani?\n".encode()), encoding="utf-8"))
    code, out, _ = run(["ask", "--batch", "-", "--corpus", str(corpus)], capsys)
    first, second = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert first["question"] == huge[:cli.ECHO_CHARS] + "…" and len(first["question"]) == cli.ECHO_CHARS + 1
    assert first["error"].startswith("pertanyaan terlalu panjang (4999 karakter; maksimal 1000)")
    assert second["question"] == "Kapan MoU Batam dan Gimje ditandatangani?" and second["passages"]


def test_terminal_control_in_a_document_does_not_reach_the_terminal(tmp_path, capsys):
    corpus = write_corpus(tmp_path / "k", {"bab.md": (
        "# Bab \x9b2J uji\n\nKota Batam\x1b]0;judul\x07 bermitra dengan Kota Gimje\x9b31m sejak tahun 2013<sup>1</sup>."
        "\n\n<sup>1</sup> Berita \x9b1;1H uji. <https://contoh.test/mou\x9b> diakses pada 1 Mei 2020\n")})
    code, out, _ = run(["ask", "Sejak kapan Batam bermitra dengan Gimje?", "--corpus", str(corpus), "--no-cache"],
                       capsys)
    assert code == 0 and "Kota Batam" in out and "2013" in out
    assert not CONTROL.search(out.replace("\n", "")), repr(out)
    code, out, _ = run(["ask", "Sejak kapan Batam bermitra dengan Gimje?", "--json", "--corpus", str(corpus),
                        "--no-cache"], capsys)
    assert not CONTROL.search(out.replace("\n", "")) and "\\u009b" in out        # escaped in JSON, data kept
    assert "\x9b" in json.loads(out)["passages"][0]["text"]
    code, out, _ = run(["sources", "--corpus", str(corpus), "--no-cache"], capsys)
    assert code == 0 and out.startswith("[1] web") and not CONTROL.search(out.replace("\n", ""))


def test_terminal_safe_strips_escape_sequences_whole():
    assert terminal_safe("a\x1b[31mmerah\x1b[0m b\x1b]0;judul\x07c \x9b2J d\x07\x08\te\n") == "amerah bc 2J d\te\n"
    assert terminal_safe("x\x1b]0 tanpa akhir)\n") == "x]0 tanpa akhir)\n"          # an unended OSC hides nothing


def test_bidirectional_overrides_are_stripped_and_a_name_stays_on_one_line():
    assert terminal_safe("a\u202egnp.exe\u202c b\u2066c\u2069 d\u202a\u202b\u202d\u2067\u2068e") == "agnp.exe bc de"
    assert one_line("1-a\n[2] PALSU\u202e\t.txt") == "1-a\\n[2] PALSU\\t.txt"


BIDI_OR_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
FORGED = "[2] PALSU"                 # what a line break in a file name would start a line with


@pytest.mark.parametrize("argv", [
    ["ask", "Kapan Kota Velm menandatangani perjanjian dagang?"],
    ["ask", "Kapan Kota Velm menandatangani perjanjian dagang?", "--json"],
    ["sources"], ["sources", "--json"],
    *[["study", aid] for aid in ("outline", "timeline", "glossary", "cards", "check")],
    *[["study", aid, "--json"] for aid in ("outline", "timeline", "glossary", "cards", "check")],
])
def test_no_output_carries_control_bidi_or_a_forged_line(tmp_path_factory, capsys, argv):
    corpus = tmp_path_factory.getbasetemp() / "kendali"
    if not corpus.exists():
        write_corpus(corpus, {
            f"bab\n{FORGED}\u202egnp.md": "# Uji\n\nKota Velm menandatangani perjanjian dagang pada 17 Agustus 2013 "
            "\x9b31mMERAH dan \u202eTERBALIK\u202c di balai kota<sup>1</sup>.\n\nIstilah FTZ (Free Trade Zone) adalah "
            "kawasan \u2066bebas\u2069 cukai.\n\n---\n\n<sup>1</sup> Sumber \x9b2J uji. <https://contoh.test/a> "
            "diakses 1 Mei 2020\n",
            f"sources/1-a\n{FORGED}\u202e.txt": "Teks sumber \x9b31m uji tentang Kota Velm."})
    code, out, err = run([*argv, "--corpus", str(corpus)], capsys)
    assert code == 0 and out.strip()
    assert not BIDI_OR_CONTROL.search(out + err), sorted({hex(ord(c)) for c in BIDI_OR_CONTROL.findall(out + err)})
    assert not any(line.lstrip(" “").startswith(FORGED) for line in out.splitlines())


def test_one_bad_byte_in_utf8_is_replaced_alone_and_reported(tmp_path):
    text = "# Bab\n\nKota Batam — kota industri, café di Gimje sejak 2013 "
    path = tmp_path / "bab.md"
    path.write_bytes(text.encode("utf-8") + b"\xff" + b"selesai.\n")
    doc = read_markdown(path)
    assert doc.blocks[1].text == "Kota Batam — kota industri, café di Gimje sejak 2013 \ufffdselesai."
    assert doc.get("warning") == "bab.md: 1 bita bukan UTF-8 diganti dengan \ufffd / 1 invalid UTF-8 byte(s) replaced"
    txt = tmp_path / "bab.txt"
    txt.write_bytes(path.read_bytes())
    assert read_text(txt).get("warning") == doc.get("warning").replace("bab.md", "bab.txt")
    engine = Engine.build(tmp_path, use_cache=False)
    assert {d.source: d.reason for d in engine.documents}["bab.md"] == doc.get("warning")


def test_a_windows_1252_file_is_still_read_as_windows_1252(tmp_path):
    path = tmp_path / "lama.txt"
    path.write_bytes("Kafe di Gimje: café “baru”.\n".encode("cp1252"))
    doc = read_text(path)
    assert doc.blocks[0].text == "Kafe di Gimje: café “baru”." and doc.get("warning") is None


def aes_pdf(algorithm: str, user: str) -> bytes:
    from pypdf import PdfReader, PdfWriter
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, "Teks uji terenkripsi kota Batam dan Gimje.")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bytes(pdf.output()))))
    writer.encrypt(user_password=user, owner_password="pemilik", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_empty_password_aes_pdf_opens_like_rc4(tmp_path, algorithm):
    path = tmp_path / "aes.pdf"
    path.write_bytes(aes_pdf(algorithm, ""))
    assert [b.text for b in read_pdf(path).blocks] == ["Teks uji terenkripsi kota Batam dan Gimje."]
