"""Page-wide behaviour in one fixed script: footnote popovers kept on screen and closed, the upload box in our words."""
from __future__ import annotations

import json

import streamlit as st

from retrieval import userdocs

# A fixed script: no document or user text in it, only the interface's own words (as JSON) and the size limit.
# - a footnote popover (<details class="kutip-fn">) that opens is moved left or right until it fits the window,
#   closes the others, and closes on Escape or on a click outside it;
# - a file bigger than the limit is refused in the browser, before Streamlit sees it, in the interface's language;
# - Streamlit's own "Upload" button says the interface's word.
SCRIPT = """<script>
(function () {
  const doc = window.parent && window.parent.document ? window.parent.document : document;
  const win = doc.defaultView || window;
  const before = win.kutipPage;
  win.kutipPage = __CONFIG__;
  if (before && before.tooBig !== win.kutipPage.tooBig) {       // the language changed: no refusal in the other
    doc.querySelectorAll(".kutip-refused").forEach((e) => e.remove());
  }
  const MARGIN = 8;
  const fit = (d) => {
    const note = d.querySelector(".kutip-note");
    if (!note) { return; }
    note.style.left = "";
    const width = doc.documentElement.clientWidth;
    let r = note.getBoundingClientRect();
    let left = parseFloat(win.getComputedStyle(note).left) || 0;
    if (r.right > width - MARGIN) { left -= r.right - (width - MARGIN); note.style.left = left + "px"; }
    r = note.getBoundingClientRect();
    if (r.left < MARGIN) { note.style.left = (left + MARGIN - r.left) + "px"; }
  };
  const closeAll = (except) => {
    doc.querySelectorAll("details.kutip-fn[open]").forEach((d) => { if (d !== except) { d.open = false; } });
  };
  const uploadLabel = () => {
    doc.querySelectorAll('[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] p')
      .forEach((p) => { if (p.textContent !== win.kutipPage.upload) { p.textContent = win.kutipPage.upload; } });
  };
  const refuse = (files, zone) => {
    const big = Array.from(files || []).find((f) => f.size > win.kutipPage.maxBytes);
    const old = zone && zone.parentElement.querySelector(".kutip-refused");
    if (old) { old.remove(); }
    if (!big || !zone) { return false; }
    const say = doc.createElement("div");
    say.className = "kutip-refused";
    say.setAttribute("role", "alert");
    say.textContent = win.kutipPage.tooBig.replace("{name}", big.name)
      .replace("{size}", (big.size / 1048576).toFixed(1).replace(".", win.kutipPage.decimal))
      .replace("{max}", String(win.kutipPage.maxMb));
    zone.insertAdjacentElement("afterend", say);
    return true;
  };
  const stop = (e) => { e.preventDefault(); e.stopImmediatePropagation(); };
  if (!win.kutipPageReady) {
    win.kutipPageReady = true;
    doc.addEventListener("toggle", (e) => {
      const d = e.target;
      if (d.matches && d.matches("details.kutip-fn") && d.open) { closeAll(d); fit(d); }
    }, true);
    doc.addEventListener("keydown", (e) => { if (e.key === "Escape") { closeAll(null); } }, true);
    doc.addEventListener("click", (e) => {
      closeAll(e.target.closest ? e.target.closest("details.kutip-fn") : null);
    }, true);
    win.addEventListener("resize", () => doc.querySelectorAll("details.kutip-fn[open]").forEach(fit));
    doc.addEventListener("change", (e) => {
      const input = e.target;
      if (input.matches && input.matches('[data-testid="stFileUploaderDropzoneInput"]')) {
        if (refuse(input.files, input.closest('[data-testid="stFileUploaderDropzone"]'))) { stop(e); input.value = ""; }
      }
    }, true);
    doc.addEventListener("drop", (e) => {
      const zone = e.target.closest ? e.target.closest('[data-testid="stFileUploaderDropzone"]') : null;
      if (zone && e.dataTransfer && refuse(e.dataTransfer.files, zone)) { stop(e); }
    }, true);
    new win.MutationObserver(uploadLabel).observe(doc.body, {childList: true, subtree: true});
  }
  uploadLabel();
})();
</script>"""


def page_script(t: dict[str, str]) -> str:
    """Return the page's script with the interface's words for the upload box (JSON: never read as markup)."""
    config = {"upload": t["upload_button"], "tooBig": t["too_big_browser"], "decimal": t["decimal"],
              "maxBytes": userdocs.MAX_BYTES, "maxMb": userdocs.MAX_BYTES // 1_048_576}
    return SCRIPT.replace("__CONFIG__", json.dumps(config).replace("<", "\\u003c"))


def add_page_script(t: dict[str, str]) -> None:
    """Put the page's script on the page (once per language: it is drawn again only when its words change)."""
    st.html(page_script(t), unsafe_allow_javascript=True)
