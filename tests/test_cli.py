"""The command line, run as a user runs it: `python -m retrieval ...` in a subprocess, cwd the repo.

Every subprocess run is started once, all in parallel, by the module fixture `cli` (each one spends ~2 s of CPU
importing scikit-learn); the tests below read the result of the run they name.  Two extra checks (text output,
a folder of unreadable files) call `retrieval.__main__.main(argv)` in-process (`main_run`) to save that start-up.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from conftest import CHAPTER, CORE_DATA, REPO, write_corpus
from retrieval.__main__ import main

Q_INCOME = "Berapa penghasilan Shenzhen pada tahun 2011?"
Q_BOOK = "siapa penulis buku Paradiplomacy"
BATCH = "Kapan MoU Batam dan Gimje ditandatangani?\n\nyang dan di\n"
GOOD_MD = ("# Catatan uji\n\nKota Batam dan Kota Gimje menandatangani MoU sister city pada 17 Agustus 2013"
           "<sup>1</sup>.\n\n<sup>1</sup> Berita uji. <https://contoh.test/mou> diakses pada 1 Mei 2020\n")
GARBAGE = bytes(range(256)) * 8

# name -> (arguments after `-m retrieval`, stdin bytes, extra environment); {name} is a folder made by `folders`
RUNS: dict[str, tuple[list[str], bytes | None, dict[str, str]]] = {
    "json": (["ask", Q_INCOME, "--json"], None, {}),
    "top1": (["ask", Q_BOOK, "--json", "--top-k", "1"], None, {}),
    "batch": (["ask", "--batch", "-"], BATCH.encode(), {}),
    "eval": (["eval", str(CORE_DATA / "mini_eval.jsonl")], None, {}),
    "empty": (["ask", ""], None, {}),
    "odd": (["ask", "Festival\x01\x1b[31m **apa** yang ada di _kota_ <b>Gimje</b>? 🎉😀🇰🇷\u200b [x](http://a.test) "
                    "\x7f\u2028", "--json"], None, {}),
    "long": (["ask", "kerjasama " * 500], None, {}),
    "top0": (["ask", Q_INCOME, "--top-k", "0"], None, {}),
    "missing": (["ask", Q_INCOME, "--corpus", "{missing}"], None, {}),
    "empty_corpus": (["ask", Q_INCOME, "--corpus", "{empty}"], None, {}),
    "mixed": (["ask", "Kapan Batam dan Gimje menandatangani MoU?", "--json", "--corpus", "{mixed}"], None, {}),
    # a user whose locale is not C: stdin is decoded strictly
    "batch_latin1": (["ask", "--batch", "-"], "Festival Gimje café?\nKapan MoU?\n".encode("latin-1"),
                     {"PYTHONIOENCODING": "utf-8"}),
}


@dataclass
class Run:
    code: int
    out: str
    err: str

    def lines(self) -> list[str]:
        return self.out.splitlines()


def run_cli(args: list[str], stdin: bytes | None = None, env: dict[str, str] | None = None,
            close_stdout: bool = False) -> Run:
    """Run `python -m retrieval ARGS` from the repo; stdout must be UTF-8."""
    cmd = [sys.executable, "-m", "retrieval", *args]
    full_env = {**os.environ, **(env or {})}
    if close_stdout:    # the reader goes away at once, as with `| head -1`
        p = subprocess.Popen(cmd, cwd=REPO, env=full_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        p.stdout.close()
        err = p.stderr.read()
        p.stderr.close()
        return Run(p.wait(timeout=120), "", err.decode("utf-8", "replace"))
    r = subprocess.run(cmd, cwd=REPO, env=full_env, input=stdin, capture_output=True, timeout=120,
                       stdin=None if stdin is not None else subprocess.DEVNULL)
    return Run(r.returncode, r.stdout.decode("utf-8"), r.stderr.decode("utf-8", "replace"))


@pytest.fixture(scope="module")
def cli(tmp_path_factory, session_cache_dir) -> dict[str, Run]:
    """Run every case of RUNS (plus a closed-pipe run) in parallel; return name -> Run."""
    base = tmp_path_factory.mktemp("cli")
    (base / "kosong").mkdir()
    folders = {"missing": str(base / "tidak-ada"), "empty": str(base / "kosong"),
               "mixed": str(write_corpus(base / "campur", {"rusak.txt": GARBAGE, "baik.md": GOOD_MD}))}
    env = {"KUTIP_CACHE_DIR": str(session_cache_dir)}
    with ThreadPoolExecutor(max_workers=4) as pool:
        jobs = {name: pool.submit(run_cli, [a.format(**folders) if a.startswith("{") else a for a in args], stdin,
                                  {**env, **extra})
                for name, (args, stdin, extra) in RUNS.items()}
        jobs["pipe"] = pool.submit(run_cli, ["ask", Q_INCOME, "--json"], None, env, True)
        return {name: job.result() for name, job in jobs.items()}


def main_run(argv: list[str], capsys) -> Run:
    """Run the CLI's main() in-process; an exception escaping main() fails the test (a traceback for a user)."""
    code = main(argv)
    out, err = capsys.readouterr()
    return Run(code, out, err)


