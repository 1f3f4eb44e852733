"""Answerability: the fitted model, the kind of answer a question asks for, and answering without the e5 model."""
from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval import Engine, answerable, answerable_fit
from retrieval.answerable import FEATURES, Signals, kind_found
from retrieval.asked import Asked, read
from retrieval.settings import Settings
from retrieval.signals import name_terms

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("qtype, question, quote, found", [
    ("when", "kapan mou ditandatangani", "MoU ditandatangani di Batam, 17 Agustus 2013.", True),
    ("when", "kapan mou 2013 ditandatangani", "MoU tahun 2013 berlaku lima tahun.", False),   # its own year
    ("when", "kapan festival pertama", "Festival ini meriah sekali.", False),
    ("number", "berapa pendapatan shenzhen", "pendapatan per-kapita US$ 13,200", True),
    ("number", "berapa luas kota gimje", "Persamaan ukuran luas wilayah dan fungsi kota.", False),
    ("who", "siapa yang datang", "Kemudian Walikota Gimje datang ke Batam.", True),
    ("who", "siapa walikota gimje", "kota ini punya festival.", False),
    ("where", "di mana loi ditandatangani", "LoI ditandatangani di Gimje-Korsei.", True),
    (None, "apa tujuan kerjasama", "tujuan kerjasama ialah ...", True),
    ("when", "kapan santa clotilda menikah", "Clovis menikahi Clotilda pada tahun 493.", True),   # any length
    ("when", "kapan musa diangkat menjadi nabi", "Ia diangkat sekitar 1450 SM.", True),          # with its era
    ("when", "kapan kerajaan itu berdiri", "Kerajaan itu berdiri pada abad ke-6.", True),
    ("when", "kapan komputer pertama dibuat", "Komputer pertama muncul pada 1940-an.", True),
    ("when", "kapan hip hop muncul", "Hip hop tercipta pada tahun 1970an di New York.", True),   # decade, no hyphen
    ("when", "kapan festival tahun 493 dimulai", "Festival tahun 493 itu meriah.", False),       # its own year
    ("when", "kapan rapat itu", "Rapat dihadiri 12 orang.", False),
    ("number", "berapa jenis statistika", "Ada dua macam statistika, deskriptif dan inferensial.", True),  # in words
    ("number", "berapa cabang ilmu itu", "Ini salah satu cabang ilmu.", False),     # "salah satu" counts nothing
    ("number", "berapa persen pajaknya", "Pajak naik 40% tahun ini.", True),      # the unit as the text writes it
    ("number", "berapa jumlah penduduk jawa tengah", "Penduduknya 35.557.249 jiwa.", True),
    ("number", "berapa hektar sawahnya", "Panen 2011 berhasil baik.", False),     # "ha" only as a word of its own
    ("number", "buku apa, hlm berapa", "Paradiplomacy (Yogyakarta: The Phinsi Press, 2013), hlm. 26-28.", True),
    ("number", "buku apa, hlm berapa", "Buku itu terbit pada 2013.", False),      # a page is asked, not any number
    ("when", "kapan festival pertama kali diadakan",                             # the day the source was read
     "Festival Gimje. <https://www.visitkorea.or.id/article/festival> diakses pada 29 January 2019", False),
    ("when", "kapan artikel detik itu diakses",                                  # ... unless that is asked
     "Hasil kerjasama. <https://finance.detik.com/d-3164021/banyak-negara> diakses pada tanggal 18 Februari 2017.",
     True),
    ("number", "berapa luas kota blitar", "Luas wilayahnya 32,58 km².", True),   # "berapa luas" asks for an area
    ("number", "berapa luas jepang", "Jepang terdiri dari 47 prefektur.", False),
    ("number", "berapa tinggi gunung salak", "Gunung itu didaki 300 orang setahun.", False),   # ... "tinggi" a length
    ("number", "berapa tinggi gunung salak", "Tingginya 2.211 m di atas laut.", True),
    ("number", "berapa harga tiketnya", "Museum dibuka tahun 1793 untuk 600 pengunjung.", False),   # ... "harga" money
    ("number", "berapa harga tiketnya", "Tiket masuk €17 sehari.", True),
    ("number", "berapa lama perang itu", "Perang berlangsung dari 1467 hingga 1568.", True),   # a span: any number
    ("number", "berapa jarak pasar ke sungai", "Luas wilayahnya 331 km² dan 12 kecamatan.", False),   # km² no length
    ("number", "berapa pendapatan kota itu",                                     # nor a number in an address
     "Hasil kerjasama. <https://finance.detik.com/d-3164021/banyak-negara> diakses pada tanggal 18 Februari 2017.",
     False),
])
def test_a_quote_holds_the_kind_of_value_asked_for_unless_the_question_holds_it(qtype, question, quote, found):
    asked = read(question)
    assert asked.qtype == qtype and kind_found(asked, question, quote) is found


