"""Safe Markdown for document and user text (escaped, highlighted) and the conversation as a Markdown file."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote as url_quote, urlsplit

from .analysis import STOP_WORDS
from .model import Answer, Footnote, Quote
from .present import NOT_FOUND
from .scope import Scope

# Backslash-escaped: every character Streamlit's Markdown reads as syntax (CommonMark, GFM tables and
# strikethrough, remark-math `$`, directives `:red[..]`, `:material/..:`, autolinks `@`/`/`).
_BACKSLASHED = frozenset("\\`*_{}[]()#+-.!|~$:=^@/\"'")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# `:smile:` becomes an emoji after parsing, escaped or not: a word joiner after the colon stops it.
_SHORTCODE = re.compile(r":(?=[\w+/-]+:)")
WORD_JOINER = "\u2060"
MIN_HIGHLIGHT = 3            # shorter words ("di", "RI") are not highlighted
PREFIX_HIGHLIGHT = 5         # words this long also highlight their longer forms (kerjasama -> kerjasamanya)
HIGHLIGHT = ":orange-background[{}]"
MARK = ":blue-badge[{}]"

TRANSCRIPT_TEXT = {
    "id": {"title": "Kutip — percakapan", "footnotes": "Catatan kaki", "accessed": "diakses", "page": "hlm.",
           "date": "Tanggal", "short": "Jawaban singkat", "from_quote": "dari kutipan 1", "scope": "Dicari di",
           "scope_all": "semua dokumen", "scope_one": "satu dokumen", "scope_cited": "sumber yang dikutip saja",
           "scope_empty": "Tidak ditemukan di dokumen yang dipilih."},
    "en": {"title": "Kutip — conversation", "footnotes": "Footnotes", "accessed": "accessed", "page": "p.",
           "date": "Date", "short": "Short answer", "from_quote": "from quote 1", "scope": "Searched in",
           "scope_all": "all documents", "scope_one": "one document", "scope_cited": "cited sources only",
           "scope_empty": "Not found in the chosen documents."},
}
EXPORT_QUESTION_CHARS = 200   # a question longer than this is cut in the exported file's heading (a pasted text)
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


def escape_md(text: str) -> str:
    """Return text that Streamlit's Markdown shows literally (no LaTeX, links, HTML, emphasis or directives)."""
    out = []
    for ch in _SHORTCODE.sub(":" + WORD_JOINER, text):
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch in _BACKSLASHED:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def escape_lines(text: str, line_start: bool = True) -> str:
    """Return escaped text whose line breaks stay line breaks and whose indentation stays (not a code block).

    line_start: whether text begins a line (a piece from the middle of a line keeps its spaces as they are).
    """
    lines = []
    for k, line in enumerate(text.split("\n")):
        body = line.lstrip(" \t") if (k or line_start) else line
        lines.append("&nbsp;" * (len(line) - len(body)) + escape_md(body))
    return "  \n".join(lines)


def highlight_terms(words: Iterable[str]) -> list[str]:
    """Return the question words worth highlighting: no function words, no very short words, no repeats."""
    out: list[str] = []
    for w in words:
        lw = w.lower()
        if len(lw) >= MIN_HIGHLIGHT and lw not in STOP_WORDS and lw not in out:
            out.append(lw)
    return out


