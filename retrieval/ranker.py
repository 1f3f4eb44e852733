"""The learned ranker: one linear model over what Kutip measures of a candidate sentence, fitted on real QA data.

score(u) = w . features(u), w fitted pairwise (a sentence holding the gold answer in the gold paragraph above
the other sentences of that paragraph, those above every other candidate) on IDK-MRC + TyDiQA-id train by
`python -m retrieval.fit` (fit.py).  The weights live in data/ranker.json, one set with the e5 model and one for
answering from the words alone.  A missing or corrupt file raises ModelFileError: Kutip never ranks by
guesswork.

Not features, measured: the sentence opening its passage (Wikipedia puts the answer first; fitted with it, the
chapter's dev hit@1 fell to 0.39 while IDK-MRC valid did not move) and the sentence's own TF-IDF score (its weight
came out negative beside coverage and the passage's score; without it IDK-MRC / TyDiQA-id valid doc@1 0.976 / 0.958,
with it 0.974 / 0.960).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import ModelFileError

WEIGHTS = Path(__file__).resolve().parent / "data" / "ranker.json"
FEATURES = (
    "lex_passage",      # TF-IDF blend score of the sentence's passage (index.passage_scores)
    "cov_sentence",     # idf-weighted share of the question's words the sentence holds
    "cov_passage",      # ... its passage holds
    "dense_sentence",   # e5 cosine of the sentence, z-scored over the corpus
    "dense_passage",    # ... of the passage's best sentence
    "cos_sentence",     # e5 cosine of the sentence, raw
    "cos_passage",      # ... of the passage's best sentence
    "kind",             # the sentence holds what a when/number/why/definition question asks for
    "english_dense",    # dense_sentence when the question is English (its words meet the text only translated)
    "english_lex",      # TF-IDF blend score of the sentence (index.sentence_scores) when the question is English
    "dense_whole",      # e5 cosine of the whole passage (embedded as one text), z-scored over the corpus
    "cos_whole",        # ... raw
    "kind_context",     # a value of the kind asked stands by the question's words (short_answer.kind_context)
)


@dataclass(frozen=True)
class RankModel:
    """Fitted weights (FEATURES order) of one variant: with the e5 model ("dense") or without ("lexical")."""

    weights: np.ndarray

    def score(self, x: np.ndarray) -> np.ndarray:
        """Return w . x per row of the feature matrix x."""
        return x @ self.weights


def checksum(data: dict) -> str:
    """Return the SHA-256 of a fitted file's content without its own checksum field."""
    body = json.dumps({k: v for k, v in data.items() if k != "sha256"}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def read_fitted(path: Path, features: tuple[str, ...]) -> dict:
    """Return a fitted file's JSON after checking it is whole (checksum) and names exactly these features; raise
    ModelFileError saying what is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise ModelFileError(f"{path.name}: tidak terbaca / unreadable ({e.strerror or e})") from None
    except ValueError as e:
        raise ModelFileError(f"{path.name}: bukan JSON / not JSON ({e})") from None
    if not isinstance(data, dict) or data.get("sha256") != checksum(data):
        raise ModelFileError(f"{path.name}: checksum tidak cocok / checksum mismatch (refit: python -m retrieval.fit)")
    if tuple(data.get("features", ())) != features:
        raise ModelFileError(f"{path.name}: fitur berbeda dari kode / features differ from the code")
    return data


def model(dense: bool) -> RankModel:
    """Return the fitted ranker of one variant (raises ModelFileError when the file is missing or corrupt)."""
    return _model(dense, WEIGHTS)


@lru_cache(maxsize=4)
def _model(dense: bool, path: Path) -> RankModel:
    """Return the fitted ranker of one variant read from path."""
    data = read_fitted(path, FEATURES)
    try:
        w = np.array([float(v) for v in data["dense" if dense else "lexical"]["weights"]], np.float64)
    except (KeyError, TypeError, ValueError) as e:
        raise ModelFileError(f"{path.name}: bobot rusak / bad weights ({e})") from None
    if w.shape != (len(FEATURES),) or not np.isfinite(w).all():
        raise ModelFileError(f"{path.name}: bobot rusak / bad weights")
    return RankModel(w)


def clear() -> None:
    """Forget the fitted file read so far (after a refit writes a new one)."""
    _model.cache_clear()
