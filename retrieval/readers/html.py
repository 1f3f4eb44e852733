"""Read a web page: its main text (no menus, footers or cookie notices) via trafilatura, and its URL."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin

from ..control_chars import NON_TEXT
from ..errors import ReadError
from ..files import sidecar_path
from ..model import Block, Document

_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_TAG = re.compile(r"<\s*[A-Za-z!?/]")
_GARBLE = re.compile(f"[{NON_TEXT}\ufffd]")   # controls that are no text, and undecodable bytes
_BLOCK_TAGS = ("p", "head", "list", "table", "quote", "code")
# elements whose text is code, styling or a fallback, never the page's text (JSON-LD "articleBody" included)
NOT_TEXT_TAGS = ("script", "style", "noscript", "template", "iframe")
_NOT_TEXT = re.compile(r"<(script|style|noscript|template|iframe)\b.*?(?:</\1\s*>|\Z)", re.I | re.S)


def read_html(path: Path) -> Document:
    """Return the main text of a saved web page as blocks, with its URL and title in meta."""
    html = decode_html(path.read_bytes(), path.name)
    blocks, meta = extract_page(html, path.name)
    meta = _with_fetch_record(meta, sidecar_path(path))
    return Document(source=path.name, blocks=tuple(blocks), meta=tuple(meta))


def decode_html(data: bytes, name: str) -> str:
    """Return the text of an HTML file's bytes (BOM, declared charset, UTF-8, else Windows-1252), or raise ReadError."""
    if not data.strip():
        raise ReadError(f"{name}: berkas kosong / empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    elif data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    else:
        if b"\x00" in data[:8192]:
            raise ReadError(f"{name}: bukan HTML (isi biner / binary content)")
        text = _decode_declared(data)
    if _garbled(text):
        raise ReadError(f"{name}: bukan HTML (isi biner / binary content)")
    if not _TAG.search(text[:65536]):
        raise ReadError(f"{name}: bukan HTML (tidak ada tag / no markup)")
    return text


def _decode_declared(data: bytes) -> str:
    """Decode with the declared charset if it works, else UTF-8, else Windows-1252."""
    head = data[:4096]
    declared = _XML_DECL.match(head) or _CHARSET.search(head)
    candidates = [declared.group(1).decode("ascii", "replace")] if declared else []
    for encoding in [*candidates, "utf-8"]:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")


def _garbled(text: str) -> bool:
    """Tell whether control or replacement characters make up much of the text."""
    sample = text[:8192]
    return bool(sample) and len(_GARBLE.findall(sample)) / len(sample) > 0.05


def extract_page(html: str, name: str) -> tuple[list[Block], list[tuple[str, str]]]:
    """Return the main-text blocks of a page and its meta (url, title, ...), or raise ReadError."""
    import trafilatura  # imported on first use: it takes a while

    tree = _parse(html)
    try:
        page = trafilatura.bare_extraction(
            _without_code(html, tree), with_metadata=True, include_comments=False, include_tables=True,
            include_images=False, include_links=False, include_formatting=False, deduplicate=False)
    except Exception as exc:  # trafilatura raises assorted errors on broken markup
        raise ReadError(f"{name}: HTML tidak terbaca / unreadable HTML ({type(exc).__name__})") from exc
    assert not isinstance(page, dict)                  # a Document (or None): as_dict is off by default
    blocks = body_blocks(page.body) if page is not None and page.body is not None else []
    if not any(b.text or b.rows for b in blocks):
        raise ReadError(f"{name}: tidak ada teks utama / no main text found")
    return blocks, _page_meta(tree, page)


def page_text(blocks: list[Block] | tuple[Block, ...]) -> str:
    """Return blocks as plain text: one paragraph per block, table cells tab-separated."""
    parts = []
    for b in blocks:
        if b.kind == "table":
            parts.append("\n".join("\t".join(row) for row in b.rows))
        elif b.text:
            parts.append(f"{b.label} {b.text}" if b.label else b.text)
    return "\n\n".join(parts)


def body_blocks(body) -> list[Block]:
    """Return the blocks of trafilatura's body element (head, p, list/item, table, quote, code) in order."""
    blocks: list[Block] = []
    for element in body:
        _element_blocks(element, blocks)
    return blocks


def _element_blocks(el, out: list[Block]) -> None:
    """Append the blocks of one element of trafilatura's output tree."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag == "head":
        _add(out, "heading", _text(el))
    elif tag == "list":
        ordered = (el.get("rend") or "").lower() == "ol"
        for number, item in enumerate(el.iterchildren("item"), 1):
            _add(out, "item", _text(item, skip=("list", "table")), label=f"{number}." if ordered else "-")
            for child in item.iterchildren("list", "table"):
                _element_blocks(child, out)
    elif tag == "table":
        rows = tuple(tuple(_text(cell) for cell in row.iterchildren("cell")) for row in el.iter("row"))
        rows = tuple(r for r in rows if any(r))
        if rows:
            out.append(Block(kind="table", rows=rows))
    elif tag in ("quote", "div", "section") and any(c.tag in _BLOCK_TAGS for c in el):
        if el.text and el.text.strip():
            _add(out, "paragraph", " ".join(el.text.split()))
        for child in el:
            _element_blocks(child, out)
            if child.tail and child.tail.strip():
                _add(out, "paragraph", " ".join(child.tail.split()))
    elif tag not in ("graphic", "lb", "ref") or _text(el):
        _add(out, "paragraph", _text(el))


def _add(out: list[Block], kind: str, text: str, label: str = "") -> None:
    """Append a block unless its text is empty."""
    if text:
        out.append(Block(kind=kind, text=text, label=label))


def _text(el, skip: tuple[str, ...] = ()) -> str:
    """Return an element's text with white space collapsed; line breaks become spaces; `skip` children left out."""
    parts: list[str] = []

    def visit(node, top: bool) -> None:
        if top or node.tag not in skip:
            if node.tag == "lb":
                parts.append(" ")
            parts.append(node.text or "")
            for child in node:
                visit(child, False)
        if not top:
            parts.append(node.tail or "")

    visit(el, True)
    return " ".join("".join(parts).split())


def _without_code(html: str, tree) -> str:
    """Return the page without its script, style, noscript, template and iframe elements (their text is no content)."""
    if tree is None:
        return _NOT_TEXT.sub(" ", html)
    from copy import deepcopy

    from lxml import html as lxml_html

    clean = deepcopy(tree)
    for el in list(clean.iter(*NOT_TEXT_TAGS)):
        el.drop_tree()                   # its tail (the text after it) stays
    return lxml_html.tostring(clean, encoding="unicode")


def _parse(html: str):
    """Return the page parsed by lxml (for its head), or None if it cannot be parsed."""
    from lxml import etree, html as lxml_html

    try:
        return lxml_html.document_fromstring(html.encode("utf-8"), parser=lxml_html.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError):
        return None


def _page_meta(tree, page) -> list[tuple[str, str]]:
    """Return url (canonical, else og:url), title, and the canonical and og:url links as found."""
    canonical = og_url = title = ""
    if tree is not None:
        for link in tree.iter("link"):
            if "canonical" in (link.get("rel") or "").lower().split() and (link.get("href") or "").strip():
                canonical = link.get("href").strip()
                break
        for meta in tree.iter("meta"):
            kind = (meta.get("property") or meta.get("name") or "").lower()
            if kind == "og:url" and (meta.get("content") or "").strip():
                og_url = meta.get("content").strip()
                break
        titles = [" ".join(t.text_content().split()) for t in tree.iter("title")]
        title = next((t for t in titles if t), "")
    if page is not None and page.title:
        title = " ".join(page.title.split())
    if canonical and og_url:
        canonical = urljoin(og_url, canonical)
    meta = []
    url = canonical if _absolute(canonical) else og_url if _absolute(og_url) else ""
    for key, value in (("url", url), ("title", title), ("canonical", canonical), ("og_url", og_url)):
        if value:
            meta.append((key, value))
    return meta


def _absolute(url: str) -> bool:
    """Tell whether a URL is absolute http(s)."""
    return url.lower().startswith(("http://", "https://"))


def _with_fetch_record(meta: list[tuple[str, str]], sidecar: Path) -> list[tuple[str, str]]:
    """Return meta with the URL fetch recorded (it wins over canonical / og:url), if a readable record exists."""
    try:
        record = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return meta
    if not isinstance(record, dict) or not isinstance(record.get("url"), str) or not record["url"].strip():
        return meta
    extra = [("url", record["url"].strip())]
    for key in ("final_url", "fetched_at"):
        if isinstance(record.get(key), str) and record[key]:
            extra.append((key, record[key]))
    keys = {k for k, _ in extra}
    rest = [(k, v) for k, v in meta if k not in keys]
    return extra[:1] + rest + extra[1:]