def highlight_spans(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """Return the sorted, merged spans of text where a highlight word (or a longer form of it) starts a word."""
    spans: list[tuple[int, int]] = []
    for w in highlight_terms(words):
        tail = r"\w*" if len(w) >= PREFIX_HIGHLIGHT else r"(?!\w)"
        spans += [m.span() for m in re.finditer(rf"(?<!\w){re.escape(w)}{tail}", text, re.IGNORECASE)]
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def highlighted_md(text: str, words: Iterable[str] = (), marks: Sequence[tuple[int, int]] = ()) -> str:
    """Return text as safe Markdown: escaped, question words highlighted, footnote marks (offset, n) as badges.

    Highlighting wraps already-escaped pieces, so it can never undo an escape.
    """
    spans = highlight_spans(text, words)
    cuts = sorted({0, len(text), *(a for a, _ in spans), *(b for _, b in spans),
                   *(o for o, _ in marks if 0 <= o <= len(text))})
    starts = {a: b for a, b in spans}
    out: list[str] = []
    inside_until = -1
    for a, b in zip(cuts, cuts[1:] + [len(text)]):
        out += [MARK.format(f"{n}") for o, n in marks if o == a]
        if a >= len(text):
            break
        if a in starts:
            inside_until = starts[a]
        piece = escape_lines(text[a:b], line_start=a == 0 or text[a - 1] == "\n")
        out.append(HIGHLIGHT.format(piece) if a < inside_until and "\n" not in text[a:b] else piece)
    return "".join(out)


def quote_marks(q: Quote) -> list[tuple[int, int]]:
    """Return the quote's footnote marks as (offset in the quote, number)."""
    return [(off - q.start, n) for off, n in q.passage.marks if q.start <= off <= q.end]


def safe_url(url: str | None) -> str | None:
    """Return an http(s) URL fit for a Markdown link target, or None for anything else."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url_quote(url.strip(), safe=":/?#@!$&'*+,;=%-._~")


def link_md(url: str | None) -> str:
    """Return a Markdown link showing the URL itself, or the escaped text when it is not a web address."""
    target = safe_url(url)
    if target is None:
        return escape_md(url or "")
    return f"[{escape_md(url or '')}]({target})"


def where(q: Quote, lang: str = "id") -> str:
    """Return 'file › section, p. N' for a quote (plain text)."""
    parts = [q.passage.source, *q.passage.section]
    place = " › ".join(p for p in parts if p)
    return f"{place}, {TRANSCRIPT_TEXT[lang]['page']} {q.page}" if q.page is not None else place


def footnote_for(answer: Answer, number: int, source: str) -> Footnote | None:
    """Return the answer's footnote with that number, preferring the one of the quote's own document."""
    same = [f for f in answer.footnotes if f.number == number and f.source == source]
    return next(iter(same or [f for f in answer.footnotes if f.number == number]), None)


def footnote_md(f: Footnote, lang: str = "id") -> str:
    """Return one footnote in full as safe Markdown: number, text with a live link, access date."""
    text = escape_md(f.text)
    if f.url and safe_url(f.url) and escape_md(f.url) in text:
        text = text.replace(escape_md(f.url), link_md(f.url), 1)
    return f"\\[{f.number}\\] {text}"


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
    return "".join("\\" + ch if ch in _MD_INLINE else _ENTITIES.get(ch, ch) for ch in text)


def cut_question(question: str) -> str:
    """Return a question as a one-line heading: white space collapsed, cut at EXPORT_QUESTION_CHARS."""
    one = " ".join(question.split())
    return one if len(one) <= EXPORT_QUESTION_CHARS else one[:EXPORT_QUESTION_CHARS].rstrip() + "…"


def citation_text(q: Quote, notes: Sequence[Footnote], lang: str = "id") -> str:
    """Return a quote ready to paste: the quote with its footnote numbers, its place, and each footnote in full."""
    marks = "".join(f"[{n}]" for n in q.footnotes)
    lines = [f"“{q.text}”{marks}", f"— {where(q, lang)}"]
    if notes:
        lines.append("")
        lines += [f"[{f.number}] {f.text}" for f in notes]
    return "\n".join(lines)


def conversation_markdown(turns: Sequence[Turn], lang: str = "id", corpus: str = "", when: str = "") -> str:
    """Return the conversation as a readable Markdown file: title with corpus and date, each answered question
    (cut to a sensible length), its short answer, its quotes as blockquotes with their place, and every footnote
    in full at the end. Empty or rejected questions are left out."""
    t = TRANSCRIPT_TEXT[lang]
    out = [f"# {t['title']}" + (f": {plain_md(corpus)}" if corpus else ""), ""]
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
            out += [f"{t['scope']}: {plain_md(scope_label(turn.scope, lang))}", ""]
        if a.abstained:
            out += [f"_{t['scope_empty'] if turn.scope.kind != 'all' else NOT_FOUND[lang]}_", ""]
            continue
        short = a.short
        if short:
            marks = "".join(f"[{n}]" for n in a.quotes[0].footnotes)
            out += [f"**{t['short']}:** {plain_md(short.text)} ({t['from_quote']}{' ' + marks if marks else ''})", ""]
        for q in a.quotes:
            marks = "".join(f"[{n}]" for n in q.footnotes)
            body = plain_md(q.text).replace("  \n", "  \n> ")
            out += [f"> {body}{marks}", ">", f"> — {plain_md(where(q, lang))}", ""]
        for f in a.footnotes:
            notes.setdefault((f.source, f.number), f)
    if notes:
        out += [f"## {t['footnotes']}", ""]
        out += [f"[{f.number}] {plain_md(f.text)}  "
                for f in sorted(notes.values(), key=lambda f: (f.source, f.number))]
    return "\n".join(out).rstrip() + "\n"


def scope_label(scope: Scope, lang: str = "id") -> str:
    """Return where a question was searched, in words: all documents, one document (its name), cited sources."""
    t = TRANSCRIPT_TEXT[lang]
    label = t.get(f"scope_{scope.kind}", scope.kind)
    return f"{label} ({scope.document})" if scope.kind == "one" and scope.document else label


def context_md(context: str, quote: str, words: Iterable[str] = ()) -> str:
    """Return the paragraph around a quote as safe Markdown, the quoted part in bold; tab-separated rows as a table."""
    lines = context.split("\n")
    if sum("\t" in line for line in lines) >= 2:
        return _table_md(lines, quote)
    at = context.find(quote.strip()) if quote.strip() else -1
    if at < 0:
        return highlighted_md(context, words)
    end = at + len(quote.strip())
    inner = highlighted_md(context[at:end], words).split("  \n")
    bold = "  \n".join(f"**{part}**" if part.strip() else part for part in inner)
    return highlighted_md(context[:at], words) + bold + highlighted_md(context[end:], words)


def _table_md(lines: list[str], quote: str = "") -> str:
    """Return lines of which some are tab-separated rows as text and a Markdown table (header row first);
    the row the quote was made of (every cell found in it) in bold."""
    out: list[str] = []
    rows = [line.split("\t") for line in lines if "\t" in line]
    width = max(len(r) for r in rows)
    header_done = False
    for line in lines:
        if "\t" not in line:
            out.append(("\n" if header_done else "") + escape_lines(line) + "\n")
            continue
        raw = [c.strip() for c in line.split("\t")]
        strong = header_done and all(c in quote for c in raw)
        cells = [(f"**{escape_md(c)}**" if strong and c else escape_md(c)) or "&nbsp;" for c in raw]
        cells += ["&nbsp;"] * (width - len(raw))
        out.append("| " + " | ".join(cells) + " |")
        if not header_done:
            out.append("|" + "---|" * width)
            header_done = True
    return "\n".join(out)
