"""The reader view: the quote's whole document, in order, scrolled to the quote, which is marked in its paragraph."""
from __future__ import annotations

import streamlit as st

from retrieval import Engine
from retrieval.model import Quote
from ui.html import reader_html

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
    """Open the reader view of q's document as a dialog; closing it forgets the choice."""

    def body() -> None:
        """Draw the document with the quote marked, then scroll to it."""
        passages = [p for p in engine.passages if p.source == q.passage.source]
        notes = [f for f in engine.footnotes if f.source == q.passage.source]
        st.html(reader_html(passages, notes, q.passage.id, q.start, q.end, t["page"], t["footnote"]))
        st.html(SCROLL, unsafe_allow_javascript=True)

    st.dialog(t["reader_title"].format(source=q.passage.source), width="large", on_dismiss=_close)(body)()


def _close() -> None:
    """Forget the quote shown in the reader view."""
    st.session_state.pop("reader", None)
