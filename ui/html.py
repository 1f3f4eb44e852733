"""HTML for quotes, whole paragraphs and the reader view: every document character escaped, links whole (no
streamlit)."""
from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence

from retrieval.model import Footnote, Passage
from ui.markdown import highlight_spans, safe_url

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+")
Span = tuple[int, int, str]          # (start, end, CSS class) of text to mark
NoteHtml = Callable[[int], str]      # footnote number -> the HTML standing where its marker is

STYLE = """<style>
.kutip-quote, .kutip-reader p, .kutip-reader li {
  font-family: Georgia, "Source Serif Pro", serif; font-size: 1.05rem; line-height: 1.65;
}
.kutip-quote { border-left: 4px solid #b5652e; background: #fdf8f3; padding: .7rem 1rem; border-radius: 0 .5rem .5rem 0;
  color: #262730; overflow-wrap: anywhere; }
.kutip-quote mark, .kutip-reader mark.kutip-word { background: #fde3a7; border-radius: .2rem; padding: 0 .1rem; color: inherit; }
mark.kutip-short { background: #c9f0c4; font-weight: 600; }
mark.kutip-here { background: #fff3b0; outline: 2px solid #e0a800; border-radius: .15rem; color: inherit; }
.kutip-quote a, .kutip-reader a, .kutip-short-line a { overflow-wrap: anywhere; }
details.kutip-fn { display: inline; position: relative; }
details.kutip-fn > summary { display: inline; list-style: none; cursor: pointer; font: 600 .72rem/1 "Source Sans Pro", sans-serif;
  vertical-align: super; color: #fff; background: #1c64c8; border-radius: .6rem; padding: .05rem .35rem; margin: 0 .1rem; }
details.kutip-fn > summary::-webkit-details-marker { display: none; }
details.kutip-fn:not([open])::details-content { display: none; }
details.kutip-fn[open]::details-content { display: contents; }
details.kutip-fn[open] > summary { background: #0b3d91; }
.kutip-note { display: block; position: absolute; z-index: 20; left: -2rem; top: 1.4rem; width: min(24rem, calc(100vw - 1rem));
  background: #fff; color: #262730; border: 1px solid #d0d0d8; border-radius: .5rem; padding: .5rem .7rem;
  box-shadow: 0 4px 14px rgba(0,0,0,.15); font: .9rem/1.45 "Source Sans Pro", sans-serif; overflow-wrap: anywhere; }
.kutip-note small { display: block; color: #666; }
table.kutip-row { border-collapse: collapse; margin: .3rem 0; font: .95rem/1.4 "Source Sans Pro", sans-serif; }
table.kutip-row th { text-align: left; padding: .15rem .8rem .15rem 0; color: #555; font-weight: 600; vertical-align: top; }
table.kutip-row td { padding: .15rem .8rem .15rem 0; }
.kutip-row-title { font-size: .85rem; color: #555; margin-bottom: .2rem; }
.kutip-short-line { font: 1.05rem/1.5 "Source Sans Pro", sans-serif; margin: 0 0 .3rem 0; }
.kutip-short-line b.kutip-answer { background: #c9f0c4; padding: .05rem .3rem; border-radius: .2rem; }
.kutip-place { font: .85rem/1.4 "Source Sans Pro", sans-serif; color: #6b6b76; margin: .35rem 0 0 0; }
.kutip-old-q { background: rgba(240, 242, 246, .8); border-radius: .5rem; padding: .6rem 1rem; margin: 1rem 0 .6rem 0;
  overflow-wrap: anywhere; }
.kutip-old-a { margin: 0 0 0 2.5rem; }
.kutip-old-warn { background: #fffbe6; color: #7a5b00; border-radius: .5rem; padding: .6rem 1rem; }
.kutip-reader { max-height: 70vh; overflow-y: auto; padding-right: .5rem; }
.kutip-reader .kutip-page { float: right; font: .75rem "Source Sans Pro", sans-serif; color: #888; margin-left: .5rem; }
.kutip-reader sup a { text-decoration: none; font-weight: 600; }
.kutip-reader h3, .kutip-reader h4, .kutip-reader h5, .kutip-reader h6 {
  font-family: inherit; font-weight: 700; line-height: 1.3; margin: 1.2rem 0 .5rem 0; padding: 0; }
.kutip-reader h3 { font-size: 1.45rem; }
.kutip-reader h4 { font-size: 1.3rem; }
.kutip-reader h5, .kutip-reader h6 { font-size: 1.15rem; }
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
.kutip-refused { color: #b00020; font: .9rem/1.4 "Source Sans Pro", sans-serif; margin: .3rem 0 0 0; }
.kutip-reader ol.kutip-notes { font: .9rem/1.45 "Source Sans Pro", sans-serif; }
.kutip-reader :target, .kutip-reader tr.kutip-here { background: #fff3b0; }
</style>"""  # noqa: E501 (CSS rules kept one a line)


