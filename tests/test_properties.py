"""Properties over arbitrary input (hypothesis, bounded and derandomised so CI runs are repeatable)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings, strategies as st

from retrieval import MAX_QUESTION_CHARS, Engine
from retrieval.errors import BadQuestion, ReadError
from retrieval.index import edit_distance
from retrieval.model import Answer, Document
from retrieval.readers.markdown import parse_markdown, read_markdown
from retrieval.readers.text import parse_text, read_text
from retrieval.structure import structure

BOUNDED = settings(max_examples=100, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# pieces of markdown, HTML, control characters and chapter words, so generated text reaches every reader rule
PIECES = st.sampled_from([
    "a", "Gimje", "kerjasama", "Batam", " ", "  ", "\n", "\n\n", "\t", "\r\n", "\f", "\x00", "\x01", "\x1b[31m", "\x7f",
    "\u200b", "\u2028", "\ufeff", "é", "😀", "🇰🇷", "#", "## ", "### 1) ", "BAB III", "A. ", "1. ", "a. ", "- ", "* ",
    "**", "*", "_", "__", "`", "\\", "\\$", "$", "[", "]", "(", ")", "[^1]", "[^2]: ", "<sup>", "</sup>",
    "<sup>33</sup>", "<b>", "</b>", "<script>alert(1)</script>", "&amp;", "&#0;", "<https://x.test/a->", "https://",
    "---", "|", " | ", "|---|", ":", ".", "?", "Kapan", "Siapa", "Berapa", "diakses 1 Mei 2020", "\\*",
])
MARKUP = st.lists(PIECES, max_size=80).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=400), MARKUP)
QUESTIONS = st.one_of(ANY_TEXT, st.text(min_size=MAX_QUESTION_CHARS - 5, max_size=MAX_QUESTION_CHARS + 40))

GOOD = ("# Catatan uji\n\nKota Zamrud bermitra dengan Kota Safir sejak tahun 2013<sup>1</sup>.\n\n"
        "<sup>1</sup> Berita uji. <https://contoh.test/zamrud> diakses pada 1 Mei 2020\n")


def printable_left(q: str) -> bool:
    return any(c.isprintable() and not c.isspace() for c in q)


@BOUNDED
@given(QUESTIONS)
@example("")
@example("\x00\x01\x1b\x7f\u200b\u2028 \t\n")
@example("yang dan di")
@example("😀" * 50)
@example("<script>alert('x')</script> **Festival** [Gimje](http://x) `kode`")
@example("Kapan " + "kerjasama " * 200)
def test_any_question_gives_an_answer_or_bad_question(engine, question):
    try:
        a = engine.ask(question)
    except BadQuestion:
        assert len(question) > MAX_QUESTION_CHARS or not printable_left(question)
        return
    assert isinstance(a, Answer)
    assert 0 < len(a.question) <= MAX_QUESTION_CHARS and a.question == a.question.strip()
    assert not any(c in a.question for c in "\x00\x01\x1b\x7f\u200b\u2028\n\t")
    assert a.abstained == (not a.quotes)
    if a.abstained:
        assert a.footnotes == ()
    for q in a.quotes + a.related:
        assert q.text and q.text == q.passage.text[q.start:q.end] and q.text in q.passage.text
        assert q.passage is engine.passages[q.passage.id]
        assert set(q.footnotes) <= set(q.passage.footnotes)
    assert len(a.quotes) <= 3
    for i, x in enumerate(a.quotes):                 # at most two quotes of one passage, never overlapping
        same = [y for y in a.quotes[i + 1:] if y.passage.id == x.passage.id]
        assert len(same) <= 1 and all(y.end <= x.start or x.end <= y.start for y in same)
    assert {f.number for f in a.footnotes} == {n for q in a.quotes for n in q.footnotes}


@BOUNDED
@given(ANY_TEXT)
@example("| a |\n|---|\n")
@example("<sup>1</sup> https://x.test/a-\n\nb\n\n---\n\n[c](#)")
@example("- a. \n- \n1)\n\n")
def test_any_text_is_read_and_structured(text):
    for blocks in (parse_markdown(text), parse_text(text)):
        passages, notes = structure(Document(source="gen.md", blocks=tuple(blocks)))
        for p in passages:
            assert p.text
            assert all(0 <= a <= b <= len(p.text) for a, b in p.sentences)
            assert all(0 <= off <= len(p.text) for off, _ in p.marks)
        assert [p.id for p in passages] == list(range(len(passages)))
        assert len([p for p in passages if p.kind == "footnote"]) == len(notes)


@BOUNDED
@given(st.one_of(st.binary(max_size=600), ANY_TEXT.map(lambda s: s.encode("utf-8")),
                 ANY_TEXT.map(lambda s: s.encode("utf-16")), ANY_TEXT.map(lambda s: s.encode("cp1252", "replace"))))
@example(bytes(range(256)))
@example(b"\xff\xfe")
@example(b"\xef\xbb\xbf")
def test_any_bytes_are_read_or_refused_with_read_error(data):
    with tempfile.TemporaryDirectory() as d:
        for name, reader in (("gen.md", read_markdown), ("gen.txt", read_text)):
            path = Path(d) / name
            path.write_bytes(data)
            try:
                doc = reader(path)
            except ReadError as e:
                assert name in str(e) and "\n" not in str(e)
                continue
            assert doc.source == name
            structure(doc)


@BOUNDED
@given(st.one_of(st.binary(max_size=600), ANY_TEXT.map(lambda s: s.encode("utf-8", "surrogatepass"))),
       st.sampled_from([".md", ".txt"]))
@example(bytes(range(256)) * 4, ".txt")
@example(b"", ".md")
def test_a_bad_file_never_stops_the_good_one(data, suffix):
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        (folder / "baik.md").write_text(GOOD, encoding="utf-8")
        (folder / f"gen{suffix}").write_bytes(data)
        engine = Engine.build(folder, use_cache=False)
        status = {s.source: s for s in engine.documents}
        assert status["baik.md"].status == "indexed" and status["baik.md"].passages == 2
        assert status[f"gen{suffix}"].status in ("indexed", "skipped")
        a = engine.ask("Sejak kapan Kota Zamrud bermitra dengan Kota Safir?")
        assert not a.abstained
        first = a.quotes[0]
        assert (first.passage.source, first.text) == \
            ("baik.md", "Kota Zamrud bermitra dengan Kota Safir sejak tahun 2013.")
        assert first.footnotes == (1,) and a.footnotes[0].url == "https://contoh.test/zamrud"


def _levenshtein(a: str, b: str) -> int:
    """Plain dynamic-programming edit distance, the reference."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return prev[-1]


@given(st.text("abcn", max_size=9), st.text("abcn", max_size=9), st.sampled_from([1, 2]))
@example("horison", "horizon", 1)
@example("shenzen", "shenzhen", 1)
def test_bounded_edit_distance_agrees_with_the_reference(a, b, limit):
    d, got = _levenshtein(a, b), edit_distance(a, b, limit)
    assert got == d if d <= limit else got > limit
