"""Study aids (retrieval/study): dates, timeline, glossary, outline, cards, citation check, export and the CLI.

Exact values on the real chapter were read off corpus/bab3-sister-city-batam-gimje.md by hand; the small
corpus tests/data/study/uji.md was written for these tests (dates in many forms, definitions, abbreviations,
a table with a period)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import CHAPTER_NAME
from retrieval import Engine
from retrieval.__main__ import main
from retrieval.readers.markdown import read_markdown
from retrieval.render import quote_dict
from retrieval.structure import structure
from retrieval.study import build_study
from retrieval.study.cards import BLANK, make_cards
from retrieval.study.check import check_citations, fact_in
from retrieval.study.dates import duration_in, find_dates
from retrieval.study.export import anki_tsv, study_markdown
from retrieval.study.glossary import definition_in, glossary
from retrieval.study.outline import outline, textrank, tfidf
from retrieval.study.report import AIDS, aid_json, aid_text
from retrieval.study.timeline import timeline

SMALL = Path(__file__).resolve().parent / "data" / "study"
PDF = Path(__file__).resolve().parent / "data" / "bab3-sister-city-batam-gimje.pdf"
# Every date of the chapter's text, in date order (read by hand; footnote access dates are not events).
CHAPTER_DATES = [
    ("1973", "year", "1973"), ("1992", "year", "tahun 1992"), ("2000", "year", "tahun 2000"),
    ("2006-12-18", "day", "18 Desember 2006"), ("2007", "year", "Tahun 2007"), ("2011", "year", "tahun 2011"),
    ("2011-08", "month", "Agustus 2011"), ("2011-12-28", "day", "28 Desember 2011"),
    ("2013-08-17", "day", "17 Agustus 2013"), ("2015", "year", "TAHUN 2015"), ("2018-08-17", "day", "17 Agustus 2018"),
]


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Engine:
    """The engine over the test-made corpus."""
    folder = tmp_path_factory.mktemp("study-small")
    shutil.copy(SMALL / "uji.md", folder / "uji.md")
    return Engine.build(folder, use_cache=False)


# --- dates ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("ditandatangani 17 Agustus 2013.", [("17 Agustus 2013", "2013-08-17", "day", None)]),
    ("sejak 18 Desember 2006", [("18 Desember 2006", "2006-12-18", "day", None)]),
    ("pada bulan Desember 2011 lalu", [("Desember 2011", "2011-12", "month", None)]),
    ("pada tahun 2011 dengan", [("tahun 2011", "2011", "year", None)]),
    ("periode 2013-2018", [("2013-2018", "2013", "year", "2018")]),
    ("dari 2013 sampai 2018", [("2013 sampai 2018", "2013", "year", "2018")]),
    ("On August 17, 2013 it was signed", [("August 17, 2013", "2013-08-17", "day", None)]),
    ("in December 2011", [("December 2011", "2011-12", "month", None)]),
    ("tanggal 17/08/2013", [("17/08/2013", "2013-08-17", "day", None)]),
    ("pada 17-19 Agt 2013", [("17-19 Agt 2013", "2013-08-17", "day", "2013-08-19")]),
    ("sejak 1973 yang", [("1973", "1973", "year", None)]),
    ("nomor 09/A/KP/XII/2006/01", []),
    ("US$114,5 miliar dan US$ 13,200 dan 1.500", []),
    ("2000 orang penjaga", []),
    ("Peraturan Pemerintah Nomor 50 Tahun 2007", [("Tahun 2007", "2007", "year", None)]),
    ("tanggal 31 Februari 2013 dan", []),              # no such day: not a date, nor its month or year
    ("tanggal 29/02/2013 dan", []),
    ("tanggal 31.04.2012 dan", []),
    ("on February 30, 2013 it", []),
    ("pada 30-31 April 2013", []),
    ("29 Februari 2012 (kabisat) dan 29/02/2012", [("29 Februari 2012", "2012-02-29", "day", None),
                                                   ("29/02/2012", "2012-02-29", "day", None)]),
])
def test_dates_in_many_forms(text, expected):
    assert [(d.text, d.date, d.precision, d.end_date) for d in find_dates(text)] == expected


def test_impossible_days_are_no_events_nor_cards(tmp_path):
    (tmp_path / "mustahil.md").write_text(
        "# Uji\n\nPerjanjian dagang Kota Velm ditandatangani pada 31 Februari 2013 di balai kota.\n\n"
        "Nota kedua Kota Velm tertanggal 29/02/2013 disimpan di arsip daerah.\n\n"
        "Laporan ketiga Kota Velm bertanggal 31.04.2012 dikirim ke gubernur.\n\n"
        "Festival Velm pertama diadakan pada 3 Maret 2014 di alun-alun.\n", encoding="utf-8")
    passages, _ = structure(read_markdown(tmp_path / "mustahil.md"))
    assert [(e.date, e.text_date) for e in timeline(passages)] == [("2014-03-03", "3 Maret 2014")]
    assert [c.answer for c in make_cards(passages, 20) if c.kind == "date"] == ["3 Maret 2014"]


def test_period_end_and_duration():
    found = find_dates("Batam, 17 Agustus 2013; JANGKA WAKTU: 5 tahun; BERAKHIR: 17 Agustus 2018")
    assert [(d.text, d.is_end) for d in found] == [("17 Agustus 2013", False), ("17 Agustus 2018", True)]
    assert duration_in("JANGKA WAKTU: 5 tahun; BERAKHIR") == "5 tahun"
    assert duration_in("Nomor 50 Tahun 2007") is None


# --- timeline ---------------------------------------------------------------------------------------------
def test_timeline_of_the_chapter_has_every_date_in_order_and_none_invented(engine):
    events = timeline(engine.passages)
    assert [(e.date, e.precision, e.text_date) for e in events] == CHAPTER_DATES
    for e in events:
        assert e.text_date in e.quote.text
        assert e.quote.text == e.quote.passage.text[e.quote.start:e.quote.end]


def test_timeline_rows_keep_their_context_and_the_period_is_a_span(engine):
    by_date = {e.date: e for e in timeline(engine.passages)}
    mou = by_date["2013-08-17"]
    assert (mou.end, mou.end_text, mou.duration) == ("2018-08-17", "17 Agustus 2018", "5 tahun")
    assert "Pemko Gimje-Korsei" in mou.quote.text and "Mou/Memorandum Saling Penghargaan" in mou.quote.text
    assert "Pemko Shenzhen-RRC" in by_date["2006-12-18"].quote.text
    assert by_date["2011"].quote.footnotes == (32,)
    assert by_date["2007"].quote.footnotes == (40,)


def test_timeline_of_a_small_text(small):
    events = timeline(small.passages)
    assert [(e.date, e.text_date, e.end) for e in events] == [
        ("1888", "tahun 1888", None), ("1901-03-03", "3 Maret 1901", None), ("2011-12", "Desember 2011", None),
        ("2013", "2013-2018", "2018"), ("2013-08-17", "August 17, 2013", None),
        ("2013-08-17", "17 Agustus 2013", "2018-08-17"), ("2015-01-01", "1 Januari 2015", None),
        ("2018-08-17", "17 Agustus 2018", None)]
    assert events[0].quote.footnotes == (1,)
    assert "Kota Velm" in events[5].quote.text and events[5].duration == "5 tahun"


# --- glossary ---------------------------------------------------------------------------------------------
def test_glossary_of_the_chapter(engine):
    terms = {t.term: t for t in glossary(engine.passages)}
    expanded = {k: (t.expansion, t.definition) for k, t in terms.items() if t.kind != "unexpanded"}
    assert expanded == {
        "FTZ": ("Free Trade Zone", "perdagangan bebas dan pelabuhan bebas Batam, Bintan dan Karimun"),
        "Kerjasama antar negara atau daerah": (None,
                                               "kegiatan yang dilakukan oleh dua atau lebih negara ataupun daerah"),
        "LoI": ("Letter of Intent", None),
        "MoU": ("Memorandum of Understanding", None),
        "NATO": ("North Atlantic Treaty Organization",
                 "kerjasama dari negara-negara Atlantik Utara yang berideologikan liberal"),
        "OKI": ("Organisasi Konferensi Islam", "kelompok organisasi negara-negara islam"),
    }
    assert sorted(k for k, t in terms.items() if t.kind == "unexpanded") == ["ASEAN", "OPEC", "RI", "RRC"]  # no "US$"
    # 3 × "MoU" in the text + "(MOU)" in the table title of each of the 3 rows; "Mou" is no abbreviation form
    assert terms["MoU"].uses == 6
    assert terms["NATO"].also[0].text == ("NATO adalah kerjasama dari negara-negara Atlantik Utara yang "
                                          "berideologikan liberal.")
    for t in terms.values():
        assert t.term.upper() in t.quote.text.upper()
        if t.expansion:
            assert t.expansion in t.quote.text


def test_glossary_of_a_small_text(small):
    terms = {t.term: (t.kind, t.expansion, t.definition) for t in glossary(small.passages)}
    assert terms == {
        "menara ungu": ("definition", None, "menara yang dicat dengan warna ungu"),
        "PKU": ("abbreviation", "Persatuan Kota Ungu", None),
        "Sister city": ("definition", None, "kerjasama antara dua kota dari negara yang berbeda"),
        "ASEAN": ("unexpanded", None, None),
        "WTO": ("unexpanded", None, None),
    }


@pytest.mark.parametrize("sentence, term", [
    ("Sister city adalah kerjasama dua kota.", "Sister city"),
    ("Yang dimaksud dengan paradiplomasi adalah hubungan luar negeri daerah.", "paradiplomasi"),
    ("A treaty is an agreement between states.", "treaty"),
    ("Hal di atas adalah dasar dari faktor-faktor.", None),
    ("Berikut ini adalah mekanisme dan prosedur.", None),
    ("Dari profil Kota Batam, menjabarkan Kota Batam adalah Kota yang strategis.", None),
    ("Memperhatikan kondisi perbatasan dan pembagian kewenangan yang dimiliki pemerintah daerah merupakan peluang.",
     None),
])
def test_definition_frames(sentence, term):
    found = definition_in(sentence)
    assert (found[0] if found else None) == term


# --- outline ----------------------------------------------------------------------------------------------
def test_outline_of_the_chapter(engine):
    sections = outline(engine.passages)
    assert len(sections) == 16
    assert [(s.title[:22], s.level) for s in sections[:5]] == [
        ("BAB III FAKTOR YANG ME", 0), ("A. Kerjasama Sister Ci", 1), ("B. Faktor Yang Mendoro", 1),
        ("1. Faktor Kerjasama", 2), ("2. Faktor perbedaan", 2)]
    by_title = {s.title: s for s in sections}
    assert by_title["A. Kerjasama Sister City Kota Batam Dengan Negera Sebelumnya"].footnotes == (32, 33, 34)
    assert sections[0].footnotes == tuple(range(32, 41))
    assert [q.text for q in by_title["4) Perbedaan ideologi"].key] == [
        "Perbedaan ideologi suatu wilayah negara dengan negara lain dapat memicu konflik antar negara bahkan "
        "menjadi konflik internasional.",
        "Untuk meredakan konflik atau ketegangan perlu adanya kerjasama, sehingga tidak memperbesar konflik yang "
        "telah ada."]
    assert all(1 <= len(s.key) <= 2 for s in sections)


def test_textrank_prefers_the_sentence_most_like_the_others():
    docs = [["kota", "batam", "gimje"], ["kota", "batam"], ["kota", "gimje"], ["pisang"]]
    scores = textrank(tfidf(docs))
    assert scores.argmax() == 0 and scores.argmin() == 3
    assert abs(scores.sum() - 1.0) < 1e-6


# --- cards ------------------------------------------------------------------------------------------------
def test_cards_of_the_chapter(engine):
    cards = make_cards(engine.passages, 20)
    assert len(cards) == 20
    assert len({c.section for c in cards}) >= 5
    assert len({(c.quote.passage.id, c.quote.start) for c in cards}) == 20       # no sentence twice
    for c in cards:
        assert c.answer in c.quote.text
        assert c.quote.text == c.quote.passage.text[c.quote.start:c.quote.end]
        assert c.answer not in [x for x in c.choices if x != c.answer]
        if c.choices:
            assert c.choices.count(c.answer) == 1 and len(set(c.choices)) == len(c.choices)
        if BLANK in c.prompt:
            assert c.prompt.replace(BLANK, c.answer) == c.quote.text.strip()
    kinds = {c.kind for c in cards}
    assert {"date", "definition", "expansion", "name"} <= kinds


def test_distractors_are_of_the_same_kind(engine):
    import re
    cards = make_cards(engine.passages, 40)
    year = re.compile(r"^\d{4}$")
    for c in cards:
        others = [x for x in c.choices if x != c.answer]
        if c.kind == "date" and year.match(c.answer):
            assert all(year.match(x) for x in others)
        if c.kind == "date" and find_dates(c.answer)[0].precision == "day":
            assert all(find_dates(x) and find_dates(x)[0].precision == "day" for x in others)
        if c.kind == "expansion":
            assert set(others) <= {"Free Trade Zone", "Letter of Intent", "Memorandum of Understanding",
                                   "North Atlantic Treaty Organization", "Organisasi Konferensi Islam"}
    month = next(c for c in cards if c.answer == "Agustus 2011")
    assert set(month.choices) - {"Agustus 2011"} <= {"Desember 2006", "Desember 2011", "Agustus 2013", "Agustus 2018"}
    assert len(month.choices) == 4


def test_name_distractors_are_of_the_same_kind_and_never_the_answer_misspelt(engine):
    names = [c for c in make_cards(engine.passages, 100) if c.kind == "name"]
    persons = {"Retno Marsudi", "Don Pramudwinai"}        # each written after a title, as an apposition
    offices = {"Pimpinan", "Menlu"}                        # names of an office: offered with persons
    for c in names:
        if c.answer not in persons | offices:
            assert not persons & set(c.choices), (c.answer, c.choices)     # no minister offered as a region
    retno = next(c for c in names if c.answer == "Retno Marsudi")
    assert "Don Pramudwinai" in retno.choices and not {"Thailand", "Negara Indonesia"} & set(retno.choices)
    shenzhen = [c for c in names if c.answer == "Kota Shenzhen"]
    assert shenzhen and all(not {"Kota Shen Zen", "Kota Shenzen"} & set(c.choices) for c in shenzhen)


def places(cards) -> list[int]:
    """Return how many cards have their answer at each of the four places."""
    at = [c.choices.index(c.answer) for c in cards if c.choices]
    return [at.count(k) for k in range(4)]


def test_the_answer_is_spread_over_the_four_places(engine, tmp_path):
    cli, quiz = make_cards(engine.passages, 20), [c for c in make_cards(engine.passages, 20) if c.choices][:10]
    assert places(cli) == [6, 5, 5, 4] and max(places(quiz)) <= 3         # was 8/8/3/1, and 7 of 10 at A
    assert cli == make_cards(engine.passages, 20)                         # seeded: the same cards each time
    (tmp_path / "jembatan.md").write_text("# Sejarah\n\n" + "".join(
        f"## Bagian {k}\n\nJembatan nomor {k} di pelabuhan selesai dibangun pada tahun {1801 + k}.\n\n"
        for k in range(120)), encoding="utf-8")
    passages, _ = structure(read_markdown(tmp_path / "jembatan.md"))
    cards = make_cards(passages, 100)
    assert len(cards) == 100 and all(len(c.choices) == 4 for c in cards)
    assert places(cards) == [25, 25, 25, 25]                              # within 20-30 % each, by construction


# --- citation check ---------------------------------------------------------------------------------------
def test_check_of_the_chapter(engine):
    checked = check_citations(engine.passages)
    assert [n for n, _ in checked.cited] == list(range(32, 41))
    cited = dict(checked.cited)
    assert cited[33][0].text.endswith("investasi, pendidikan dan pertanian.")
    assert cited[40][0].text.endswith("keadilan, dan kepastian hukum.")
    why = {u.quote.text[:40]: (u.why, u.fact) for u in checked.uncited}
    assert why["Hal ini dibuktikan dengan terjalinnya hu"] == ("date", "1973")
    assert why["Mekanisme ini dirancang dengan tujuan un"] == ("quotation", "“one door policy”")
    assert why["Dengan syarat yang ditetapkan oleh perat"] == ("date", "tahun 1992")
    assert all(u.quote.passage.kind != "row" for u in checked.uncited)    # the table inherits footnote 34
    assert all(not u.quote.footnotes for u in checked.uncited)

    flagged = [u.quote.text for u in checked.uncited]
    assert "Selain dengan Kota Shenzhen." not in flagged                      # a fragment states no fact
    assert "Sebagai contoh NATO (North Atlantic Treaty Organization)." not in flagged   # a term written out
    assert not any(t.startswith("faktor-faktor dasar yang tertulis") for t in flagged)  # Gimje is the subject
    assert len(flagged) == 21


def test_cli_check_explains_its_tags(engine):
    text = aid_text(build_study(engine), "check")
    assert "  [date] = tanggal atau tahun / a date or year" in text.splitlines()
    assert "  [name] = nama orang, tempat atau lembaga yang bisa diperiksa / a person, place or body one can check" \
        in text.splitlines()


def test_fact_kinds():
    assert fact_in("Ia berkata “kami setuju” kemarin.") == ("quotation", "“kami setuju”")
    assert fact_in("Kota ini punya 7 menara.") == ("number", "7")
    assert fact_in("a. Untuk memacu pertumbuhan ekonomi.") is None
    assert fact_in("Perjanjian diteken oleh Raja Ulmo kemarin.") == ("name", "Raja Ulmo")


# --- export, JSON, other corpora ---------------------------------------------------------------------------
def test_export_sheet_and_anki(engine):
    study = build_study(engine)
    md = study_markdown(study, engine)
    assert "\\" not in md                          # plain text: no escaping noise
    assert "US$114,5 miliar" in md
    assert "- **17 Agustus 2013** → 17 Agustus 2018 (5 tahun) (2013-08-17):" in md
    assert "- **1973**: “Hal ini dibuktikan" in md and "- **tahun 1992**: “" in md     # a year is not said twice
    assert "[32] Hasil dari kerjasama sebelumnya dengan Kota Gimje. https://finance.detik.com/" in md
    listed = [int(line[1:3]) for line in md.split("## Catatan kaki\n\n")[1].splitlines()]
    assert listed == list(range(32, 41))            # every footnote a section cites, not only those of its quotes
    tsv = anki_tsv(study.cards, engine).splitlines()
    assert tsv[:2] == ["#separator:tab", "#html:false"]
    rows = [line.split("\t") for line in tsv[3:]]
    assert len(rows) == 20 and all(len(r) == 3 for r in rows)
    assert all(c.answer in r[1] for c, r in zip(study.cards, rows))


def test_json_quotes_have_the_ask_shape(engine):
    study = build_study(engine)
    out = {aid: aid_json(study, aid, engine) for aid in AIDS}
    event = out["timeline"]["events"][3]
    assert set(event) >= {"date", "precision", "text_date", "quote"}
    assert event["quote"] == quote_dict(study.timeline[3].quote)
    assert set(event["quote"]) >= {"text", "source", "section", "page", "footnotes"}
    assert out["glossary"]["terms"][0]["quote"]["source"] == CHAPTER_NAME
    assert set(out["cards"]["cards"][0]) >= {"prompt", "answer", "choices", "quote"}
    assert set(out["outline"]["sections"][0]) >= {"title", "level", "key", "footnotes"}
    assert sorted(out["check"]["cited"]) == [str(n) for n in range(32, 41)]
    assert out["check"]["uncited"][0]["why"] in ("number", "date", "name", "quotation")
    assert [f["number"] for f in out["timeline"]["footnotes"]] == [34, 40, 32]   # the table rows cite [34]


def test_the_pdf_gives_the_same_timeline_with_pages(tmp_path):
    shutil.copy(PDF, tmp_path / PDF.name)
    engine = Engine.build(tmp_path, use_cache=False)
    study = build_study(engine)
    assert [(e.date, e.text_date) for e in study.timeline] == [(d, t) for d, _, t in CHAPTER_DATES]
    assert all(e.quote.page is not None for e in study.timeline)
    assert {t.term for t in study.glossary if t.kind != "unexpanded"} >= {"FTZ", "LoI", "MoU", "NATO", "OKI"}
    assert len(study.cards) == 20 and len(study.outline) == 16


def test_a_corpus_without_sections_or_footnotes(tmp_path):
    (tmp_path / "p1.txt").write_text("Gunung Krakatau meletus pada tahun 1883. Letusannya terasa sampai Eropa.",
                                     encoding="utf-8")
    (tmp_path / "p2.txt").write_text("Danau Toba terbentuk oleh letusan supervulkan.", encoding="utf-8")
    engine = Engine.build(tmp_path, use_cache=False)
    study = build_study(engine)
    assert [(s.title, s.level) for s in study.outline] == [("p1.txt", 0), ("p2.txt", 0)]
    assert [e.text_date for e in study.timeline] == ["tahun 1883"]
    out = aid_json(study, "glossary", engine)
    assert out["terms"] == [] and out["message"].startswith("Tidak ada istilah")
    assert aid_json(study, "check", engine)["message"].startswith("Korpus ini tidak memiliki catatan kaki")


# --- the CLI ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("aid, key", [("timeline", "events"), ("glossary", "terms"), ("cards", "cards"),
                                      ("outline", "sections"), ("check", "uncited")])
def test_cli_study_json(aid, key, chapter_corpus, capsys):
    assert main(["study", aid, "--corpus", str(chapter_corpus), "--json", "--n", "5"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[key]
    if aid == "cards":
        assert len(out["cards"]) == 5
    if aid == "timeline":
        assert [e["date"] for e in out["events"]] == [d for d, _, _ in CHAPTER_DATES]


def test_cli_study_export_and_errors(chapter_corpus, tmp_path, capsys):
    md, tsv = tmp_path / "sheet.md", tmp_path / "cards.tsv"
    assert main(["study", "export", "--corpus", str(chapter_corpus), "--md", str(md), "--anki", str(tsv)]) == 0
    assert md.read_text(encoding="utf-8").startswith("# Lembar belajar")
    assert len(tsv.read_text(encoding="utf-8").splitlines()) == 23
    assert main(["study", "cards", "--corpus", str(chapter_corpus), "--n", "0"]) == 2
    assert main(["study", "timeline", "--corpus", str(tmp_path / "missing")]) == 2
    assert "tidak ditemukan" in capsys.readouterr().err


def test_cli_study_export_never_overwrites_nor_follows_a_link(chapter_corpus, tmp_path, capsys):
    chapter = chapter_corpus / CHAPTER_NAME
    before = chapter.read_bytes()
    outside = tmp_path / "outside.txt"
    outside.write_text("milik orang lain\n", encoding="utf-8")
    (tmp_path / "link.md").symlink_to(outside)
    old = tmp_path / "old.md"
    old.write_text("lama\n", encoding="utf-8")
    run = ["study", "export", "--corpus", str(chapter_corpus)]
    for target in (chapter, old, tmp_path / "link.md", chapter_corpus / "lembar.md"):
        capsys.readouterr()
        assert main([*run, "--md", str(target)]) == 2
        assert capsys.readouterr().err.startswith(f"kutip: {target}: ")
    assert main([*run, "--md", str(tmp_path / "link.md"), "--force"]) == 2
    os.link(chapter, tmp_path / "hard.md")                                 # the chapter under a second name
    assert main([*run, "--md", str(tmp_path / "hard.md"), "--force"]) == 2
    assert main([*run, "--md", str(chapter), "--force"]) == 2
    assert main([*run, "--anki", str(tmp_path / "new.tsv"), "--md", str(old)]) == 2   # checked before any write
    assert chapter.read_bytes() == before and old.read_text(encoding="utf-8") == "lama\n"
    assert outside.read_text(encoding="utf-8") == "milik orang lain\n"
    assert not (tmp_path / "new.tsv").exists() and not (chapter_corpus / "lembar.md").exists()
    assert main([*run, "--md", str(old), "--force"]) == 0
    assert old.read_text(encoding="utf-8").startswith("# Lembar belajar")


def test_all_aids_on_the_chapter_under_a_second_warm_with_progress(engine):
    build_study(engine)                                   # warm: imports and caches
    seen: list[tuple[str, int, int]] = []
    study = build_study(engine, progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert study.seconds < 1.0
    assert [s for s in seen if s[0].startswith("study")] == [
        ("study outline", 0, 5), ("study timeline", 1, 5), ("study glossary", 2, 5), ("study cards", 3, 5),
        ("study check", 4, 5), ("study check", 5, 5)]
    assert ("timeline", 0, len([p for p in engine.passages if p.kind != "footnote"])) in seen
