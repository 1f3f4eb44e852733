"""Export: a printable Markdown study sheet (outline, timeline, glossary) and an Anki TSV of the cards."""
from __future__ import annotations

from ..control_chars import one_line
from ..model import Quote
from ..render import flat, footnote_marks, place_line
from ..strings import BOTH, TEXT
from .build import Study


def study_markdown(study: Study, engine, lang: str = "id") -> str:
    """Return the study sheet as plain Markdown: every line a verbatim quote with its place and footnotes."""
    t = TEXT[lang]
    out = [f"# {t['sheet_title']}", "", f"## {t['outline']}", ""]
    for s in study.outline:
        out.append(f"{'#' * min(6, 3 + s.level)} {one_line(s.title)}" + (f" ({', '.join(map(str, s.footnotes))})"
                                                             if s.footnotes else ""))
        for q in s.key:                      # a blank line between: two quotes, not one merged paragraph
            out += [f"> {flat(q.text)}{footnote_marks(q.footnotes, ' ')}", ""]
        out += [] if s.key else [""]
    if not study.outline:
        out += [BOTH["sections"], ""]
    out += [f"## {t['timeline']}", ""]
    for e in study.timeline:
        span = f" → {e.end_text}" + (f" ({e.duration})" if e.duration else "") if e.end and e.end_text != e.text_date \
            else ""
        iso = "" if e.precision == "year" and e.date in e.text_date else f" ({e.date})"   # not "1973 (1973)"
        out.append(f"- **{e.text_date}**{span}{iso}: {_cited(e.quote, t['page'])}")
    out += [BOTH["events"]] if not study.timeline else []
    out += ["", f"## {t['glossary']}", ""]
    for g in study.glossary:
        head = f"**{g.term}**" + (f" ({g.expansion})" if g.expansion else "")
        if g.kind == "unexpanded":
            head += f" — _{t['unexpanded']}_, {t['uses'].format(n=g.uses)}"
        out.append(f"- {head}: {_cited(g.quote, t['page'])}")
    out += [BOTH["terms"]] if not study.glossary else []
    cited = sorted({(n, q.passage.source) for q in _quotes(study) for n in q.footnotes}
                   | {(n, s.source) for s in study.outline for n in s.footnotes})   # a heading's "(32, 33, ...)"
    if cited:
        out += ["", f"## {t['footnotes']}", ""]
        for n, source in cited:
            note = engine.footnote(n, source)
            if note is not None:
                out.append(f"[{n}] {flat(note.text)}")
    return "\n".join(out).rstrip() + "\n"


def _cited(q: Quote, page: str) -> str:
    """Return a quote on one line with its footnote numbers and its place: '“...” [32] — file › section, hlm. N'."""
    return f"“{flat(q.text)}”{footnote_marks(q.footnotes, ' ')} — {place_line(q, page)}"


def _quotes(study: Study) -> list[Quote]:
    """Return every quote the sheet shows."""
    return ([q for s in study.outline for q in s.key] + [e.quote for e in study.timeline]
            + [g.quote for g in study.glossary])


def anki_tsv(cards, engine=None, lang: str = "id") -> str:
    """Return the cards as an Anki import file: front, back (answer, quote, footnotes), source; tab-separated."""
    page = TEXT[lang]["page"]
    lines = ["#separator:tab", "#html:false", "#columns:Front\tBack\tSource"]
    for c in cards:
        notes = ""
        if engine is not None:
            texts = [engine.footnote(n, c.quote.passage.source) for n in c.quote.footnotes]
            notes = " ".join(f"[{f.number}] {f.text}" for f in texts if f is not None)
        q = c.quote
        back = f"{c.answer} — “{q.text}”{footnote_marks(q.footnotes, ' ')}" + (f" {notes}" if notes else "")
        lines.append("\t".join(_cell(x) for x in (c.prompt, back, place_line(q, page))))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Return text fit for one TSV cell (no tabs or line breaks)."""
    return flat(text.replace("\t", " "))
