"""The sidebar: language and quote count, what to search, the footnotes, the student's documents, the export."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st

from retrieval import DEFAULT_TOP_K, Engine, userdocs
from retrieval.errors import KutipError
from retrieval.render import DOT, Turn, conversation_markdown, place, scope_names
from retrieval.scope import Scope, cited_sources
from ui.answer import kind_label
from ui.markdown import escape_md, footnote_md, highlighted_md, safe_url
from ui.text import LANGUAGES, TEXT, lang

TOP_K = (1, 5, DEFAULT_TOP_K)    # the quote count: least, most, default


def settings() -> None:
    """Show the language and the number of quotes (before anything else, so the rest reads them)."""
    with st.sidebar:
        st.radio(TEXT["id"]["language"], list(LANGUAGES), format_func=LANGUAGES.get, key="lang", horizontal=True)
        t = TEXT[lang()]
        st.slider(t["top_k"], TOP_K[0], TOP_K[1], TOP_K[2], key="top_k")
        st.caption(escape_md(t["applies_next"]))


def scope(engine: Engine, repeats: dict[str, str], t: dict[str, str]) -> Scope:
    """Show the scope choice (all / one document, a repeated file too / cited sources) and return it; the choice
    outlives a change of language (the widgets are the language's own, set from the last choice every run)."""
    state = st.session_state
    saved = state.get("scope_saved", ("all", None))
    kinds = scope_names(t)
    key = _own_key("scope_kind")
    state[key] = saved[0] if saved[0] in kinds else "all"
    kind = st.radio(t["scope"], list(kinds), format_func=kinds.get, key=key, on_change=_remember, args=(key, 0))
    doc = None
    if kind == "one":
        docs = [d.source for d in engine.documents if d.status == "indexed"]
        doc_key = _own_key("scope_doc")
        if saved[1] in docs:
            state[doc_key] = saved[1]
        doc = st.selectbox(t["scope_doc"], docs, key=doc_key, on_change=_remember, args=(doc_key, 1),
                           format_func=lambda name: (f"{name} ({t['same_content'].format(name=repeats[name])})"
                                                     if name in repeats else name))
    if kind == "cited" and not cited_sources(engine):
        st.caption(escape_md(t["scope_none"]))
    st.caption(escape_md(t["scope_next"]))
    state["scope_saved"] = (kind or "all", doc)
    return Scope(kind, doc) if kind == "one" else Scope(kind or "all")


def _remember(key: str, slot: int) -> None:
    """Keep the scope the student just chose (kind: slot 0, document: slot 1), whatever the language."""
    saved = list(st.session_state.get("scope_saved", ("all", None)))
    saved[slot] = st.session_state.get(key)
    st.session_state["scope_saved"] = tuple(saved)


def _own_key(base: str) -> str:
    """Return a widget key of the interface language: its labels are the language's, and a choice stored as one
    language's label would be lost in the other (Indonesian keeps the plain key)."""
    return base if lang() == "id" else f"{base}-{lang()}"


def sources(engine: Engine, repeats: dict[str, str], t: dict[str, str]) -> None:
    """Show every footnote once (a repeated document's are the same notes) and, when chosen, the passages citing it."""
    st.subheader(t["sources"])
    notes = [f for f in engine.footnotes if f.source not in repeats]
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
        citing = [p for p in engine.citing(f.number) if p.source == f.source]
        st.caption(t["cited_by"].format(n=len(citing)) if citing else t["cited_by_none"])
        for p in citing:
            st.markdown("> " + highlighted_md(p.text, (), [m for m in p.marks if m[1] == f.number])
                        .replace("  \n", "  \n> "))
            st.caption(escape_md(place(p, joiner=DOT)))


def documents(engine: Engine, folder: Path, repeats: dict[str, str], t: dict[str, str]) -> None:
    """Show the upload box (any file: the formats table decides, in our words), the documents, what is indexed."""
    st.subheader(t["your_docs"])
    formats = ", ".join(s.lstrip(".").upper() for s in userdocs.ALLOWED)
    limit = userdocs.MAX_BYTES // 1_048_576
    gen = st.session_state.setdefault("upload_gen", 0)
    st.file_uploader(t["upload"].format(formats=formats, max=limit), key=f"upload-{gen}",
                     max_upload_size=limit, on_change=_on_upload, args=(f"upload-{gen}", folder),
                     help=t["upload_help"])
    if userdocs.shared_library():
        st.caption(escape_md(t["shared"].format(folder=folder)))
    else:
        st.caption(escape_md(t["private"].format(hours=userdocs.SESSION_TTL_SECONDS // 3600)))
    flash = st.session_state.pop("flash", None)
    if flash:
        (st.success if flash[0] == "ok" else st.error)(escape_md(t[flash[1]].format(**flash[2])))
    skipped = {d.source: d.reason for d in engine.documents if d.status != "indexed"}
    for name in userdocs.list_documents(folder):
        cols = st.columns([5, 1], vertical_alignment="center")
        cols[0].markdown(f":material/description: {escape_md(name)}")
        why = skipped.get(f"{userdocs.UPLOADS}/{name}")
        if why is not None:             # stored but not read: said beside it, not only in the list below
            cols[0].warning(escape_md(t["upload_not_read"].format(reason=why)), icon=":material/warning:")
        cols[1].button("", icon=":material/delete:", key=f"remove-{name}", help=t["remove"].format(name=name),
                       on_click=_on_remove, args=(name, folder), type="tertiary")
    with st.expander(t["indexed"], icon=":material/inventory_2:"):
        for d in engine.documents:
            if d.status != "indexed":
                st.markdown(f":material/warning: {escape_md(d.source)} — {t['skipped']}: {escape_md(d.reason)}")
                continue
            same = f" ({t['same_content'].format(name=repeats[d.source])})" if d.source in repeats else ""
            st.markdown(f":material/check_circle: {escape_md(d.source)} — "
                        f"{t['passages'].format(n=d.passages)}{escape_md(same)}")
        when = datetime.fromtimestamp(engine.built_at).strftime("%d-%m-%Y %H:%M")
        st.caption(t["built"].format(when=when))


def _on_upload(key: str, folder: Path) -> None:
    """Check the uploaded file against the formats table and the size limit, store it, and reset the uploader."""
    f = st.session_state.get(key)
    st.session_state["upload_gen"] = st.session_state.get("upload_gen", 0) + 1
    if f is None:
        return
    data = f.getvalue()
    refused = userdocs.check_upload(f.name, len(data))
    if refused:
        st.session_state["flash"] = ("error", *refused)
        return
    try:
        path = userdocs.save_document(f.name, data, folder)
        st.session_state["flash"] = ("ok", "uploaded", {"name": path.name})
    except (KutipError, OSError) as e:
        st.session_state["flash"] = ("error", "upload_failed", {"error": str(e)})


def _on_remove(name: str, folder: Path) -> None:
    """Delete one of the student's documents."""
    if userdocs.remove_document(name, folder):
        st.session_state["flash"] = ("ok", "removed", {"name": name})


def conversation(turns: list[Turn], corpus: str, t: dict[str, str]) -> None:
    """Offer the conversation as a readable Markdown file and a fresh start."""
    if not turns:
        return
    st.subheader(t["conversation"])
    today = date.today().strftime("%d-%m-%Y")
    st.download_button(t["download"], conversation_markdown(turns, lang(), corpus, today),
                       file_name="kutip-percakapan.md", mime="text/markdown", icon=":material/download:")
    st.button(t["clear"], icon=":material/restart_alt:", on_click=_clear)


def _clear() -> None:
    """Forget the conversation and the question in the address bar."""
    for key in ("turns", "views"):
        st.session_state[key] = []
    for key in ("opened", "more", "reader"):
        st.session_state.pop(key, None)
    st.query_params.pop("q", None)
