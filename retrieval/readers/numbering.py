"""Word's numbering as it is shown: list labels from numbering.xml, footnote numbers from w:footnotePr."""
from __future__ import annotations

from typing import Any, overload

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LEVELS = 9                        # Word lists have levels 0-8
MAX_ROMAN = 3999                  # Roman numerals end at MMMCMXCIX; a larger count is written in digits
MAX_LETTER_REPEAT = 10            # "aaaaaaaaaa." at most: a crafted start value cannot make a huge label
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def format_number(n: int, fmt: str) -> str:
    """Return n as Word writes it in a numbering format (decimal, lowerLetter, upperRoman, ...)."""
    if fmt in ("lowerLetter", "upperLetter") and n > 0:
        text = chr(ord("a") + (n - 1) % 26) * min((n - 1) // 26 + 1, MAX_LETTER_REPEAT)
    elif fmt in ("lowerRoman", "upperRoman") and 0 < n <= MAX_ROMAN:
        text = ""
        for value, digits in _ROMAN:
            while n >= value:
                text, n = text + digits, n - value
    elif fmt == "decimalZero":
        text = f"{n:02d}"
    elif fmt == "none":
        text = ""
    else:
        text = str(n)
    return text.upper() if fmt.startswith("upper") else text


@overload
def _val(el: Any, child: str, default: str) -> str: ...
@overload
def _val(el: Any, child: str, default: None = None) -> str | None: ...
def _val(el: Any, child: str, default: str | None = None) -> str | None:
    """Return the w:val of a child element, or default."""
    found = el.find(W + child) if el is not None else None
    return found.get(W + "val", default) if found is not None else default


def _int(text: str | None, default: int) -> int:
    """Return text as an int, or default when it is missing or not a number."""
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


class Numbering:
    """The list numbering of one document, advanced paragraph by paragraph as Word does."""

    def __init__(self, root: Any) -> None:
        """Read the abstract definitions and the numbering instances of numbering.xml (root may be None)."""
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}   # abstract id -> level -> (start, fmt, text)
        self.instances: dict[str, tuple[str, dict[int, int]]] = {}     # numId -> (abstract id, start overrides)
        self.counters: dict[str, list[int | None]] = {}
        if root is None:
            return
        for abstract in root.iter(W + "abstractNum"):
            levels = {}
            for lvl in abstract.iter(W + "lvl"):
                levels[_int(lvl.get(W + "ilvl"), 0)] = (_int(_val(lvl, "start"), 1), _val(lvl, "numFmt", "decimal"),
                                                        _val(lvl, "lvlText", "") or "")
            self.levels[abstract.get(W + "abstractNumId")] = levels
        for num in root.iter(W + "num"):
            overrides = {_int(o.get(W + "ilvl"), 0): _int(_val(o, "startOverride"), 1)
                         for o in num.iter(W + "lvlOverride") if o.find(W + "startOverride") is not None}
            self.instances[num.get(W + "numId")] = (_val(num, "abstractNumId", "") or "", overrides)

    def label(self, num_id: str | None, level: int) -> str | None:
        """Return the label of the next paragraph numbered (num_id, level), advancing the count; None if unnumbered."""
        if num_id is None or num_id == "0" or num_id not in self.instances:
            return None
        abstract, overrides = self.instances[num_id]
        levels = self.levels.get(abstract, {})
        if level not in levels or not 0 <= level < LEVELS:
            return None
        # instances of one list share its count unless they restart it with a start override
        key = f"num:{num_id}" if overrides else f"abstract:{abstract}"
        counts = self.counters.setdefault(key, [None] * LEVELS)
        start = overrides.get(level, levels[level][0])
        current = counts[level]
        counts[level] = start if current is None else current + 1
        for deeper in range(level + 1, LEVELS):
            counts[deeper] = None
        _, fmt, text = levels[level]
        if fmt == "bullet":
            return "-"
        for k in range(LEVELS):
            if f"%{k + 1}" in text:
                lv = levels.get(k, (1, "decimal", ""))
                count = counts[k]
                shown = count if count is not None else overrides.get(k, lv[0])
                text = text.replace(f"%{k + 1}", format_number(shown, lv[1]))
        return text.strip()


class FootnoteCounter:
    """Footnote numbers as Word shows them: the start number, restarts per section, the number format."""

    def __init__(self, document_pr: Any, section_prs: list[Any]) -> None:
        """Take the document's w:footnotePr (settings.xml) and each section's, in order (None where absent)."""
        self.document_pr = document_pr
        self.section_prs = section_prs or [None]
        self.section = 0
        self.next = self._start(0)

    def _setting(self, section: int, name: str) -> str | None:
        """Return a footnote setting of a section, else of the document."""
        pr = self.section_prs[section] if section < len(self.section_prs) else None
        return _val(pr, name) or _val(self.document_pr, name)

    def _start(self, section: int) -> int:
        """Return the number a section's footnotes start at."""
        return max(_int(self._setting(section, "numStart"), 1), 0)

    def next_section(self) -> None:
        """Move to the next section, restarting the count if that section says so."""
        self.section += 1
        if self._setting(self.section, "numRestart") == "eachSect":
            self.next = self._start(self.section)

    def take(self) -> tuple[int, str]:
        """Return (the next footnote number, its number format), advancing the count."""
        number = self.next
        self.next += 1
        return number, self._setting(self.section, "numFmt") or "decimal"