def esc(text: str) -> str:
    """Return text escaped for HTML (line breaks as <br>)."""
    return html.escape(text, quote=True).replace("\n", "<br>")


def link(url: str, label: str | None = None) -> str:
    """Return a link that opens a new tab for an http(s) URL; anything else is plain escaped text."""
    target = safe_url(url)
    shown = esc(label if label is not None else url)
    if target is None:
        return shown
    return f'<a href="{html.escape(target, quote=True)}" target="_blank" rel="noopener noreferrer">{shown}</a>'


def note_body(number: int, note: Footnote | None, accessed_label: str = "Diakses: {date}") -> str:
    """Return a footnote in full as HTML: number, description, the whole URL as a link, access date."""
    if note is None:
        return f"<b>[{number}]</b>"
    text = esc(note.description or note.text)
    url = f" {link(note.url)}" if note.url else ""
    date = f"<small>{esc(accessed_label.format(date=note.accessed))}</small>" if note.accessed else ""
    return f"<b>[{number}]</b> {text}{url}{date}"


def popover(number: int, note: Footnote | None, label: str, accessed_label: str) -> str:
    """Return a footnote number that opens its note in place when clicked (no script: <details>)."""
    return (f'<details class="kutip-fn"><summary title="{html.escape(label)} {number}">{number}</summary>'
            f'<span class="kutip-note">{note_body(number, note, accessed_label)}</span></details>')


def inline(text: str, marks: Sequence[tuple[int, int]] = (), spans: Sequence[Span] = (),
           note: NoteHtml | None = None) -> str:
    """Return text as HTML: spans marked with their class, footnote markers via note(n), web addresses as whole links.

    A span never cuts a web address: highlighting that starts inside one is left out, and a span covering its
    start covers all of it.
    """
    urls = [m.span() for m in _URL.finditer(text)]

    def in_url(offset: int) -> bool:
        return any(a < offset < b for a, b in urls)

    kept = [(a, b, c) for a, b, c in spans if not (c == "kutip-word" and any(a < ub and ua < b for ua, ub in urls))]
    edges = {0, len(text), *(o for o, _ in marks if 0 <= o <= len(text))}
    edges |= {x for a, b, _ in kept for x in (a, b)} | {x for a, b in urls for x in (a, b)}
    cuts = sorted(x for x in edges if 0 <= x <= len(text) and not in_url(x))
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:] + [len(text)]):
        if note is not None:
            out += [note(n) for o, n in marks if o == a]
        if a >= len(text):
            break
        piece = text[a:b]
        body = link(piece) if (a, b) in urls else esc(piece)
        for _, _, cls in sorted((s for s in kept if s[0] <= a < s[1]), key=lambda s: s[1] - s[0], reverse=True):
            body = f'<mark class="{cls}">{body}</mark>'
        out.append(body)
    return "".join(out)


def word_spans(text: str, words: Iterable[str]) -> list[Span]:
    """Return the question words' places in text as spans to highlight."""
    return [(a, b, "kutip-word") for a, b in highlight_spans(text, words)]


def quote_html(text: str, marks: Sequence[tuple[int, int]], words: Iterable[str], note: NoteHtml,
               short: tuple[int, int] | None = None) -> str:
    """Return one quote: question words highlighted, the short answer marked, footnote numbers that open in place."""
    spans = word_spans(text, words) + ([(short[0], short[1], "kutip-short")] if short else [])
    return f'<div class="kutip-quote">{inline(text, marks, spans, note)}</div>'


def row_html(title: str, cells: Sequence[tuple[str, str]], trailing: str = "",
             short: str | None = None) -> str:
    """Return a table row as a small two-column table (column: value), with its title and footnotes after it."""
    rows = []
    for head, value in cells:
        shown = esc(value)
        if short and short in value:
            at = value.index(short)
            shown = esc(value[:at]) + f'<mark class="kutip-short">{esc(short)}</mark>' + esc(value[at + len(short):])
        rows.append(f"<tr><th>{esc(head)}</th><td>{shown}</td></tr>")
    head = f'<div class="kutip-row-title">{esc(title)}</div>' if title else ""
    return f'<div class="kutip-quote">{head}<table class="kutip-row">{"".join(rows)}</table>{trailing}</div>'


