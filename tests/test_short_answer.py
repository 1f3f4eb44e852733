"""The short answer: exact spans of the asked kind from chapter sentences and invented ones; None when absent."""
from __future__ import annotations

import dataclasses

import pytest

from retrieval.answerable import kind_found
from retrieval.asked import Asked
from retrieval.question import understand
from retrieval.settings import Settings
from retrieval.short_answer import (
    SPAN_FEATURES,
    SpanModel,
    candidates,
    kind_context,
    short_answer,
    span_features,
    span_model,
)
from tests.conftest import passage_with

SHENZHEN = ("Dari kerjasama Shen Zen dengan Batam lebih menguntungkan Shen Zen, pada tahun 2011 dengan berhasilnya "
            "Shen Zen mendapatkan penghasilan US$114,5 miliar dan memiliki pendapatan per-kapita US$ 13,200")


def asked_of(question: str) -> Asked:
    """Return what the question asks for, as the engine reads it (every word known to the corpus)."""
    return understand(question, {}, lambda t: True).asked


def span(question: str, text: str, model: SpanModel | None = None) -> str | None:
    """Return the short answer's text, checked to be the exact span it claims."""
    found = short_answer(question, asked_of(question), text, model=model)
    if found is None:
        return None
    assert text[found.start:found.end] == found.text
    return found.text


@pytest.mark.parametrize("question, kind", [
    ("Kapan MoU Batam dan Gimje ditandatangani?", "date"), ("kpn mou diteken?", "date"),
    ("tgl brp mou berakhir?", "date"), ("thn brp LoI dibuat?", "date"), ("When was the MoU signed?", "date"),
    ("Berapa penghasilan Shenzhen?", "number"), ("brp persen pajaknya?", "number"),
    ("How many fields of cooperation?", "number"), ("Siapa Menteri Luar Negeri RI?", "person"),
    ("Di mana Masjid Al-Aqsa?", "place"), ("dmn masjidnya?", "place"), ("Apa kepanjangan OKI?", "expansion"),
    ("OKI singkatan dari apa?", "expansion"), ("Festival apa yang ada di kota Gimje?", None),
    ("Mengapa kerjasama itu gagal?", None)])
def test_kind_of_answer_asked(question, kind):
    assert asked_of(question).kind == kind


def test_chapter_table_row_gives_the_signing_date(passages):
    row = passage_with(passages, "Batam, 17 Agustus 2013").text
    assert span("Kapan MoU Batam dan Gimje ditandatangani?", row) == "17 Agustus 2013"
    assert span("kpn mou batam gimje ditandatangani?", row) == "17 Agustus 2013"
    assert span("Kapan MoU itu berakhir?", row) == "17 Agustus 2018"
    assert span("Berapa lama jangka waktu MoU?", row) == "5 tahun"
    assert span("Di mana MoU ditandatangani?", row) == "Batam"       # the PENANDA TANGAN cell: "Batam, 17 Agustus 2013"
    assert span("Sampai kapan MoU berlaku?", row) == "17 Agustus 2018"   # "sampai" asks for the BERAKHIR column
    assert span("Siapa nama pemerintah daerah?", row) == "Pemko Gimje-Korsei"


EVERY = dataclasses.replace(span_model(), threshold=0.0)        # the span the model likes best, shown or not


def test_chapter_amounts_with_currency_and_scale():
    assert span("Berapa penghasilan Shenzhen pada tahun 2011?", SHENZHEN, EVERY) == "US$114,5 miliar"
    assert span("Berapa pendapatan per kapita Shenzhen?", SHENZHEN, EVERY) == "US$ 13,200"
    assert span("brp penghasilan shenzhen thn 2011?", SHENZHEN, EVERY) == "US$114,5 miliar"


def test_chapter_names_places_expansions(passages):
    oki = passage_with(passages, "Organisasi Konferensi Islam").text
    assert span("Apa kepanjangan OKI?", oki, EVERY) == "Organisasi Konferensi Islam"
    assert span("OKI singkatan dari apa?", oki, EVERY) == "Organisasi Konferensi Islam"
    assert span("Di mana Masjid Al-Aqsa?", oki, EVERY) == "Yerusalem"
    visit = passage_with(passages, "Seo Sung Heo").text
    assert span("Siapa perwakilan Gimje yang datang ke Batam?", visit, EVERY) == "Seo Sung Heo"
    assert span("Kapan Seo Sung Heo datang ke Batam?", visit, EVERY) == "Agustus 2011"
    assert span("Berapa bidang kerjasama Gimje dan Batam?", visit, EVERY) == "lima"     # the question names the unit
    minister = passage_with(passages, "Retno Marsudi").text
    assert span("Siapa Menteri Luar Negeri RI yang memberi pernyataan pers?", minister, EVERY) == "Retno Marsudi"


