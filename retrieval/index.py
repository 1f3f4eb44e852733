"""TF-IDF index over sentences and passages (scikit-learn), with spelling-variant expansion by character n-grams."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer

FUZZY_MIN_LEN = 5          # shorter words are matched exactly only
FUZZY_MIN_COSINE = 0.45    # character-n-gram cosine that makes a vocabulary word a candidate variant
FUZZY_WEIGHT = {1: 0.8, 2: 0.6}   # weight of a variant at edit distance 1 / 2
OVERLAP = 0.3              # share of the idf-weighted word overlap in a score (the rest is cosine)


def _identity(terms: list[str]) -> list[str]:
    """Return the already-analysed terms (a named function so the vectoriser pickles)."""
    return terms


@dataclass(frozen=True)
class QueryVector:
    """A query as term ids and tf-idf weights (l2-normalised), and per-term credit for coverage."""

    ids: np.ndarray
    weights: np.ndarray                    # l2-normalised tf-idf weights (for cosine)
    mass: np.ndarray                       # the same weights as shares of the question's total (for overlap)
    credit: dict[int, tuple[str, float]]   # term id -> (query term it stands for, match weight)
    term_idf: dict[str, float]             # query term -> idf (unknown terms get the largest idf)


class Index:
    """Sentence and passage tf-idf matrices that share one vocabulary; row i of `sentences` is unit i."""

    def __init__(self, sentence_terms: list[list[str]], passage_terms: list[list[str]]) -> None:
        """Fit the vocabulary and idf on passages; weight both granularities with it.

        w(t, d) = (1 + ln tf(t, d)) * idf(t),  idf(t) = ln((1 + n) / (1 + df(t))) + 1,  rows l2-normalised.
        """
        self.counter = CountVectorizer(analyzer=_identity, dtype=np.float32)
        counts = self.counter.fit_transform(passage_terms)
        self.tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
        self.idf = self.tfidf.idf_.astype(np.float32)
        self.vocab: dict[str, int] = self.counter.vocabulary_
        self.words = np.array(self.counter.get_feature_names_out(), dtype=object)
        self.max_idf = float(np.log((1 + counts.shape[0]) / 1) + 1)
        passages = self.tfidf.transform(counts).astype(np.float32)
        sentences = self.tfidf.transform(self.counter.transform(sentence_terms)).astype(np.float32)
        # term-major copies: a query touches only the rows of its own terms
        self.passages_t = sparse.csr_matrix(passages.T)
        self.sentences_t = sparse.csr_matrix(sentences.T)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), dtype=np.float32)
        self.char_matrix_t = sparse.csr_matrix(self.chars.fit_transform(list(self.words)).T) if len(self.words) else None

    @property
    def size(self) -> tuple[int, int, int]:
        """Return (sentences, passages, vocabulary size)."""
        return self.sentences_t.shape[1], self.passages_t.shape[1], len(self.vocab)

    def variants(self, term: str) -> list[tuple[int, float]]:
        """Return vocabulary ids of spelling variants of term with their weights (edit distance 1-2)."""
        if len(term) < FUZZY_MIN_LEN or not term.isalpha() or self.char_matrix_t is None:
            return []
        q = self.chars.transform([term])
        sims = (q @ self.char_matrix_t).toarray().ravel()
        out = []
        for i in np.flatnonzero(sims >= FUZZY_MIN_COSINE):
            word = self.words[i]
            if word == term or not word.isalpha():
                continue
            limit = 1 if len(term) < 8 else 2
            d = edit_distance(term, word, limit)
            if d <= limit:
                out.append((int(i), FUZZY_WEIGHT[d]))
        return out

    def vector(self, query_terms: list[str]) -> QueryVector:
        """Return the query's weighted vector; unknown words weigh in the norm (they lower every score)."""
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
            for j, sim in self.variants(t):
                if j not in weights or weights[j] < sim * w_tf * float(self.idf[j]):
                    weights[j] = sim * w_tf * float(self.idf[j])
                    if credit.get(j, ("", 0.0))[1] < sim:
                        credit[j] = (t, sim)
        ids = np.fromiter(weights.keys(), dtype=np.int64, count=len(weights))
        vals = np.fromiter(weights.values(), dtype=np.float32, count=len(weights))
        norm = float(np.sqrt((vals.astype(np.float64) ** 2).sum() + unknown_norm)) or 1.0
        known = {credit[i][0] for i in weights}   # a word and its variants share one share of the mass
        total = sum(w for t, w in ((t, (1.0 + np.log(n)) * term_idf[t]) for t, n in tf.items()) if t in known)
        total = (total + unknown_sum) or 1.0
        return QueryVector(ids=ids, weights=vals / norm, mass=vals / total, credit=credit, term_idf=term_idf)

    def scores(self, q: QueryVector) -> tuple[np.ndarray, np.ndarray]:
        """Return the scores of every sentence and every passage: a blend of cosine and overlap.

        score(d) = (1 - OVERLAP) * cos(q, d) + OVERLAP * sum of the question's idf mass whose words d holds;
        overlap does not favour short sentences the way cosine does.
        """
        n_s, n_p = self.sentences_t.shape[1], self.passages_t.shape[1]
        if not len(q.ids):
            return np.zeros(n_s, np.float32), np.zeros(n_p, np.float32)
        return self._blend(q, self.sentences_t[q.ids]), self._blend(q, self.passages_t[q.ids])

    @staticmethod
    def _blend(q: QueryVector, rows: sparse.csr_matrix) -> np.ndarray:
        """Return (1 - OVERLAP) * cosine + OVERLAP * overlap over the query's rows of one matrix."""
        cos = sparse.csr_matrix(q.weights.reshape(1, -1)) @ rows
        hit = rows.copy()
        hit.data[:] = 1.0
        ovl = sparse.csr_matrix(q.mass.reshape(1, -1)) @ hit
        return ((1 - OVERLAP) * cos + OVERLAP * ovl).toarray().ravel()

    def present(self, q: QueryVector, passage_ids: list[int]) -> list[set[int]]:
        """Return, for each passage, which of the query's term ids occur in it."""
        if not len(q.ids) or not passage_ids:
            return [set() for _ in passage_ids]
        block = self.passages_t[q.ids][:, passage_ids].toarray()
        return [set(q.ids[block[:, k] > 0].tolist()) for k in range(len(passage_ids))]

    def unit_terms(self, q: QueryVector, unit_ids: list[int]) -> list[set[int]]:
        """Return, for each sentence unit, which of the query's term ids occur in it."""
        if not len(q.ids) or not unit_ids:
            return [set() for _ in unit_ids]
        block = self.sentences_t[q.ids][:, unit_ids].toarray()
        return [set(q.ids[block[:, k] > 0].tolist()) for k in range(len(unit_ids))]

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
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]
