"""Indonesian text analysis: normalise, tokenise, join split compounds, drop function words, stem (cached)."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Set as AbstractSet
from functools import lru_cache

from .chat import written_abbreviations

# Function words only.  Unlike stock lists (Sastrawi's drops "tidak", "belum", "sejak", "setelah",
# "bersama", "luar", "kerja", "sama", "akhir", ...), words that carry meaning stay searchable:
# negation and time words change what a sentence says, and they matter when deciding not to answer.
# Question words (and "dimaksud" of "apa yang dimaksud dengan ...") are dropped from matching but read by
# asked.question_type().
STOP_WORDS = frozenset("""
yang dan di ke dari pada untuk dengan dalam oleh ini itu adalah ialah yaitu yakni atau ataupun juga akan
telah sudah sedang masih bisa dapat agar supaya karena sehingga maka jika kalau bila apabila namun tetapi
tapi serta bahwa sebagai seperti para pun lah kah nya tersebut sebuah suatu seorang beberapa setiap tiap
segala lebih paling sangat amat hanya saja pula lagi ada merupakan sang si dll dsb dst hal pd tgl
apa apakah siapa siapakah kapan kapankah berapa berapakah bagaimana bagaimanakah mengapa kenapa mana manakah
dimaksud maksud dimaksudkan maksudnya
dimana dimanakah darimana darimanakah kemana kemanakah mengapakah kenapakah bilamana
sebutkan jelaskan disebut disebutkan menurut mengenai tentang terhadap antara sebuah
saya aku kamu anda kita kami mereka ia dia beliau nih dong kok sih ya
the a an of to in on at for by with from and or is are was were be been being what which who whom whose
when where why how does do did much many that this these those it its as into about according there their
""".split())

# The frame words of a definition question: what it asks for, not what it is about ("definisi dari budaya")
DEFINITION_FRAME = frozenset("definisi pengertian arti artinya definition meaning meant define".split())
# A sentence opening with one of these continues the one before it: the inter-sentence conjunctions of
# Indonesian grammars ("konjungsi antarkalimat") and the anaphoric openers ("hal ini", "ia").  A quote keeps
# such a sentence with the one it continues rather than with an unrelated neighbour.
CONNECTIVES = frozenset(tuple(c.split()) for c in """
akan tetapi, namun, tetapi, sedangkan, biarpun demikian, biarpun begitu, sekalipun demikian, sekalipun begitu,
walaupun demikian, walaupun begitu, meskipun demikian, meskipun begitu, sungguhpun demikian, kemudian, lalu,
sesudah itu, setelah itu, sebelum itu, selanjutnya, tambahan pula, lagi pula, selain itu, di samping itu,
kecuali itu, sebaliknya, sesungguhnya, bahwasanya, malahan, bahkan, dengan demikian, dengan begitu, jadi, maka,
oleh karena itu, oleh sebab itu, karena itu, oleh karenanya, karenanya, akibatnya, sehingga, untuk itu,
pada akhirnya, adapun, hal ini, hal itu, hal tersebut, dalam hal ini, ini, itu, tersebut, ia, dia, mereka, beliau
""".replace("\n", " ").split(","))
_CONNECTIVE_LENGTHS = sorted({len(c) for c in CONNECTIVES}, reverse=True)
ENUMERATION = re.compile(r"\b(apa saja|siapa saja|mana saja|sebutkan|meliputi apa|what are|list)\b")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+")
CAPITALISED = re.compile(r"(?<=\S)\s+([A-Z][\w-]*)")   # a capitalised word past the first: a name
_LONG_NUMBER = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")
_NUMBER_WORDS = ("satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas seratus seribu sejuta "
                 "belasan puluhan ratusan ribuan one two three four five six seven eight nine ten twelve hundred")
WORD_NUMBER = re.compile(rf"\b(?:{'|'.join(_NUMBER_WORDS.split())})\b", re.I)   # an amount in words
URL = re.compile(r"(?:https?://|www\.)\S+")   # a web address as written in text


def normalise(text: str) -> str:
    """Return text in NFKC, lower case, without soft hyphens or zero-width characters."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub("[\u00ad\u200b-\u200f\u2060\ufeff]", "", text)


_MARKUP = re.compile(r"\x1b\[[0-9;]*m|\[[0-9;]+m"   # terminal colour codes (their escape may be gone)
                     r"|</?[a-zA-Z][^<>]{0,200}>"  # HTML tags
                     r"|\]\([^()\s]*\)"            # a markdown link's target
                     r"|\b" + URL.pattern)            # bare addresses


def strip_markup(text: str) -> str:
    """Return a question without tags, colour codes and link targets, which are not what it asks."""
    return _MARKUP.sub(" ", text)


def tokenise(text: str) -> list[str]:
    """Return the word and number tokens of text (hyphenated words give their parts; "Pétain" -> "petain")."""
    text = normalise(text)
    if not text.isascii():   # letters with diacritics lose them, rather than splitting the word
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _TOKEN.findall(text)