def one_error_line(run: Run) -> str:
    """Assert exit 2 and exactly one stderr line starting 'kutip:'; return it."""
    assert run.code == 2, run
    assert run.out == ""
    lines = run.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kutip: "), run.err
    return lines[0]


# --- ask --json ---------------------------------------------------------------------------------------------------

def test_ask_json_prints_exactly_one_object_of_the_documented_shape(cli):
    run = cli["json"]
    assert run.code == 0 and run.err == ""
    assert len(run.lines()) == 1
    out = json.loads(run.out)
    assert set(out) == {"question", "abstained", "answer", "passages", "footnotes"}
    assert out["question"] == Q_INCOME and out["abstained"] is False
    assert out["answer"] is None         # an amount under the span model's fitted bar: no short answer, never a guess
    assert 1 <= len(out["passages"]) <= 3
    for p in out["passages"]:
        assert {"text", "context", "source", "section", "page", "footnotes", "score"} <= set(p)
        assert isinstance(p["text"], str) and isinstance(p["context"], str)
        if p["kind"] != "row":                                     # a row's text is built from its table
            assert p["text"] in p["context"]
        assert p["source"] == CHAPTER.name
        assert isinstance(p["section"], str)
        assert p["page"] is None                                   # markdown has no pages
        assert isinstance(p["footnotes"], list) and all(type(n) is int for n in p["footnotes"])
        assert type(p["score"]) is float
    first = out["passages"][0]
    assert "US$114,5 miliar" in first["text"] and first["footnotes"] == [32]
    assert first["section"] == ("BAB III FAKTOR YANG MENDORONG TERJADINYA KERJASAMA SISTER CITY › "
                                "A. Kerjasama Sister City Kota Batam Dengan Negera Sebelumnya")
    assert out["footnotes"][0] == {
        "number": 32, "kind": "web", "source": CHAPTER.name, "accessed": "18 Februari 2017",
        "url": "https://finance.detik.com/berita-ekonomi-bisnis/d-3164021/banyak-negara-belajar-dari-batam-dan-"
               "berhasil-tapi-batam-malah-ketinggalan",
        "text": "Hasil dari kerjasama sebelumnya dengan Kota Gimje. https://finance.detik.com/berita-ekonomi-bisnis/"
                "d-3164021/banyak-negara-belajar-dari-batam-dan-berhasil-tapi-batam-malah-ketinggalan diakses pada "
                "tanggal 18 Februari 2017."}
    assert [f["number"] for f in out["footnotes"]] == \
        list(dict.fromkeys(n for p in out["passages"] for n in p["footnotes"]))