@pytest.mark.parametrize("question, text, expected", [
    ("Kapan perjanjian itu ditandatangani?", "Perjanjian ditandatangani pada 28 Desember 2011 di Seoul.",
     "28 Desember 2011"),
    ("Tahun berapa kota itu berdiri?", "Kota itu berdiri tahun 1829 dan berkembang pesat.", "1829"),
    ("Berapa persen warga yang setuju?", "Sebanyak 30 persen warga setuju, sisanya menolak.", "30"),   # unit asked
    ("Berapa lama program berjalan?", "Program berjalan selama 5 tahun sejak 2015.", "5 tahun"),
    ("Siapa yang meresmikan jembatan itu?", "Jembatan itu diresmikan oleh Presiden Joko Widodo pada 2018.",
     "Joko Widodo"),
    ("Di mana konferensi diadakan?", "Konferensi itu diadakan di Kota Makassar pada bulan Mei.", "Kota Makassar"),
    ("Apa kepanjangan OKI?", "Indonesia anggota Organisasi Kerjasama Islam (OKI) sejak awal.",
     "Organisasi Kerjasama Islam"),
    ("UNDP singkatan dari apa?", "Dana itu dari UNDP (United Nations Development Programme) di Jakarta.",
     "United Nations Development Programme"),
    ("How much did the city earn?", "The city earned US$ 2,5 million in exports.", "US$ 2,5 million"),
])
def test_invented_sentences(question, text, expected):
    assert span(question, text, EVERY) == expected


@pytest.mark.parametrize("question, text, spans", [
    ("Berapa luas Dubai?", "Luas Dubai 4.114km² dan penduduknya 3 juta jiwa.",
     ["4.114km²", "4.114", "3 juta jiwa", "3"]),                                   # a unit written onto the number
    ("Berapa luas Rusia?", "Luas Rusia 17,1 juta kilometer persegi.", ["17,1 juta kilometer persegi", "17,1"]),
    ("Berapa tinggi Gunung Raung?", "Tingginya 3.260 m dpl.", ["3.260 m dpl", "3.260"]),
    ("Ada berapa bagian usus halus?", "Usus halus terdiri dari tiga bagian.", ["tiga bagian", "tiga"]),
    ("Berapa jumlah jaringan?", "Jaringan 5G tiba, salah satu dari dua belah pihak, 3D.", []),  # names, not amounts
    ("Kapan Martin Luther lahir?", "Martin Luther lahir 10 November 1483 di Eisleben.",
     ["10 November 1483", "November 1483", "1483"]),                               # a year before 1500 after a month
    ("Kapan kongres diadakan?", "Kongres diadakan 16-17 Desember 1934 di Montreux.",
     ["16-17 Desember 1934", "17 Desember 1934", "Desember 1934", "1934"]),
    ("Kapan Ibn Khaldun lahir?", "Ibn Khaldun lahir pada 1332 M di Tunis.", ["1332 M", "1332"]),
    ("Kapankah agama Kristen masuk ke Indonesia?", "Agama Kristen masuk pada abad ke-7, lalu Islam.", ["abad ke-7"]),
    ("Kapan internet masuk ke Indonesia?", "Internet masuk pada 1990-an.", ["1990-an"]),
    ("Kapan Tang Gaozu mulai menjabat?", "Ia menjabat sejak 618 sampai 626 dengan 500 orang pengawal.", ["618"]),
    ("Siapakah pengarang Harry Potter?", "Buku itu ditulis oleh J. K. Rowling.", ["Buku", "J. K. Rowling"]),
    ("Siapa pendiri Google?", "Google didirikan oleh Larry Page dan Sergey Brin.",
     ["Larry Page", "Sergey Brin", "Larry Page dan Sergey Brin"]),                 # a list of names is one too
    ("Di mana kantor pusatnya?", "Kantor pusatnya di Burbank, California.",
     ["Burbank", "California", "Burbank, California"]),                            # a place with its tiers
])
def test_candidates_are_written_as_answers_are(question, text, spans):
    # the forms the answer spans of TyDiQA-id/IDK-MRC train take (tools: the span model's candidates)
    assert [text[s:e] for s, e, _ in candidates(question, text, asked_of(question))] == spans


