"""The reader view: the quote's whole document, in order, scrolled to the quote, which is marked in its paragraph."""
from __future__ import annotations

import streamlit as st

from retrieval import Engine
from retrieval.model import Passage, Quote
from ui.html import reader_html
from ui.markdown import escape_md

# a fixed script (no document text in it): bring the marked passage into view once the dialog is drawn
SCROLL = """<script>
(function () {
  let tries = 0;
  const go = () => {
    const here = document.getElementById("kutip-here");
    if (here) { here.scrollIntoView({block: "center"}); } else if (tries++ < 40) { setTimeout(go, 50); }
  };
  setTimeout(go, 50);
})();
</script>"""


def open_reader(engine: Engine, q: Quote, t: dict[str, str]) -> None:
    """Open the reader view of q's document as a dialog titled with the document's first heading (its file name
    when it has none), the file name under it; closing it forgets the choice."""
    passages = [p for p in engine.passages if p.source == q.passage.source]

    def body() -> None:
        """Draw the file name, the document with the quote marked, then scroll to it."""
        notes = [f for f in engine.footnotes if f.source == q.passage.source]
        st.caption(":material/description: " + escape_md(q.passage.source))
        st.html(reader_html(passages, notes, q.passage.id, q.start, q.end, t["page"], t["footnote"]))
        st.html(SCROLL, unsafe_allow_javascript=True)

    title = document_title(passages) or q.passage.source
    st.dialog(escape_md(t["reader_title"].format(source=title)), width="large", on_dismiss=_close)(body)()


def document_title(passages: list[Passage]) -> str | None:
    """Return a document's first heading (its title as the reader sees it), or None when it has none."""
    return next((p.section[0] for p in passages if p.section and p.kind != "footnote"), None)


def _close() -> None:
    """Forget the quote shown in the reader view."""
    st.session_state.pop("reader", None)
