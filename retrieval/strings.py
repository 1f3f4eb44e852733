"""The interface text, Indonesian first and English, for the CLI, the app and the exports: one table (data/strings.tsv)
with both languages on each row, and the study aids' messages shown in both languages at once."""
from __future__ import annotations

from .lexicon import DATA

TABLE = "strings.tsv"    # data/: key, Indonesian, English on one row, so a string never lacks its translation


def _read(name: str = TABLE) -> dict[str, dict[str, str]]:
    """Return language -> key -> text from the table (comment lines start with #); raise ValueError for a row
    without exactly two texts or a key given twice."""
    table: dict[str, dict[str, str]] = {"id": {}, "en": {}}
    for n, line in enumerate((DATA / name).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        key, *texts = line.split("\t")
        if len(texts) != 2 or not all(texts) or key in table["id"]:
            raise ValueError(f"{name}:{n}: key, Indonesian and English, each key once")
        table["id"][key], table["en"][key] = texts
    return table


def thousands(n: int) -> str:
    """Return a count written the Indonesian way, with a dot between thousands: 35999 -> "35.999"."""
    return f"{n:,}".replace(",", ".")


TEXT: dict[str, dict[str, str]] = _read()
ID, EN = TEXT["id"], TEXT["en"]

# the study aids' messages, in both languages at once: the CLI's text and JSON speak both, and the app shows the same
BOTH: dict[str, str] = {
    "sections": "Tidak ada bagian yang bisa dipetakan. / No sections to outline.",
    "events": "Tidak ada tanggal dalam korpus. / No dates in the corpus.",
    "terms": "Tidak ada istilah atau singkatan yang didefinisikan. / No defined terms or abbreviations.",
    "cards": "Tidak ada fakta untuk kartu latihan. / No facts to make cards from.",
    "uncited": "Semua kalimat berfakta memiliki catatan kaki. / Every sentence with a fact has a footnote.",
    "no_footnotes": "Korpus ini tidak memiliki catatan kaki: setiap kalimat berfakta terdaftar. / "
                    "This corpus has no footnotes: every sentence stating a fact is listed.",
    "without_footnote": "Tanpa catatan kaki / Without a footnote:",
    "never_expanded": "tanpa kepanjangan / never expanded",
}
WHY = {  # what each tag of the citation check means (the CLI; the app says it with why_help)
    "quotation": "kutipan langsung dalam tanda petik / a direct quotation",
    "date": "tanggal atau tahun / a date or year",
    "number": "angka: jumlah, nilai, nomor aturan / a number: an amount, a value, a regulation's number",
    "name": "nama orang, tempat atau lembaga yang bisa diperiksa / a person, place or body one can check",
}