@pytest.mark.parametrize("question, text, shown", [
    ("Kapan perjanjian itu ditandatangani?", "Perjanjian ditandatangani pada 28 Desember 2011 di Seoul.", True),
    ("Siapa yang meresmikan jembatan itu?", "Jembatan itu diresmikan oleh Presiden Joko Widodo pada 2018.", True),
    ("Berapa persen warga yang setuju?", "Sebanyak 30 persen warga setuju, sisanya menolak.", False),
    ("How much did the city earn?", "The city earned US$ 2,5 million in exports.", False)])
def test_the_fitted_threshold_decides_what_is_shown(question, text, shown):
    # the shipped trees give 0.95 to the full date, 0.90 to the name, 0.83 to the amount with its currency and scale
    # and 0.71 to the bare percentage; the threshold (0.878) keeps 0.9 precision out of fold on train less 1.645
    # standard errors (at 0.773, without that margin, the amount was shown too)
    assert (short_answer(question, asked_of(question), text) is not None) == shown


@pytest.mark.parametrize("question, text", [
    ("Kapan perjanjian ditandatangani?", "Perjanjian itu ditandatangani oleh kedua wali kota."),      # no date
    ("Pada tahun 2011 apa yang terjadi, kapan tepatnya?", "Pada tahun 2011 kedua kota bertemu."),   # asked already
    ("Berapa penduduk Gimje?", "Gimje adalah kota pertanian di Korea Selatan."),                   # no number
    ("Berapa kota yang bekerja sama pada tahun 2013?", "Pada tahun 2013 kerjasama dimulai."),       # only the year
    ("Siapa yang diuntungkan?", "Kerjasama itu lebih menguntungkan Shen Zen daripada Batam."),      # a city, no person
    ("Di mana kantornya?", "Kantornya besar dan modern."),                                          # no place
    ("Apa kepanjangan FTZ?", "Perdagangan bebas diatur pemerintah."),                               # not spelled out
    ("Festival apa yang ada di kota Gimje?", "Di Kota Gimje ada Festival Horizon."),               # not a span kind
    ("Siapa Retno Marsudi?", "Hal itu dikemukakan oleh Menteri Luar Negeri RI, Retno Marsudi."),   # named already
])
def test_no_span_of_the_kind_means_no_short_answer(question, text):
    assert short_answer(question, asked_of(question), text) is None


def test_the_short_answer_limits_are_settings():
    oki = "Indonesia anggota Organisasi Kerjasama Islam (OKI) sejak awal."
    asked = asked_of("Apa kepanjangan OKI?")
    assert short_answer("Apa kepanjangan OKI?", asked, oki, model=EVERY).text == "Organisasi Kerjasama Islam"
    three_words_too_many = Settings(max_expansion_words=2)
    assert short_answer("Apa kepanjangan OKI?", asked, oki, model=EVERY, settings=three_words_too_many) is None
    question = "Berapa penghasilan Shenzhen pada tahun 2011?"
    near = span_features(question, SHENZHEN, asked_of(question), candidates(question, SHENZHEN, asked_of(question)),
                         1.0)
    blind = Settings(context_words=0)
    far = span_features(question, SHENZHEN, asked_of(question),
                        candidates(question, SHENZHEN, asked_of(question), blind), 1.0, settings=blind)
    left = SPAN_FEATURES.index("left_terms")
    assert near[:, left].max() > 0 and far[:, left].max() == 0.0


def test_how_far_a_number_s_unit_may_stand_is_a_setting():
    asked = asked_of("berapa persen pajaknya?")
    quote = "Pajak naik 40 persen."
    assert kind_found(asked, "berapa persen pajaknya", quote)
    assert not kind_found(asked, "berapa persen pajaknya", quote, unit_reach=4)     # " per": "persen" cut off


def test_kind_context_reads_spans_only_in_a_sentence_holding_a_question_word(monkeypatch):
    import retrieval.short_answer as sa
    question = "Kapan MoU Batam dan Gimje ditandatangani?"
    asked, weights = asked_of(question), {"mou": 2.0, "batam": 1.0, "gimje": 3.0, "tandatangan": 1.0}
    near = "MoU Batam dan Gimje ditandatangani pada 17 Agustus 2013."
    assert kind_context(question, asked, near, weights) == pytest.approx(4.0 / 7.0)   # gimje, tandatangan: within
                                                                                      # the 4 words before the date
    read = []
    monkeypatch.setattr(sa, "candidates", lambda *a, **k: read.append(a[1]) or [])
    other = "Festival budaya diadakan pada 12 Mei 2014 di alun-alun."
    assert kind_context(question, asked, other, weights) == 0.0 and read == []       # no question word: not read
    assert kind_context(question, asked, near, weights) == 0.0 and read == [near]
