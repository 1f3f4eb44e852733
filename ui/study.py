"""The study aids in the app: Peta bab, Linimasa, Istilah, Latihan (cards and quiz), Cek rujukan, export."""
from __future__ import annotations

import streamlit as st

from retrieval import Engine, Quote
from retrieval.headings import without_numbering
from retrieval.render import DOT, place, quote_marks
from retrieval.strings import BOTH, TEXT
from retrieval.study import Study, build_study
from retrieval.study.export import anki_tsv, study_markdown
from ui.markdown import escape_md, footnote_md, highlighted_md

QUIZ_LENGTH = 10               # questions in a quiz unless the corpus has fewer cards with choices
N_CARDS = 20                   # cards made for the practice tab (the figure: 20 cards, >= 5 sections)
STYLE = """<style>
[data-testid="stTabs"] blockquote {
  opacity: 1; color: inherit; border-left: 4px solid #b5652e; background: #fdf8f3; margin: 0;
  padding: .6rem .9rem; border-radius: 0 .5rem .5rem 0; font-family: Georgia, "Source Serif Pro", serif;
  line-height: 1.6;
}
[data-testid="stTabs"] blockquote p { margin: 0; }
</style>"""                     # the quotes look like the chat's quotes (app.py's STYLE covers chat and sidebar)


def study_toggle(lang: str) -> bool:
    """Draw the Tanya / Belajar switch in the sidebar; return True when studying."""
    t = TEXT[lang]
    with st.sidebar:
        choice = st.segmented_control(t["mode"], ["ask", "study"], format_func=lambda k: t[k], key="mode",
                                      default="ask")
    return choice == "study"


@st.cache_resource(show_spinner=False, max_entries=4)
def _study(_engine: Engine, key: tuple[float, int]) -> Study:
    """Return every aid for the shared engine, computed once per engine (key: when and which it was built)."""
    return build_study(_engine, n_cards=N_CARDS)


def render_study(engine: Engine, lang: str) -> None:
    """Draw the study aids as tabs."""
    t = TEXT[lang]
    with st.spinner(t["study_preparing"]):
        study = _study(engine, (engine.built_at, len(engine.passages)))
    st.html(STYLE)                       # no intro line: the tagline above says it, and the tabs stay in view
    tabs = st.tabs([t["outline"], t["timeline"], t["glossary"], t["practice"], t["check"], t["export"]])
    with tabs[0]:
        render_outline(study, engine, t)
    with tabs[1]:
        render_timeline(study, engine, t)
    with tabs[2]:
        render_glossary(study, engine, t)
    with tabs[3]:
        render_practice(study, engine, t)
    with tabs[4]:
        render_check(study, engine, t)
    with tabs[5]:
        render_export(study, engine, t, lang)


def show_quote(q: Quote, engine: Engine, t: dict[str, str]) -> None:
    """Show a quote as a quotation (escaped, footnote badges), its place, and its footnotes in full."""
    body = highlighted_md(q.text, (), quote_marks(q))
    st.markdown("> " + body.replace("  \n", "  \n> "))
    st.caption(":material/description: " + escape_md(place(q, t["page"], DOT)))
    for n in q.footnotes:
        note = engine.footnote(n, q.passage.source)
        if note is not None:
            st.caption(footnote_md(note))


def render_outline(study: Study, engine: Engine, t: dict[str, str]) -> None:
    """Show each section: its title, the footnotes it cites, its key sentences and a link asking about it."""
    if not study.outline:
        st.info(escape_md(BOTH["sections"]))
    for k, s in enumerate(study.outline):
        label = ("· " * s.level) + s.title
        with st.expander(escape_md(label), expanded=s.level <= 1 and k < 3, key=f"outline-{k}"):
            notes = (t["section_footnotes"].format(n=len(s.footnotes), list=", ".join(map(str, s.footnotes)))
                     if s.footnotes else t["section_no_footnotes"])
            st.caption(escape_md(notes))
            for q in s.key:
                show_quote(q, engine, t)
            topic = without_numbering(s.title).strip() or s.title
            st.button(t["ask_section"], key=f"ask-section-{k}", icon=":material/help:", type="tertiary",
                      on_click=_ask_section, args=(t["section_question"].format(topic=topic),))


def _ask_section(question: str) -> None:
    """Ask about a section in this session: back to Tanya, with the question waiting to be asked."""
    st.session_state["pending"] = question
    st.session_state["mode"] = "ask"


def render_timeline(study: Study, engine: Engine, t: dict[str, str]) -> None:
    """Show the dated events in date order, each with its quote."""
    if not study.timeline:
        st.info(escape_md(BOTH["events"]))
    for e in study.timeline:
        head = f"**{escape_md(e.text_date)}**"
        if e.end and e.end_text and e.end_text != e.text_date:
            head += f" → **{escape_md(e.end_text)}**" + (f" ({escape_md(e.duration)})" if e.duration else "")
        same = e.precision == "year" and e.date in e.text_date          # "tahun 1992" says 1992 already
        st.markdown(f":material/event: {head}" + ("" if same else f" · `{e.date}`"))   # "1973", not "1973 · 1973"
        show_quote(e.quote, engine, t)


