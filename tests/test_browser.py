"""The app once through a real browser: Debian's Chromium driven by Playwright against `streamlit run app.py`."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from retrieval.embedstore import FILE
from tests.conftest import shared_path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(shutil.which("chromium") or "chromium")  # Debian's package, found on PATH
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]
SCREENSHOT = ROOT / "docs" / "screenshot.png"     # the README's pictures: rewritten only with KUTIP_SCREENSHOT=1
READER_SHOT = ROOT / "docs" / "reader.png"
PHONE_SHOT = ROOT / "docs" / "phone.png"
PDF_NAME = "bab3-sister-city-batam-gimje.pdf"
FESTIVAL = "Festival apa yang ada di kota Gimje?"
URL_38 = "https://www.visitkorea.or.id/article/festival-yang-harus-didatangi-saat-musim-gugur-festival-horizon-gimje"
SHENZHEN = "Berapa penghasilan Shenzhen pada tahun 2011?"
MOU = "Kapan MoU Batam dan Gimje ditandatangani?"
URL_32 = ("https://finance.detik.com/berita-ekonomi-bisnis/d-3164021/banyak-negara-belajar-dari-batam-dan-berhasil-"
          "tapi-batam-malah-ketinggalan")
START_TIMEOUT = 90
ANSWER_TIMEOUT_MS = 60_000

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (Debian package chromium)")


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    """Wait until Streamlit's health endpoint answers 'ok', or fail with the server's log."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"streamlit did not answer in {START_TIMEOUT}s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def server(tmp_path_factory, session_cache_dir):
    """Start `streamlit run app.py` on a free port with its own cache and user folders; stop it afterwards. Its
    cache starts with the session's sentence vectors (the chapter is embedded once a session); the new server still
    reads the chapter and builds its index (test_browser_cold watches it preparing)."""
    tmp = tmp_path_factory.mktemp("browser")
    port = free_port()
    (tmp / "sessions").mkdir()
    (tmp / "cache").mkdir(mode=0o700)
    shutil.copyfile(session_cache_dir / FILE, tmp / "cache" / FILE)
    env = {**os.environ, "KUTIP_CACHE_DIR": str(tmp / "cache"), "KUTIP_USER_DOCS": str(tmp / "documents"),
           "TMPDIR": str(tmp / "sessions")}
    for name in ("KUTIP_CORPUS", "KUTIP_SHARED_LIBRARY"):
        env.pop(name, None)
    log = tmp / "streamlit.log"
    # address, usage statistics and toolbar come from .streamlit/config.toml, as for a student
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.headless", "true", "--server.fileWatcherType", "none"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log)
        yield url
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """Stop the server we started (its own process group), forcefully if it does not go."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, without any network chatter of its own."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def ask(page, question: str) -> None:
    """Type a question into the chat box and press Enter."""
    box = page.locator('[data-testid="stChatInputTextArea"]')
    box.wait_for(timeout=ANSWER_TIMEOUT_MS)
    box.fill(question)
    box.press("Enter")


def shot(path: Path, tmp_path: Path) -> Path:
    """Return where a screenshot goes: the README's file with KUTIP_SCREENSHOT=1, else a tmp file."""
    return path if os.environ.get("KUTIP_SCREENSHOT") == "1" else tmp_path / path.name


