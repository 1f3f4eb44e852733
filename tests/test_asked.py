"""What a question asks for is read once, into QueryPlan.asked; years, months and chat forms are defined once."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from retrieval import chat, lexicon
from retrieval.asked import Asked
from retrieval.question import understand

ROOT = Path(__file__).resolve().parent.parent
CORE = sorted((ROOT / "retrieval").rglob("*.py"))


def asked_of(question: str) -> Asked:
    """Return what the question asks for, as the engine reads it (every word known to the corpus)."""
    return understand(question, {}, lambda t: True).asked


@pytest.mark.parametrize("question, asked", [
    ("brp lama kerjasama batam gimje?", Asked("number", "number", None, "lama", False, False, True)),
    ("Sampai kapan MoU Batam Gimje berlaku?", Asked("when", "date", None, None, False, True, False)),
    ("berapa persen pajaknya", Asked("number", "number", "persen", "persen", True, False, False)),
    ("thn brp LoI dibuat?", Asked("when", "date", "tahun", "loi", True, False, False)),
    ("Berapa bidang kerjasama Gimje dan Batam?", Asked("number", "number", None, "bidang", False, False, False)),
    ("sapa walikota gimje?", Asked("who", "person", None, None, False, False, False)),
    ("berapa luas kota blitar", Asked("number", "number", "area", "luas", True, False, False)),
    ("How long did the war last?", Asked(None, "number", None, None, False, False, True)),
    ("tahun berapakah universitas itu didirikan?", Asked("when", "date", "tahun", "universitas", True, False, False)),
])
def test_what_a_question_asks_is_read_once_from_its_plain_form(question, asked):
    assert asked_of(question) == asked


def test_a_chat_question_is_not_taken_for_english_by_its_chat_forms():
    plan = understand("dmn masjidnya?", {}, lambda t: True)
    assert not plan.english and plan.plain == "di mana masjidnya" and plan.asked.kind == "place"


def test_written_abbreviations_take_their_standard_form_from_the_chat_tables(tmp_path, monkeypatch):
    table = chat.written_abbreviations()
    assert len(table) == 34 and table["yg"] == "yang" and table["uu"] == "undang undang" and table["th"] == "tahun"
    (tmp_path / chat.WRITTEN).write_text("yg\nzzq\n", encoding="utf-8")
    for name in (chat.SLANG, chat.SLANG_SUPPLEMENT):
        (tmp_path / name).write_bytes((lexicon.DATA / name).read_bytes())
    monkeypatch.setattr(chat, "DATA", tmp_path)
    chat.written_abbreviations.cache_clear()
    try:
        with pytest.raises(ValueError, match="zzq"):
            chat.written_abbreviations()
    finally:
        monkeypatch.undo()
        chat.written_abbreviations.cache_clear()


@pytest.mark.parametrize("what, pattern, home", [
    ("a year pattern", re.compile(r"1\[[56]-9\]\\d\\d|19\\d\\d\|20\\d\\d"), "dates.py"),
    ("a list of month names", re.compile(r"januari\W+(?:februari|pebruari)", re.I), "dates.py"),
    ("a chat form written out", re.compile(r"""["'](?:brp|tgl|thn|kpn|yg)["']\s*:"""), None),
    ("the kind of answer asked", re.compile(r"^def (?:question_type|answer_kind|asked_unit|names_kind)\(", re.M),
     "asked.py"),
])
def test_years_months_chat_forms_and_the_asked_kind_are_defined_once(what, pattern, home):
    found = [p.relative_to(ROOT).as_posix() for p in CORE if pattern.search(p.read_text(encoding="utf-8"))]
    assert found == ([f"retrieval/{home}"] if home else []), f"{what} defined in {found}"