def test_only_when_number_who_where_ask_for_a_kind():
    assert [k for k in ("when", "number", "who", "where", "why", "define", None) if Asked(qtype=k).value] == \
        ["when", "number", "who", "where"]


def test_the_shipped_model_is_fitted_for_both_variants_with_every_feature():
    data = json.loads(answerable.WEIGHTS.read_text(encoding="utf-8"))
    assert data["features"] == list(FEATURES)
    for variant in ("dense", "lexical"):
        assert len(data[variant]["weights"]) == len(FEATURES)
        assert 0.0 < data[variant]["threshold"] < 1.0 and 0.0 < data[variant]["threshold_english"] < 1.0
    lexical = dict(zip(FEATURES, data["lexical"]["weights"]))
    assert lexical["cosine"] == lexical["cos_whole"] == 0.0  # fitted without them: what runs when e5 is missing
    assert "IDK-MRC train" in data["data"] and "chapter" in data["data"]     # "nothing of the chapter"


def test_more_of_the_question_in_the_quote_is_more_likely_an_answer():
    weak = Signals(cosine=0.78, coverage_passage=0.2, coverage_quote=0.1, asks_kind=False, kind_missing=False,
                   unknown_share=0.0, number_missing=False, english=False, lexical=0.1, rarest_missing=1.0,
                   cos_whole=0.78)
    strong = Signals(cosine=0.90, coverage_passage=1.0, coverage_quote=1.0, asks_kind=False, kind_missing=False,
                     unknown_share=0.0, number_missing=False, english=False, lexical=0.8, rarest_missing=0.0,
                     cos_whole=0.90, question_terms=4)
    assert answerable.probability(weak) < answerable.threshold() < answerable.probability(strong)
    missing = Signals(**{**strong.__dict__, "asks_kind": True, "kind_missing": True})
    assert answerable.probability(missing) < answerable.probability(strong)
    for lacking in ({"name_missing": True},                               # a name of the question not there
                    {"rarest_missing": 1.0, "quote_rarest_missing": 1.0},  # the rarest word, not in the passage
                    {"quote_rarest_missing": 1.0},                         # ... or only not in the quote
                    {"negation_missing": True}):                           # "tidak" asked, not said
        assert answerable.probability(Signals(**{**strong.__dict__, **lacking})) < answerable.probability(strong)


@pytest.mark.parametrize("question, names", [
    ("Siapa orang tua Mahasthavira Gwan?", {"mahasthavira", "gwan"}),
    ("Kapan SBY memenangi pemilu Meksiko?", {"sby", "meksiko"}),
    ("Kapan mou ditandatangani?", set()),              # the first word is capitalised as any question's is
    ("shenzhen masuk provinsi apa", set()),             # typed in lower case: no names to check
])
def test_names_are_the_capitalised_words_past_the_first(question, names):
    assert name_terms(question) == names


def test_the_rarest_question_word_missing_from_the_passage_is_measured(engine):
    held = engine.signals(engine.judged("Kapan MoU Batam dan Gimje ditandatangani?")[0])
    lacking = engine.signals(engine.judged("Kapan Walikota Surabaya datang ke Batam?")[0])   # no "Surabaya"
    assert [s.rarest_missing for _, s in held] == [0.0, 0.0, 0.0]
    assert [s.rarest_missing for _, s in lacking] == [1.0, 1.0, 1.0]


def test_the_rarest_question_word_missing_from_the_quote_itself_is_measured(engine):
    held = engine.signals(engine.judged("Kapan MoU Batam dan Gimje ditandatangani?")[0])
    assert [s.quote_rarest_missing for _, s in held] == [0.0, 0.0, 1.0]    # every passage holds every word (above);
                                                                           # the third quote does not


def test_a_question_that_negates_needs_a_quote_that_negates(engine):
    said = engine.signals(engine.judged("Kenapa kerjasama Batam dan Shenzhen tidak berhasil?")[0], 10)
    negates = [bool(re.search(r"\b(tidak|bukan|belum|tak|tanpa|not|never|no|non)\b", q.text, re.I)) for q, _ in said]
    assert [s.negation_missing for _, s in said] == [not n for n in negates] and any(negates) and not all(negates)
    plain = engine.signals(engine.judged("Kenapa kerjasama Batam dan Shenzhen berhasil?")[0], 10)
    assert not any(s.negation_missing for _, s in plain)


