"""Years and month names as Kutip meets them in Indonesian and English text (the one place they are defined)."""
from __future__ import annotations

import re

YEAR = r"(?:1[5-9]\d\d|20\d\d)"   # 1500-2099: a four-digit number outside this is an amount, not a year
INDONESIAN_MONTHS = ("januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september",
                     "oktober", "november", "desember")
ENGLISH_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                  "october", "november", "december")
OLD_SPELLINGS = {"pebruari": 2, "nopember": 11}   # older Indonesian spellings still found in print
# month name (lower case) -> its number
MONTHS = {**{m: n for n, m in enumerate(ENGLISH_MONTHS, 1)}, **{m: n for n, m in enumerate(INDONESIAN_MONTHS, 1)},
          **OLD_SPELLINGS}
SHORT_MONTHS = {  # only trusted right after a day number ("17 Agt 2013"): alone they are ordinary words
    "jan": 1, "feb": 2, "peb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8, "agt": 8, "ags": 8, "agus": 8,
    "aug": 8, "sep": 9, "sept": 9, "okt": 10, "oct": 10, "nov": 11, "nop": 11, "des": 12, "dec": 12,
}
# a month name that is far more often another word (the English verb "may"): a month only beside a day or a year
AMBIGUOUS_MONTHS = frozenset({"may"})
BARE_MONTHS = frozenset(MONTHS) - AMBIGUOUS_MONTHS   # month names that say "a date" standing alone
YEAR_WORD = re.compile(rf"\b({YEAR})\b")              # a year standing as a word of its own ("2011", not "20115")
ERAS = r"(?:SM|M|H|BC|AD|BCE|CE|Masehi|Hijriah)"    # written after a year: "1332 M", "27 SM", "1372 H"


def month_pattern(short: bool = False) -> str:
    """Return a regular expression (no groups) matching any month name, longest first; short: abbreviations too."""
    names = [*MONTHS, *(SHORT_MONTHS if short else ())]
    return "(?:" + "|".join(sorted(names, key=len, reverse=True)) + ")"
