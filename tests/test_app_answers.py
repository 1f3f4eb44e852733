"""The page through AppTest: short answer, relevant quotes only, scope, export, settings, uploads, safe config."""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from retrieval import Engine, userdocs
from tests.test_app import FACT, FACT_QUESTION, MOU, SHENZHEN, ask, docs, places, quotes, shown_text, start  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "corpus" / "bab3-sister-city-batam-gimje.md"
FESTIVAL = "Festival apa yang ada di kota Gimje?"


@pytest.fixture
def sessions(docs, tmp_path) -> Path:
    """Return where this test's browser sessions keep their uploads."""
    return tmp_path / "tmp" / userdocs.SESSIONS            # the docs fixture points TMPDIR there


def short_lines(at: AppTest) -> list[str]:
    """Return the HTML of every short-answer line shown."""
    return [h.value for h in at.get("html") if h.value.startswith('<div class="kutip-short-line">')]


def test_short_answer_is_shown_with_its_footnote(docs, sessions):
    at = ask(start(), MOU)
    [line] = short_lines(at)
    assert '<b class="kutip-answer">17 Agustus 2013</b>' in line
    assert "dari kutipan 1" in line and '<summary title="Catatan kaki 34">34</summary>' in line
    assert '<mark class="kutip-short">17 Agustus 2013</mark>' in quotes(at)[0]      # marked inside quote 1
    assert "<th>PENANDA TANGAN</th>" in quotes(at)[0]                               # a row as a small table


def test_the_trained_readers_short_answer_is_shown_and_marked_in_quote_1(docs, sessions, monkeypatch):
    """Three IDK-MRC valid paragraphs (tests/data/idk-mrc): the span model gives no short answer, the reader does."""
    monkeypatch.setenv("KUTIP_CORPUS", str(ROOT / "tests" / "data" / "idk-mrc" / "corpus"))
    at = ask(start(), "berapakah luas Kabupaten Brebes Jawa Tengah?")
    [line] = short_lines(at)
    assert '<b class="kutip-answer">1.902,37km²</b>' in line and "dari kutipan 1" in line
    assert '<mark class="kutip-short">1.902,37km²</mark>' in quotes(at)[0]


def test_no_short_answer_without_a_span_of_the_kind(docs, sessions):
    at = ask(start(), FESTIVAL)
    assert quotes(at) and not short_lines(at)


def test_only_the_quotes_the_engine_returns(docs, sessions, monkeypatch):
    real = Engine.ask

    def one_relevant(self, question, top_k=3):
        """The core's relevance test keeps one quote."""
        a = real(self, question, top_k)
        return replace(a, quotes=a.quotes[:1])

    monkeypatch.setattr(Engine, "ask", one_relevant)
    at = ask(start(), SHENZHEN)
    assert len(quotes(at)) == 1
    assert "1 kutipan relevan" in [c.value for c in at.caption]


def test_changing_the_quote_count_changes_the_answers_shown(docs, sessions):
    at = ask(start(), "Apa saja tujuan kerjasama sister city?")
    assert len(quotes(at)) == 3                     # the 3 asked for all pass the answerability test
    at.sidebar.slider(key="top_k").set_value(1).run()
    assert not at.exception
    assert len(quotes(at)) == 1 and "1 kutipan relevan" in [c.value for c in at.caption]
    at.sidebar.radio(key="lang").set_value("en").run()
    assert "1 relevant quote(s)" in [c.value.replace("\\", "") for c in at.caption]


def test_scope_one_document_and_cited_sources(docs, sessions):
    at = start()
    at.sidebar.file_uploader[0].set_value(("zorbania.txt", FACT.encode(), "text/plain")).run()
    at.sidebar.radio(key="scope_kind").set_value("one").run()
    at.sidebar.selectbox(key="scope_doc").set_value("unggahan/zorbania.txt").run()
    ask(at, MOU)
    assert not quotes(at) or all("17 Agustus" not in shown_text(q) for q in quotes(at))
    ask(at, FACT_QUESTION)
    assert quotes(at) and places(at)
    assert all(p.startswith("unggahan/zorbania.txt") for p in places(at)[-len(quotes(at)):])
    at.sidebar.radio(key="scope_kind").set_value("cited").run()
    assert any("Belum ada sumber yang dikutip" in c.value for c in at.sidebar.caption)
    assert "**Tidak ditemukan di dokumen yang dipilih\\.**" in [m.value for m in at.markdown]
    at.sidebar.radio(key="scope_kind").set_value("all").run()
    assert not any("17 Agustus 2013" in shown_text(q) for q in quotes(at))       # the answers shown keep their scope
    assert any("tujuh menara ungu" in shown_text(q) for q in quotes(at))
    ask(at, MOU)
    assert any("17 Agustus 2013" in shown_text(q) for q in quotes(at))           # the new scope: the next question


