"""The study aids in the app through AppTest: the Tanya / Belajar switch, every tab, one quiz question, English."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from retrieval import Engine
from retrieval.study import build_study
from ui.markdown import escape_md
from ui.study import QUIZ_LENGTH

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def at(tmp_path, monkeypatch, session_cache_dir) -> AppTest:
    """The app on the shipped corpus, switched to Belajar, after its run."""
    monkeypatch.setenv("KUTIP_USER_DOCS", str(tmp_path / "documents"))
    monkeypatch.setenv("KUTIP_CACHE_DIR", str(session_cache_dir))
    monkeypatch.delenv("KUTIP_CORPUS", raising=False)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not app.exception
    assert len(app.chat_input) == 1
    app.segmented_control(key="mode").set_value("study").run()
    assert not app.exception
    return app


def markdown_of(app: AppTest) -> str:
    """Return every Markdown and caption body shown, joined."""
    return "\n".join([m.value for m in app.markdown] + [c.value for c in app.caption])


def test_study_tabs_show_verbatim_quotes_safely(at):
    assert [t.label for t in at.tabs] == ["Peta bab", "Linimasa", "Istilah", "Latihan", "Cek rujukan", "Unduh"]
    assert len(at.chat_input) == 0                      # no chat box while studying
    shown = markdown_of(at)
    assert "**17 Agustus 2013** → **17 Agustus 2018** (5 tahun)" in shown      # the timeline's period
    assert "US\\$114,5 miliar" in shown                 # `$` escaped: no LaTeX from document text
    assert "**OKI** — Organisasi Konferensi Islam" in shown
    assert "pada tahun 1992 tentang kerjasama internasional" in shown           # citation check lists it
    asks = [b.label for b in at.button if (b.key or "").startswith("ask-section-")]
    assert asks and set(asks) == {"Tanyakan bagian ini"}  # each section asked about in this session (issue 29)
    assert "?q=" not in shown                              # not a link to a new tab
    assert [b.label for b in at.download_button] == ["Lembar belajar (.md)", "Kartu Anki (.tsv)"]


@pytest.fixture(scope="module")
def quiz_cards(session_cache_dir) -> list:
    """The quiz's cards as the core makes them for the shipped corpus (to know the right answers)."""
    study = build_study(Engine.build(ROOT / "corpus", cache_dir=session_cache_dir))
    return [c for c in study.cards if c.choices][:QUIZ_LENGTH]


def test_quiz_question_checked_and_scored(at, quiz_cards):
    quiz = at.radio(key="quiz-choice-0")
    assert at.session_state["quiz"] == {"i": 0, "score": 0, "answered": None}
    first = quiz_cards[0]
    assert quiz.options == list(first.choices)
    assert escape_md(first.prompt) in markdown_of(at)
    quiz.set_value(first.choices.index(first.answer)).run()
    at.button(key="quiz-check").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Benar\\!"]
    assert at.session_state["quiz"] == {"i": 0, "score": 1, "answered": True}
    at.button(key="quiz-next").click().run()
    second = quiz_cards[1]
    wrong = next(k for k, c in enumerate(second.choices) if c != second.answer)
    at.radio(key="quiz-choice-1").set_value(wrong).run()
    at.button(key="quiz-check").click().run()
    assert at.session_state["quiz"]["score"] == 1 and at.session_state["quiz"]["answered"] is False
    assert any(second.answer.split()[0] in e.value for e in at.error)


def test_quiz_ends_with_the_score(at, quiz_cards):
    n = len(quiz_cards)
    for i in range(n):
        at.radio(key=f"quiz-choice-{i}").set_value(0).run()
        at.button(key="quiz-check").click().run()
        at.button(key="quiz-next").click().run()
    assert not at.exception
    score = sum(c.choices[0] == c.answer for c in quiz_cards)
    assert at.session_state["quiz"]["score"] == score
    assert [s.value for s in at.success] == [f"Skor\\: {score} dari {n}"]
    at.button(key="quiz-restart").click().run()
    assert at.session_state["quiz"] == {"i": 0, "score": 0, "answered": None}


def test_study_page_says_each_thing_once_and_explains_the_check_tags(at):
    captions = [c.value for c in at.caption]
    assert not any(c.startswith("Semua yang tampil di sini") for c in captions)    # the tagline already says it
    events = [m.value for m in at.markdown if m.value.startswith(":material/event:")]
    assert events[0] == ":material/event: **1973**" and events[1] == ":material/event: **tahun 1992**"
    assert ":material/event: **18 Desember 2006** · `2006-12-18`" in events
    assert any(c.startswith("Tanda menyebut jenis fakta yang membuat kalimat perlu rujukan") for c in captions)


def test_study_in_english(at):
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Outline", "Timeline", "Glossary", "Practice", "Citation check", "Download"]
    at.segmented_control(key="mode").set_value("ask").run()
    assert len(at.chat_input) == 1 and not at.tabs


def test_flashcards_glossary_and_check_sections(at, quiz_cards):
    assert [s.value for s in at.main.subheader] == ["Singkatan yang dipakai tanpa kepanjangan",
                                                    "Kalimat berfakta tanpa catatan kaki",
                                                    "Kalimat yang merujuk ke catatan kaki"]
    assert [e.label for e in at.expander if e.label.startswith("\\[")] == [f"\\[{n}\\] · 1" for n in range(32, 41)]
    at.radio(key="practice-mode").set_value("cards").run()
    assert not at.exception
    answers = [e for e in at.expander if e.label == "Lihat jawaban"]
    assert len(answers) == 20
    assert f"**Jawaban:** {escape_md(quiz_cards[0].answer)}" in [m.value for m in answers[0].markdown]
