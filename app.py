"""Kutip in the browser: ask about the chapter, get verbatim quotes with their footnotes (`streamlit run app.py`)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from ui.text import lang, texts

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

ROOT = Path(__file__).resolve().parent
CORPUS_ENV = "KUTIP_CORPUS"
N_SUGGESTIONS = 4
# loads the trained reader beside a server's first page: no question waits for it (0.3 s), and that page's first
# answer does not wait either (0.90 s when the load did it before returning, 0.36 s without: benchmarks.app_latency)
WARM_THREAD = "kutip-warm"
ICON = ROOT / "docs" / "icon.png"     # served by this app: a page icon by name would be fetched from a font CDN


def first_paint() -> DeltaGenerator:
    """Set the page up and show the title at once, with "Menyiapkan Kutip…" on a session's first page; return
    the placeholder of that line (emptied once the engine is there)."""
    st.set_page_config(page_title="Kutip", page_icon=str(ICON), layout="centered")
    t = texts()                              # the language of the last run (its switch is drawn in the sidebar)
    st.title("Kutip", anchor=False)
    st.caption(t["tagline"])
    preparing = st.empty()
    if not st.session_state.get("ready"):    # a new page says at once that it is getting ready, before the rest
        preparing.caption(":material/hourglass_top: " + t["preparing"])
    return preparing


# A server's first page imports the rest for about a second (numpy, the core, the panels): the title and
# "Menyiapkan Kutip…" are on the page before that, not after.
PREPARING = first_paint()

import os  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402

# Every session of this server is a thread of one process.  While one of them computes in Python (an upload's
# engine unpacked, a page drawn), a thread that gives the GIL up often (the web socket's loop, numpy, SQLite)
# waits up to the switch interval to get it back, each time: beside an upload's handover a chapter answer of 10 ms
# took up to 0.29-0.55 s with CPython's 5 ms, 0.16-0.23 s with 0.5 ms (benchmarks/handover.py, docs/speed.md).
SWITCH_INTERVAL = 0.0005
sys.setswitchinterval(SWITCH_INTERVAL)

from retrieval import MAX_QUESTION_CHARS, Engine, buildproc, userdocs  # noqa: E402
from retrieval.buildproc import Built  # noqa: E402
from retrieval.cache import cache_dir  # noqa: E402
from retrieval.embedstore import Store  # noqa: E402
from retrieval.errors import BadQuestion, CorpusNotFound, KutipError  # noqa: E402
from retrieval.readers import describe_formats  # noqa: E402
from retrieval.render import Turn  # noqa: E402
from retrieval.scope import Scope, ask_within, keeper  # noqa: E402
from ui import meaning, sidebar  # noqa: E402
from ui.answer import View, make_view, render_conversation  # noqa: E402
from ui.html import STYLE  # noqa: E402
from ui.markdown import escape_md  # noqa: E402
from ui.page import add_page_script  # noqa: E402
from ui.reader import open_reader  # noqa: E402
from ui.session import uploads_dir  # noqa: E402
from ui.study import render_study, study_toggle  # noqa: E402


def corpus_dir() -> Path:
    """Return the corpus folder: $KUTIP_CORPUS, else corpus/ next to this file."""
    return Path(os.environ.get(CORPUS_ENV) or ROOT / "corpus")


@st.cache_resource(show_spinner=False, max_entries=8)
def load(corpus: str, corpus_sig: userdocs.Signature, docs: str | None, docs_sig: userdocs.Signature,
         _t: dict[str, str], filled: bool = False) -> Built:
    """Build (or load from the disk cache) the engine over the corpus plus the uploads (docs None: without them),
    once per content, with its suggestions and repeated documents.  Uploads embed at most meaning.BUDGET new
    sentences, the rest in the background; once filled, the engine takes their vectors without reading anything
    again.  Uploads of buildproc.MIN_BYTES or more are read, indexed and looked over in a worker process, so the
    other sessions of this server keep answering meanwhile; a session's own uploads never reach the disk cache."""
    if filled and docs is not None:
        engine = load(corpus, corpus_sig, docs, docs_sig, _t).engine.filled(
            Store(cache_dir(), write=userdocs.shared_library()))
        return buildproc.built(engine, N_SUGGESTIONS)
    bar = st.progress(0.0, text=_t["building"])

    def progress(stage: str, done: int, total: int) -> None:
        """Show the build's progress."""
        label = _t.get(f"stage_{stage}", stage)
        bar.progress(min(1.0, done / max(1, total)), text=f"{_t['building']} {label} {done}/{total}")

    try:
        if docs is None:
            built = buildproc.build(Path(corpus), progress, suggestions=N_SUGGESTIONS, worker=False)
            threading.Thread(target=built.engine.warm, daemon=True, name=WARM_THREAD).start()
            return built
        large = sum(size for _, size, _ in docs_sig) >= buildproc.MIN_BYTES
        with userdocs.combined_corpus(Path(corpus), Path(docs)) as folder:
            return buildproc.build(folder, progress, use_cache=userdocs.shared_library(), budget=meaning.BUDGET,
                                   suggestions=N_SUGGESTIONS, worker=large)
    finally:
        bar.empty()


