"""The command line: python -m retrieval ask | eval | study | sources | fetch-sources."""
from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

from . import DEFAULT_TOP_K, KutipError
from .control_chars import escape_json_controls, one_line, terminal_safe
from .outputs import check_output, write_output
from .readers import describe_formats


def _default_corpus() -> Path:
    """Return the project's corpus/ folder, or, installed from a wheel, the chapter shipped in it (kutip_corpus)."""
    beside = Path(__file__).resolve().parent.parent / "corpus"
    if beside.is_dir():
        return beside
    from importlib.util import find_spec
    spec = find_spec("kutip_corpus")
    return Path(list(spec.submodule_search_locations)[0]) if spec and spec.submodule_search_locations else beside


DEFAULT_CORPUS = _default_corpus()
FETCH_LABELS = {"fetched": "diunduh", "failed": "gagal", "kept": "tetap"}   # "kept": failed, the earlier copy stays
ECHO_CHARS = 200            # a refused batch line is echoed this far in the JSON (a 300 MB line is not echoed whole)
LINE_CHARS = 1_000_000      # a batch line is read this far; the rest is skipped unread into memory (far past any
                            # question the engine accepts, so a refused line is still told apart from a good one)


def _json(value) -> str:
    """Return value as one JSON line; DEL and C1 characters are escaped too (json leaves them raw)."""
    return escape_json_controls(json.dumps(value, ensure_ascii=False))


