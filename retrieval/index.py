"""TF-IDF index over sentences and passages (weights fitted with scikit-learn), scored from postings arrays."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .settings import DEFAULT, Settings
from .state import Arrays, BadState, State, array, nest, part

# share of character 2-3-grams (Dice) two words must have in common to be compared, by the edit distance
# allowed: one edit changes at most 5 of a word's 2L + 1 grams, so a 5-letter word keeps >= 0.54 at
# distance 1, an 8-letter word >= 0.41 at distance 2; lower bounds, with a margin
FUZZY_MIN_DICE = {1: 0.5, 2: 0.38}


def _identity(terms: list[str]) -> list[str]:
    """Return the already-analysed terms (the vectoriser's analyser: terms are made before)."""
    return terms


@dataclass(frozen=True)
class QueryVector:
    """A query as term ids and tf-idf weights (l2-normalised), and per-term credit for coverage."""

    ids: np.ndarray
    weights: np.ndarray                    # l2-normalised tf-idf weights (for cosine)
    mass: np.ndarray                       # the same weights as shares of the question's total (for overlap)
    credit: dict[int, tuple[str, float]]   # term id -> (query term it stands for, match weight)
    term_idf: dict[str, float]             # query term -> idf (unknown terms get the largest idf)
    id_set: frozenset[int]                 # ids, as a set
    overlap: float                         # share of the overlap in a score (Settings.overlap of the question's engine)


class Postings:
    """One weighted document-term matrix, by row (for lookups and row scores) and, if asked, by term."""

    def __init__(self, matrix, by_term: bool = True) -> None:
        """Take a scipy sparse matrix, rows = documents, columns = terms."""
        rows = matrix.tocsr()
        rows.sort_indices()
        self.n_rows = rows.shape[0]
        self.row_ptr = rows.indptr.astype(np.int64)
        self.row_terms = rows.indices.astype(np.int32)
        self.row_weights = rows.data.astype(np.float32)
        self.term_ptr = self.term_rows = self.term_weights = None
        if by_term:
            cols = rows.tocsc()
            cols.sort_indices()
            self.term_ptr = cols.indptr.astype(np.int64)
            self.term_rows = cols.indices.astype(np.int32)
            self.term_weights = cols.data.astype(np.float32)

    def to_state(self) -> State:
        """Return the arrays (by row, and by term when kept) and the row count."""
        names = ("row_ptr", "row_terms", "row_weights") + (("term_ptr", "term_rows", "term_weights")
                                                           if self.term_ptr is not None else ())
        return {n: getattr(self, n) for n in names}, {"n_rows": self.n_rows, "by_term": self.term_ptr is not None}

    @classmethod
    def from_state(cls, arrays: Arrays, meta: dict) -> Postings:
        """Return postings from to_state's output, checking each array's kind."""
        self = cls.__new__(cls)
        self.n_rows = int(meta["n_rows"])
        self.row_ptr, self.row_terms = array(arrays, "row_ptr", "i"), array(arrays, "row_terms", "i")
        self.row_weights = array(arrays, "row_weights", "f")
        self.term_ptr = self.term_rows = self.term_weights = None
        if meta["by_term"]:
            self.term_ptr, self.term_rows = array(arrays, "term_ptr", "i"), array(arrays, "term_rows", "i")
            self.term_weights = array(arrays, "term_weights", "f")
        if len(self.row_ptr) != self.n_rows + 1:
            raise BadState("postings: row pointers do not match the row count")
        return self

    def blend(self, q: QueryVector) -> np.ndarray:
        """Return every row's (1 - q.overlap) * cosine + q.overlap * overlap with the query (by term)."""
        assert self.term_ptr is not None and self.term_rows is not None and self.term_weights is not None  # by_term
        pos, which = ranges(self.term_ptr[q.ids], self.term_ptr[q.ids + 1])
        return np.bincount(self.term_rows[pos], weights=_blended(q, which, self.term_weights[pos]),
                           minlength=self.n_rows)

    def blend_rows(self, q: QueryVector, rows: np.ndarray) -> np.ndarray:
        """Return the same score for the given rows only (by row: cost grows with the rows, not the corpus)."""
        if not len(q.ids):
            return np.zeros(len(rows))
        pos, which = ranges(self.row_ptr[rows], self.row_ptr[rows + 1])
        order = np.argsort(q.ids)
        ids = q.ids[order]
        terms = self.row_terms[pos]
        k = np.minimum(np.searchsorted(ids, terms), len(ids) - 1)
        hit = ids[k] == terms
        return np.bincount(which[hit], weights=_blended(q, order[k[hit]], self.row_weights[pos[hit]]),
                           minlength=len(rows))

    def terms_of(self, row: int) -> np.ndarray:
        """Return the term ids row holds."""
        return self.row_terms[self.row_ptr[row]:self.row_ptr[row + 1]]


def _blended(q: QueryVector, k: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Return each posting's share of the score, for query terms k and the postings' document weights."""
    return (1 - q.overlap) * q.weights[k] * weights + q.overlap * q.mass[k]


def ranges(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the positions of every [start, end) range, and which range each belongs to."""
    lens = ends - starts
    total = int(lens.sum())
    which = np.repeat(np.arange(len(starts)), lens)
    pos = np.arange(total) + np.repeat(starts - np.concatenate(([0], np.cumsum(lens)[:-1])), lens) \
        if total else np.zeros(0, np.int64)
    return pos, which


class Grams:
    """Character 2-3-grams of the vocabulary's words, inverted, to find spelling variants fast."""

    def __init__(self, words: list[str]) -> None:
        """Index the grams of every alphabetic word, however short: which words have variants is a setting
        (Settings.fuzzy_min_len), read when a question is asked, not when the index is built."""
        self.ids: dict[str, int] = {}
        members: list[list[int]] = []
        self.sizes = np.zeros(len(words), np.float32)
        for w, word in enumerate(words):
            if not word.isalpha():
                continue
            grams = char_grams(word)
            self.sizes[w] = len(grams)
            for g in grams:
                gid = self.ids.setdefault(g, len(members))
                if gid == len(members):
                    members.append([])
                members[gid].append(w)
        self.ptr = np.zeros(len(members) + 1, np.int64)
        self.ptr[1:] = np.cumsum([len(m) for m in members])
        self.words = np.fromiter((w for m in members for w in m), np.int32, count=int(self.ptr[-1]))

    def to_state(self) -> State:
        """Return the gram arrays and the grams in id order."""
        return {"sizes": self.sizes, "ptr": self.ptr, "words": self.words}, {"grams": list(self.ids)}

    @classmethod
    def from_state(cls, arrays: Arrays, meta: dict) -> Grams:
        """Return grams from to_state's output."""
        self = cls.__new__(cls)
        self.ids = {str(g): i for i, g in enumerate(meta["grams"])}
        self.sizes, self.ptr = array(arrays, "sizes", "f"), array(arrays, "ptr", "i")
        self.words = array(arrays, "words", "i")
        if len(self.ptr) != len(self.ids) + 1:
            raise BadState("grams: pointers do not match the grams")
        return self

    def similar(self, term: str, min_dice: float) -> np.ndarray:
        """Return ids of words sharing at least min_dice of their grams with term (Dice)."""
        grams = char_grams(term)
        gids = [self.ids[g] for g in grams if g in self.ids]
        if not gids:
            return np.zeros(0, np.int64)
        shared = np.bincount(np.concatenate([self.words[self.ptr[g]:self.ptr[g + 1]] for g in gids]),
                             minlength=len(self.sizes))
        # 2 * shared / (|grams| + |grams of word|) >= min_dice
        return np.flatnonzero(2 * shared >= min_dice * (len(grams) + self.sizes))


def char_grams(word: str) -> set[str]:
    """Return the character 2- and 3-grams of word padded with spaces."""
    padded = f" {word} "
    return {padded[i:i + n] for n in (2, 3) for i in range(len(padded) - n + 1)}


class Index:
    """Sentence and passage tf-idf weights that share one vocabulary; row i of `sentences` is unit i."""

    def __init__(self, sentence_terms: list[list[str]], passage_terms: list[list[str]], progress=None) -> None:
        """Fit the vocabulary and idf on passages; weight both granularities with it.

        w(t, d) = (1 + ln tf(t, d)) * idf(t),  idf(t) = ln((1 + n) / (1 + df(t))) + 1,  rows l2-normalised.
        progress(stage, done, total), if given, hears of loading scikit-learn and of each of four steps.
        """
        step = progress or (lambda stage, done, total: None)
        step("import", 0, 1)   # scikit-learn is loaded only to build (about 2 s): answering does not need it
        from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

        step("index", 0, 4)
        counter = CountVectorizer(analyzer=_identity, dtype=np.float32)
        counts = counter.fit_transform(passage_terms)
        tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
        self.idf = tfidf.idf_.astype(np.float32)
        self.vocab: dict[str, int] = dict(counter.vocabulary_)
        self.words: list[str] = counter.get_feature_names_out().tolist()
        self.max_idf = float(np.log((1 + counts.shape[0]) / 1) + 1)
        self.passages = Postings(tfidf.transform(counts))
        del counts
        step("index", 1, 4)
        self.sentences = Postings(tfidf.transform(counter.transform(sentence_terms)), by_term=False)
        step("index", 2, 4)
        self.grams = Grams(self.words)
        step("index", 4, 4)
        self._variants: dict[tuple[str, int], list[tuple[int, int]]] = {}

    def to_state(self) -> State:
        """Return idf, both postings and the grams as arrays; the vocabulary (in id order) as JSON."""
        arrays: Arrays = {"idf": self.idf}
        meta: dict = {"words": self.words, "max_idf": self.max_idf}
        nest("passages", self.passages.to_state(), arrays, meta)
        nest("sentences", self.sentences.to_state(), arrays, meta)
        nest("grams", self.grams.to_state(), arrays, meta)
        return arrays, meta

    @classmethod
    def from_state(cls, arrays: Arrays, meta: dict) -> Index:
        """Return an index from to_state's output (without scikit-learn), with an empty memo."""
        self = cls.__new__(cls)
        self.idf = array(arrays, "idf", "f")
        self.words = [str(w) for w in meta["words"]]
        self.vocab = {w: i for i, w in enumerate(self.words)}
        self.max_idf = float(meta["max_idf"])
        self.passages = Postings.from_state(*part("passages", arrays, meta))
        self.sentences = Postings.from_state(*part("sentences", arrays, meta))
        self.grams = Grams.from_state(*part("grams", arrays, meta))
        self._variants = {}
        if len(self.idf) != len(self.words) or len(self.vocab) != len(self.words):
            raise BadState("index: idf does not match the vocabulary")
        return self

    @property
    def size(self) -> tuple[int, int, int]:
        """Return (sentences, passages, vocabulary size)."""
        return self.sentences.n_rows, self.passages.n_rows, len(self.vocab)

    def variants(self, term: str, settings: Settings = DEFAULT) -> list[tuple[int, int]]:
        """Return vocabulary ids of spelling variants of term with their edit distance (1-2)."""
        if len(term) < settings.fuzzy_min_len or not term.isalpha():
            return []
        limit = 1 if len(term) < settings.two_edits_min_len else 2
        if (term, limit) in self._variants:
            return self._variants[term, limit]
        out = []
        for i in self.grams.similar(term, FUZZY_MIN_DICE[limit]).tolist():
            word = self.words[i]
            if word == term:
                continue
            d = edit_distance(term, word, limit)
            if d <= limit:
                out.append((i, d))
        if len(self._variants) < 100_000:
            self._variants[term, limit] = out
        return out

    def vector(self, query_terms: list[str], expansions: tuple[tuple[str, str, float], ...] = (),
               settings: Settings = DEFAULT) -> QueryVector:
        """Return the query's weighted vector; unknown words weigh in the norm (they lower every score).

        expansions: (question term, corpus term, share) — a synonym or translation weighs that share of the
        corpus term's tf-idf weight and, for coverage, counts as that share of the question term found.
        The vector carries settings.overlap: every score of it blends cosine and overlap so.
        """
        tf: dict[str, int] = {}
        for t in query_terms:
            tf[t] = tf.get(t, 0) + 1
        weights: dict[int, float] = {}
        credit: dict[int, tuple[str, float]] = {}
        term_idf: dict[str, float] = {}
        unknown_norm = unknown_sum = 0.0
        for t, n in tf.items():
            w_tf = 1.0 + np.log(n)
            i = self.vocab.get(t)
            term_idf[t] = float(self.idf[i]) if i is not None else self.max_idf
            if i is not None:
                weights[i] = max(weights.get(i, 0.0), w_tf * float(self.idf[i]))
                credit[i] = (t, 1.0)
            else:
                unknown_norm += (w_tf * self.max_idf) ** 2
                unknown_sum += w_tf * self.max_idf
            for j, d in self.variants(t, settings):
                if i is None:
                    sim = settings.fuzzy_weight[d - 1]
                    w = sim * w_tf * float(self.idf[j])
                elif d == 1 and len(t) >= settings.known_variant_min_len:
                    sim = settings.known_variant_weight
                    w = sim * w_tf * min(float(self.idf[j]), float(self.idf[i]))
                else:
                    continue
                if j not in weights or weights[j] < w:
                    weights[j] = w
                    if credit.get(j, ("", 0.0))[1] < sim:
                        credit[j] = (t, sim)
        for source, t, share in expansions:
            k = self.vocab.get(t)
            if k is None or source not in term_idf:
                continue
            w = share * float(self.idf[k])
            if k not in weights or weights[k] < w:
                weights[k] = w
                if credit.get(k, ("", 0.0))[1] < share:
                    credit[k] = (source, share)
        ids = np.fromiter(weights.keys(), dtype=np.int64, count=len(weights))
        vals = np.fromiter(weights.values(), dtype=np.float32, count=len(weights))
        norm = float(np.sqrt((vals.astype(np.float64) ** 2).sum() + unknown_norm)) or 1.0
        known = {credit[i][0] for i in weights}   # a word and its variants share one share of the mass
        total = sum(w for t, w in ((t, (1.0 + np.log(n)) * term_idf[t]) for t, n in tf.items()) if t in known)
        total = (total + unknown_sum) or 1.0
        return QueryVector(ids=ids, weights=vals / norm, mass=vals / total, credit=credit, term_idf=term_idf,
                           id_set=frozenset(weights), overlap=settings.overlap)

    @staticmethod
    def reweighted(q: QueryVector, factor: Callable[[str], float]) -> QueryVector:
        """Return q with each term's weight (and its variants') times factor(query term).

        The known words keep their share of the norm and of the mass (unknown words still lower every score);
        coverage (credit, term_idf) is unchanged: it says what a passage holds, not how much that counts.
        """
        f = np.fromiter((factor(q.credit[i][0]) for i in q.ids.tolist()), np.float32, count=len(q.ids))
        weights, mass = q.weights * f, q.mass * f
        norm = float(np.linalg.norm(weights)) or 1.0
        share = float(mass.sum()) or 1.0
        return replace(q, weights=weights / norm * float(np.linalg.norm(q.weights)),
                       mass=mass / share * float(q.mass.sum()))

    def passage_scores(self, q: QueryVector) -> np.ndarray:
        """Return every passage's score: a blend of cosine and overlap.

        score(d) = (1 - q.overlap) * cos(q, d) + q.overlap * sum of the question's idf mass whose words d holds;
        overlap does not favour short sentences the way cosine does.
        """
        if not len(q.ids):
            return np.zeros(self.passages.n_rows)
        return self.passages.blend(q)

    def sentence_scores(self, q: QueryVector, units: np.ndarray) -> np.ndarray:
        """Return the same score for the given sentence units."""
        if not len(q.ids) or not len(units):
            return np.zeros(len(units))
        return self.sentences.blend_rows(q, units)

    def present(self, q: QueryVector, passage_ids: list[int]) -> list[set[int]]:
        """Return, for each passage, which of the query's term ids occur in it."""
        return [self._held(q, self.passages, p) for p in passage_ids]

    def unit_terms(self, q: QueryVector, unit_ids: list[int]) -> list[set[int]]:
        """Return, for each sentence unit, which of the query's term ids occur in it."""
        return [self._held(q, self.sentences, u) for u in unit_ids]

    @staticmethod
    def _held(q: QueryVector, postings: Postings, row: int) -> set[int]:
        """Return the query's term ids that one row holds."""
        return {t for t in postings.terms_of(row).tolist() if t in q.id_set}

    def coverage(self, q: QueryVector, present: set[int]) -> float:
        """Return the idf-weighted share of query terms found (or found as a variant) among `present` ids."""
        total = sum(q.term_idf.values())
        if not total:
            return 0.0
        best: dict[str, float] = {}
        for i, (t, w) in q.credit.items():
            if i in present:
                best[t] = max(best.get(t, 0.0), w)
        return sum(q.term_idf[t] * w for t, w in best.items()) / total


def edit_distance(a: str, b: str, limit: int) -> int:
    """Return the Levenshtein distance of a and b, or limit + 1 once it exceeds limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    start = 0                                   # a common prefix and suffix cost nothing: drop them
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[start:len(a) - end], b[start:len(b) - end]
    if not a or not b:
        return min(max(len(a), len(b)), limit + 1)
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]