def load_current(t: dict[str, str], docs: Path) -> Built:
    """Return the engine for the corpus and the uploads as they are now; if an upload breaks the build,
    say so and use the shipped corpus alone (the document can then be removed in the sidebar)."""
    corpus = corpus_dir()
    corpus_sig = userdocs.signature(corpus)
    if not userdocs.list_documents(docs):        # no uploads: the one engine every such session shares
        return load(str(corpus), corpus_sig, None, (), t)
    try:
        docs_sig = userdocs.signature(docs)
        loaded = load(str(corpus), corpus_sig, str(docs), docs_sig, t)
        job = meaning.job_for(loaded.engine, userdocs.shared_library()) if loaded.engine.todo else None
        if job is not None and job.finished and not job.too_large:
            return load(str(corpus), corpus_sig, str(docs), docs_sig, t, True)   # every sentence now embedded
        return loaded
    except CorpusNotFound:
        raise
    except Exception as e:            # noqa: BLE001 - shown as a message, never as a traceback
        if not userdocs.list_documents(docs):
            raise
        st.error(escape_md(t["user_docs_failed"].format(error=f"{type(e).__name__}: {e}")))
        return load(str(corpus), corpus_sig, None, (), t)


def ask(engine: Engine, question: str, top_k: int, repeats: dict[str, str], scope: Scope) -> Turn:
    """Return the turn for one question within the scope: its answer, or an error code the page explains."""
    try:
        return Turn(question, engine.read(ask_within(engine, question, top_k, keeper(engine, scope, repeats))),
                    scope=scope)
    except BadQuestion:
        return Turn(question, None, "too_long" if len(question.strip()) > MAX_QUESTION_CHARS else "empty", scope)
    except KutipError as e:
        return Turn(question, None, str(e), scope)


def has_passages(turn: Turn) -> bool:
    """Tell whether the turn got an answer or an abstention with related passages (worth a link)."""
    a = turn.answer
    return a is not None and bool(a.quotes or a.related)


def incoming_question(typed: str | None) -> str | None:
    """Return the question to ask on this run: typed, a clicked suggestion, or ?q= once per session."""
    state = st.session_state
    pending = state.pop("pending", None)
    from_url = None
    if not state.get("url_done"):
        state["url_done"] = True
        from_url = st.query_params.get("q")
    for q in (typed, pending, from_url):
        if q is not None:
            return q
    return None


def render_suggestions(suggestions: tuple[str, ...], t: dict[str, str]) -> None:
    """Show the suggested questions as buttons that ask them."""
    if not suggestions:
        return
    st.markdown(f"**{escape_md(t['try'])}**")
    for k, s in enumerate(suggestions):
        st.button(escape_md(s), key=f"suggest-{k}", icon=":material/help:", type="secondary",
                  on_click=_set_pending, args=(s,))


def _set_pending(question: str) -> None:
    """Remember a question to ask on this rerun (a suggestion was clicked)."""
    st.session_state["pending"] = question


def conversation(loaded: Built) -> tuple[list[Turn], list[View]]:
    """Return the turns and their views, asked again (each in its own scope) only when the quote count or the
    documents changed; a new scope applies to the questions asked after it."""
    state = st.session_state
    engine, repeats = loaded.engine, dict(loaded.repeats)
    turns: list[Turn] = state.setdefault("turns", [])
    views: list[View] = state.setdefault("views", [])
    settings = (id(engine), int(state.get("top_k", sidebar.TOP_K[2])))
    if state.get("asked_with") != settings:          # the quote count or the documents changed
        turns[:] = [ask(engine, turn.question, settings[1], repeats, turn.scope) if turn.answer is not None
                    else turn for turn in turns]
        views[:] = [make_view(engine, turn, repeats) for turn in turns]
        state["asked_with"] = settings
    return turns, views


def main() -> None:
    """Lay out the rest of the page (title first_paint's): settings, engine, sidebar, conversation, chat box."""
    st.html(STYLE)
    t = texts()
    sidebar.settings()
    add_page_script(t)
    studying = study_toggle(lang())          # sidebar "Tanya / Belajar": the study aids live in ui/study.py
    typed = None if studying else st.chat_input(t["placeholder"])
    docs = uploads_dir()
    try:
        loaded = load_current(t, docs)
        PREPARING.empty()
        st.session_state["ready"] = True
    except CorpusNotFound:
        st.error(escape_md(t["no_corpus"].format(path=corpus_dir(), formats=describe_formats())))
        st.stop()
    except Exception as e:              # the page never shows a traceback
        st.error(escape_md(t["load_failed"].format(error=f"{type(e).__name__}: {e}")))
        st.stop()
    engine, repeats = loaded.engine, dict(loaded.repeats)
    if engine.todo:                                 # an upload's meaning is being worked out in the background
        meaning.status_line(meaning.job_for(engine, userdocs.shared_library()), t)
    elif not engine.dense_status.loaded:            # said once, above the conversation; answers still come
        st.info(escape_md(t["lexical_only"].format(reason=engine.dense_status.reason)))
    with st.sidebar:
        scope = sidebar.scope(engine, repeats, t)
    turns, views = conversation(loaded)
    question = None if studying else incoming_question(typed)
    if question is not None:
        turn = ask(engine, question, int(st.session_state.get("top_k", sidebar.TOP_K[2])), repeats, scope)
        turns.append(turn)
        views.append(make_view(engine, turn, repeats))
        if has_passages(turn):
            st.query_params["q"] = question
    if studying:
        render_study(engine, lang())
    elif not turns:
        render_suggestions(loaded.suggestions, t)
    if not studying:
        render_conversation(turns, views, engine, t)
    reader = st.session_state.get("reader")
    if (reader and reader[0] < len(turns) and turns[reader[0]].answer
            and reader[1] < len(turns[reader[0]].answer.quotes)):
        open_reader(engine, turns[reader[0]].answer.quotes[reader[1]], t)
    with st.sidebar:
        sidebar.conversation(turns, ", ".join(d.source for d in engine.documents
                                              if d.status == "indexed" and d.cites is None), t)
        sidebar.sources(engine, repeats, t)
        sidebar.documents(engine, docs, repeats, t)


main()