def continues(tokens: list[str]) -> bool:
    """Tell whether a sentence's tokens open with a connective tying it to the sentence before."""
    return any(tuple(tokens[:n]) in CONNECTIVES for n in _CONNECTIVE_LENGTHS)


def expand_abbreviations(tokens: list[str]) -> list[str]:
    """Return tokens with everyday written abbreviations written out ("krn" -> "karena"; chat.WRITTEN)."""
    table = written_abbreviations()
    out: list[str] = []
    for t in tokens:
        out.extend(table.get(t, t).split())
    return out


@lru_cache(maxsize=1)
def _abbreviated() -> frozenset[str]:
    """Return the written abbreviations (what terms() looks for before writing them out)."""
    return frozenset(written_abbreviations())


@lru_cache(maxsize=1)
def _stemmer():
    """Return PySastrawi's stemmer (built once; its dictionary plus the roots it lacks, data/extra-roots.txt)."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    from .lexicon import extra_roots
    stemmer = StemmerFactory().create_stemmer()
    stemmer.delegatedStemmer.get_dictionary().add_words(extra_roots())
    return stemmer


def stems_to_root(word: str) -> bool:
    """Tell whether PySastrawi stems the word to a root its dictionary knows."""
    stemmer = _stemmer()
    return stemmer.delegatedStemmer.get_dictionary().contains(stemmer.stem(word))


_STORED_STEMS: dict[str, str] = {}     # word -> stem read from the store (embedstore.py), asked before PySastrawi
_NEW_STEMS: dict[str, str] = {}        # stems PySastrawi worked out in this process, not yet in the store
NEW_STEMS_MAX = 1_000_000


@lru_cache(maxsize=1)
def stem_version() -> str:
    """Return what a stem depends on: PySastrawi's version, this file and the extra roots (a stored stem's key)."""
    import hashlib
    from importlib import metadata
    from pathlib import Path

    here = Path(__file__).parent
    try:
        h = hashlib.sha256(metadata.version("PySastrawi").encode())
    except metadata.PackageNotFoundError:
        h = hashlib.sha256(b"?")
    for path in (Path(__file__), here / "lexicon.py", here / "data" / "extra-roots.txt"):
        h.update(path.read_bytes())
    return h.hexdigest()


def use_stems(stems: Mapping[str, str]) -> None:
    """Take stems worked out before (word -> stem, from the store), so PySastrawi is not asked again."""
    _STORED_STEMS.update(stems)


def new_stems() -> dict[str, str]:
    """Return (and forget) the stems PySastrawi worked out since the last call, for the store."""
    out = dict(_NEW_STEMS)
    _NEW_STEMS.clear()
    return out


@lru_cache(maxsize=500_000)
def stem(word: str) -> str:
    """Return the stem of one lower-case word (numbers and short words unchanged)."""
    if len(word) <= 3 or not word.isalpha():
        return word
    known = _STORED_STEMS.get(word)
    if known is not None:
        return known
    root = _stemmer().stem(word) or word
    out = strip_affixes(word) if root == word else root
    if len(_NEW_STEMS) < NEW_STEMS_MAX:
        _NEW_STEMS[word] = out
    return out


_PARTICLE = re.compile(r"(lah|kah|tah|pun|nya|ku|mu)$")
_CONFIXES = (("di", ("kan", "i")), ("ke", ("an",)), ("ber", ("an",)), ("per", ("an", "kan", "i")),
             ("se", ("nya",)))
_NASAL = (("meng", "k"), ("peng", "k"), ("meny", "s"), ("peny", "s"), ("mem", "p"), ("pem", "p"),
          ("men", "t"), ("pen", "t"))


def strip_affixes(word: str) -> str:
    """Return a word PySastrawi does not know (often a compound: "ditandatangani") without its affixes.

    Only particles/possessives and whole confixes are removed (di-...-i, pe(N)-...-an, ke-...-an), so a
    word such as "kerjasamanya" loses "-nya" but "kerjasama" keeps its "ke".
    """
    if len(word) < 8:
        return word
    base = _PARTICLE.sub("", word) if len(word) - 3 >= 6 else word
    for suffix in ("kan", "an", "i"):
        if not base.endswith(suffix) or len(base) - len(suffix) < 7:
            continue
        core = base[: -len(suffix)]
        for prefix, suffixes in _CONFIXES:
            if core.startswith(prefix) and suffix in suffixes:
                return core[len(prefix):]
        for prefix, first in _NASAL:
            if core.startswith(prefix) and suffix in ("an", "kan", "i") and core[len(prefix)] in "aiueo":
                return first + core[len(prefix):]
    return base


_JOIN_SUFFIXES = ("an", "nya", "kan", "i")


def join_compounds(tokens: list[str], compounds: Mapping[str, str] | AbstractSet[str]) -> list[str]:
    """Return tokens with split compounds joined when the joined form (or it suffixed) is a known word.

    compounds maps a joined pair to the word it stands for (see compound_words); a plain set of words is
    taken too, joining only to the word itself.
    """
    joined = compounds.get if isinstance(compounds, dict) else (lambda pair: pair if pair in compounds else None)
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        if i + 1 < n:
            known = joined(tokens[i] + tokens[i + 1])
            if known:
                out.append(known)
                i += 2
                continue
        out.append(tokens[i])
        i += 1
    return out


def compound_words(token_lists: Iterable[list[str]]) -> dict[str, str]:
    """Return joined form -> known word, for the words long enough to be a compound that may be written apart.

    The joined form is the word itself or the word without a suffix ("penanda tangan" ~ "penandatanganan").
    """
    words = {t for tokens in token_lists for t in tokens if len(t) >= 6 and t.isalpha()}
    out = {w: w for w in words}
    for suffix in _JOIN_SUFFIXES:   # in order: the first suffix that makes a known word wins
        for w in words:
            if w.endswith(suffix) and w[: -len(suffix)] not in out:
                out[w[: -len(suffix)]] = w
    return out


def terms(tokens: list[str], compounds: Mapping[str, str] | AbstractSet[str] = frozenset()) -> list[str]:
    """Return index terms: compounds joined, function words dropped, words stemmed."""
    if not _abbreviated().isdisjoint(tokens):
        tokens = expand_abbreviations(tokens)
    out = []
    for token in join_compounds(tokens, compounds) if compounds else tokens:
        term = index_term(token)
        if term:
            out.append(term)
    return out


@lru_cache(maxsize=500_000)
def index_term(token: str) -> str:
    """Return the index term of one token: its stem, or "" for a function word or a single letter."""
    if token in STOP_WORDS or (len(token) == 1 and token.isalpha()):
        return ""
    if _LONG_NUMBER.match(token):
        token = re.sub(r"[.,]", "", token)
    return stem(token)


# "poin a sampai g", "butir 1-5": a question naming a list by its item labels
LABEL_RANGE = re.compile(r"\b(?:poin|butir|huruf|nomor|item|point)s?\s+([a-z]|\d{1,2})\s*"
                         r"(?:sampai|hingga|s/d|s\.d\.?|-|\u2013|to|through)\s*([a-z]|\d{1,2})\b")


def without_frame(tokens: list[str], qtype: str | None) -> list[str]:
    """Return a definition question's tokens without its frame words (all of them if nothing else is left)."""
    if qtype != "define":
        return tokens
    subject = [t for t in tokens if t not in DEFINITION_FRAME]
    return subject if any(index_term(t) for t in expand_abbreviations(subject)) else tokens


