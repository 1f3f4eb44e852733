"""Kutip in the browser: ask about the chapter, get verbatim quotes with their footnotes (`streamlit run app.py`)."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import quote as url_quote, urlsplit

import streamlit as st

from retrieval import userdocs
from retrieval.engine import MAX_QUESTION_CHARS, Engine
from retrieval.errors import BadQuestion, CorpusNotFound, KutipError
from retrieval.model import Answer, Footnote, Quote
from retrieval.readers import describe_formats
from retrieval.present import NOT_FOUND, RELATED
from retrieval.suggest import suggest_questions
from retrieval.sources import best_support
from retrieval.transcript import (Turn, context_md, conversation_markdown, escape_lines, escape_md, footnote_for,
                                  footnote_md, highlighted_md, link_md, quote_marks, safe_url)

ROOT = Path(__file__).resolve().parent
CORPUS_ENV = "KUTIP_CORPUS"
N_SUGGESTIONS = 4
SHOWN_QUESTION_CHARS = 400

TEXT: dict[str, dict[str, str]] = {
    "id": {
        "tagline": "Tanyakan isi bab ini. Jawabannya kutipan kata demi kata dari teks, lengkap dengan "
                   "tempatnya dan catatan kakinya.",
        "placeholder": "Tulis pertanyaan, mis. Kapan MoU Batam dan Gimje ditandatangani?",
        "language": "Bahasa / Language",
        "top_k": "Jumlah kutipan",
        "building": "Menyiapkan indeks…",
        "stage_read": "membaca berkas",
        "stage_structure": "menyusun bagian",
        "stage_tokenise": "memecah kalimat",
        "stage_analyse": "menganalisis kalimat",
        "stage_import": "memuat scikit-learn",
        "stage_index": "mengindeks",
        "no_corpus": "Folder korpus tidak ditemukan: {path}. Atur variabel lingkungan KUTIP_CORPUS ke folder "
                     "yang berisi bab ({formats}).",
        "load_failed": "Indeks tidak dapat dibuat: {error}",
        "user_docs_failed": "Dokumen Anda tidak dapat diindeks ({error}); sementara hanya bab ini yang dicari. "
                            "Hapus dokumen yang bermasalah di bilah samping.",
        "try": "Coba tanyakan:",
        "empty": "Pertanyaannya kosong. Tulis pertanyaan tentang isi bab ini.",
        "too_long": "Pertanyaan terlalu panjang ({n} karakter; maksimal {max}). Persingkat pertanyaannya.",
        "no_words": "Pertanyaan ini tidak berisi kata yang bisa dicari. Tulis pertanyaan dengan kata-kata, "
                    "mis. “Apa saja tujuan kerjasama sister city?”",
        "failed": "Pertanyaan tidak dapat dijawab: {error}",
        "not_found": NOT_FOUND["id"],
        "related": RELATED["id"],
        "context": "Paragraf lengkap",
        "page": "hlm.",
        "footnote": "Catatan kaki",
        "accessed": "Diakses: {date}",
        "support": "Dukungan dari sumber [{n}]: {label}",
        "support_labels": "kuat|lemah|tidak ditemukan",
        "link": "Tautan ke pertanyaan ini",
        "shortened": "… (dipotong; {n} karakter)",
        "sources": "Sumber / Daftar pustaka",
        "choose_footnote": "Lihat kutipan yang merujuk ke catatan kaki",
        "choose_placeholder": "Pilih nomor catatan kaki",
        "cited_by": "Dirujuk oleh {n} bagian teks:",
        "cited_by_none": "Tidak ada bagian teks yang merujuk ke catatan kaki ini.",
        "no_footnotes": "Belum ada catatan kaki.",
        "indexed": "Yang diindeks",
        "passages": "{n} bagian teks",
        "skipped": "dilewati",
        "built": "Indeks dibuat {when}",
        "your_docs": "Dokumen Anda",
        "upload": "Tambah dokumen ({formats})",
        "upload_help": "Disimpan di {folder} dan langsung bisa ditanyakan.",
        "uploaded": "Tersimpan sebagai “{name}”.",
        "upload_failed": "Berkas tidak disimpan: {error}",
        "remove": "Hapus {name}",
        "removed": "“{name}” dihapus.",
        "conversation": "Percakapan",
        "download": "Unduh percakapan (.md)",
        "clear": "Percakapan baru",
        "kind_web": "web", "kind_book": "buku", "kind_journal": "jurnal", "kind_official": "dokumen resmi",
        "kind_other": "lainnya",
    },
    "en": {
        "tagline": "Ask about this chapter. Answers are word-for-word quotes from the text, with where they "
                   "stand and their footnotes.",
        "placeholder": "Ask a question, e.g. Kapan MoU Batam dan Gimje ditandatangani?",
        "language": "Bahasa / Language",
        "top_k": "Number of quotes",
        "building": "Preparing the index…",
        "stage_read": "reading files",
        "stage_structure": "structuring",
        "stage_tokenise": "splitting sentences",
        "stage_analyse": "analysing sentences",
        "stage_import": "loading scikit-learn",
        "stage_index": "indexing",
        "no_corpus": "Corpus folder not found: {path}. Set the KUTIP_CORPUS environment variable to a folder "
                     "holding the chapter ({formats}).",
        "load_failed": "The index could not be built: {error}",
        "user_docs_failed": "Your documents could not be indexed ({error}); only the chapter is searched for now. "
                            "Remove the faulty document in the sidebar.",
        "try": "Try asking:",
        "empty": "The question is empty. Write a question about this chapter.",
        "too_long": "The question is too long ({n} characters; at most {max}). Please shorten it.",
        "no_words": "This question has no words to search for. Ask in words, e.g. "
                    "“Apa saja tujuan kerjasama sister city?”",
        "failed": "The question could not be answered: {error}",
        "not_found": NOT_FOUND["en"],
        "related": RELATED["en"],
        "context": "Whole paragraph",
        "page": "p.",
        "footnote": "Footnote",
        "accessed": "Accessed: {date}",
        "support": "Support from source [{n}]: {label}",
        "support_labels": "strong|weak|not found",
        "link": "Link to this question",
        "shortened": "… (shortened; {n} characters)",
        "sources": "Sources / Bibliography",
        "choose_footnote": "See the passages citing a footnote",
        "choose_placeholder": "Choose a footnote number",
        "cited_by": "Cited by {n} passage(s):",
        "cited_by_none": "No passage cites this footnote.",
        "no_footnotes": "No footnotes yet.",
        "indexed": "Indexed",
        "passages": "{n} passage(s)",
        "skipped": "skipped",
        "built": "Index built {when}",
        "your_docs": "Your documents",
        "upload": "Add a document ({formats})",
        "upload_help": "Stored in {folder} and searchable at once.",
        "uploaded": "Saved as “{name}”.",
        "upload_failed": "File not saved: {error}",
        "remove": "Remove {name}",
        "removed": "“{name}” removed.",
        "conversation": "Conversation",
        "download": "Download conversation (.md)",
        "clear": "New conversation",
        "kind_web": "web", "kind_book": "book", "kind_journal": "journal", "kind_official": "official document",
        "kind_other": "other",
    },
}
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}

STYLE = """<style>
.stChatMessage blockquote, [data-testid="stSidebar"] blockquote {
  opacity: 1; color: inherit; border-left: 4px solid #b5652e; background: #fdf8f3; margin: 0;
  padding: .7rem 1rem; border-radius: 0 .5rem .5rem 0; font-family: Georgia, "Source Serif Pro", serif;
  font-size: 1.05rem; line-height: 1.65;
}
[data-testid="stSidebar"] blockquote { font-size: .9rem; padding: .4rem .6rem; }
blockquote p { margin: 0; }
blockquote .stMarkdownColoredBackground {
  background-color: #fde3a7 !important; border-radius: .2rem; padding: 0 .1rem !important; margin: 0 !important;
}
blockquote .stMarkdownBadge { font-family: "Source Sans Pro", sans-serif; }
</style>"""


@dataclass(frozen=True)
class Loaded:
    """The shared, never-mutated engine and the suggestions computed once for it."""

    engine: Engine
    suggestions: tuple[str, ...]


def corpus_dir() -> Path:
    """Return the corpus folder: $KUTIP_CORPUS, else corpus/ next to this file."""
    return Path(os.environ.get(CORPUS_ENV) or ROOT / "corpus")


@st.cache_resource(show_spinner=False, max_entries=4)
def load(corpus: str, corpus_sig: userdocs.Signature, docs: str | None, docs_sig: userdocs.Signature,
         _t: dict[str, str]) -> Loaded:
    """Build (or load from the disk cache) the engine over the corpus plus the user's documents (docs None: without
    them), once per content; the suggestions are made here too, once per engine."""
    bar = st.progress(0.0, text=_t["building"])

    def progress(stage: str, done: int, total: int) -> None:
        """Show the build's progress."""
        label = _t.get(f"stage_{stage}", stage)
        bar.progress(min(1.0, done / max(1, total)), text=f"{_t['building']} {label} {done}/{total}")

    try:
        if docs is None:
            engine = Engine.build(Path(corpus), progress=progress)
        else:
            with userdocs.combined_corpus(Path(corpus), Path(docs)) as folder:
                engine = Engine.build(folder, progress=progress)
    finally:
        bar.empty()
    return Loaded(engine, tuple(suggest_questions(engine, N_SUGGESTIONS)))


