"""One aid as the documented JSON object or as plain text (for the CLI), with the footnotes its quotes cite."""
from __future__ import annotations

from ..control_chars import one_line
from ..render import footnote_marks, place_line
from ..strings import BOTH, WHY
from .build import Study
from .common import cited_footnotes, to_json
from .timeline import timeline_text

AIDS = ("outline", "timeline", "glossary", "cards", "check")
KEYS = {"outline": "sections", "timeline": "events", "glossary": "terms", "cards": "cards", "check": "uncited"}


def aid_items(study: Study, aid: str) -> tuple:
    """Return the items of one aid."""
    return {"outline": study.outline, "timeline": study.timeline, "glossary": study.glossary,
            "cards": study.cards, "check": study.check.uncited}[aid]


def aid_json(study: Study, aid: str, engine) -> dict:
    """Return one aid as JSON: its list under the documented key, the footnotes cited, a message when empty."""
    items = aid_items(study, aid)
    out = study.check.to_json() if aid == "check" else {KEYS[aid]: to_json(items)}
    quotes = _quotes(study, aid)
    out["footnotes"] = to_json(cited_footnotes(engine, quotes))
    if not items:
        out["message"] = BOTH[KEYS[aid]]
    if aid == "check" and not study.check.cited:
        out["message"] = BOTH["no_footnotes"]
    return out


def _quotes(study: Study, aid: str) -> list:
    """Return the quotes an aid shows."""
    if aid == "outline":
        return [q for s in study.outline for q in s.key]
    if aid == "check":
        return [u.quote for u in study.check.uncited] + [q for _, qs in study.check.cited for q in qs]
    return [x.quote for x in aid_items(study, aid)]


def aid_text(study: Study, aid: str) -> str:
    """Return one aid as plain text for a terminal."""
    items = aid_items(study, aid)
    if not items and aid != "check":
        return BOTH[KEYS[aid]]
    if aid == "timeline":
        return timeline_text(list(items))
    lines: list[str] = []
    if aid == "outline":
        for s in items:
            notes = f"  [{', '.join(map(str, s.footnotes))}]" if s.footnotes else ""
            lines.append("  " * s.level + one_line(s.title) + notes)     # a file's name titles a headless file
            lines += ["  " * s.level + f"  “{q.text}”" for q in s.key]
    elif aid == "glossary":
        for g in items:
            head = g.term + (f" ({g.expansion})" if g.expansion else "") + (
                f"  — {BOTH['never_expanded']}, {g.uses}×" if g.kind == "unexpanded" else "")
            lines += [head, f"  “{g.quote.text}”{footnote_marks(g.quote.footnotes, ' ')}", f"  — {place_line(g.quote)}"]
    elif aid == "cards":
        for k, c in enumerate(items, 1):
            lines.append(f"{k}. {c.prompt}")
            for j, choice in enumerate(c.choices):
                lines.append(f"   {'abcd'[j]}) {choice}")
            lines += [f"   = {c.answer}",
                      f"   “{c.quote.text}”{footnote_marks(c.quote.footnotes, ' ')} — {place_line(c.quote)}"]
    else:
        if not study.check.cited:
            lines.append(BOTH["no_footnotes"])
        lines.append(BOTH["uncited"] if not items else BOTH["without_footnote"])
        lines += [f"  [{why}] = {WHY[why]}" for why in WHY if any(u.why == why for u in items)]   # the tags, explained
        for u in items:
            lines += [f"- [{u.why}: {u.fact}] “{u.quote.text}”", f"  — {place_line(u.quote)}"]
        for n, qs in study.check.cited:
            lines.append(f"[{n}] " + " | ".join(f"“{q.text}”" for q in qs))
    return "\n".join(lines)
