"""Panels of the Streamlit page (app.py wires them): text, answers, reader view, sidebar, session folders."""
