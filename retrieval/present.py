"""Answers as JSON-ready dicts, readable text and Markdown (shared by the CLI and the app)."""
from __future__ import annotations

from .control_chars import one_line
from .model import Answer, Footnote, Quote

NOT_FOUND = {
    "id": "Tidak ditemukan dalam bab ini.",
    "en": "Not found in this chapter.",
}
RELATED = {"id": "mungkin terkait (bukan jawaban)", "en": "possibly related (not an answer)"}
SHORT = {"id": "Jawaban singkat", "en": "Short answer"}
FROM_QUOTE = {"id": "dari kutipan 1", "en": "from quote 1"}


def quote_dict(q: Quote) -> dict:
    """Return one quote in the `ask --json` passage shape."""
    p = q.passage
    return {"text": q.text, "context": p.context or p.text, "source": p.source, "section": p.section_path,
            "page": q.page, "page_index": q.page_index, "footnotes": list(q.footnotes),
            "score": round(float(q.score), 4), "kind": p.kind}


def footnote_dict(f: Footnote) -> dict:
    """Return one footnote in the `ask --json` shape."""
    return {"number": f.number, "text": f.text, "url": f.url, "accessed": f.accessed,
            "kind": f.kind, "source": f.source}


def answer_dict(a: Answer) -> dict:
    """Return the answer as the documented JSON object (related passages only when abstaining)."""
    short = None if a.abstained else a.short
    out = {"question": a.question, "abstained": a.abstained,
           "answer": {"text": short.text, "passage": 0} if short else None,
           "passages": [quote_dict(q) for q in a.quotes],
           "footnotes": [footnote_dict(f) for f in a.footnotes]}
    if a.abstained:
        out["related"] = [quote_dict(q) for q in a.related]
    return out


def answer_text(a: Answer, lang: str = "id") -> str:
    """Return the answer as plain text for a terminal."""
    lines = [f"? {a.question}"]
    if a.abstained:
        lines.append(NOT_FOUND[lang])
        for q in a.related:
            lines.append(f"  [{RELATED[lang]}] {q.text}  ({_where(q)})")
        return "\n".join(lines)
    short = a.short
    if short:
        marks = "".join(f"[{n}]" for n in a.quotes[0].footnotes)
        lines.append(f"{SHORT[lang]}: {short.text} ({FROM_QUOTE[lang]}{' ' + marks if marks else ''})")
    for i, q in enumerate(a.quotes, 1):
        marks = "".join(f"[{n}]" for n in q.footnotes)
        lines.append(f"{i}. “{q.text}” {marks}".rstrip())
        lines.append(f"   — {_where(q)}")
    for f in a.footnotes:
        lines.append(f"[{f.number}] {f.text}")
    return "\n".join(lines)


def _where(q: Quote) -> str:
    """Return 'file › section, p. N' for a quote."""
    parts = [q.passage.source]
    if q.passage.section:
        parts.append(q.passage.section_path)
    where = one_line(" › ".join(parts))        # a file name may hold a line break: it must not forge a line
    return f"{where}, hlm. {q.page}" if q.page is not None else where
