"""Query-term necessity: the shipped IDK-MRC table, its smoothing, and what it changes in ranking."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import pytest

from conftest import lexical, write_corpus
from retrieval import Engine, necessity
from retrieval.settings import DEFAULT


@pytest.fixture
def no_table(monkeypatch, tmp_path):
    """Point the module at a table that does not exist."""
    monkeypatch.setattr(necessity, "TABLE", tmp_path / "missing.tsv")
    necessity._table.cache_clear()
    yield
    necessity._table.cache_clear()


def test_the_shipped_table_holds_idk_mrc_train_counts():
    prior, counts = necessity._table(DEFAULT.necessity_rare)
    assert len(counts) == 4355
    assert (counts["nama"], counts["lahir"], counts["jumlah"]) == ((350, 88), (257, 202), (134, 27))
    assert round(prior, 4) == 0.813                                  # the rate of words asked about once or twice
    assert round(necessity.necessity("nama"), 4) == round((88 + 10 * prior) / (350 + 10), 4) == 0.267
    assert necessity.necessity("lumbu") == prior                     # never asked about: like a rare word
    assert round(necessity.weight("nama"), 4) == round((0.267 / prior) ** 0.5, 4) == 0.5731
    assert round(necessity.weight("lahir"), 4) == 0.9839
    assert necessity.weight("lumbu") == necessity.weight("festival") == 1.0   # (5, 5): more necessary, not boosted


def test_the_smoothing_the_prior_and_the_exponent_are_settings():
    assert round(necessity.necessity("nama", replace(DEFAULT, necessity_smoothing=0.0)), 4) == 0.2514  # 88 / 350
    assert round(necessity._table(1)[0], 4) == 0.8118                   # the rate of words asked about once
    assert round(necessity.weight("nama", replace(DEFAULT, necessity_rare=1)), 4) == 0.5735
    assert round(necessity.weight("nama", replace(DEFAULT, necessity_exponent=1.0)), 4) == 0.3284   # 0.5731 squared


def test_a_missing_table_weighs_every_word_alike(no_table):
    assert necessity.weight("nama") == necessity.weight("lahir") == 1.0


LUMBU = {"a.txt": "Nama kota Lumbu berasal dari sungai yang mengalir di tengah kota.\n",
         "b.txt": "Kota Lumbu didirikan oleh Raja Mangku di tepi sungai pada tahun 1820.\n"}


def test_a_frame_word_weighs_less_than_the_words_that_name_the_answer(tmp_path):
    engine = lexical(Engine.build(write_corpus(tmp_path / "c", LUMBU), use_cache=False))
    question = "Siapa nama pendiri kota Lumbu?"
    assert engine.ask(question).quotes[0].passage.source == "b.txt"     # "pendiri", not "nama", decides
    alike = engine.with_settings(replace(engine.settings, necessity_exponent=0.0))   # every word alike: the "nama"
    assert alike.ask(question).quotes[0].passage.source == "a.txt"                  # passage wins


def test_count_reads_an_idk_mrc_split(tmp_path):
    split = tmp_path / "split.json"
    split.write_text(json.dumps([
        {"context": "Soekarno lahir di Surabaya.",
         "qas": [{"id": "1", "question": "Siapa nama presiden yang lahir di Surabaya?", "is_impossible": False,
                  "answers": [{"text": "Soekarno", "answer_start": 0}]},
                 {"id": "2", "question": "Kapan Soekarno wafat?", "is_impossible": True, "answers": []}]}]))
    assert necessity.count(split) == {"nama": (1, 0), "presiden": (1, 0), "lahir": (1, 1), "surabaya": (1, 1)}


def test_the_table_builder_wants_one_split():
    run = subprocess.run([sys.executable, "-m", "retrieval.necessity"], capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.startswith("usage: python -m retrieval.necessity")


LEAD_IN = {"a.md": "Lumbu adalah kota pelabuhan yang punya banyak fasilitas modern. Rinciannya sebagai berikut:\n\n"
                   "a. dermaga peti kemas\nb. gudang beku\nc. menara kontrol\n\n"
                   "Batam adalah kota industri di Kepulauan Riau.\n"}


def test_a_list_given_whole_for_its_lead_in_is_judged_on_the_lead_in(tmp_path):
    engine = Engine.build(write_corpus(tmp_path / "c", LEAD_IN), use_cache=False)
    answer = engine.ask("Fasilitas modern pelabuhan Lumbu apa saja?")
    assert not answer.abstained                       # the items hold none of the question's words, the lead-in does
    assert answer.quotes[0].text == "a. dermaga peti kemas\nb. gudang beku\nc. menara kontrol"
