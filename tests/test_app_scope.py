"""The page through AppTest (issue 29): a scope belongs to the questions asked under it, the export says which,
the language keeps the scope, a repeated PDF can be chosen and cites its pages, a section is asked in this session."""
from __future__ import annotations

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from retrieval.headings import without_numbering
from retrieval.study import build_study
from tests.conftest import shared_path
from tests.test_app import MOU, app_engine, ask, docs, places, quotes, shown_text, start  # noqa: F401 (fixtures)

FESTIVAL = "Festival apa yang ada di kota Gimje?"
PDF_NAME = "bab3-sister-city-batam-gimje.pdf"


@pytest.fixture
def exported(monkeypatch) -> list[str]:
    """Return the list the download button's Markdown files are put in, newest last."""
    saved: list[str] = []
    real = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        """Remember what the download button offers."""
        if mimetype == "text/markdown":
            saved.append(path_or_data.decode() if isinstance(path_or_data, bytes) else path_or_data)
        return real(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return saved


def assistant_texts(at: AppTest) -> list[str]:
    """Return, per assistant message, the text of its Markdown, captions and HTML, in order."""
    out = []
    for message in at.chat_message:
        if message.name != "assistant":
            continue
        parts = [child.value for child in message.children.values() if hasattr(child, "value")
                 and isinstance(child.value, str)]
        out.append("\n".join(parts))
    return out


def test_a_scope_applies_to_the_questions_asked_under_it_and_the_export_says_which(docs, exported):
    at = ask(start(), MOU)
    at.sidebar.radio(key="scope_kind").set_value("cited").run()       # the chapter is no cited source
    first = assistant_texts(at)[0]
    assert "17 Agustus 2013" in first and "Tidak ditemukan" not in first   # the earlier answer stays
    ask(at, FESTIVAL)
    second = assistant_texts(at)[1]
    assert "Dicari di: Sumber yang dikutip saja" in second.replace("\\", "")
    assert "**Tidak ditemukan di dokumen yang dipilih\\.**" in second
    assert "17 Agustus 2013" in assistant_texts(at)[0]
    md = exported[-1]
    one, two = md.split("## 1. ")[1].split("## 2. ")
    assert one.startswith(f"{MOU}\n\nDicari di: semua dokumen\n\n**Jawaban singkat:** 17 Agustus 2013")
    assert two.startswith(f"{FESTIVAL}\n\nDicari di: sumber yang dikutip saja\n\n"
                          "_Tidak ditemukan di dokumen yang dipilih._\n")
    at.sidebar.slider(key="top_k").set_value(1).run()                 # asked again: each in its own scope
    texts = assistant_texts(at)
    assert "17 Agustus 2013" in texts[0] and "Tidak ditemukan di dokumen yang dipilih" in texts[1]


def test_the_export_in_english_says_the_scope_in_english(docs, exported):
    at = start()
    at.sidebar.radio(key="scope_kind").set_value("cited").run()
    ask(at, MOU)
    at.sidebar.radio(key="lang").set_value("en").run()
    assert f"## 1. {MOU}\n\nSearched in: cited sources only\n\n_Not found in the chosen documents._\n" in exported[-1]


def test_switching_language_keeps_the_scope(docs):
    at = start()
    at.sidebar.file_uploader[0].set_value(("zorbania.txt", b"Kota Zorbania punya tujuh menara ungu.",
                                           "text/plain")).run()
    at.sidebar.radio(key="scope_kind").set_value("one").run()
    at.sidebar.selectbox(key="scope_doc").set_value("unggahan/zorbania.txt").run()
    for _ in range(3):
        at.sidebar.radio(key="lang").set_value("en").run()
        assert at.sidebar.radio(key="scope_kind-en").value == "one"
        assert at.sidebar.selectbox(key="scope_doc-en").value == "unggahan/zorbania.txt"
        at.sidebar.radio(key="lang").set_value("id").run()
        assert at.sidebar.radio(key="scope_kind").value == "one"
        assert at.sidebar.selectbox(key="scope_doc").value == "unggahan/zorbania.txt"


def test_an_uploaded_pdf_of_the_chapter_can_be_chosen_and_its_quotes_carry_pages(docs):
    pdf = shared_path("corpus-fixtures", PDF_NAME)
    at = start()
    at.sidebar.file_uploader[0].set_value((PDF_NAME, pdf.read_bytes(), "application/pdf")).run()
    at.sidebar.radio(key="scope_kind").set_value("one").run()
    choice = at.sidebar.selectbox(key="scope_doc")
    assert choice.options == ["bab3-sister-city-batam-gimje.md",
                              f"unggahan/{PDF_NAME} (isi sama dengan bab3-sister-city-batam-gimje.md)"]
    choice.set_value(f"unggahan/{PDF_NAME}").run()
    ask(at, MOU)
    assert "17 Agustus 2013" in shown_text(quotes(at)[0])
    assert places(at)[0] == (f"unggahan/{PDF_NAME} · BAB III FAKTOR YANG MENDORONG TERJADINYA KERJASAMA SISTER CITY"
                             " › A. Kerjasama Sister City Kota Batam Dengan Negera Sebelumnya · hlm. 46")
    assert places(at)[1] == "Isi yang sama juga ada di: bab3-sister-city-batam-gimje.md"


def test_ask_about_a_section_asks_in_this_session(docs, app_engine):
    at = start()
    at.sidebar.file_uploader[0].set_value(("zorbania.txt", b"Kota Zorbania punya tujuh menara ungu.",
                                           "text/plain")).run()
    ask(at, MOU)
    at.sidebar.segmented_control(key="mode").set_value("study").run()
    outline = build_study(app_engine, n_cards=1).outline
    k, section = len(outline) - 1, outline[-1]
    assert not [m for m in at.markdown if "?q=" in m.value]                        # no link to a new tab
    at.button(key=f"ask-section-{k}").click().run()
    assert not at.exception
    assert at.sidebar.segmented_control(key="mode").value == "ask"
    assert len([m for m in at.chat_message if m.name == "user"]) == 2             # the conversation goes on
    turn = at.session_state["turns"][-1]
    assert turn.question == f"Apa isi bagian “{without_numbering(section.title).strip()}”?"
    assert turn.answer.quotes[0].passage.section[-1] == section.title
    assert any(m.value.replace("\\", "").endswith("zorbania.txt") for m in at.sidebar.markdown)   # uploads stay


def test_progress_names_no_model_and_the_reader_is_titled_by_the_document(app_engine):
    from ui.reader import document_title
    from ui.text import TEXT

    for lang in TEXT:
        assert not [k for k, v in TEXT[lang].items() if k.startswith("stage_") and "e5" in v]
    md = [p for p in app_engine.passages if p.source == "bab3-sister-city-batam-gimje.md"]
    assert document_title(md) == "BAB III FAKTOR YANG MENDORONG TERJADINYA KERJASAMA SISTER CITY"