def test_ask_text_output(capsys):
    run = main_run(["ask", Q_INCOME], capsys)
    assert run.code == 0 and run.err == ""
    lines = run.lines()
    assert lines[0] == f"? {Q_INCOME}"
    assert not any(line.startswith("Jawaban singkat") for line in lines)     # under the span model's bar
    assert lines[1].startswith("1. “") and "US$114,5 miliar" in lines[1] and lines[1].endswith("” [32]")
    assert lines[2] == ("   — bab3-sister-city-batam-gimje.md › BAB III FAKTOR YANG MENDORONG TERJADINYA KERJASAMA "
                        "SISTER CITY › A. Kerjasama Sister City Kota Batam Dengan Negera Sebelumnya")
    assert any(line.startswith("[32] Hasil dari kerjasama sebelumnya dengan Kota Gimje. https://") for line in lines)


def test_top_k_1_gives_one_passage(capsys):
    goals = "Apa saja tujuan kerjasama sister city?"                 # three quotes pass by default
    shown = [len(json.loads(main_run(["ask", goals, "--json", *k], capsys).out)["passages"])
             for k in ([], ["--top-k", "1"])]
    assert shown == [3, 1]


@pytest.mark.xfail(strict=True, reason="issue 26: since the refit on sentence vectors read off their passages (7 "
                                       "December) the entry's probability is 0.185, under the bar 0.187")
def test_top_k_1_gives_the_footnote_entry_citing_itself(cli):
    run = cli["top1"]
    assert run.code == 0
    out = json.loads(run.out)
    assert len(out["passages"]) == 1
    entry = out["passages"][0]
    assert entry["kind"] == "footnote" and entry["section"] == "Catatan kaki 39"
    assert entry["footnotes"] == [39]
    assert entry["text"].startswith("Ali Mukti, Takdir, Paradiplomacy")
    assert [f["number"] for f in out["footnotes"]] == [39]
    assert out["footnotes"][0]["kind"] == "book" and out["footnotes"][0]["url"] is None


# --- batch --------------------------------------------------------------------------------------------------------

def test_batch_answers_each_line_in_order(cli):
    run = cli["batch"]
    assert run.code == 0 and "Traceback" not in run.err
    rows = [json.loads(line) for line in run.lines()]
    assert [r["question"] for r in rows] == ["Kapan MoU Batam dan Gimje ditandatangani?", "", "yang dan di"]
    assert rows[0]["abstained"] is False and "17 Agustus 2013" in rows[0]["passages"][0]["text"]
    assert [r["answer"] for r in rows] == [{"text": "17 Agustus 2013", "passage": 0}, None, None]
    assert rows[1]["abstained"] is True and rows[1]["error"].startswith("pertanyaan kosong")
    assert rows[1]["passages"] == [] and "error" not in rows[0] and "error" not in rows[2]
    assert rows[2]["abstained"] is True and rows[2]["passages"] == [] and rows[2]["related"] == []


def test_batch_survives_undecodable_stdin(cli):
    run = cli["batch_latin1"]
    assert run.code == 0 and "Traceback" not in run.err
    assert len(run.lines()) == 2


# --- eval ---------------------------------------------------------------------------------------------------------

def test_eval_prints_the_figure_lines(cli):
    run = cli["eval"]
    assert run.code == 0 and "Traceback" not in run.err
    lines = run.lines()
    assert lines[0] == ("answerable             n=2 hit1=1.00 hit3=1.00 rr=1.00 false_abstain=0.00 "
                        "words1_median=51.00 fn3=1.00 short_shown=0.50 short_exact=1.00 short_f1=1.00")  # the MoU date
    assert "unanswerable           n=1 abstain_ok=1.00" in lines
    assert lines[-2] == "misses@1: "
    assert lines[-1].startswith("3 questions, ") and lines[-1].endswith(" ms per question")


# --- bad input: one line on stderr, exit 2, never a traceback -----------------------------------------------------

def test_empty_question_is_exit_2(cli):
    assert one_error_line(cli["empty"]) == "kutip: pertanyaan kosong / empty question"


def test_5000_character_question_is_exit_2(cli):
    assert len(RUNS["long"][0][1]) == 5000
    assert "terlalu panjang (4999 karakter; maksimal 1000)" in one_error_line(cli["long"])


def test_top_k_below_1_is_exit_2(cli):
    assert one_error_line(cli["top0"]) == "kutip: --top-k harus ≥ 1"


