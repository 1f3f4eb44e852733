"""Month names as Kutip meets them in Indonesian and English text, with their numbers."""
from __future__ import annotations

INDONESIAN_MONTHS = ("januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september",
                     "oktober", "november", "desember")
ENGLISH_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                  "october", "november", "december")
OLD_SPELLINGS = {"pebruari": 2, "nopember": 11}   # older Indonesian spellings still found in print
# month name (lower case) -> its number
MONTHS = {**{m: n for n, m in enumerate(ENGLISH_MONTHS, 1)}, **{m: n for n, m in enumerate(INDONESIAN_MONTHS, 1)},
          **OLD_SPELLINGS}
SHORT_MONTHS = {  # only trusted right after a day number ("17 Agt 2013"): alone they are ordinary words
    "jan": 1, "feb": 2, "peb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8, "agt": 8, "agus": 8,
    "aug": 8, "sep": 9, "sept": 9, "okt": 10, "oct": 10, "nov": 11, "nop": 11, "des": 12, "dec": 12,
}