def load_current(t: dict[str, str]) -> Loaded:
    """Return the engine for the corpus and user documents as they are now; if a user document breaks the build,
    say so and use the shipped corpus alone (the document can then be removed in the sidebar)."""
    corpus, docs = corpus_dir(), userdocs.user_docs_dir()
    corpus_sig = userdocs.signature(corpus)
    try:
        return load(str(corpus), corpus_sig, str(docs), userdocs.signature(docs), t)
    except CorpusNotFound:
        raise
    except Exception as e:            # noqa: BLE001 - shown as a message, never as a traceback
        if not userdocs.list_documents(docs):
            raise
        st.error(escape_md(t["user_docs_failed"].format(error=f"{type(e).__name__}: {e}")))
        return load(str(corpus), corpus_sig, None, (), t)


def ask(engine: Engine, question: str, top_k: int) -> Turn:
    """Return the turn for one question: its answer, or an error code the page explains."""
    try:
        return Turn(question, engine.ask(question, top_k=top_k))
    except BadQuestion:
        return Turn(question, None, "too_long" if len(question.strip()) > MAX_QUESTION_CHARS else "empty")
    except KutipError as e:
        return Turn(question, None, str(e))


def has_passages(turn: Turn) -> bool:
    """Tell whether the turn got an answer or an abstention with related passages (worth a link)."""
    a = turn.answer
    return a is not None and bool(a.quotes or a.related)


