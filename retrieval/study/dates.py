"""Dates in Indonesian and English text: days, months, years, ranges, and the periods they end."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from ..dates import MONTHS, SHORT_MONTHS, YEAR, month_pattern

_FULL = month_pattern()
_ANY = month_pattern(short=True)
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:\s*[-–]\s*(\d{{1,2}}))?\s+({_ANY})\.?,?\s+({YEAR})\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b({_FULL})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+({YEAR})\b", re.I)
_NUMERIC = re.compile(rf"(?<![\d/.-])(\d{{1,2}})([/.-])(\d{{1,2}})\2({YEAR})(?![\d/])")
_MONTH_YEAR = re.compile(rf"\b({_FULL})\s+({YEAR})\b", re.I)
_YEAR_RANGE = re.compile(rf"(?<![\d/.,-])(?:(tahun|years?)\s+)?({YEAR})\s*(?:[-–]|s\.?\s?d\.?|s/d|sampai(?:\s+dengan)?"
                         rf"|hingga|to|until)\s*({YEAR})(?![\d/])", re.I)
_YEAR = re.compile(rf"(?<![\d/.,$-])(?:(tahun|thn\.?|year)\s+)?({YEAR})(?![\d/]|[.,]\d)", re.I)
# a bare four-digit number followed by a unit counts things ("2000 orang"), it is no year
_ANY_YEAR = re.compile(YEAR)
_UNIT_AFTER = re.compile(r"\s*(orang|jiwa|km|m|meter|ton|kg|unit|buah|rupiah|hektar|ha|persen|%|people|units?)\b",
                         re.I)
_END_CUE = re.compile(r"(berakhir|sampai(?:\s+dengan)?|hingga|until|ends?|ended|expires?|s\.?\s?d\.?|s/d)\W{0,3}$",
                      re.I)
DURATION = re.compile(r"\b(\d{1,3}|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh)\s+"
                      r"(tahun|bulan|hari|years?|months?|days?)\b(?!\s*\d)", re.I)  # "Nomor 50 Tahun 2007" is no length
END_CUE_WINDOW = 20             # characters before a date searched for "berakhir", "until" ...


@dataclass(frozen=True)
class DateMatch:
    """One date found in a text: where, as written, and as ISO (yyyy, yyyy-mm or yyyy-mm-dd)."""

    start: int
    end: int
    text: str
    date: str
    precision: str                 # day | month | year
    end_date: str | None = None    # a range's last day/month/year ("2013-2018", "17-19 Agustus 2013")
    is_end: bool = False           # written as the end of a period ("berakhir 17 Agustus 2018")


def _iso(y: str | int, m: int | None = None, d: int | None = None) -> str:
    """Return yyyy, yyyy-mm or yyyy-mm-dd."""
    out = f"{int(y):04d}"
    if m is not None:
        out += f"-{m:02d}"
    if d is not None:
        out += f"-{d:02d}"
    return out


def _real_day(y: str | int, m: int, d: int) -> bool:
    """Tell whether day d of month m exists in year y (no 31 Februari, no 29/02 outside a leap year)."""
    return 1 <= m <= 12 and 1 <= d <= calendar.monthrange(int(y), m)[1]


def _month(name: str) -> int:
    """Return the month number of a full or short month name."""
    key = name.lower().rstrip(".")
    return MONTHS.get(key) or SHORT_MONTHS[key]


def find_dates(text: str) -> list[DateMatch]:
    """Return the dates written in text, in text order; the most precise reading of each place wins."""
    if not _ANY_YEAR.search(text):          # every form holds a year: most sentences leave here
        return []
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match, date: str, precision: str, end_date: str | None = None, start: int | None = None) -> None:
        """Keep a match unless a more precise one already covers its place."""
        a = m.start() if start is None else start
        b = m.end()
        if any(a < y and x < b for x, y in taken):
            return
        taken.append((a, b))
        found.append(DateMatch(a, b, text[a:b], date, precision, end_date))

    def impossible(m: re.Match) -> None:
        """Hold a day that no calendar has ("31 Februari 2013") as no date: not even its month or year."""
        taken.append((m.start(), m.end()))

    for m in _DAY_MONTH_YEAR.finditer(text):
        d1, d2, mon, y = int(m[1]), m[2], _month(m[3]), m[4]
        if not (_real_day(y, mon, d1) and (d2 is None or _real_day(y, mon, int(d2)))):
            impossible(m)
        elif d2 is None or d1 < int(d2):
            add(m, _iso(y, mon, d1), "day", _iso(y, mon, int(d2)) if d2 else None)
    for m in _MONTH_DAY_YEAR.finditer(text):
        if _real_day(m[3], _month(m[1]), int(m[2])):
            add(m, _iso(m[3], _month(m[1]), int(m[2])), "day")
        else:
            impossible(m)
    for m in _NUMERIC.finditer(text):
        d, mon = int(m[1]), int(m[3])
        if _real_day(m[4], mon, d):
            add(m, _iso(m[4], mon, d), "day")
        else:
            impossible(m)
    for m in _MONTH_YEAR.finditer(text):
        add(m, _iso(m[2], _month(m[1])), "month")
    for m in _YEAR_RANGE.finditer(text):
        if int(m[2]) < int(m[3]):
            add(m, _iso(m[2]), "year", _iso(m[3]))
    for m in _YEAR.finditer(text):
        if m[1] is None and _UNIT_AFTER.match(text, m.end()):
            continue
        add(m, _iso(m[2]), "year")
    found.sort(key=lambda d: d.start)
    return [DateMatch(d.start, d.end, d.text, d.date, d.precision, d.end_date,
                      bool(_END_CUE.search(text[max(0, d.start - END_CUE_WINDOW):d.start])))
            for d in found]


def duration_in(text: str) -> str | None:
    """Return the first length of time written in text ("5 tahun"), or None."""
    m = DURATION.search(text)
    return m[0] if m else None