def test_ask_open_footnote_and_screenshot(server, browser, tmp_path):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1360, "height": 940}, device_scale_factor=1)
    hosts = set()
    page.on("request", lambda r: hosts.add(r.url.split("/")[2] if "://" in r.url else r.url[:5]))
    page.goto(server)
    expect(page.get_by_role("heading", name="Kutip")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    ask(page, SHENZHEN)
    quote = page.locator(".kutip-quote").first
    expect(quote).to_contain_text("US$114,5 miliar", timeout=ANSWER_TIMEOUT_MS)    # literally, not LaTeX
    expect(quote).to_contain_text("US$ 13,200")
    assert page.locator(".katex").count() == 0
    mark = quote.locator("details.kutip-fn summary", has_text="32")             # the number inside the quote
    mark.click()
    inside = quote.get_by_role("link", name=URL_32)
    expect(inside).to_be_visible()
    assert inside.get_attribute("href") == URL_32
    assert page.get_by_text("Deploy", exact=True).count() == 0                  # toolbar "minimal"
    assert hosts <= {server.split("/")[2], "data:"}, hosts                      # no font CDN, no third party
    page.locator(".kutip-quote").first.evaluate("e => e.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(500)
    picture = shot(SCREENSHOT, tmp_path)
    page.screenshot(path=str(picture))
    assert picture.stat().st_size > 10_000                  # a rendered page, not a blank one
    page.close()


def test_short_answer_reader_view_and_phone(server, browser, tmp_path):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1360, "height": 940}, device_scale_factor=1)
    page.goto(server)
    ask(page, MOU)
    short = page.locator(".kutip-short-line")
    expect(short.locator(".kutip-answer")).to_have_text("17 Agustus 2013", timeout=ANSWER_TIMEOUT_MS)
    expect(short.locator("summary")).to_have_text("34")
    page.get_by_role("button", name="Lihat di bab").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading").first).to_have_text(     # the document's title, not its file name
        "BAB III FAKTOR YANG MENDORONG TERJADINYA KERJASAMA SISTER CITY")
    sizes = dialog.locator(".kutip-reader").evaluate(
        "r => [r.querySelector('h4, h5, h6'), r.querySelector('p')].map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert sizes[0] > sizes[1], sizes                             # a heading is larger than the text under it
    here = dialog.locator("#kutip-here tr.kutip-here")
    expect(here).to_contain_text("Batam, 17 Agustus 2013")
    expect(here).to_be_in_viewport()                                            # scrolled to the quote
    expect(dialog.locator("sup a", has_text="34").first).to_have_attribute("href", "#kutip-fn-34")
    expect(dialog.locator("#kutip-fn-34")).to_contain_text("arsipskpd.batam.go.id")
    page.wait_for_timeout(300)
    page.screenshot(path=str(shot(READER_SHOT, tmp_path)))
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    page.close()
    phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                             has_touch=True)
    phone.goto(server)
    ask(phone, MOU)
    expect(phone.locator(".kutip-answer")).to_have_text("17 Agustus 2013", timeout=ANSWER_TIMEOUT_MS)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390                                                         # nothing runs off the screen
    phone.wait_for_timeout(1000)                                                 # the chat's own scrolling first
    phone.locator(".kutip-short-line").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    phone.locator(".kutip-short-line summary").first.click()                    # the footnote, open, on screen
    note = phone.locator("details.kutip-fn[open] .kutip-note")
    expect(note).to_contain_text("arsipskpd.batam.go.id")
    box = note.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    phone.wait_for_timeout(300)
    phone.screenshot(path=str(shot(PHONE_SHOT, tmp_path)))
    phone.close()


def test_links_in_quotes_stay_whole(server, browser):
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(server)
    ask(page, FESTIVAL)
    link = page.locator(".kutip-quote > a", has_text="visitkorea")             # in the text, not in a popover
    expect(link).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    assert link.get_attribute("href") == URL_38 and link.inner_text() == URL_38
    page.close()


