"""One exchange on the page: the question, the short answer, the quotes (in place, with footnotes), or why not."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote as url_quote

import streamlit as st

from retrieval import MAX_QUESTION_CHARS, Engine
from retrieval.model import Answer, Footnote, Quote, ShortAnswer
from retrieval.render import DOT, Turn, citation_text, place, quote_marks, scope_names
from retrieval.scope import Scope, copies_of
from retrieval.sources import best_support
from retrieval.tables import row_cells
from ui.html import esc, paragraph_html, popover, quote_html, row_html
from ui.markdown import escape_lines, escape_md, link_md

SHOWN_QUESTION_CHARS = 400
# the last turns are drawn in full, with their buttons; older ones as HTML only, OLDER_BLOCK turns a block. A rerun
# sends every element again and the browser redraws those that changed: each older turn drawn as elements cost the
# next answer 3-4 ms, one growing block 0.5-1 ms; blocks cut at fixed turns stay the same and cost nothing more
# (benchmarks/turn_latency.py, 60 turns)
RECENT_TURNS = 3
OLDER_BLOCK = 10


@dataclass(frozen=True)
class Support:
    """How well footnote `number`'s cited source supports quote `quote` (computed once per shown answer)."""

    quote: int
    number: int
    label: str
    passages: tuple[tuple[str, str], ...]    # (text, source) of the source's best passages


@dataclass(frozen=True)
class View:
    """What a shown answer needs beyond the Answer, computed once and kept in the session (small values)."""

    short: ShortAnswer | None
    supports: tuple[Support, ...]
    copies: tuple[tuple[str, ...], ...]      # per quote: other documents with the same content


def make_view(engine: Engine, turn: Turn, repeats: dict[str, str]) -> View:
    """Return the view of a turn: its short answer, its sources' support, its repeated documents."""
    a = turn.answer
    if a is None or a.abstained:
        return View(None, (), ())
    cited = {d.cites for d in engine.documents if d.cites is not None}
    supports = []
    for j, q in enumerate(a.quotes):
        for n in q.footnotes:
            if q.passage.kind != "footnote" and n in cited:
                label, _, found = best_support(engine, q, n)
                supports.append(Support(j, n, label, tuple((s.text, s.passage.source) for s in found)))
    copies = tuple(tuple(copies_of(q.passage.source, repeats)) for q in a.quotes)
    return View(a.short, tuple(supports), copies)


def error_text(turn: Turn, t: dict[str, str]) -> str:
    """Return the message for a turn without an answer, in the interface language."""
    if turn.error == "too_long":
        return t["too_long"].format(n=len(turn.question.strip()), max=MAX_QUESTION_CHARS)
    if turn.error == "empty":
        return t["empty"]
    return t["failed"].format(error=turn.error)


def render_question(question: str, t: dict[str, str]) -> None:
    """Show the question exactly as typed (shortened when very long)."""
    body = escape_lines(question[:SHOWN_QUESTION_CHARS])
    if len(question) > SHOWN_QUESTION_CHARS:
        body += escape_md(t["shortened"].format(n=len(question)))
    st.markdown(body)


def render_conversation(turns: list[Turn], views: list[View], engine: Engine, t: dict[str, str]) -> None:
    """Show the conversation: the last turns, and any brought back, in full; older turns as HTML blocks of up to
    OLDER_BLOCK turns, with one list bringing an older turn's buttons back."""
    first_recent = max(len(turns) - RECENT_TURNS, 0)
    opened = st.session_state.get("opened", ())
    closed = [i for i in range(first_recent) if i not in opened]
    shut = set(closed)
    block: list[str] = []
    for i, (turn, view) in enumerate(zip(turns, views)):
        if i in shut:
            block.append(older_html(turn, view, engine, t))
            if i % OLDER_BLOCK == OLDER_BLOCK - 1:          # a full block: the same HTML on every later rerun
                st.html("".join(block))
                block = []
            continue
        if block:
            st.html("".join(block))
            block = []
        if i == first_recent:
            pick_older(turns, closed, t)
        render_turn(i, turn, view, engine, t)             # the last turn is always recent: no block left


def render_turn(i: int, turn: Turn, view: View, engine: Engine, t: dict[str, str]) -> None:
    """Show one exchange in full: the question, then the scope it was asked in (when not all documents), the short
    answer and quotes with their buttons, the abstention or the message."""
    with st.chat_message("user"):
        render_question(turn.question, t)
    scoped = turn.scope.kind != "all"
    with st.chat_message("assistant", avatar=":material/format_quote:"):
        a = turn.answer
        if scoped:
            st.caption(":material/filter_alt: " + escape_md(scope_text(turn.scope, t)))
        if a is None:
            st.warning(escape_md(error_text(turn, t)))
        elif not a.abstained:
            if view.short is not None:
                st.html(short_html(view.short, a, engine, t))
            st.caption(escape_md(t["relevant"].format(n=len(a.quotes))))
            if a.english:
                st.caption(escape_md(t["in_indonesian"]))
            for j, q in enumerate(a.quotes):
                st.html(quote_block(j, q, a, view, engine, t))
                render_actions(i, j, q, a, view, engine, t)
            st.markdown(f"[:material/link: {escape_md(t['link'])}](?q={url_quote(turn.question, safe='')})")
        elif not a.related and not a.terms:
            st.warning(escape_md(t["no_words"]))
        else:
            render_not_found(a, t, scoped)