def paragraph_html(p: Passage, start: int, end: int, words: Iterable[str], note: NoteHtml) -> str:
    """Return the whole paragraph (or list) around a quote, the quote marked, every footnote marker kept."""
    lead = f"{p.lead}\n" if p.kind == "list" and p.lead else ""
    text = lead + p.text
    shift = len(lead)
    marks = [(o + shift, n) for o, n in p.marks]
    spans = word_spans(text, words) + [(start + shift, end + shift, "kutip-here")]
    return f'<div class="kutip-quote kutip-context">{inline(text, marks, spans, note)}</div>'


def reader_html(passages: Sequence[Passage], notes: Sequence[Footnote], here: int, start: int, end: int,
                page_label: str = "hlm.", notes_title: str = "Catatan kaki") -> str:
    """Return a document as one readable page: sections, paragraphs, lists, tables, printed page numbers,
    footnote numbers linking to their notes at the end; passage `here` carries id="kutip-here", text[start:end]
    marked."""
    out: list[str] = ['<div class="kutip-reader">']
    section: tuple[str, ...] = ()
    shown_tables: set[str] = set()
    target = next((p for p in passages if p.id == here), None)
    seen_pages: set[int] = set()           # a printed page number is shown where its page starts, once
    for p in passages:
        if p.kind == "footnote":
            continue
        for depth, title in enumerate(p.section):
            if section[:depth + 1] != p.section[:depth + 1]:
                level = min(6, depth + 3)
                out.append(f"<h{level}>{esc(title)}</h{level}>")
        section = p.section
        printed = [n for _, n, _ in p.pages if n is not None and n not in seen_pages]
        seen_pages.update(printed)
        span = f"{printed[0]}–{printed[-1]}" if len(printed) > 1 else "".join(map(str, printed))
        pages = f'<span class="kutip-page">{esc(page_label)} {span}</span>' if printed else ""
        if p.kind == "row":                       # a table is shown once, where its first row stands
            if p.context in shown_tables:
                continue
            shown_tables.add(p.context)
            mine = target if target is not None and target.kind == "row" and target.context == p.context else None
            anchor = ' id="kutip-here"' if mine else ""
            out.append(f"<div{anchor}>{pages}{_table(mine or p, mine is not None)}</div>")
            continue
        anchor = ' id="kutip-here"' if p.id == here else ""
        spans = [(start, end, "kutip-here")] if p.id == here else []
        out.append(f"<p{anchor}>{pages}{inline(p.text, p.marks, spans, _ref)}</p>")
    if notes:
        out.append(f"<h4>{esc(notes_title)}</h4><ol class=\"kutip-notes\">")
        entry = target.footnotes[0] if target is not None and target.kind == "footnote" and target.footnotes else None
        for f in notes:
            text = _note_text(f)
            if f.number == entry:                 # the quote is this footnote entry: marked, and scrolled to
                text = f'<mark class="kutip-here" id="kutip-here">{text}</mark>'
            out.append(f'<li value="{f.number}" id="kutip-fn-{f.number}">{text}</li>')
        out.append("</ol>")
    out.append("</div>")
    return "".join(out)


def _ref(number: int) -> str:
    """Return a footnote number in the reader view: a link to its note."""
    return f'<sup><a href="#kutip-fn-{number}" title="{number}">{number}</a></sup>'


def _note_text(f: Footnote) -> str:
    """Return a footnote's whole text with its web address as a link."""
    return inline(f.text)


def _table(p: Passage, here: bool) -> str:
    """Return a row's whole table (from its context); the row quoted is marked when `here`."""
    lines = (p.context or p.text).split("\n")
    rows = [line.split("\t") for line in lines if "\t" in line]
    if not rows:
        return f"<p>{esc(p.text)}</p>"
    title = [line for line in lines if "\t" not in line]
    body = []
    for k, row in enumerate(rows):
        cell = "th" if k == 0 else "td"
        mine = here and k > 0 and all(c.strip() in p.text for c in row if c.strip())
        cells = "".join(f"<{cell}>{esc(c.strip())}</{cell}>" for c in row)
        body.append(f'<tr class="kutip-here">{cells}</tr>' if mine else f"<tr>{cells}</tr>")
    marked = "".join(body)
    caption = "".join(f'<div class="kutip-row-title">{esc(t)}</div>' for t in title)
    return f'{caption}<table class="kutip-row">{marked}</table>'
