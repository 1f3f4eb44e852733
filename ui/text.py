"""The language chosen in the sidebar, and the interface text in it (the text itself is retrieval/strings.py)."""
from __future__ import annotations

import streamlit as st

from retrieval.strings import TEXT

__all__ = ["LANGUAGES", "TEXT", "lang", "texts"]

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}


def lang() -> str:
    """Return the interface language chosen in the sidebar."""
    return st.session_state.get("lang") or "id"


def texts() -> dict[str, str]:
    """Return the interface text in the chosen language."""
    return TEXT[lang()]
