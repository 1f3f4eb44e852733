"""Colloquial word forms come back in standard Indonesian, only where PySastrawi then finds a root."""
from __future__ import annotations

import pytest

from retrieval.analysis import index_term
from retrieval.colloquial import standard_forms
from retrieval.question import standard


@pytest.mark.parametrize("word, forms", [
    ("ditumbuhin", ("ditumbuhkan", "ditumbuhi")),      # -in for -kan or -i
    ("ngurusin", ("menguruskan", "mengurusi")),
    ("ngutip", ("mengutip",)),                         # ng- for meng-
    ("nyari", ("menyari", "mencari")),                 # ny- for meny- or menc-
    ("misah", ("memisah",)),                           # m- for mem-
    ("nambah", ("menambah",)),                         # n- for men-
    ("dateng", ("datang",)),                           # e for a in the last syllable
    ("datengnya", ("datangnya",)),                     # ... before a particle
    ("dipake", ("dipakai",)),                          # a final e for ai
    ("didatengin", ("didatangkan", "didatangi")),      # two rules at once
])
def test_each_rule_gives_the_standard_form(word, forms):
    assert standard_forms(word) == forms


@pytest.mark.parametrize("word", ["ingin", "main", "yakin", "mesin", "makan", "datang", "gimje", "batam", "yg", "2011"])
def test_a_word_whose_root_is_known_or_that_is_no_word_stays(word):
    assert standard_forms(word) == ()


def test_the_corpus_picks_among_the_forms():
    assert standard("nyari", lambda term: term == "cari") == "mencari"       # the corpus has "cari"
    assert standard("nyari", lambda term: False) == "menyari"                 # else the first form
    assert standard("nyari", lambda term: term == index_term("nyari")) == "nyari"   # the corpus has the word itself
