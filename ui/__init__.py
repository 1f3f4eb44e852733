"""Streamlit panels of the app (app.py wires them: text, answers, reader view, sidebar, session folders, study aids);
the core in retrieval/ never imports streamlit."""