def _progress(stage: str, done: int, total: int) -> None:
    """Print build progress on stderr, one line updated in place."""
    if total > 1:
        sys.stderr.write(f"\r{stage}: {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _engine(args):
    """Return the engine for --corpus (built or loaded from the cache)."""
    from . import Engine
    engine = Engine.build(Path(args.corpus), progress=_progress if sys.stderr.isatty() or args.progress else None,
                          use_cache=not args.no_cache)
    status = engine.dense_status
    if not status.loaded:      # said once per run: answers still come, from the words alone
        reason = one_line(str(status.reason))
        print(f"kutip: pencocokan makna (e5) tidak aktif ({reason}); menjawab dari kata-kata saja / "
              f"meaning matching is off; answering from the words alone", file=sys.stderr)
    return engine


def cmd_ask(args) -> int:
    """Answer one question, or one per line of --batch input."""
    from . import BadQuestion
    from .render import answer_dict, answer_text
    if args.batch is None and args.question is None:
        print(f"kutip: tidak ada pertanyaan / no question: {args.prog} ask \"PERTANYAAN\" (atau --batch FILE)",
              file=sys.stderr)
        return 2
    stream = None
    if args.batch is not None:
        stream = (io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace") if args.batch == "-"
                  else open(args.batch, encoding="utf-8", errors="replace"))
    engine = _engine(args)
    if stream is None:
        a = engine.read(engine.ask(args.question, top_k=args.top_k))
        print(_json(answer_dict(a)) if args.json else terminal_safe(answer_text(a)))
        return 0
    with stream:
        for line in _lines(stream):
            try:
                out = answer_dict(engine.read(engine.ask(line, top_k=args.top_k)))
            except BadQuestion as e:
                echo = line if len(line) <= ECHO_CHARS else line[:ECHO_CHARS] + "…"
                out = {"question": echo, "abstained": True, "answer": None, "passages": [], "footnotes": [],
                       "error": str(e)}
            print(_json(out), flush=True)
    return 0


def _lines(stream):
    """Yield the stream's lines without their newline, each cut at LINE_CHARS (the rest is read and dropped)."""
    while True:
        line = stream.readline(LINE_CHARS)
        if not line:
            return
        if not line.endswith("\n") and len(line) >= LINE_CHARS:
            while (rest := stream.readline(LINE_CHARS)) and not rest.endswith("\n"):
                pass
        yield line.rstrip("\n")


def cmd_eval(args) -> int:
    """Answer every question of an eval file and print the figures."""
    from .evaluate import format_summary, summarise
    from .render import answer_dict
    questions = _eval_questions(Path(args.file))
    engine = _engine(args)
    t0 = time.perf_counter()
    answers = [answer_dict(engine.read(engine.ask(q["q"], top_k=args.top_k))) for q in questions]
    ms = (time.perf_counter() - t0) * 1000 / max(1, len(questions))
    if args.answers:
        with open(args.answers, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(a, ensure_ascii=False) + "\n" for a in answers)
    out = summarise(questions, answers)
    print(json.dumps(out) if args.json else terminal_safe(format_summary(out)))
    if not args.json:
        print(f"{len(questions)} questions, {ms:.1f} ms per question")
    return 0


def _eval_questions(path: Path) -> list[dict]:
    """Return the questions of an eval file (one JSON object with a "q" string per line), or raise KutipError."""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.readlines()
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            raise KutipError(f"{path}:{n}: bukan JSON / not JSON ({e.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("q"), str):
            raise KutipError(f"{path}:{n}: tidak ada pertanyaan \"q\" / no \"q\" question")
        out.append(item)
    return out


def cmd_study(args) -> int:
    """Print one study aid (outline, timeline, glossary, cards, check) or write the study sheet / Anki file."""
    from .study import build_study
    from .study.export import anki_tsv, study_markdown
    from .study.report import aid_json, aid_text
    if args.aid == "export" and not (args.md or args.anki):
        print("kutip: export perlu --md FILE dan/atau --anki FILE / export needs --md FILE and/or --anki FILE",
              file=sys.stderr)
        return 2
    engine = _engine(args)
    study = build_study(engine, n_cards=args.n, progress=_progress if sys.stderr.isatty() or args.progress else None)
    if args.aid == "export":
        outputs = [(Path(path), text) for path, text in ((args.md, study_markdown(study, engine)),
                                                         (args.anki, anki_tsv(study.cards, engine))) if path]
        for path, _ in outputs:          # both checked before either is written
            check_output(path, args.force, Path(args.corpus))
        for path, text in outputs:
            write_output(path, text, args.force)
            print(one_line(str(path)))
        return 0
    print(_json(aid_json(study, args.aid, engine)) if args.json else terminal_safe(aid_text(study, args.aid)))
    return 0


def cmd_sources(args) -> int:
    """List each footnote with its kind, URL, access date and the status of its document."""
    from .sources import KIND_LABELS, STATUS_LABELS, source_status
    engine = _engine(args)
    links = {d.source: d.cites for d in engine.documents if d.cites is not None}   # linked when the engine read them
    rows = source_status(Path(args.corpus), engine.footnotes, links)
    if args.json:
        from dataclasses import asdict
        print(_json([asdict(r) for r in rows]))
        return 0
    for r in rows:
        files = ", ".join(r.files) or "-"
        kind, status = KIND_LABELS.get(r.kind, r.kind), STATUS_LABELS.get(r.status, r.status)
        print(one_line(f"[{r.number}] {kind:8s} {status:9s} {files}  {r.url or ''}  {r.accessed or ''}"
                            + (f"  ({r.reason})" if r.reason else "")))
    return 0


def cmd_fetch(args) -> int:
    """Download the documents the footnotes cite into corpus/sources/; exit 1 when not one could be fetched."""
    from .fetch import fetch_sources
    engine = _engine(args)
    results = fetch_sources(engine.footnotes, Path(args.corpus) / "sources",
                            allow_private=args.allow_private_addresses)
    for r in results:
        print(one_line(f"[{r.number}] {FETCH_LABELS.get(r.status, r.status):8s} {r.url}"
                            + (f"  -> {r.path}" if r.path else "") + (f"  ({r.reason})" if r.reason else "")))
    if not results:
        print("kutip: tidak ada URL di catatan kaki / no URL in the footnotes", file=sys.stderr)
    elif not any(r.status == "fetched" for r in results):
        print(f"kutip: tidak ada yang terunduh ({len(results)} gagal) / nothing could be fetched "
              f"({len(results)} failed)", file=sys.stderr)
        return 1
    return 0


def program_name(argv0: str | None = None) -> str:
    """Return how the user ran the CLI: "kutip" (the installed command) or "python -m retrieval"."""
    name = Path(sys.argv[0] if argv0 is None else argv0).name.lower()
    return "kutip" if name in ("kutip", "kutip.exe", "kutip-script.py") else "python -m retrieval"


def parser(prog: str | None = None) -> argparse.ArgumentParser:
    """Return the argument parser; its usage names the program as run (kutip or python -m retrieval)."""
    prog = prog or program_name()
    p = argparse.ArgumentParser(prog=prog, description="Kutip: jawaban berupa kutipan dari bab skripsi.")
    p.set_defaults(prog=prog)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", default=str(DEFAULT_CORPUS),
                        help=f"folder korpus berisi berkas {describe_formats()} (default: corpus/)")
    common.add_argument("--no-cache", action="store_true", help="bangun ulang indeks tanpa cache")
    common.add_argument("--progress", action="store_true", help="tampilkan kemajuan pembangunan indeks")
    sub = p.add_subparsers(dest="cmd", required=True)
    ask = sub.add_parser("ask", parents=[common], help="tanya satu pertanyaan")
    ask.add_argument("question", nargs="?", help="pertanyaan (dalam tanda kutip)")
    ask.add_argument("--top-k", type=int, default=DEFAULT_TOP_K,
                     help=f"jumlah kutipan paling banyak per jawaban (bawaan: {DEFAULT_TOP_K})")
    ask.add_argument("--json", action="store_true", help="keluaran JSON, satu objek per jawaban")
    ask.add_argument("--batch", metavar="FILE|-",
                     help="satu pertanyaan per baris dari FILE (- untuk stdin); satu baris JSON per jawaban")
    ask.set_defaults(func=cmd_ask)
    ev = sub.add_parser("eval", parents=[common], help="ukur pada berkas eval (.jsonl)")
    ev.add_argument("file", help="berkas eval: satu objek JSON dengan pertanyaan \"q\" per baris")
    ev.add_argument("--top-k", type=int, default=DEFAULT_TOP_K,
                    help=f"jumlah kutipan paling banyak per jawaban (bawaan: {DEFAULT_TOP_K})")
    ev.add_argument("--json", action="store_true", help="angka ringkasan sebagai JSON")
    ev.add_argument("--answers", help="simpan jawaban (.jsonl) untuk score.py")
    ev.set_defaults(func=cmd_eval)
    st = sub.add_parser("study", parents=[common], help="alat belajar: peta bab, linimasa, istilah, kartu, cek rujukan")
    st.add_argument("aid", choices=("outline", "timeline", "glossary", "cards", "check", "export"),
                    help="alat belajar yang ditampilkan, atau export ke berkas")
    st.add_argument("--json", action="store_true", help="keluaran JSON")
    st.add_argument("--n", type=int, default=20, help="jumlah kartu (cards)")
    st.add_argument("--md", help="export: lembar belajar (.md)")
    st.add_argument("--anki", help="export: kartu untuk Anki (.tsv)")
    st.add_argument("--force", action="store_true", help="export: timpa berkas yang sudah ada (tautan tetap ditolak)")
    st.set_defaults(func=cmd_study)
    so = sub.add_parser("sources", parents=[common], help="daftar catatan kaki dan status dokumennya")
    so.add_argument("--json", action="store_true", help="keluaran JSON")
    so.set_defaults(func=cmd_sources)
    fe = sub.add_parser("fetch-sources", parents=[common], help="unduh dokumen yang dikutip catatan kaki")
    fe.add_argument("--allow-private-addresses", action="store_true",
                    help="izinkan alamat lokal/privat (127.0.0.1, 10.x, 192.168.x, ...); bawaan: ditolak")
    fe.set_defaults(func=cmd_fetch)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; core errors become one line on stderr and exit code 2."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(encoding="utf-8", errors="replace")
    args = parser().parse_args(argv)
    for flag in ("top_k", "n"):
        if getattr(args, flag, 1) < 1:
            print(f"kutip: --{flag.replace('_', '-')} harus ≥ 1", file=sys.stderr)
            return 2
    try:
        return args.func(args)
    except KutipError as e:
        print(f"kutip: {one_line(str(e))}", file=sys.stderr)
        return 2
    except FileNotFoundError as e:
        print(f"kutip: berkas tidak ditemukan / file not found: {one_line(str(e.filename))}", file=sys.stderr)
        return 2
    except IsADirectoryError as e:
        print(f"kutip: ini folder, bukan berkas / a folder, not a file: {one_line(str(e.filename))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:                 # output closed early (`| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as e:
        name, why = one_line(str(e.filename or "")), one_line(str(e.strerror or e))
        print(f"kutip: tidak bisa membaca / cannot read {name}: {why}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
