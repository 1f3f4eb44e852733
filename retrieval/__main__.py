"""The command line: python -m retrieval ask | eval | study | sources | fetch-sources."""
from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

from .errors import KutipError

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _progress(stage: str, done: int, total: int) -> None:
    """Print build progress on stderr, one line updated in place."""
    if total > 1:
        sys.stderr.write(f"\r{stage}: {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _engine(args):
    """Return the engine for --corpus (built or loaded from the cache)."""
    from .engine import Engine
    return Engine.build(Path(args.corpus), progress=_progress if sys.stderr.isatty() or args.progress else None,
                        use_cache=not args.no_cache)


def cmd_ask(args) -> int:
    """Answer one question, or one per line of --batch input."""
    from .errors import BadQuestion
    from .present import answer_dict, answer_text
    engine = _engine(args)
    if args.batch is None:
        if args.question is None:
            raise SystemExit("usage: python -m retrieval ask \"PERTANYAAN\" (atau --batch FILE)")
        a = engine.ask(args.question, top_k=args.top_k)
        print(json.dumps(answer_dict(a), ensure_ascii=False) if args.json else answer_text(a))
        return 0
    stream = (io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace") if args.batch == "-"
              else open(args.batch, encoding="utf-8", errors="replace"))
    with stream:
        for line in stream:
            line = line.rstrip("\n")
            try:
                out = answer_dict(engine.ask(line, top_k=args.top_k))
            except BadQuestion as e:
                out = {"question": line, "abstained": True, "passages": [], "footnotes": [], "error": str(e)}
            print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


def cmd_eval(args) -> int:
    """Answer every question of an eval file and print the figures."""
    from .evaluate import format_summary, summarise
    from .present import answer_dict
    engine = _engine(args)
    questions = [json.loads(l) for l in open(args.file, encoding="utf-8") if l.strip()]
    t0 = time.perf_counter()
    answers = [answer_dict(engine.ask(q["q"], top_k=args.top_k)) for q in questions]
    ms = (time.perf_counter() - t0) * 1000 / max(1, len(questions))
    if args.answers:
        with open(args.answers, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(a, ensure_ascii=False) + "\n" for a in answers)
    out = summarise(questions, answers)
    print(json.dumps(out) if args.json else format_summary(out))
    if not args.json:
        print(f"{len(questions)} questions, {ms:.1f} ms per question")
    return 0


def cmd_study(args) -> int:
    """Print one study aid (outline, timeline, glossary, cards, check) or write the study sheet / Anki file."""
    from .study import build_study
    from .study.export import anki_tsv, study_markdown
    from .study.report import aid_json, aid_text
    engine = _engine(args)
    study = build_study(engine, n_cards=args.n, progress=_progress if sys.stderr.isatty() or args.progress else None)
    if args.aid == "export":
        if not (args.md or args.anki):
            raise SystemExit("usage: python -m retrieval study export --md FILE --anki FILE")
        for path, text in ((args.md, study_markdown(study, engine)), (args.anki, anki_tsv(study.cards, engine))):
            if path:
                Path(path).write_text(text, encoding="utf-8")
                print(path)
        return 0
    print(json.dumps(aid_json(study, args.aid, engine), ensure_ascii=False) if args.json else aid_text(study, args.aid))
    return 0


def cmd_sources(args) -> int:
    """List each footnote with its kind, URL, access date and the status of its document."""
    from .sources import source_status
    engine = _engine(args)
    docs = _documents(args)
    rows = source_status(Path(args.corpus), engine.footnotes, docs)
    if args.json:
        from dataclasses import asdict
        print(json.dumps([asdict(r) for r in rows], ensure_ascii=False))
        return 0
    for r in rows:
        files = ", ".join(r.files) or "-"
        print(f"[{r.number}] {r.kind:8s} {r.status:8s} {files}  {r.url or ''}  {r.accessed or ''}"
              + (f"  ({r.reason})" if r.reason else ""))
    return 0


def cmd_fetch(args) -> int:
    """Download the documents the footnotes cite into corpus/sources/."""
    from .fetch import fetch_sources
    engine = _engine(args)
    results = fetch_sources(engine.footnotes, Path(args.corpus) / "sources")
    for r in results:
        print(f"[{r.number}] {r.status:8s} {r.url}" + (f"  -> {r.path}" if r.path else "")
              + (f"  ({r.reason})" if r.reason else ""))
    return 0


def _documents(args):
    """Return the corpus documents as read (for linking sources to footnotes)."""
    from .cache import corpus_files
    from .readers import READERS, read_file
    corpus = Path(args.corpus)
    docs = []
    for path in corpus_files(corpus, READERS):
        try:
            docs.append(read_file(path, source=path.relative_to(corpus).as_posix()))
        except (KutipError, OSError, ValueError):
            continue
    return docs


def parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    p = argparse.ArgumentParser(prog="python -m retrieval", description="Kutip: jawaban berupa kutipan dari bab skripsi.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="folder korpus (default: corpus/)")
    common.add_argument("--no-cache", action="store_true", help="bangun ulang indeks tanpa cache")
    common.add_argument("--progress", action="store_true", help="tampilkan kemajuan pembangunan indeks")
    sub = p.add_subparsers(dest="cmd", required=True)
    ask = sub.add_parser("ask", parents=[common], help="tanya satu pertanyaan")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--top-k", type=int, default=3)
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--batch", metavar="FILE|-")
    ask.set_defaults(func=cmd_ask)
    ev = sub.add_parser("eval", parents=[common], help="ukur pada berkas eval (.jsonl)")
    ev.add_argument("file")
    ev.add_argument("--top-k", type=int, default=3)
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--answers", help="simpan jawaban (.jsonl) untuk score.py")
    ev.set_defaults(func=cmd_eval)
    st = sub.add_parser("study", parents=[common], help="alat belajar: peta bab, linimasa, istilah, kartu, cek rujukan")
    st.add_argument("aid", choices=("outline", "timeline", "glossary", "cards", "check", "export"))
    st.add_argument("--json", action="store_true")
    st.add_argument("--n", type=int, default=20, help="jumlah kartu (cards)")
    st.add_argument("--md", help="export: lembar belajar (.md)")
    st.add_argument("--anki", help="export: kartu untuk Anki (.tsv)")
    st.set_defaults(func=cmd_study)
    so = sub.add_parser("sources", parents=[common], help="daftar catatan kaki dan status dokumennya")
    so.add_argument("--json", action="store_true")
    so.set_defaults(func=cmd_sources)
    fe = sub.add_parser("fetch-sources", parents=[common], help="unduh dokumen yang dikutip catatan kaki")
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
        print(f"kutip: {e}", file=sys.stderr)
        return 2
    except FileNotFoundError as e:
        print(f"kutip: berkas tidak ditemukan: {e.filename}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:                 # output closed early (`| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