def test_uploads_are_private_and_a_repeat_is_answered_once(server, browser):
    from playwright.sync_api import expect

    chapter_pdf = shared_path("corpus-fixtures", PDF_NAME)
    first = browser.new_context().new_page()
    first.goto(server)
    first.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(chapter_pdf))
    expect(first.get_by_text(f"Tersimpan sebagai “{PDF_NAME}”.")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    first.get_by_text("Yang diindeks").click()
    expect(first.get_by_text(f"unggahan/{PDF_NAME} — 47 bagian teks (isi sama dengan "
                             "bab3-sister-city-batam-gimje.md)")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    ask(first, MOU)
    expect(first.locator(".kutip-answer")).to_have_text("17 Agustus 2013", timeout=ANSWER_TIMEOUT_MS)
    rows = first.locator(".kutip-quote", has_text="Batam, 17 Agustus 2013")
    expect(rows).to_have_count(1)                                               # once, not once per copy
    expect(first.get_by_text(f"Isi yang sama juga ada di: unggahan/{PDF_NAME}").first).to_be_visible()
    other = browser.new_context().new_page()
    other.goto(server)
    ask(other, MOU)
    expect(other.locator(".kutip-answer")).to_have_text("17 Agustus 2013", timeout=ANSWER_TIMEOUT_MS)
    assert other.get_by_text(PDF_NAME).count() == 0                     # another session sees no upload
    first.context.close()
    other.context.close()


def test_link_reproduces_the_question(server, browser):
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(f"{server}/?q={quote(MOU)}")
    expect(page.locator(".kutip-quote").first).to_contain_text("17 Agustus 2013", timeout=ANSWER_TIMEOUT_MS)
    href = page.get_by_role("link", name="Tautan ke pertanyaan ini").get_attribute("href")
    assert href == f"?q={quote(MOU, safe='')}"
    page.reload()
    expect(page.locator(".kutip-quote").first).to_contain_text("17 Agustus 2013", timeout=ANSWER_TIMEOUT_MS)
    expect(page.get_by_test_id("stChatMessage")).to_have_count(2)
    page.close()


def test_two_tabs_asking_at_once_get_their_own_answers(server, browser):
    from playwright.sync_api import expect

    first, second = browser.new_page(), browser.new_page()
    for page in (first, second):
        page.goto(server)
    ask(first, MOU)
    ask(second, SHENZHEN)
    expect(first.locator(".kutip-quote").first).to_contain_text("17 Agustus 2013", timeout=ANSWER_TIMEOUT_MS)
    expect(second.locator(".kutip-quote").first).to_contain_text("US$114,5 miliar", timeout=ANSWER_TIMEOUT_MS)
    expect(first.get_by_test_id("stChatMessage")).to_have_count(2)
    expect(second.get_by_test_id("stChatMessage")).to_have_count(2)
    assert "Shen Zen" not in first.locator(".kutip-quote").first.inner_text()
    first.close()
    second.close()


STUDY_SCREENSHOT = ROOT / "docs" / "study.png"   # the README's picture of the study tabs (KUTIP_SCREENSHOT=1)


def test_study_timeline_and_one_quiz_question_at_phone_width(server, browser, tmp_path):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.goto(server)
    expect(page.get_by_role("heading", name="Kutip")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    sidebar = page.get_by_test_id("stSidebar")
    if not sidebar.get_by_text("Belajar").is_visible():
        page.get_by_test_id("stExpandSidebarButton").click()
    sidebar.get_by_text("Belajar").click()
    if page.get_by_test_id("stSidebarCollapseButton").is_visible():
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
    page.get_by_role("tab", name="Linimasa").click()
    panel = page.get_by_role("tabpanel", name="Linimasa")
    expect(panel.locator("blockquote").first).to_contain_text("sejak 1973", timeout=ANSWER_TIMEOUT_MS)
    expect(panel).to_contain_text("US$114,5 miliar", timeout=ANSWER_TIMEOUT_MS)
    assert page.locator(".katex").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390          # nothing wider than the phone
    page.get_by_role("tab", name="Latihan").click()
    quiz = page.get_by_role("tabpanel", name="Latihan")
    expect(quiz).to_contain_text("Soal 1 dari 10", timeout=ANSWER_TIMEOUT_MS)
    choices = quiz.get_by_test_id("stRadio").filter(has_text="Pilih jawaban")     # not the Kuis / Kartu switch
    option = choices.locator("label").filter(has=page.get_by_role("radio")).nth(1)
    option.click()
    expect(option.get_by_role("radio")).to_be_checked()
    check = quiz.get_by_role("button", name="Periksa")
    expect(check).to_be_enabled(timeout=ANSWER_TIMEOUT_MS)
    check.click()
    verdict = quiz.get_by_test_id("stAlertContainer").first
    expect(verdict).to_have_text(re.compile(r"^(Benar!|Belum tepat\. Jawabannya: .+)$"), timeout=ANSWER_TIMEOUT_MS)
    expect(quiz.locator("blockquote").first).to_be_visible()
    page.wait_for_timeout(500)
    shot = STUDY_SCREENSHOT if os.environ.get("KUTIP_SCREENSHOT") == "1" else tmp_path / "study.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    page.close()


def test_an_english_question_gets_an_indonesian_quote_and_a_trap_question_is_not_answered(server, browser):
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(server)
    ask(page, "What income did Shenzhen earn in 2011?")
    expect(page.locator(".kutip-quote").first).to_contain_text("US$114,5 miliar", timeout=ANSWER_TIMEOUT_MS)
    expect(page.get_by_text("Pertanyaan berbahasa Inggris: kutipan di bawah tetap teks aslinya")).to_be_visible()
    ask(page, "Siapa presiden Korea Selatan pada tahun 2013?")   # Korea Selatan, 2013: in the chapter; no president
    expect(page.get_by_text("Tidak ditemukan dalam bab ini.")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    page.close()


def test_an_older_turn_is_drawn_as_html_its_footnote_opens_and_its_buttons_come_back(server, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1360, "height": 940})
    page.goto(server)
    for k, question in enumerate((MOU, SHENZHEN, FESTIVAL, "Apa kepanjangan OKI?")):
        ask(page, question)
        expect(page.locator('[data-testid="stChatMessageAvatarUser"], .kutip-old-q')).to_have_count(
            k + 1, timeout=ANSWER_TIMEOUT_MS)
        expect(page.get_by_test_id("stChatMessage").last.locator(".kutip-quote").first).to_be_visible(
            timeout=ANSWER_TIMEOUT_MS)
    old = page.locator(".kutip-old-q + .kutip-old-a")
    expect(page.locator(".kutip-old-q")).to_have_text(MOU)
    expect(old.locator(".kutip-answer")).to_have_text("17 Agustus 2013")
    old.locator("details.kutip-fn summary", has_text="34").first.click()
    expect(old.locator("details.kutip-fn[open] .kutip-note")).to_contain_text("arsipskpd.batam.go.id")
    readers = page.get_by_role("button", name="Lihat di bab")
    before, quoted = readers.count(), old.locator(".kutip-quote").count()
    pick = page.get_by_role("combobox", name="Tombol paragraf, bab, salin untuk pertanyaan sebelumnya…")
    pick.click()
    pick.press("ArrowDown")
    page.get_by_role("option", name=f"1. {MOU}").click()
    expect(page.locator(".kutip-old-q")).to_have_count(0)                 # turn 1 is drawn in full again
    expect(readers).to_have_count(before + quoted)                        # one for each of its quotes
    page.close()
