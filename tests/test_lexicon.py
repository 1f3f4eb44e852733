"""Chat forms, synonyms, the English bridge and the extra stemmer roots, on the committed data files."""
from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from retrieval import chat as chatforms, lexicon
from retrieval.analysis import _stemmer, tokenise
from retrieval.chat import normalise_chat, reduplicate
from retrieval.lexicon import english, is_english, synonyms
from retrieval.settings import DEFAULT

REPO = Path(__file__).resolve().parents[1]


def _script(name: str):
    """Import one of scripts/build_*.py as a module."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def chat(text: str) -> list[str]:
    """Return a question's tokens as the question stage would read them."""
    return normalise_chat(tokenise(reduplicate(text)))


@pytest.mark.parametrize("text, expected", [
    ("yg", "yang"), ("brp", "berapa"), ("gmn", "bagaimana"), ("dgn", "dengan"), ("tgl", "tanggal"),
    ("thn", "tahun"), ("sblm", "sebelum"), ("stlh", "setelah"), ("krn", "karena"), ("utk", "untuk"),
    ("dr", "dari"), ("sm", "sama"), ("udh", "sudah"), ("blm", "belum"), ("trs", "terus"), ("emg", "memang"),
    ("bgt", "sekali"), ("knp", "kenapa"),
])
def test_chat_abbreviations_from_the_lexicon(text: str, expected: str) -> None:
    assert chat(text) == [expected]


@pytest.mark.parametrize("text", ["ga berhasil", "gak berhasil", "nggak berhasil", "tdk berhasil"])
def test_negation_is_kept_as_tidak(text: str) -> None:
    assert chat(text) == ["tidak", "berhasil"]


def test_supplement_multi_word_and_regional_forms() -> None:
    assert chat("macam mana kerja sama ini") == ["bagaimana", "kerja", "sama", "ini"]
    assert chat("ape tujuan nak kerja sama") == ["apa", "tujuan", "mau", "kerja", "sama"]
    assert chat("deplu") == ["departemen", "luar", "negeri"]
    assert chat("kemenlu") == ["kementerian", "luar", "negeri"]


def test_standard_words_units_and_numbers_are_not_rewritten() -> None:
    words = "sama mana macam kerja dari tahun kenapa soalnya diubah ponsel km cm at 2000 24".split()
    assert normalise_chat(words) == words
    assert chat("brp luas wilayah dlm km2") == ["berapa", "luas", "wilayah", "dalam", "km", "2"]


def test_reduplication_with_2() -> None:
    assert chat("negara2 lain") == ["negara", "negara", "lain"]
    assert reduplicate("Hal2 yg km2 m2") == "Hal-Hal yg km2 m2"


@pytest.mark.parametrize("chat_form, standard, rule", [
    ("sama", "dengan", "a standard root word"),
    ("soalnya", "karena", "a standard root with a clitic"),
    ("diubah", "dirubah", "more frequent than its standard form"),
    ("km", "kamu", "a unit symbol"),
    ("lines", "garis", "an English word"),
    ("10rb", "10 ribu", "not one word token"),
])
def test_each_filter_rule_drops_its_entry(chat_form: str, standard: str, rule: str) -> None:
    build = _script("build_slang")
    assert build.keep(chat_form, standard, build.kbbi_roots()) == rule


def test_committed_slang_table_passes_the_filter() -> None:
    build = _script("build_slang")
    roots = build.kbbi_roots()
    rows = lexicon.read_rows(chatforms.SLANG)
    assert len(rows) == 1958
    assert [(c, s) for c, s in rows if build.keep(c, s, roots)] == []


def test_synonyms_from_mythes() -> None:
    assert synonyms("teken") == ("menandatangani",)
    assert "teken" in synonyms("Tanda  Tangan")
    assert "keuntungan" in synonyms("manfaat")
    assert "kementerian" not in synonyms("manfaat") and synonyms("kementerian") == ("departemen",)
    assert synonyms("abadi")[-1] == "wujud" and "sementara" not in synonyms("abadi")   # antonyms left out
    assert synonyms("tidakadakata") == ()


def test_english_bridge() -> None:
    assert english("cooperation") == ("kerja sama", "koperasi")
    assert english("mayor") == ("wali kota",)
    assert english("income") == ("pendapatan", "penghasilan", "gaji", "pemasukan", "pendapatan bersih")
    assert english("Incomes") == english("income")
    assert english("cities")[0] == "kota"
    assert english("signed")[:2] == ("tanda", "menandatangani")
    assert english("qwertyuiop") == ()


def test_english_words_the_dictionary_lacks_come_from_the_wordnets() -> None:
    assert lexicon._lists(lexicon.ENGLISH).get("benefit") is None
    assert english("benefit") == ("faedah", "kebaikan", "manfaat", "tunjangan")
    assert english("similarities") == ("keserupaan", "persamaan")
    assert english("kind")[:3] == ("baik", "bagai", "jenis")          # the dictionary's sense first, then WordNet's
    assert english("countries") == ("desa", "negara", "bangsa", "negeri", "republik")   # first sense only:
    assert "daerah" not in english("countries")                        # not "region", its second
    assert english("come") == ("datang", "berkunjung", "tiba")        # a verb: its one noun sense is never used
    assert english("came") == english("come") and english("children")[0] == "anak"   # irregular forms


