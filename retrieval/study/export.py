"""Export: a printable Markdown study sheet (outline, timeline, glossary) and an Anki TSV of the cards."""
from __future__ import annotations

from ..control_chars import one_line
from ..model import Quote
from .build import Study
from .common import EMPTY

SHEET = {
    "id": {"title": "Lembar belajar", "outline": "Peta bab", "timeline": "Linimasa", "glossary": "Istilah",
           "unexpanded": "tanpa kepanjangan di teks", "footnotes": "Catatan kaki", "page": "hlm.", "uses": "dipakai"},
    "en": {"title": "Study sheet", "outline": "Outline", "timeline": "Timeline", "glossary": "Glossary",
           "unexpanded": "never written out in the text", "footnotes": "Footnotes", "page": "p.", "uses": "used"},
}


def _marks(q: Quote) -> str:
    """Return the quote's footnote numbers as " [32][33]"."""
    return "".join(f"[{n}]" for n in q.footnotes) and " " + "".join(f"[{n}]" for n in q.footnotes)


def _where(q: Quote, t: dict[str, str]) -> str:
    """Return 'file › section, p. N' (plain text)."""
    place = one_line(" › ".join(x for x in (q.passage.source, *q.passage.section) if x))
    return f"{place}, {t['page']} {q.page}" if q.page is not None else place


def _one_line(text: str) -> str:
    """Return text on one line (a list item or table cell of a quote stays in its bullet)."""
    return " ".join(text.split())


def study_markdown(study: Study, engine, lang: str = "id") -> str:
    """Return the study sheet as plain Markdown: every line a verbatim quote with its place and footnotes."""
    t = SHEET[lang]
    out = [f"# {t['title']}", "", f"## {t['outline']}", ""]
    for s in study.outline:
        out.append(f"{'#' * min(6, 3 + s.level)} {one_line(s.title)}" + (f" ({', '.join(map(str, s.footnotes))})"
                                                             if s.footnotes else ""))
        for q in s.key:                      # a blank line between: two quotes, not one merged paragraph
            out += [f"> {_one_line(q.text)}{_marks(q)}", ""]
        out += [] if s.key else [""]
    if not study.outline:
        out += [EMPTY["sections"], ""]
    out += [f"## {t['timeline']}", ""]
    for e in study.timeline:
        span = f" → {e.end_text}" + (f" ({e.duration})" if e.duration else "") if e.end and e.end_text != e.text_date \
            else ""
        iso = "" if e.precision == "year" and e.date in e.text_date else f" ({e.date})"   # not "1973 (1973)"
        out.append(f"- **{e.text_date}**{span}{iso}: “{_one_line(e.quote.text)}”{_marks(e.quote)} — "
                   f"{_where(e.quote, t)}")
    out += [EMPTY["events"]] if not study.timeline else []
    out += ["", f"## {t['glossary']}", ""]
    for g in study.glossary:
        head = f"**{g.term}**" + (f" ({g.expansion})" if g.expansion else "")
        if g.kind == "unexpanded":
            head += f" — _{t['unexpanded']}_, {t['uses']} {g.uses}×"
        out.append(f"- {head}: “{_one_line(g.quote.text)}”{_marks(g.quote)} — {_where(g.quote, t)}")
    out += [EMPTY["terms"]] if not study.glossary else []
    cited = sorted({(n, q.passage.source) for q in _quotes(study) for n in q.footnotes}
                   | {(n, s.source) for s in study.outline for n in s.footnotes})   # a heading's "(32, 33, ...)"
    if cited:
        out += ["", f"## {t['footnotes']}", ""]
        for n, source in cited:
            note = engine.footnote(n, source)
            if note is not None:
                out.append(f"[{n}] {_one_line(note.text)}")
    return "\n".join(out).rstrip() + "\n"


def _quotes(study: Study) -> list[Quote]:
    """Return every quote the sheet shows."""
    return ([q for s in study.outline for q in s.key] + [e.quote for e in study.timeline]
            + [g.quote for g in study.glossary])


def anki_tsv(cards, engine=None, lang: str = "id") -> str:
    """Return the cards as an Anki import file: front, back (answer, quote, footnotes), source; tab-separated."""
    t = SHEET[lang]
    lines = ["#separator:tab", "#html:false", "#columns:Front\tBack\tSource"]
    for c in cards:
        notes = ""
        if engine is not None:
            texts = [engine.footnote(n, c.quote.passage.source) for n in c.quote.footnotes]
            notes = " ".join(f"[{f.number}] {f.text}" for f in texts if f is not None)
        back = f"{c.answer} — “{c.quote.text}”{_marks(c.quote)}" + (f" {notes}" if notes else "")
        lines.append("\t".join(_cell(x) for x in (c.prompt, back, _where(c.quote, t))))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Return text fit for one TSV cell (no tabs or line breaks)."""
    return _one_line(text.replace("\t", " "))
