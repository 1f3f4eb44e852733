"""Streamlit Markdown for document and user text: escaped (no syntax, directive or shortcode survives), question words
highlighted, footnote marks as badges, web addresses as links."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import quote as url_quote, urlsplit

from retrieval.analysis import STOP_WORDS
from retrieval.model import Footnote
from retrieval.render import ENTITIES

# Backslash-escaped: every character Streamlit's Markdown reads as syntax (CommonMark, GFM tables and
# strikethrough, remark-math `$`, directives `:red[..]`, `:material/..:`, autolinks `@`/`/`).
_BACKSLASHED = frozenset("\\`*_{}[]()#+-.!|~$:=^@/\"'")
# `:smile:` becomes an emoji after parsing, escaped or not: a word joiner after the colon stops it.
_SHORTCODE = re.compile(r":(?=[\w+/-]+:)")
WORD_JOINER = "\u2060"
MIN_HIGHLIGHT = 3            # shorter words ("di", "RI") are not highlighted
PREFIX_HIGHLIGHT = 5         # words this long also highlight their longer forms (kerjasama -> kerjasamanya)
HIGHLIGHT = ":orange-background[{}]"
MARK = ":blue-badge[{}]"


def escape_md(text: str) -> str:
    """Return text that Streamlit's Markdown shows literally (no LaTeX, links, HTML, emphasis or directives)."""
    out = []
    for ch in _SHORTCODE.sub(":" + WORD_JOINER, text):
        if ch in ENTITIES:
            out.append(ENTITIES[ch])
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


def safe_url(url: str | None) -> str | None:
    """Return an http(s) URL fit for a link target, or None for anything else."""
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


def footnote_md(f: Footnote) -> str:
    """Return one footnote in full as safe Markdown: number, text with a live link, access date."""
    text = escape_md(f.text)
    if f.url and safe_url(f.url) and escape_md(f.url) in text:
        text = text.replace(escape_md(f.url), link_md(f.url), 1)
    return f"\\[{f.number}\\] {text}"