def test_a_name_of_the_question_missing_from_the_passage_is_measured(engine):
    plan, _ = engine.judged("Kapan Walikota Surabaya datang ke Batam?")
    signals = [s for _, s in engine.signals(plan)]
    assert signals and all(s.name_missing for s in signals)    # the chapter never names Surabaya


def test_every_quote_shown_passes_the_test(engine):
    plan, judged = engine.judged("Apa saja tujuan kerjasama sister city?", top_k=3)
    answer = engine.ask("Apa saja tujuan kerjasama sister city?", top_k=3)
    passing = [q for q, p in judged if p >= answerable.threshold()]
    assert list(answer.quotes) == passing and passing


def test_a_bar_of_zero_shows_every_quote_and_a_bar_above_one_abstains(engine):
    question = "Kapan MoU Batam dan Gimje ditandatangani?"
    assert len(engine.with_settings(Settings(min_answer=0.0)).ask(question, top_k=3).quotes) == 3
    a = engine.with_settings(Settings(min_answer=1.01, related_share=0.0)).ask(question, top_k=3)
    assert a.abstained and a.quotes == () and len(a.related) == 3


def test_the_kind_gate_turns_away_a_quote_without_the_kind_asked(engine):
    question = "Berapa orang rombongan Seo Sung Heo ke Batam?"   # the chapter does not count his delegation
    lenient = engine.with_settings(Settings(named_kind=False, min_answer=1e-9, missing_veto=float("-inf")))
    assert not lenient.ask(question).abstained              # with no bar at all a quote passes on its words
    gated = engine.with_settings(Settings(named_kind=False, kind_gate=True, min_answer=1e-9,
                                          missing_veto=float("-inf"))).ask(question)
    assert gated.abstained
    assert engine.ask(question).abstained                   # by default: "berapa orang" names its unit


@pytest.mark.parametrize("qtype, question, named", [
    ("number", "berapa persen pajaknya", True),
    ("number", "prinsip itu dari buku apa, hlm berapa", True),
    ("number", "how many hectares of farmland", True),
    ("number", "berapa pendapatan shenzhen", False),
    ("number", "berapakah luas jepang", True),
    ("number", "berapa lama perang itu", False),
    ("when", "tahun berapa mou ditandatangani", True),
    ("when", "in what year was it signed", True),
    ("when", "kapan mou ditandatangani", False),
    ("who", "siapa walikota gimje", False),
])
def test_a_question_names_the_kind_of_value_by_its_unit_or_by_year_or_date(qtype, question, named):
    asked = read(question)
    assert asked.qtype == qtype and asked.named is named


@pytest.mark.parametrize("question", ["Berapa persen inflasi kota Batam saat itu?",
                                      "Berapa persen pendapatan Shenzhen naik?"])
def test_a_question_naming_its_unit_is_not_answered_by_a_quote_without_it(engine, question):
    assert engine.ask(question).abstained                   # the chapter gives no percentage at all
    bare = dict(min_answer=0.0, missing_veto=float("-inf"))
    assert not engine.with_settings(Settings(named_kind=False, **bare)).ask(question).abstained
    assert engine.with_settings(Settings(named_kind=True, **bare)).ask(question).abstained


TOWN = """# Kota Sukamaju

Kota Sukamaju adalah sebuah kota di tepi Sungai Batanghari yang didirikan pada tahun 1912. Pada tahun 2010 kota ini \
memiliki jumlah penduduk sebesar 145.786 jiwa. Kota ini memiliki luas wilayah 331 km² dan terbagi atas 12 kecamatan.

Pasar terapung di Kota Sukamaju dibuka setiap hari Minggu dan dikunjungi sekitar 4.000 orang setiap pekan. Kota ini \
juga dikenal dengan tenun songket yang dijual ke 15 negara.
"""


def test_a_measured_quantity_is_answered_by_a_number_in_its_units(tmp_path):
    (tmp_path / "kota.md").write_text(TOWN, encoding="utf-8")
    town = Engine.build(tmp_path, use_cache=False)
    area = town.ask("Berapa luas Kota Sukamaju?")
    assert not area.abstained and "331 km²" in area.quotes[0].text
    price = "Berapa harga tenun songket Kota Sukamaju?"       # the text prices nothing; "15 negara" is no price
    assert town.ask(price).abstained
    assert not town.with_settings(Settings(named_kind=False)).ask(price).abstained