def test_upload_of_an_unsupported_type_is_refused_in_our_words(docs, sessions):
    at = start()
    at.sidebar.file_uploader[0].set_value(("bab.odt", b"PK\x03\x04", "application/octet-stream")).run()
    assert not at.exception
    [error] = at.sidebar.error
    assert "“bab.odt” tidak diunggah: format .odt belum didukung" in error.value.replace("\\", "")
    assert "PDF" in error.value and "MD" in error.value


def test_uploads_are_private_to_the_session(docs, sessions, session_cache_dir):
    at = start()
    cached = sorted(session_cache_dir.rglob("*"))
    at.sidebar.file_uploader[0].set_value(("zorbania.txt", FACT.encode(), "text/plain")).run()
    assert sorted(session_cache_dir.rglob("*")) == cached                       # its index is not kept on disk
    [folder] = [p for p in sessions.iterdir()]
    assert (folder / "zorbania.txt").read_text() == FACT and not docs.exists()
    assert any("Hanya terlihat di sesi peramban ini" in c.value for c in at.sidebar.caption)
    assert any("tujuh menara ungu" in shown_text(q) for q in quotes(ask(at, FACT_QUESTION)))
    other = ask(start(), FACT_QUESTION)                                          # another browser session
    assert not any("tujuh menara ungu" in shown_text(q) for q in quotes(other))


def test_old_session_folders_are_pruned(tmp_path):
    live, old = userdocs.session_dir("a" * 32, tmp_path), userdocs.session_dir("b" * 32, tmp_path)
    now = old.stat().st_mtime + userdocs.SESSION_TTL_SECONDS + 1
    assert userdocs.prune_sessions(tmp_path, now, keep=live.name) == ["b" * 32]
    assert live.is_dir() and not old.exists()
    with pytest.raises(userdocs.UserDocError):
        userdocs.session_dir("../etc", tmp_path)


def test_the_same_content_twice_is_answered_once(docs, sessions):
    at = start()
    at.sidebar.file_uploader[0].set_value(("salinan.md", CHAPTER.read_bytes(), "text/markdown")).run()
    ask(at, MOU)
    rows = [q for q in quotes(at) if "Batam, 17 Agustus 2013" in shown_text(q)]
    assert len(rows) == 1
    assert "Isi yang sama juga ada di: unggahan/salinan.md" in places(at)
    numbers = [m.value for m in at.sidebar.markdown if m.value.startswith("**\\[")]
    assert len(numbers) == 9                                                     # 32-40 once, not 18