def older_html(turn: Turn, view: View, engine: Engine, t: dict[str, str]) -> str:
    """Return an older turn as HTML: what render_turn shows, without the buttons."""
    body = esc(turn.question[:SHOWN_QUESTION_CHARS])
    if len(turn.question) > SHOWN_QUESTION_CHARS:
        body += esc(t["shortened"].format(n=len(turn.question)))
    out = [f'<div class="kutip-old-q">{body}</div><div class="kutip-old-a">']
    a = turn.answer
    if turn.scope.kind != "all":
        out.append(_line(scope_text(turn.scope, t)))
    if a is None:
        out.append(f'<div class="kutip-old-warn">{esc(error_text(turn, t))}</div>')
    elif not a.abstained:
        out.append(short_html(view.short, a, engine, t) if view.short else "")
        out.append(_line(t["relevant"].format(n=len(a.quotes))))
        if a.english:
            out.append(_line(t["in_indonesian"]))
        out.extend(quote_block(j, q, a, view, engine, t) for j, q in enumerate(a.quotes))
        out.append(f'<div class="kutip-place"><a href="?q={esc(url_quote(turn.question, safe=""))}">'
                   f'{esc(t["link"])}</a></div>')
    elif not a.related and not a.terms:
        out.append(f'<div class="kutip-old-warn">{esc(t["no_words"])}</div>')
    else:
        out.append(f'<p><b>{esc(t["scope_empty"] if turn.scope.kind != "all" else t["not_found"])}</b></p>')
        if a.related:
            out.append(_line(t["related"]))
        out.extend(_line(q.text) + _line(place(q, t["page"], DOT)) for q in a.related)
    return "".join(out) + "</div>"


def _line(text: str) -> str:
    """Return one small grey line of plain text."""
    return f'<div class="kutip-place">{esc(text)}</div>'


def pick_older(turns: list[Turn], closed: list[int], t: dict[str, str]) -> None:
    """Offer one list of the older questions with quotes: the one picked gets its buttons back."""
    quoted = [i for i in closed if (a := turns[i].answer) is not None and not a.abstained]
    if quoted:
        st.selectbox(t["actions_pick"], quoted, index=None, key="older-pick", on_change=_open_picked,
                     format_func=lambda i: f"{i + 1}. {turns[i].question[:80]}", placeholder=t["actions_pick"],
                     label_visibility="collapsed")


def scope_text(scope: Scope, t: dict[str, str]) -> str:
    """Return where a question was searched, in the interface language (plain text)."""
    label = scope_names(t).get(scope.kind, scope.kind)
    if scope.kind == "one" and scope.document:
        label = f"{label}: {scope.document}"
    return t["asked_in"].format(scope=label)


def note_of(a: Answer, engine: Engine, n: int, source: str) -> Footnote | None:
    """Return footnote n as the quote's own document has it (the answer's, its document's first; else the engine's)."""
    same = [f for f in a.footnotes if f.number == n and f.source == source]
    return next(iter(same or [f for f in a.footnotes if f.number == n]), None) or engine.footnote(n, source)


def short_html(short: ShortAnswer, a: Answer, engine: Engine, t: dict[str, str]) -> str:
    """Return the short answer as one line, marked as taken from quote 1, with its footnotes."""
    q = a.quotes[0]
    notes = "".join(popover(n, note_of(a, engine, n, q.passage.source), t["footnote"], t["accessed"])
                    for n in q.footnotes)
    return (f'<div class="kutip-short-line">{esc(t["short"])}: <b class="kutip-answer">{esc(short.text)}</b> '
            f'<span class="kutip-from">({esc(t["from_quote"])}{notes})</span></div>')


def _open_picked() -> None:
    """Bring back the buttons under the older turn picked in the list (and empty the list again)."""
    i = st.session_state.get("older-pick")
    if i is not None:
        st.session_state["opened"] = {*st.session_state.get("opened", ()), i}
    st.session_state["older-pick"] = None