def test_a_quote_in_the_unit_named_answers(engine):
    answer = engine.ask("Berapa penghasilan Shenzhen pada tahun 2011 dalam dolar?")
    assert "US$114,5 miliar" in answer.quotes[0].text and [f.number for f in answer.footnotes] == [32]


def test_a_lower_quote_cannot_answer_for_a_failing_first(engine):
    question = "Kenapa Batam gagal dengan Shenzhen?"              # the first quote scores low, lower ones higher
    _, judged = engine.judged(question)
    bar = (judged[0][1] + max(p for _, p in judged)) / 2
    assert judged[0][1] < bar < max(p for _, p in judged)
    assert engine.with_settings(Settings(min_answer=bar)).ask(question).abstained   # best_must_pass: the default
    lenient = engine.with_settings(Settings(min_answer=bar, best_must_pass=False)).ask(question)
    assert list(lenient.quotes) == [q for q, p in judged if p >= bar] and lenient.quotes


def test_without_the_model_kutip_answers_from_the_words_and_says_so_once(tmp_path):
    env = {**os.environ, "KUTIP_NO_DENSE": "1", "KUTIP_CACHE_DIR": str(tmp_path)}
    run = subprocess.run([sys.executable, "-m", "retrieval", "ask", "--json",
                          "Kapan MoU Batam dan Gimje ditandatangani?"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("pencocokan makna (e5) tidak aktif") == 1
    assert "Traceback" not in run.stderr
    out = json.loads(run.stdout)
    assert not out["abstained"] and "17 Agustus 2013" in out["passages"][0]["text"]


# --- a question word whose absence marks a trap (answerable.missing_prior, answerable_fit.log_odds) ----------------
SOCIETY = ("# Perkumpulan Pecinta Sastra Siak\n\n"
           "Perkumpulan Pecinta Sastra Siak didirikan di Pekanbaru pada tahun 1978 oleh sekelompok guru bahasa. "
           "Perkumpulan ini menerbitkan majalah bulanan dan mengadakan lomba membaca puisi setiap bulan Agustus.\n\n"
           "Anggotanya kini berjumlah sekitar tiga ratus orang dari berbagai kabupaten di Riau.\n")


@pytest.fixture(scope="module")
def society(tmp_path_factory) -> Engine:
    """An engine over one paragraph on a society's founding (written for these tests)."""
    folder = tmp_path_factory.mktemp("society")
    (folder / "perkumpulan.md").write_text(SOCIETY, encoding="utf-8")
    return Engine.build(folder, use_cache=False)


def test_the_shipped_table_marks_reversal_words_below_the_veto_and_common_ones_above():
    shipped = json.loads(answerable.WEIGHTS.read_text(encoding="utf-8"))
    data = shipped["missing_terms"]
    table, veto = data["log_odds"], answerable.veto()
    assert veto == data["veto"] and -5.0 < veto < 0.0 and "IDK-MRC train" in shipped["data"]
    assert answerable.missing_prior(("bubar",)) == table["bubar"] <= veto      # dissolved, asked of a founding
    assert answerable.missing_prior(("larang", "nama")) == table["larang"] <= veto
    assert answerable.missing_prior(("nama",)) == 0.0 < table["nama"]          # only the lowest, at most 0
    assert answerable.missing_prior(("perkumpulan",)) == answerable.missing_prior(()) == 0.0   # not in the table


@pytest.mark.parametrize("question, lacking", [
    ("Kapan Perkumpulan Pecinta Sastra Siak dibubarkan?", ("bubar",)),
    ("Siapa yang melarang majalah bulanan Perkumpulan Pecinta Sastra Siak?", ("larang",)),
    ("Kapan perkumpulan itu ditutup?", ("tutup",)),
])
def test_a_question_whose_passage_lacks_a_trap_word_is_not_answered(society, question, lacking):
    plan, _ = society.judged(question)
    assert society.signals(plan, 1)[0][1].missing == lacking
    assert society.ask(question).abstained
    unvetoed = society.with_settings(Settings(missing_veto=float("-inf")))
    assert not unvetoed.ask(question).abstained          # what the veto turns away: the model alone answers it


@pytest.mark.parametrize("question", ["Kapan Perkumpulan Pecinta Sastra Siak didirikan?",
                                      "Siapa yang mendirikan Perkumpulan Pecinta Sastra Siak?"])
def test_a_question_its_passage_holds_whole_is_still_answered(society, question):
    answer = society.ask(question)
    assert not answer.abstained and "1978 oleh sekelompok guru bahasa" in answer.quotes[0].text


def _rows(answered: list[tuple[str, ...]], traps: list[tuple[str, ...]]) -> dict:
    """Rows as answerable_fit.collect returns them: one first quote per question, answered ones holding the gold."""
    n = len(answered) + len(traps)
    return {"x": np.zeros((n, len(FEATURES))), "y": np.array([True] * len(answered) + [False] * len(traps)),
            "question": np.arange(n), "answerable": np.array([True] * len(answered) + [False] * len(traps)),
            "first": np.ones(n, bool), "missing": np.array([" ".join(m) for m in list(answered) + list(traps)]),
            "translated": np.zeros(n, bool)}


def test_the_log_odds_are_smoothed_counts_of_answered_against_trap_questions():
    rows = _rows([("bubar",)] + [("nama",)] * 20 + [()] * 179, [("bubar",)] * 9 + [("nama",)] * 2 + [("x",)] * 4
                 + [()] * 85)
    table = answerable_fit.log_odds(rows, np.ones(300, bool))
    assert set(table) == {"bubar", "nama"}                  # "x": fewer than MIN_QUESTIONS (5) questions
    assert table["bubar"] == round(math.log(2 / 201) - math.log(10 / 101), 4)
    assert table["nama"] == round(math.log(21 / 201) - math.log(3 / 101), 4) > 0


def test_the_veto_level_is_the_highest_that_costs_at_most_one_percent_of_answered_questions():
    rows = _rows([()] * 200, [()] * 100)
    prior = np.zeros(300)
    prior[:2] = -3.0            # two answered questions lack a word of -3: 1% of them
    prior[2] = -1.0             # a third lacks one of -1: 1.5%
    prior[200:250] = -3.0
    assert answerable_fit.veto_level(rows, prior, {"a": -3.0, "b": -1.0, "c": 0.5}) == -3.0
    prior[2] = -0.5             # no answered question lacks a word of -1 now: that level costs 1% as well
    assert answerable_fit.veto_level(rows, prior, {"a": -3.0, "b": -1.0, "c": 0.5}) == -1.0


def test_a_quote_whose_passage_holds_the_trap_word_still_answers(tmp_path):
    (tmp_path / "perkumpulan.md").write_text(SOCIETY + "\nSesudah majalahnya berhenti terbit, Perkumpulan Pecinta "
                                             "Sastra Siak dibubarkan oleh para pengurusnya pada tahun 2004.\n",
                                             encoding="utf-8")
    both = Engine.build(tmp_path, use_cache=False)
    answer = both.ask("Kapan Perkumpulan Pecinta Sastra Siak dibubarkan?")
    assert not answer.abstained and [q.text for q in answer.quotes] == [
        "Sesudah majalahnya berhenti terbit, Perkumpulan Pecinta Sastra Siak dibubarkan oleh para pengurusnya pada "
        "tahun 2004."]                          # the founding paragraph, lacking "bubar", is dropped, not the answer


def test_a_train_rows_prior_is_read_off_a_table_fitted_without_its_own_question():
    rows = _rows([()] * 10, [("bubar",)] * 6)            # questions 0-9 answered, 10-15 traps; fold = number % 5
    prior = answerable_fit.prior_out_of_fold(rows)
    # without fold 0 (questions 0, 5, 10, 15) "bubar" lacks for 4 traps, under MIN_QUESTIONS: no log-odds
    assert prior[10] == prior[15] == 0.0
    # without fold 1 (1, 6, 11) it lacks for 5 of 5 traps and none of 8 answered questions
    assert round(prior[11], 4) == round(math.log(1 / 9) - math.log(6 / 6), 4)
    assert list(prior[:10]) == [0.0] * 10


def test_a_prior_can_be_read_off_tables_fitted_on_other_rows_fold_by_fold():
    source = _rows([()] * 10, [("bubar",)] * 6)          # as above: fold 1's table knows "bubar", fold 0's does not
    rows = _rows([("bubar",)] * 2, [])                   # questions 0 and 1 (folds 0 and 1), not among the source's
    prior = answerable_fit.prior_out_of_fold(rows, source)
    assert prior[0] == 0.0
    assert round(prior[1], 4) == round(math.log(1 / 9) - math.log(6 / 6), 4)
    assert list(answerable_fit.prior_out_of_fold(rows)) == [0.0, 0.0]     # its own two rows: no table at all
