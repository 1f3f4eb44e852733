"""Issue 29 in a real browser (Chromium via Playwright, as tests/test_browser.py): a scope belongs to the questions
asked under it, popovers fit a phone and close, a PDF upload can be chosen and cites pages, the language keeps the
scope, the upload box speaks the interface's language."""
from __future__ import annotations

from pathlib import Path

from tests.conftest import shared_path
from tests.test_browser import ANSWER_TIMEOUT_MS, MOU, PDF_NAME, SHENZHEN, ask, browser, pytestmark, server  # noqa: F401

FESTIVAL = "Festival apa yang ada di kota Gimje?"
UPLOAD_TIMEOUT_MS = 180_000          # the session's own engine is built with the upload (read, indexed, embedded)
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def open_page(browser, server, **options):
    """Return a page of a new browser context (a new Streamlit session) showing the app."""
    from playwright.sync_api import expect

    page = browser.new_context(**options).new_page()
    page.goto(server)
    expect(page.get_by_role("heading", name="Kutip")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    return page


def test_a_new_scope_keeps_the_answers_shown_and_the_export_says_which(server, browser):
    from playwright.sync_api import expect

    page = open_page(browser, server, accept_downloads=True)
    sidebar = page.get_by_test_id("stSidebar")
    ask(page, MOU)
    messages = page.get_by_test_id("stChatMessage")
    expect(messages.nth(1).locator(".kutip-answer")).to_have_text("17 Agustus 2013", timeout=ANSWER_TIMEOUT_MS)
    sidebar.get_by_text("Sumber yang dikutip saja").click()
    expect(sidebar.get_by_role("radio", name="Sumber yang dikutip saja")).to_be_checked()
    ask(page, FESTIVAL)
    expect(messages).to_have_count(4, timeout=ANSWER_TIMEOUT_MS)
    expect(messages.nth(3)).to_contain_text("Tidak ditemukan di dokumen yang dipilih.", timeout=ANSWER_TIMEOUT_MS)
    expect(messages.nth(1)).to_contain_text("17 Agustus 2013")               # the earlier answer stays
    expect(messages.nth(1)).not_to_contain_text("Tidak ditemukan")
    expect(messages.nth(3)).to_contain_text("Dicari di: Sumber yang dikutip saja")
    with page.expect_download() as download:
        sidebar.get_by_role("button", name="Unduh percakapan (.md)").click()
    md = Path(download.value.path()).read_text(encoding="utf-8")
    one, two = md.split("## 1. ")[1].split("## 2. ")
    assert one.startswith(f"{MOU}\n\nDicari di: semua dokumen\n\n**Jawaban singkat:** 17 Agustus 2013")
    assert "Tidak ditemukan" not in one
    assert two.startswith(f"{FESTIVAL}\n\nDicari di: sumber yang dikutip saja\n\n"
                          "_Tidak ditemukan di dokumen yang dipilih._\n")
    page.context.close()


def test_switching_language_keeps_the_scope(server, browser):
    from playwright.sync_api import expect

    page = open_page(browser, server)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Sumber yang dikutip saja").click()
    for _ in range(3):
        sidebar.get_by_text("English").click()
        expect(sidebar.get_by_role("radio", name="Cited sources only")).to_be_checked(timeout=ANSWER_TIMEOUT_MS)
        sidebar.get_by_text("Bahasa Indonesia").click()
        expect(sidebar.get_by_role("radio", name="Sumber yang dikutip saja")).to_be_checked(timeout=ANSWER_TIMEOUT_MS)
    page.context.close()


def test_every_popover_fits_a_phone_and_closes(server, browser):
    from playwright.sync_api import expect

    page = open_page(browser, server, **PHONE)
    ask(page, SHENZHEN)
    expect(page.locator(".kutip-quote").first).to_contain_text("US$114,5 miliar", timeout=ANSWER_TIMEOUT_MS)
    numbers = page.locator("details.kutip-fn > summary")
    expect(numbers.first).to_be_visible()
    opened = page.locator("details.kutip-fn[open]")
    for k in range(numbers.count()):
        numbers.nth(k).scroll_into_view_if_needed()
        numbers.nth(k).click()
        note = opened.locator(".kutip-note")
        expect(note).to_be_visible()
        box = note.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (k, box)       # readable on the phone
        page.keyboard.press("Escape")
        expect(opened).to_have_count(0)
    numbers.first.click()
    expect(opened).to_have_count(1)
    page.locator(".kutip-place").first.click()                                     # a click outside closes it
    expect(opened).to_have_count(0)
    numbers.first.click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Salin kutipan").first.click()                # not covered any more
    expect(page.get_by_test_id("stCode").first).to_contain_text("[32] Hasil dari kerjasama sebelumnya")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.close()


def test_an_uploaded_pdf_can_be_chosen_and_its_quotes_show_pages(server, browser):
    from playwright.sync_api import expect

    page = open_page(browser, server)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        str(shared_path("corpus-fixtures", PDF_NAME)))
    expect(sidebar.get_by_text(f"Tersimpan sebagai “{PDF_NAME}”.")).to_be_visible(timeout=UPLOAD_TIMEOUT_MS)
    sidebar.get_by_text("Satu dokumen").click()
    sidebar.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Dokumen", exact=True)).click()
    page.get_by_role("option", name=f"unggahan/{PDF_NAME} (isi sama dengan bab3-sister-city-batam-gimje.md)").click()
    expect(sidebar.get_by_role("combobox", name="Dokumen")).to_have_value(
        f"unggahan/{PDF_NAME} (isi sama dengan bab3-sister-city-batam-gimje.md)")
    ask(page, MOU)
    expect(page.locator(".kutip-answer")).to_have_text("17 Agustus 2013", timeout=UPLOAD_TIMEOUT_MS)
    expect(page.locator(".kutip-place").first).to_have_text(
        f"unggahan/{PDF_NAME} · BAB III FAKTOR YANG MENDORONG TERJADINYA KERJASAMA SISTER CITY › "
        "A. Kerjasama Sister City Kota Batam Dengan Negera Sebelumnya · hlm. 46")
    expect(page.get_by_test_id("stChatMessage").nth(1)).to_contain_text(f"Dicari di: Satu dokumen: unggahan/{PDF_NAME}")
    page.context.close()


def test_the_upload_limit_and_its_refusal_read_in_the_interface_language(server, browser, tmp_path):
    from playwright.sync_api import expect

    big = tmp_path / "besar.pdf"
    with open(big, "wb") as f:                       # 200 MB without writing them: a sparse file
        f.truncate(200 * 1024 * 1024)
    page = open_page(browser, server)
    box = page.get_by_test_id("stFileUploader")
    expect(box).to_contain_text("maks. 20 MB")
    expect(box.get_by_role("button", name="Unggah")).to_be_visible()
    assert "per file" not in box.inner_text() and "Upload" not in box.inner_text()
    box.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(big))
    expect(box.get_by_role("alert")).to_have_text("“besar.pdf” tidak diunggah: 200,0 MB, maksimal 20 MB.")
    assert "File must be" not in page.locator("body").inner_text()
    expect(box.get_by_test_id("stFileChip")).to_have_count(0)                      # never handed to Streamlit
    page.get_by_test_id("stSidebar").get_by_text("English").click()
    expect(box).to_contain_text("at most 20 MB", timeout=ANSWER_TIMEOUT_MS)
    expect(box.get_by_role("alert")).to_have_count(0)                              # no refusal in the other language
    box.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(big))
    expect(box.get_by_role("alert")).to_have_text("“besar.pdf” was not uploaded: 200.0 MB, at most 20 MB.")
    page.context.close()