def test_control_characters_emoji_markdown_and_html_in_the_question_still_give_json(cli):
    run = cli["odd"]
    assert run.code == 0 and run.err == ""
    assert len(run.lines()) == 1
    out = json.loads(run.out)
    assert out["question"] == "Festival [31m **apa** yang ada di _kota_ <b>Gimje</b>? 🎉😀🇰🇷 [x](http://a.test)"
    assert out["abstained"] is False
    assert any(p["footnotes"] == [38] and "Festival Horizon Gimje" in p["text"] for p in out["passages"])


def test_missing_corpus_folder_is_exit_2(cli):
    assert one_error_line(cli["missing"]).startswith("kutip: folder korpus tidak ditemukan: ")


def test_empty_corpus_folder_is_exit_2(cli):
    assert one_error_line(cli["empty_corpus"]).startswith(
        "kutip: korpus kosong: tidak ada berkas .md, .markdown, .txt, .pdf, .docx, .html, .htm di ")


def test_corpus_without_readable_files_is_exit_2(tmp_path, capsys):
    empty = write_corpus(tmp_path / "kosong", {"catatan.pages": b"PK", ".tersembunyi.md": "Teks."})
    (empty / "sub").mkdir()
    assert one_error_line(main_run(["ask", Q_INCOME, "--corpus", str(empty)], capsys)).startswith(
        "kutip: korpus kosong")


@pytest.mark.parametrize("files", [{"kosong.txt": ""}, {"kata.txt": "yang dan di ke\n\n\n"},
                                   {"a.md": "---\n\n", "b.txt": "  \n"}])
def test_corpus_with_nothing_to_index_is_exit_2(tmp_path, capsys, files):
    folder = write_corpus(tmp_path / "c", files)
    assert one_error_line(main_run(["ask", Q_INCOME, "--corpus", str(folder), "--no-cache"], capsys)) in {
        "kutip: tidak ada kata yang bisa diindeks / nothing to index (only blank lines or function words)",
        f"kutip: tidak ada teks yang bisa dibaca di {folder}",
        f"kutip: tidak ada teks yang bisa dibaca di {folder} "
        f"({'; '.join(f'{name}: tidak ada teks / no text' for name in sorted(files))})"}


def test_garbage_file_is_skipped_and_the_good_one_answers(cli):
    run = cli["mixed"]
    assert run.code == 0 and "Traceback" not in run.err
    out = json.loads(run.out)
    assert out["abstained"] is False
    first = out["passages"][0]
    assert first["source"] == "baik.md"
    assert first["text"] == "Kota Batam dan Kota Gimje menandatangani MoU sister city pada 17 Agustus 2013."
    assert first["footnotes"] == [1] and out["footnotes"][0]["url"] == "https://contoh.test/mou"
    assert all(p["source"] == "baik.md" for p in out["passages"])


def test_no_traceback_anywhere(cli):
    known: set[str] = set()
    assert [name for name, run in cli.items() if "Traceback" in run.err and name not in known] == []


def test_closed_stdout_is_not_a_traceback(cli):
    assert "Traceback" not in cli["pipe"].err


# --- help and usage -----------------------------------------------------------------------------------------------
def test_every_option_of_every_command_says_what_it_does():
    from retrieval.__main__ import parser
    top = parser()
    [sub] = [a for a in top._actions if a.choices and hasattr(a, "add_parser")]
    silent = [f"{name} {a.option_strings or a.dest}" for name, p in sub.choices.items() for a in p._actions
              if not a.help and a.dest != "help"]
    assert silent == []


@pytest.mark.parametrize("argv0, prog", [("/usr/local/bin/kutip", "kutip"),
                                         (str(REPO / "retrieval" / "__main__.py"), "python -m retrieval")])
def test_usage_and_messages_name_the_program_as_it_was_run(argv0, prog, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", [argv0])
    with pytest.raises(SystemExit):
        main(["ask", "--help"])
    assert capsys.readouterr().out.startswith(f"usage: {prog} ask ")
    assert main(["ask"]) == 2
    assert f"no question: {prog} ask " in capsys.readouterr().err