def test_wordnet_builder_joins_english_senses_to_indonesian_lemmas() -> None:
    build = _script("build_wordnet_english")
    nouns = ("  1 This software and database is being provided to you\n"
             "benefit n 3 3 @ ~ + 3 3 13296899 05142641 06892534  \n"
             "come n 1 3 @ ~ %p 1 0 05404336  \n"
             "working_capital n 1 1 @ 1 0 13374426  \n"
             "the_whole_kit_and_caboodle n 1 1 @ 1 0 00000001  \n")
    verbs = "come v 3 2 @ ~ 3 2 01849239 02005966 00000002  \n"
    tab = ("# Wordnet Bahasa\tind\turl\tMIT\n"
           "13296899-n\tind:lemma\tfaedah\n13296899-n\tind:lemma\tmanfaat\n13296899-n\tind:def\tguna\n"
           "05142641-n\tind:lemma\tkeuntungan\n13374426-n\tind:lemma\tmodal_kerja\n"
           "00000001-n\tind:lemma\tsemuanya\n05404336-n\tind:lemma\tmani\n"
           "02005966-v\tind:lemma\ttiba\n00000002-v\tind:lemma\tmenjadi\n")
    nouns_read, verbs_read = build.senses(nouns, "n"), build.senses(verbs, "v")
    assert nouns_read["benefit"] == (3, ["13296899-n", "05142641-n", "06892534-n"])
    assert nouns_read["come"] == (0, ["05404336-n"])
    ind = build.indonesian(tab)
    assert ind["13296899-n"] == ["faedah", "manfaat"] and ind["13374426-n"] == ["modal kerja"]
    made = build.translations([nouns_read, verbs_read], ind)
    assert made["benefit"] == ["faedah", "manfaat"]                    # the first sense only (SENSES = 1)
    assert made["working capital"] == ["modal kerja"]                  # never tagged: its part of speech still counts
    # "come": the verb (its noun sense is never tagged: not "mani"), and its first tagged sense with Indonesian
    # lemmas (the first has none; the third, "menjadi", is not tagged)
    assert made["come"] == ["tiba"]
    assert "the whole kit and caboodle" not in made                    # a phrase, not a question word
    assert build.irregular(["came come\nchildren child\nbuild build\n"]) == {"came": "come", "children": "child"}


@pytest.mark.parametrize("question, expected", [
    ("What is the purpose of the sister city cooperation between Batam and Gimje?", True),
    ("When was the MoU signed?", True),
    ("How many tons of fish were exported?", True),
    ("why did the cooperation fail", True),
    ("Apa tujuan kerja sama sister city Batam dan Gimje?", False),
    ("brp luas wilayah kota gimje dlm km2", False),
    ("kapan MoU ditandatangani", False),
    ("knp kerjasamanya gagal", False),
    ("", False),
])
def test_is_english(question: str, expected: bool) -> None:
    assert is_english(tokenise(question)) is expected


def test_the_language_vote_is_a_setting() -> None:
    signed = tokenise("When was the MoU signed?")
    assert is_english(signed) and not is_english(signed, replace(DEFAULT, language_margin=10.0))   # no word votes
    mixed = tokenise("kapan the MoU ditandatangani")                               # one English vote of three
    assert not is_english(mixed) and is_english(mixed, replace(DEFAULT, english_share=0.3))


def test_extra_roots_join_the_stemmer() -> None:
    stem = _stemmer().stem
    assert stem("ditandatangani") == stem("penandatanganan") == stem("menandatangani") == "tandatangan"
    assert stem("pertanggungjawaban") == stem("bertanggungjawab") == "tanggungjawab"
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
    assert not set(lexicon.extra_roots()) & set(StemmerFactory().get_words())   # only roots it lacks


def test_runtime_reads_only_the_repository() -> None:
    assert lexicon.DATA == REPO / "retrieval" / "data"
    for name in (chatforms.SLANG, chatforms.SLANG_SUPPLEMENT, lexicon.THESAURUS, lexicon.ENGLISH, lexicon.EXTRA_ROOTS,
                 lexicon.ENGLISH_STOP, lexicon.ENGLISH_WORDNET, lexicon.ENGLISH_IRREGULAR):
        assert (lexicon.DATA / name).is_file()
    assert not [p.name for p in (REPO / "retrieval").rglob("*.py") if "/usr/share" in p.read_text(encoding="utf-8")]
    for licence in ("LICENSE-slang.txt", "LICENSE-thesaurus.txt", "LICENSE-english.txt", "LICENSE-english-stop.txt",
                    "LICENSE-wordnet.txt", "README.md"):
        assert (lexicon.DATA / licence).is_file()


@pytest.mark.skipif(not Path("/usr/share/mythes/th_id_ID_v2.dat").is_file(), reason="mythes-id not installed")
def test_thesaurus_file_is_what_the_script_makes() -> None:
    build = _script("build_thesaurus")
    raw = build.DEFAULT_SOURCE.read_bytes()
    made = build.parse(raw.decode(raw.split(b"\n", 1)[0].decode("ascii").strip()))
    assert made == {k: list(v) for k, v in lexicon._lists(lexicon.THESAURUS).items()}


@pytest.mark.skipif(not Path("/usr/share/dictd/freedict-eng-ind.index").is_file(),
                    reason="dict-freedict-eng-ind not installed")
def test_english_file_is_what_the_script_makes() -> None:
    import gzip
    build = _script("build_english")
    data = gzip.decompress(build.DEFAULT_INDEX.with_suffix(".dict.dz").read_bytes())
    made = build.parse(build.DEFAULT_INDEX.read_text(encoding="utf-8"), data)
    assert made == {k: list(v) for k, v in lexicon._lists(lexicon.ENGLISH).items()}


def test_english_stop_words_file_is_what_the_script_makes() -> None:
    build = _script("build_english_stop")
    assert lexicon.english_stop_words() == frozenset(build.words())
    assert {"should", "between", "them", "which"} <= lexicon.english_stop_words()
    assert not {"income", "city", "mayor"} & lexicon.english_stop_words()