def error_text(turn: Turn, t: dict[str, str]) -> str:
    """Return the message for a turn without an answer, in the interface language."""
    if turn.error == "too_long":
        return t["too_long"].format(n=len(turn.question.strip()), max=MAX_QUESTION_CHARS)
    if turn.error == "empty":
        return t["empty"]
    return t["failed"].format(error=turn.error)


# --- rendering -----------------------------------------------------------------------------------------------
def render_question(question: str, t: dict[str, str]) -> None:
    """Show the question exactly as typed (shortened when very long)."""
    body = escape_lines(question[:SHOWN_QUESTION_CHARS])
    if len(question) > SHOWN_QUESTION_CHARS:
        body += escape_md(t["shortened"].format(n=len(question)))
    st.markdown(body)


def render_turn(i: int, turn: Turn, engine: Engine, t: dict[str, str]) -> None:
    """Show one exchange: the question, then the quotes, the abstention or the message."""
    with st.chat_message("user"):
        render_question(turn.question, t)
    with st.chat_message("assistant", avatar=":material/format_quote:"):
        a = turn.answer
        if a is None:
            st.warning(escape_md(error_text(turn, t)))
        elif not a.abstained:
            for j, q in enumerate(a.quotes):
                render_quote(q, a, engine, t, f"{i}-{j}")
            st.markdown(f"[:material/link: {escape_md(t['link'])}](?q={url_quote(turn.question, safe='')})")
        elif not a.related and not a.terms:
            st.warning(escape_md(t["no_words"]))
        else:
            render_not_found(a, t)


def render_quote(q: Quote, a: Answer, engine: Engine, t: dict[str, str], key: str) -> None:
    """Show one quote as a quotation: highlighted words, footnote marks, its place, footnotes and paragraph."""
    body = highlighted_md(q.text, a.terms, quote_marks(q))
    st.markdown("> " + body.replace("  \n", "  \n> "))
    st.caption(":material/description: " + escape_md(place(q, t)))
    if q.footnotes:
        with st.container(horizontal=True, gap="small"):
            for n in q.footnotes:
                note = footnote_for(a, n, q.passage.source) or engine.footnote(n, q.passage.source)
                with st.popover(f"\\[{n}\\]", key=f"fn-{key}-{n}"):
                    render_footnote(note, n, t)
                render_support(engine, q, n, t)
    context = q.passage.context or q.passage.text
    if context.strip() != q.text.strip():
        with st.expander(t["context"], icon=":material/notes:", key=f"ctx-{key}"):
            st.markdown(context_md(context, q.text, a.terms))


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