def quote_block(j: int, q: Quote, a: Answer, view: View, engine: Engine, t: dict[str, str]) -> str:
    """Return quote j as one HTML block: its text (a row as a small table) with footnote numbers that open in
    place, the short answer marked in quote 1, then its place and the other files holding the same content."""
    source = q.passage.source

    def note(n: int) -> str:
        return popover(n, note_of(a, engine, n, source), t["footnote"], t["accessed"])

    short = view.short if j == 0 else None
    cells = row_cells(q.passage)
    if cells is not None:
        title = q.text.split(" — ", 1)[0] if " — " in q.text else ""
        body = row_html(title, cells, "".join(note(n) for n in q.footnotes), short.text if short else None)
    else:
        own = quote_marks(q)
        trailing = [n for n in q.footnotes if n not in {m for _, m in own}]   # a cited source's own number
        body = quote_html(q.text, own + [(len(q.text), n) for n in trailing], a.terms, note,
                          (short.start, short.end) if short else None)
    foot = [place(q, t["page"], DOT)] + ([t["also_in"].format(names=", ".join(view.copies[j]))]
                                         if j < len(view.copies) and view.copies[j] else [])
    return body + "".join(_line(line) for line in foot)


def render_actions(i: int, j: int, q: Quote, a: Answer, view: View, engine: Engine, t: dict[str, str]) -> None:
    """Show a quote's buttons: source support (when the cited document is here), whole paragraph, reader view,
    citation; the paragraph or citation is drawn only for the one quote that asked for it."""
    source = q.passage.source

    def note(n: int) -> str:
        return popover(n, note_of(a, engine, n, source), t["footnote"], t["accessed"])

    key = f"{i}-{j}"
    supports = [s for s in view.supports if s.quote == j]
    with st.container(horizontal=True, gap="small"):
        for n in sorted({s.number for s in supports}):       # the cited document is here: how well it supports
            with st.popover(f"\\[{n}\\]", key=f"fn-{key}-{n}"):
                render_footnote(note_of(a, engine, n, source), n, t)
                for s in supports:
                    if s.number == n:
                        render_support(s, t)
        context = q.passage.context or q.passage.text
        if q.passage.kind != "row" and context.strip() != q.text.strip():
            st.button(t["context"], key=f"ctx-{key}", icon=":material/notes:", type="tertiary",
                      on_click=_toggle, args=("context", i, j))
        st.button(t["read"], key=f"read-{key}", icon=":material/menu_book:", type="tertiary",
                  on_click=_open_reader, args=(i, j))
        st.button(t["copy"], key=f"copy-{key}", icon=":material/content_copy:", type="tertiary",
                  on_click=_toggle, args=("citation", i, j), help=t["copy_help"])
    shown = st.session_state.get("more")          # one quote's paragraph or citation at a time: a long
    if shown == ("context", i, j):                # conversation sends only what is open
        st.html(paragraph_html(q.passage, q.start, q.end, a.terms, note))
    elif shown == ("citation", i, j):
        notes = [f for f in (note_of(a, engine, n, source) for n in q.footnotes) if f is not None]
        st.code(citation_text(q, notes), language=None, wrap_lines=True)


def _toggle(what: str, i: int, j: int) -> None:
    """Show (or hide again) one quote's whole paragraph or its ready-to-paste citation."""
    st.session_state["more"] = None if st.session_state.get("more") == (what, i, j) else (what, i, j)


def _open_reader(i: int, j: int) -> None:
    """Remember which quote to show in the reader view on this rerun."""
    st.session_state["reader"] = (i, j)


def render_footnote(note: Footnote | None, n: int, t: dict[str, str]) -> None:
    """Show a footnote in full: number and kind, description, clickable URL, access date."""
    if note is None:
        st.markdown(f"**{escape_md(t['footnote'])} {n}**")
        return
    st.markdown(f"**{escape_md(t['footnote'])} {n}** · {escape_md(kind_label(note.kind, t))}")
    if note.description:
        st.markdown(escape_md(note.description))
    if note.url:
        st.markdown(link_md(note.url))
    if note.accessed:
        st.caption(escape_md(t["accessed"].format(date=note.accessed)))


def render_support(s: Support, t: dict[str, str]) -> None:
    """Show how well the cited source supports the quote, with its best passages."""
    names = dict(zip(("strong", "weak", "not found"), t["support_labels"].split("|")))
    st.markdown(f"**{escape_md(t['support'].format(n=s.number, label=names[s.label]))}**")
    if s.label != "not found":
        for text, source in s.passages:
            st.caption(f"{escape_md(text)} — {escape_md(source)}")


def render_not_found(a: Answer, t: dict[str, str], scoped: bool = False) -> None:
    """Show the abstention, then the nearest passages greyed out: clearly not an answer."""
    st.markdown(f"**{escape_md(t['scope_empty'] if scoped else t['not_found'])}**")
    if a.related:
        st.caption(f"**{escape_md(t['related'])}**")
    for q in a.related:
        st.caption(f"{escape_md(q.text)}  \n_{escape_md(place(q, t['page'], DOT))}_")


def kind_label(kind: str, t: dict[str, str]) -> str:
    """Return the footnote kind in the interface language."""
    return t.get(f"kind_{kind}", kind)