def test_export_reads_well(docs, sessions, monkeypatch):
    saved: list[bytes] = []
    real = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        """Remember what the download button offers."""
        if mimetype == "text/markdown":
            saved.append(path_or_data)
        return real(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    ask(ask(ask(start(), SHENZHEN), ""), MOU)
    md = saved[-1].decode() if isinstance(saved[-1], bytes) else saved[-1]
    assert re.match(r"# Kutip — percakapan: bab3-sister-city-batam-gimje\.md\n\nTanggal: \d\d-\d\d-\d{4}\n", md)
    assert "\\-" not in md and "https\\:" not in md and "\\/" not in md
    assert "## 1. Berapa penghasilan Shenzhen pada tahun 2011?" in md and "## 3." not in md   # empty one left out
    assert "**Jawaban singkat:** 17 Agustus 2013 (dari kutipan 1 [34])" in md
    assert md.index("## Catatan kaki") > md.index("## 2. Kapan MoU")
    assert "[34] Sepak terjang kerjasama sister city yang pernah dilakukan kota Batam. <https://arsipskpd" in md


def test_copy_citation_gives_quote_and_footnote(docs, sessions):
    at = ask(start(), SHENZHEN)
    assert not at.get("code")
    at.button(key="copy-0-0").click().run()
    code = at.get("code")[0].value
    assert code.startswith("“Dari kerjasama Shen Zen dengan Batam") and "”[32]\n— bab3-sister-city" in code
    assert "\n[32] Hasil dari kerjasama sebelumnya dengan Kota Gimje. https://finance.detik.com/" in code


def test_config_defaults_are_safe():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    assert config["runner"]["postScriptGC"] is False       # no whole-heap scan after each run of any session's page
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["toolbarMode"] == "minimal"
    assert config["server"]["maxUploadSize"] == userdocs.MAX_BYTES // 1_048_576
    read = subprocess.run(
        [sys.executable, "-c", "from streamlit import config; config.get_config_options(force_reparse=True); "
         "print(config.get_option('server.address'), config.get_option('browser.gatherUsageStats'), "
         "config.get_option('client.toolbarMode'), config.get_option('server.maxUploadSize'), "
         "config.get_option('runner.postScriptGC'))"],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert read.stdout.split() == ["127.0.0.1", "False", "minimal", "20", "False"]   # what `streamlit run` reads


def test_answers_shown_are_not_computed_again(docs, sessions, tmp_path, monkeypatch):
    """A rerun draws the earlier turns from the session: no question asked again, no source support searched again."""
    corpus = tmp_path / "corpus"
    (corpus / "sources").mkdir(parents=True)
    (corpus / CHAPTER.name).write_bytes(CHAPTER.read_bytes())
    (corpus / "sources" / "33-antaranews.txt").write_text(
        "Gimje dan Batam akan melakukan kerjasama dalam lima bidang, yaitu pariwisata, industri dan perdagangan, "
        "investasi, pendidikan dan pertanian.", encoding="utf-8")
    monkeypatch.setenv("KUTIP_CORPUS", str(corpus))
    calls = {"ask": 0, "search": 0}
    real_ask, real_search = Engine.ask, Engine.search

    def counted_ask(self, *args, **kwargs):
        calls["ask"] += 1
        return real_ask(self, *args, **kwargs)

    def counted_search(self, *args, **kwargs):
        calls["search"] += 1
        return real_search(self, *args, **kwargs)

    monkeypatch.setattr(Engine, "ask", counted_ask)
    monkeypatch.setattr(Engine, "search", counted_search)
    at = ask(start(), "Kerjasama dalam lima bidang apa saja antara Gimje dan Batam?")
    assert calls["search"] >= 1                                  # the cited source's support, once
    ask(at, SHENZHEN)
    before = dict(calls)
    for _ in range(3):
        at.run()
    at.sidebar.radio(key="lang").set_value("en").run()           # language: drawn again, not asked again
    assert calls == before
    assert any("Support from source [33]: strong" in m.value.replace("\\", "") for m in at.markdown)


def older_blocks(at: AppTest) -> list[str]:
    """Return the HTML blocks holding older turns."""
    return [h.value for h in at.get("html") if h.value.startswith('<div class="kutip-old-q">')]


def test_older_turns_keep_their_quotes_and_bring_their_buttons_back(docs, sessions):
    at = start()
    for question in (MOU, SHENZHEN, FESTIVAL, FACT_QUESTION):
        ask(at, question)
    keys = {b.key for b in at.button}
    assert "read-0-0" not in keys and "read-1-0" in keys                            # only the last 3 turns
    assert len(at.chat_message) == 6                                                 # the first one is HTML only
    [old] = older_blocks(at)
    assert old.startswith(f'<div class="kutip-old-q">{MOU}</div><div class="kutip-old-a">'
                          '<div class="kutip-short-line">')
    assert "17 Agustus 2013</b>" in old and "<th>PENANDA TANGAN</th>" in old     # still all there
    pick = at.selectbox(key="older-pick")
    assert pick.options == [f"1. {MOU}"] and pick.value is None
    pick.set_value(0).run()
    assert "read-0-0" in {b.key for b in at.button} and len(at.chat_message) == 8
    assert not older_blocks(at) and "older-pick" not in {s.key for s in at.selectbox}   # nothing older to bring back


def test_older_turns_are_drawn_in_blocks_that_stay_the_same_as_the_chat_grows(docs, sessions, monkeypatch):
    """A block of older turns is cut at fixed turn numbers, so a new question leaves the full blocks byte-identical
    (the browser then redraws only what changed) and an abstention or a message is drawn there too."""
    monkeypatch.setattr("ui.answer.OLDER_BLOCK", 2)
    at = start()
    marked = "<b>Kapan</b> MoU Batam dan Gimje ditandatangani?"
    for question in (marked, "Siapa pemenang piala dunia 2022?", "???", SHENZHEN, FESTIVAL, FACT_QUESTION):
        ask(at, question)
    first, second = older_blocks(at)                                                # turns 1-2, then turn 3
    assert first.count('class="kutip-old-q"') == 2 and second.count('class="kutip-old-q"') == 1
    assert first.startswith('<div class="kutip-old-q">&lt;b&gt;Kapan&lt;/b&gt; MoU')   # markup shown, not obeyed
    assert "<b>Tidak ditemukan dalam bab ini.</b>" in first
    assert "tidak berisi kata yang bisa dicari" in second and 'class="kutip-old-warn"' in second
    assert [o.split(". ", 1)[0] for o in at.selectbox(key="older-pick").options] == ["1"]   # only turns with quotes
    ask(at, MOU)
    assert older_blocks(at)[0] == first and older_blocks(at)[1].startswith(second)
    assert len(older_blocks(at)) == 2 and older_blocks(at)[1].count('class="kutip-old-q"') == 2
