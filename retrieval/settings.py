"""The tuned settings of question answering, as one frozen value an Engine is given (tests change a copy)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Every tuned value that changes answers, by stage; the defaults are the tuned values.

    The fitted files (data/ranker.json, the answerability and short-answer models) were fitted with these defaults:
    the features they read depend on some of them (overlap and the spelling variants make the lexical scores,
    candidates chooses the sentences ranked), so an engine given other values answers with models fitted for these.
    """

    # --- the question: its language, its words' spellings and weights
    language_margin: float = 1.0        # a word votes for a language when its Zipf frequency there is at least this
                                        # much higher than in the other (1.0 = ten times as frequent): "the"/"when"
                                        # vote English, "yang"/"kapan" Indonesian, while names and shared words
                                        # ("data", "program", "batam") stay out of the count
    english_share: float = 0.5          # a question is English when more than this share of its voting words vote
                                        # English
    synonym_weight: float = 0.5         # a thesaurus synonym of a question word, as a share of the word
    one_sense: int = 3                  # a thesaurus entry this short is taken as one sense
    max_synonyms: int = 4               # corpus words a question word's synonyms reach, in the thesaurus's order
    translation_weight: float = 0.8     # an English word's Indonesian translation, as a share of the word
    fuzzy_min_len: int = 5              # shorter words are matched exactly only
    fuzzy_weight: tuple[float, float] = (0.8, 0.6)   # weight of a variant of an unknown word at edit distance 1 / 2
    known_variant_min_len: int = 7      # a word the corpus has meets other spellings only when this long, at
                                        # distance 1,
    known_variant_weight: float = 0.8   # ... and they weigh this share of the word itself (banjir is not banjar)
    two_edits_min_len: int = 8          # a word this long meets variants at edit distance 2, a shorter one at 1 only
                                        # (index.FUZZY_MIN_DICE's bounds assume at least 8 letters for 2 edits)
    necessity_rare: int = 2             # the prior of query-term necessity is the rate of words seen this rarely: a
                                        # word never asked about is one of them
    necessity_smoothing: float = 10.0   # pseudo-questions at the prior: a word seen 10 times moves halfway to its own
                                        # rate
    necessity_exponent: float = 0.5     # query weight = idf * min(1, necessity / prior) ** necessity_exponent;
                                        # figures in the README

    # --- ranking: candidate passages, then their sentences
    dense: bool = True                  # match by meaning too (e5) when the model is loaded; False: words alone
    meaning_chars: int = 300            # the meaning model reads a question's first 300 characters (whole words):
                                        # a pasted paragraph is matched by all its words, and e5 takes
                                        # ~0.35 s for 1,000 characters (the longest QA question is 201)
    overlap: float = 0.3                # share of the idf-weighted word overlap in a score (the rest is cosine)
    candidates: int = 20                # passages whose sentences are scored per question, and sentences ranked
    scoped_candidates: int = 30         # a scoped question asks the engine for this many quotes, then keeps those in
                                        # scope: enough that a document holding a few of the corpus's passages still
                                        # gets its best quotes, few enough to cost about one question
    label_bonus: float = 1.0            # a list carrying the item labels the question names ("poin a sampai g"):
                                        # as strong as a whole-passage match
    heading_bonus: float = 0.3          # a passage whose section heading (of 2+ terms) the question names in full
                                        # ("pengaruh kesamaan karakteristik" -> "5) Kesamaan karakteristik");
                                        # dev.jsonl: any 0.21-0.5
    type_bonus: float = 0.15            # a sentence holding what a when/number/why/definition question asks for (for
                                        # a question asking where a claim comes from: a sentence carrying a footnote
                                        # marker)

    # --- quotes: ranked sentences -> verbatim quotes
    max_quote_words: int = 60           # a quote of more than one sentence stays within this many words
    quote_sentences: int = 3            # ... and this many sentences
    per_passage: int = 2                # quotes one passage may give (never overlapping)

    # --- answerability: which quotes are shown as answers
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

    # --- the short answer: candidate spans of the kind asked (the span model's features read them)
    context_words: int = 4              # words each side of a candidate that say what it is (a table cell, a noun
                                        # phrase)
    max_expansion_words: int = 10       # an expansion longer than this is a sentence, not the name the letters stand
                                        # for
    unit_reach: int = 16                # characters after a number in which its unit must stand ("114,5 miliar",
                                        # "5 tahun"); also what answerability reads of a number asked in a unit
    reader: bool = True                 # when the span model gives none, Engine.read asks the trained reader
                                        # (extractive.py) for a span of quote 1, shown above its fitted threshold

    # --- sources: does a footnote's cited document support a quote
    strong_support: float = 0.4         # a source passage holding this share of the quote's word weight (idf)
                                        # restates it
    weak_support: float = 0.05          # ... any of its rarer words: it shares the quote's topic (unrelated text holds
                                        # none)
    min_claim_terms: int = 5            # a quote's sentence of this many terms is scored on its own too (a footnote
                                        # backs one sentence)


DEFAULT = Settings()