def render_glossary(study: Study, engine: Engine, t: dict[str, str]) -> None:
    """Show the defined terms and abbreviations, then the abbreviations never written out."""
    if not study.glossary:
        st.info(escape_md(BOTH["terms"]))
    defined = [g for g in study.glossary if g.kind != "unexpanded"]
    for g in defined:
        st.markdown(f"**{escape_md(g.term)}**" + (f" — {escape_md(g.expansion)}" if g.expansion else ""))
        show_quote(g.quote, engine, t)
        for q in g.also:
            show_quote(q, engine, t)
    never = [g for g in study.glossary if g.kind == "unexpanded"]
    if never:
        st.subheader(escape_md(t["unexpanded_heading"]), anchor=False)
        for g in never:
            with st.expander(f"{escape_md(g.term)} · {escape_md(t['uses'].format(n=g.uses))}"):
                show_quote(g.quote, engine, t)


def render_practice(study: Study, engine: Engine, t: dict[str, str]) -> None:
    """Show the flashcards, or the quiz: N multiple-choice questions, checked one by one, with a score."""
    if not study.cards:
        st.info(escape_md(BOTH["cards"]))
        return
    mode = st.radio(t["practice"], ["quiz", "cards"], format_func=lambda k: t[k], horizontal=True,
                    key="practice-mode", label_visibility="collapsed")
    if mode == "cards":
        for k, c in enumerate(study.cards):
            st.markdown(f"**{k + 1}.** {escape_md(c.prompt)}")
            with st.expander(t["show_answer"], key=f"card-{k}"):
                st.markdown(f"**{escape_md(t['answer'])}:** {escape_md(c.answer)}")
                show_quote(c.quote, engine, t)
        return
    render_quiz(study, engine, t)


def render_quiz(study: Study, engine: Engine, t: dict[str, str]) -> None:
    """Ask the quiz's current question, or show the score when all are answered."""
    cards = [c for c in study.cards if c.choices][:QUIZ_LENGTH]
    if not cards:
        st.info(escape_md(t["no_quiz"]))
        return
    quiz = st.session_state.setdefault("quiz", {"i": 0, "score": 0, "answered": None})
    if quiz["i"] >= len(cards):
        st.success(escape_md(t["score"].format(score=quiz["score"], n=len(cards))))
        st.button(t["restart"], icon=":material/restart_alt:", on_click=_restart, key="quiz-restart")
        return
    c = cards[quiz["i"]]
    st.caption(escape_md(t["question"].format(i=quiz["i"] + 1, n=len(cards))))
    st.markdown(escape_md(c.prompt))
    choice = st.radio(t["choose"], range(len(c.choices)), format_func=lambda j: c.choices[j], index=None,
                      key=f"quiz-choice-{quiz['i']}", disabled=quiz["answered"] is not None)
    if quiz["answered"] is None:
        st.button(t["check_answer"], on_click=_answer, args=(choice, c.choices, c.answer),
                  disabled=choice is None, key="quiz-check", type="primary")
        return
    if quiz["answered"]:
        st.success(escape_md(t["right"]))
    else:
        st.error(escape_md(t["wrong"].format(answer=c.answer)))
    show_quote(c.quote, engine, t)
    st.button(t["next"], on_click=_next, key="quiz-next", type="primary")


def _answer(choice: int | None, choices: tuple[str, ...], answer: str) -> None:
    """Record whether the chosen answer is right."""
    quiz = st.session_state["quiz"]
    if choice is None or quiz["answered"] is not None:
        return
    right = choices[choice] == answer
    quiz["answered"] = right
    quiz["score"] += int(right)


def _next() -> None:
    """Go to the next question."""
    quiz = st.session_state["quiz"]
    quiz["i"] += 1
    quiz["answered"] = None


def _restart() -> None:
    """Start the quiz again."""
    for key in [k for k in st.session_state if str(k).startswith("quiz-choice-")]:
        del st.session_state[key]
    st.session_state["quiz"] = {"i": 0, "score": 0, "answered": None}


def render_check(study: Study, engine: Engine, t: dict[str, str]) -> None:
    """Show, section by section, the sentences stating a fact without a footnote; then each footnote's citers."""
    check = study.check
    if not check.cited:
        st.info(escape_md(BOTH["no_footnotes"]))
    st.subheader(escape_md(t["uncited"]), anchor=False)
    if not check.uncited:
        st.success(escape_md(BOTH["uncited"]))
    else:
        st.caption(escape_md(t["why_help"]))
    section = None
    for u in check.uncited:
        if u.section != section:
            section = u.section
            st.markdown(f"**{escape_md(section or u.quote.passage.source)}**")
        st.markdown(f":orange-badge[{escape_md(t['why_' + u.why])}] {escape_md(u.fact)}")
        st.markdown("> " + highlighted_md(u.quote.text).replace("  \n", "  \n> "))
    if check.cited:
        st.subheader(escape_md(t["cited"]), anchor=False)
    for n, quotes in check.cited:
        with st.expander(f"\\[{n}\\] · {len(quotes)}", key=f"cited-{n}"):
            note = engine.footnote(n, quotes[0].passage.source) if quotes else None
            if note is not None:
                st.caption(footnote_md(note))
            for q in quotes:
                st.markdown("> " + highlighted_md(q.text, (), quote_marks(q)).replace("  \n", "  \n> "))


def render_export(study: Study, engine: Engine, t: dict[str, str], lang: str) -> None:
    """Offer the study sheet and the Anki cards as downloads."""
    st.caption(escape_md(t["export_help"]))
    st.download_button(t["sheet"], study_markdown(study, engine, lang), file_name="kutip-lembar-belajar.md",
                       mime="text/markdown", icon=":material/download:", key="dl-sheet")
    st.download_button(t["anki"], anki_tsv(study.cards, engine, lang), file_name="kutip-kartu-anki.tsv",
                       mime="text/tab-separated-values", icon=":material/download:", key="dl-anki")
