"""Streamlit panels of the app (the core in retrieval/ never imports streamlit)."""