def label_range(question: str) -> tuple[tuple[str, str] | None, str]:
    """Return the first and last item labels a question names ("poin a sampai g" -> ("a", "g")), or None,
    and the question without that phrase (labels are not words to search for)."""
    text = normalise(question)
    m = LABEL_RANGE.search(text)
    if not m:
        return None, question
    return (m.group(1), m.group(2)), text[:m.start()] + " " + text[m.end():]


# a question asking where a claim comes from ("itu dikutip dari mana", "sumber beritanya apa", "which source"):
# its answer is the claim itself, shown with its footnote, not the footnote entry alone
SOURCE_QUESTION = re.compile(
    r"\b(?:sumber(?:nya)?\s+(?:berita|informasi|data|tulisan|kutipan)(?:nya)?|sumbernya"
    r"|referensi(?:nya)?|rujukan(?:nya)?"
    r"|dikutip|mengutip|diambil dari|dari (?:situs|web|website|laman|artikel|berita|buku|jurnal|panduan) (?:apa|mana)"
    r"|sources?|cited?|citation|references?)\b")


def asks_for_source(question: str) -> bool:
    """Tell whether the question asks where a claim comes from (its reference), not for a fact."""
    return bool(SOURCE_QUESTION.search(normalise(question)))


# a part of a citation with a value of its own: the page, the author, the publisher, when it was published or read
CITATION_FIELD = re.compile(r"\b(?:halaman|hlm|penulis|pengarang|penerbit|terbit|diterbitkan|diakses"   # not "hal":
                            r"|pages?|authors?|publisher|published|accessed)(?:nya)?\b")           # "dalam hal ini"


def asks_citation_field(question: str) -> bool:
    """Tell whether the question asks for a part of a citation ("hlm brp", "siapa penulisnya"): the footnote entry
    holds that value, not the claim."""
    return bool(CITATION_FIELD.search(normalise(question)))


def asks_for_list(question: str) -> bool:
    """Tell whether the question asks for an enumeration ("apa saja", "sebutkan")."""
    return bool(ENUMERATION.search(normalise(question)))