def render_support(engine: Engine, q: Quote, n: int, t: dict[str, str]) -> None:
    """Under footnote n, show the best passages of the source it cites and how well they support the quote."""
    if q.passage.kind == "footnote" or not any(d.cites == n for d in engine.documents):
        return
    label, _, quotes = best_support(engine, q, n)
    names = dict(zip(("strong", "weak", "not found"), t["support_labels"].split("|")))
    st.markdown(f"**{escape_md(t['support'].format(n=n, label=names[label]))}**")
    if label != "not found":
        for sq in quotes:
            st.caption(f"{escape_md(sq.text)} — {escape_md(sq.passage.source)}")


def render_not_found(a: Answer, t: dict[str, str]) -> None:
    """Show the abstention, then the nearest passages greyed out: clearly not an answer."""
    st.markdown(f"**{escape_md(t['not_found'])}**")
    if a.related:
        st.caption(f"**{escape_md(t['related'])}**")
    for q in a.related:
        st.caption(f"{escape_md(q.text)}  \n_{escape_md(place(q, t))}_")


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


def place(q: Quote, t: dict[str, str]) -> str:
    """Return where a quote stands: source file · section path · page (plain text)."""
    parts = [q.passage.source]
    if q.passage.section:
        parts.append(q.passage.section_path)
    if q.page is not None:
        parts.append(f"{t['page']} {q.page}")
    return " · ".join(parts)


def kind_label(kind: str, t: dict[str, str]) -> str:
    """Return the footnote kind in the interface language."""
    return t.get(f"kind_{kind}", kind)


# --- sidebar -------------------------------------------------------------------------------------------------
def sidebar_settings() -> None:
    """Show the language and the number of quotes (before anything else, so the rest reads them)."""
    with st.sidebar:
        st.radio(TEXT["id"]["language"], list(LANGUAGES), format_func=LANGUAGES.get, key="lang", horizontal=True)
        t = TEXT[lang()]
        st.slider(t["top_k"], 1, 5, 3, key="top_k")


def sidebar_sources(engine: Engine, t: dict[str, str]) -> None:
    """Show every footnote (number, kind, link) and, for the chosen one, the passages citing it."""
    st.subheader(t["sources"])
    notes = engine.footnotes
    if not notes:
        st.caption(t["no_footnotes"])
        return
    several = len({f.source for f in notes}) > 1
    for f in notes:
        label = f"**\\[{f.number}\\]** {escape_md(kind_label(f.kind, t))}"
        if several:
            label += f" · {escape_md(f.source)}"
        label += f" · {escape_md(f.description)}"
        if f.url and safe_url(f.url):
            label += f" [{escape_md(urlsplit(f.url).netloc)} :material/open_in_new:]({safe_url(f.url)})"
        st.markdown(label)
    choice = st.selectbox(t["choose_footnote"], range(len(notes)), index=None, key="footnote_choice",
                          placeholder=t["choose_placeholder"],
                          format_func=lambda k: f"[{notes[k].number}] {notes[k].description[:60]}")
    if choice is not None:
        f = notes[choice]
        st.markdown(footnote_md(f))
        citing = [p for p in engine.citing(f.number) if not several or p.source == f.source]
        st.caption(t["cited_by"].format(n=len(citing)) if citing else t["cited_by_none"])
        for p in citing:
            st.markdown("> " + highlighted_md(p.text, (), [m for m in p.marks if m[1] == f.number])
                        .replace("  \n", "  \n> "))
            st.caption(escape_md(" · ".join([p.source, *([p.section_path] if p.section else [])])))


