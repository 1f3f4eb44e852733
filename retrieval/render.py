"""Answers as plain text, JSON-ready dicts and plain Markdown: where a quote stands, the terminal's answer, the citation
to paste and the conversation file (shared by the CLI, the app and the exports; the app's markup is in ui/)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .control_chars import one_line
from .model import Answer, Footnote, Passage, Quote
from .scope import Scope
from .strings import TEXT

EXPORT_QUESTION_CHARS = 200   # a question longer than this is cut in the exported file's heading (a pasted text)
SCOPE_KINDS = ("all", "one", "cited")
DOT = " · "                   # the app joins the parts of a quote's place with it: file · section › subsection · hlm. N
ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_INLINE = frozenset("\\`*_[]")  # what starts emphasis, code or a link inside a line ("<" "&" become entities)
# what makes a line a heading, quote, list item or rule when it starts it
_LINE_START = re.compile(r"^(\s*)([#>+=|]|-(?=\s|-|$)|\d+(?=[.)](?:\s|$)))")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+")


@dataclass(frozen=True)
class Turn:
    """One exchange of the chat: the question as typed, its answer or the message why there is none, and the
    scope it was asked in (it keeps that scope when the sidebar's choice changes later)."""

    question: str
    answer: Answer | None = None
    error: str = ""
    scope: Scope = Scope()


def place(at: Quote | Passage, page: str = TEXT["id"]["page"], joiner: str | None = None) -> str:
    """Return where a quote (or a passage) stands, as plain text: 'file › section › subsection, hlm. N'; with a
    joiner, its file, section path and page joined by it ('file · section › subsection · hlm. N', the app's)."""
    p, number = (at.passage, at.page) if isinstance(at, Quote) else (at, None)
    section = " › ".join(x for x in p.section if x)       # a heading of dots leaves an empty title: no empty step
    where = (joiner or " › ").join(x for x in (p.source, section) if x)
    return where if number is None else f"{where}{joiner or ', '}{page} {number}"


def place_line(q: Quote, page: str = TEXT["id"]["page"]) -> str:
    """Return where a quote stands on one line, safe for a terminal (a file name's line break must not forge a line)."""
    return one_line(place(q, page))


def footnote_marks(numbers: Iterable[int], before: str = "") -> str:
    """Return footnote numbers as '[32][33]' after `before`, or '' when there are none."""
    text = "".join(f"[{n}]" for n in numbers)
    return before + text if text else ""


def quote_marks(q: Quote) -> list[tuple[int, int]]:
    """Return the quote's footnote marks as (offset in the quote, number)."""
    return [(off - q.start, n) for off, n in q.passage.marks if q.start <= off <= q.end]


def flat(text: str) -> str:
    """Return text on one line, its white space collapsed (a list item or table cell of a quote stays whole)."""
    return " ".join(text.split())


def quote_dict(q: Quote) -> dict:
    """Return one quote in the `ask --json` passage shape."""
    p = q.passage
    return {"text": q.text, "context": p.context or p.text, "source": p.source, "section": p.section_path,
            "page": q.page, "page_index": q.page_index, "footnotes": list(q.footnotes),
            "score": round(float(q.score), 4), "kind": p.kind}


def footnote_dict(f: Footnote) -> dict:
    """Return one footnote in the `ask --json` shape."""
    return {"number": f.number, "text": f.text, "url": f.url, "accessed": f.accessed,
            "kind": f.kind, "source": f.source}


def answer_dict(a: Answer) -> dict:
    """Return the answer as the documented JSON object (related passages only when abstaining)."""
    short = None if a.abstained else a.short
    out = {"question": a.question, "abstained": a.abstained,
           "answer": {"text": short.text, "passage": 0} if short else None,
           "passages": [quote_dict(q) for q in a.quotes],
           "footnotes": [footnote_dict(f) for f in a.footnotes]}
    if a.abstained:
        out["related"] = [quote_dict(q) for q in a.related]
    return out


def answer_text(a: Answer, lang: str = "id") -> str:
    """Return the answer as plain text for a terminal."""
    t = TEXT[lang]
    lines = [f"? {a.question}"]
    if a.abstained:
        lines.append(t["not_found"])
        lines += [f"  [{t['related']}] {q.text}  ({place_line(q, t['page'])})" for q in a.related]
        return "\n".join(lines)
    if a.short:
        lines.append(f"{t['short']}: {a.short.text} {_from_quote(a, t)}")
    for i, q in enumerate(a.quotes, 1):
        lines.append(f"{i}. “{q.text}”{footnote_marks(q.footnotes, ' ')}")
        lines.append(f"   — {place_line(q, t['page'])}")
    lines += [f"[{f.number}] {f.text}" for f in a.footnotes]
    return "\n".join(lines)


def _from_quote(a: Answer, t: dict[str, str]) -> str:
    """Return where the short answer comes from: '(dari kutipan 1 [34])', with quote 1's footnote numbers."""
    return f"({t['from_quote']}{footnote_marks(a.quotes[0].footnotes, ' ')})"


def citation_text(q: Quote, notes: Sequence[Footnote], lang: str = "id") -> str:
    """Return a quote ready to paste: the quote with its footnote numbers, its place, and each footnote in full."""
    lines = [f"“{q.text}”{footnote_marks(q.footnotes)}", f"— {place(q, TEXT[lang]['page'])}"]
    if notes:
        lines.append("")
        lines += [f"[{f.number}] {f.text}" for f in notes]
    return "\n".join(lines)


def plain_md(text: str) -> str:
    """Return text for a Markdown file with only what Markdown needs escaped: emphasis, code, links, HTML and
    line-start markers; web addresses stay as written (as <autolinks>)."""
    out, last = [], 0
    for m in _URL.finditer(text):
        out.append(_plain_piece(text[last:m.start()]))
        out.append(f"<{m.group(0)}>")
        last = m.end()
    out.append(_plain_piece(text[last:]))
    lines = "".join(out).split("\n")
    return "  \n".join(_LINE_START.sub(_escape_start, line, count=1) for line in lines)


def _escape_start(m: re.Match) -> str:
    """Return a line-start marker made literal: '\\-', '\\#', or '3\\.' for a number."""
    lead, marker = m.group(1), m.group(2)
    return f"{lead}{marker}\\" if marker[-1].isdigit() else f"{lead}\\{marker}"


def _plain_piece(text: str) -> str:
    """Return text outside a web address with Markdown's inline syntax characters escaped."""
    return "".join("\\" + ch if ch in _MD_INLINE else ENTITIES.get(ch, ch) for ch in text)


def cut_question(question: str) -> str:
    """Return a question as a one-line heading: white space collapsed, cut at EXPORT_QUESTION_CHARS."""
    one = flat(question)
    return one if len(one) <= EXPORT_QUESTION_CHARS else one[:EXPORT_QUESTION_CHARS].rstrip() + "…"


def conversation_markdown(turns: Sequence[Turn], lang: str = "id", corpus: str = "", when: str = "") -> str:
    """Return the conversation as a readable Markdown file: title with corpus and date, each answered question
    (cut to a sensible length), its short answer, its quotes as blockquotes with their place, and every footnote
    in full at the end. Empty or rejected questions are left out."""
    t = TEXT[lang]
    out = [f"# {t['transcript_title']}" + (f": {plain_md(corpus)}" if corpus else ""), ""]
    if when:
        out += [f"{t['date']}: {when}", ""]
    notes: dict[tuple[str, int], Footnote] = {}
    shown = [turn for turn in turns if turn.answer is not None and turn.question.strip()]
    scoped = any(turn.scope.kind != "all" for turn in shown)     # then every question says where it was searched
    for i, turn in enumerate(shown, 1):
        a = turn.answer
        assert a is not None                                   # shown holds the answered turns only
        out += [f"## {i}. {plain_md(cut_question(turn.question))}", ""]
        if scoped:
            out += [t["asked_in"].format(scope=plain_md(scope_label(turn.scope, lang))), ""]
        if a.abstained:
            out += [f"_{t['scope_empty'] if turn.scope.kind != 'all' else t['not_found']}_", ""]
            continue
        if a.short:
            out += [f"**{t['short']}:** {plain_md(a.short.text)} {_from_quote(a, t)}", ""]
        for q in a.quotes:
            body = plain_md(q.text).replace("  \n", "  \n> ")
            out += [f"> {body}{footnote_marks(q.footnotes)}", ">", f"> — {plain_md(place(q, t['page']))}", ""]
        for f in a.footnotes:
            notes.setdefault((f.source, f.number), f)
    if notes:
        out += [f"## {t['footnotes']}", ""]
        out += [f"[{f.number}] {plain_md(f.text)}  "
                for f in sorted(notes.values(), key=lambda f: (f.source, f.number))]
    return "\n".join(out).rstrip() + "\n"


def scope_names(t: dict[str, str]) -> dict[str, str]:
    """Return each kind of scope (all, one, cited) with its name in the interface language, in the sidebar's order."""
    return {kind: t[f"scope_{kind}"] for kind in SCOPE_KINDS}


def scope_label(scope: Scope, lang: str = "id") -> str:
    """Return where a question was searched, in words: all documents, one document (its name), cited sources."""
    name = scope_names(TEXT[lang]).get(scope.kind)
    label = scope.kind if name is None else name[:1].lower() + name[1:]   # the sidebar's choice, inside a sentence
    return f"{label} ({scope.document})" if scope.kind == "one" and scope.document else label
