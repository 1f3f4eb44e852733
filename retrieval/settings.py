"""The tuned settings of question answering, as one frozen value an Engine is given (tests change a copy)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Weights of the ranking and the answerability threshold; the defaults are the fitted values."""

    dense: bool = True                  # match by meaning too (e5) when the model is loaded; False: words alone
    synonym_weight: float = 0.5         # a thesaurus synonym of a question word, as a share of the word
    translation_weight: float = 0.8     # an English word's Indonesian translation, as a share of the word
    min_answer: float | None = None     # probability a quote needs to be shown as an answer (None: the fitted one)
    abstain: bool = True                # False: always answer with the best quotes (for measuring ranking alone)
    kind_gate: bool = False             # a quote without a value of the kind asked (date, number in its unit, name)
                                        # is no answer, whatever else it shares with the question
    named_kind: bool = True             # a question naming the kind of value it wants ("berapa persen", "tahun
                                        # berapa", "hlm brp") is answered only by quotes holding such a value
    missing_veto: float | None = None   # a quote whose passage lacks a question word of this log-odds or lower
                                        # (answerable.missing_prior) is dropped before the best is judged, as
                                        # named_kind drops quotes (None: the fitted level; -inf: none dropped)
    related_share: float = 0.5          # after an abstention, a passage is offered as "possibly related" only when its
                                        # probability is at least this share of the threshold (nonsense gets none)
    best_must_pass: bool = True         # abstain when the best quote fails, even if a lower one passes: a lower
                                        # quote that passes where the best fails is more often a trap (IDK-MRC
                                        # valid: unanswerable abstained 0.11 -> 0.13, false abstain 0.02 either way)


DEFAULT = Settings()