def sidebar_documents(engine: Engine, t: dict[str, str]) -> None:
    """Show the upload box, the user's documents (removable) and what the index holds."""
    folder = userdocs.user_docs_dir()
    st.subheader(t["your_docs"])
    gen = st.session_state.setdefault("upload_gen", 0)
    st.file_uploader(t["upload"].format(formats=describe_formats()), type=[s.lstrip(".") for s in userdocs.ALLOWED],
                     key=f"upload-{gen}",
                     max_upload_size=userdocs.MAX_BYTES // 1_048_576, on_change=_on_upload, args=(f"upload-{gen}",),
                     help=t["upload_help"].format(folder=folder))
    flash = st.session_state.pop("flash", None)
    if flash:
        (st.success if flash[0] == "ok" else st.error)(escape_md(t[flash[1]].format(**flash[2])))
    for name in userdocs.list_documents(folder):
        cols = st.columns([5, 1], vertical_alignment="center")
        cols[0].markdown(f":material/description: {escape_md(name)}")
        cols[1].button("", icon=":material/delete:", key=f"remove-{name}", help=t["remove"].format(name=name),
                       on_click=_on_remove, args=(name,), type="tertiary")
    with st.expander(t["indexed"], icon=":material/inventory_2:"):
        for d in engine.documents:
            if d.status == "indexed":
                st.markdown(f":material/check_circle: {escape_md(d.source)} — {t['passages'].format(n=d.passages)}")
            else:
                st.markdown(f":material/warning: {escape_md(d.source)} — {t['skipped']}: {escape_md(d.reason)}")
        when = datetime.fromtimestamp(engine.built_at).strftime("%d-%m-%Y %H:%M")
        st.caption(t["built"].format(when=when))


def _on_upload(key: str) -> None:
    """Store the uploaded file in the user's folder and reset the uploader."""
    f = st.session_state.get(key)
    if f is None:
        return
    try:
        path = userdocs.save_document(f.name, f.getvalue())
        st.session_state["flash"] = ("ok", "uploaded", {"name": path.name})
    except (KutipError, OSError) as e:
        st.session_state["flash"] = ("error", "upload_failed", {"error": str(e)})
    st.session_state["upload_gen"] = st.session_state.get("upload_gen", 0) + 1


def _on_remove(name: str) -> None:
    """Delete one of the user's documents."""
    if userdocs.remove_document(name):
        st.session_state["flash"] = ("ok", "removed", {"name": name})


def sidebar_conversation(turns: list[Turn], t: dict[str, str]) -> None:
    """Offer the conversation as Markdown and a fresh start."""
    if not turns:
        return
    st.subheader(t["conversation"])
    shown = [turn if turn.answer is not None else replace(turn, error=error_text(turn, t)) for turn in turns]
    st.download_button(t["download"], conversation_markdown(shown, lang()), file_name="kutip-percakapan.md",
                       mime="text/markdown", icon=":material/download:")
    st.button(t["clear"], icon=":material/restart_alt:", on_click=_clear)


def _clear() -> None:
    """Forget the conversation and the question in the address bar."""
    st.session_state["turns"] = []
    st.query_params.pop("q", None)


def lang() -> str:
    """Return the interface language chosen in the sidebar."""
    return st.session_state.get("lang") or "id"


# --- the page ------------------------------------------------------------------------------------------------
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


def main() -> None:
    """Lay out the page: settings, title, engine, sidebar, conversation, chat box."""
    st.set_page_config(page_title="Kutip", page_icon=":material/format_quote:", layout="centered")
    st.html(STYLE)
    sidebar_settings()
    t = TEXT[lang()]
    st.title("Kutip", anchor=False)
    st.caption(t["tagline"])
    typed = st.chat_input(t["placeholder"])
    try:
        loaded = load_current(t)
    except CorpusNotFound:
        st.error(escape_md(t["no_corpus"].format(path=corpus_dir(), formats=describe_formats())))
        st.stop()
    except Exception as e:              # the page never shows a traceback
        st.error(escape_md(t["load_failed"].format(error=f"{type(e).__name__}: {e}")))
        st.stop()
    engine = loaded.engine
    turns: list[Turn] = st.session_state.setdefault("turns", [])
    question = incoming_question(typed)
    if question is not None:
        turn = ask(engine, question, int(st.session_state.get("top_k", 3)))
        turns.append(turn)
        if has_passages(turn):
            st.query_params["q"] = question
    if not turns:
        render_suggestions(loaded.suggestions, t)
    for i, turn in enumerate(turns):
        render_turn(i, turn, engine, t)
    with st.sidebar:
        sidebar_conversation(turns, t)
        sidebar_sources(engine, t)
        sidebar_documents(engine, t)


main()
