"""The engine: wires the stages (corpus -> index, cached; question -> candidates -> quotes -> answerable)."""
from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import cached_property, lru_cache, partial
from pathlib import Path

import numpy as np

from . import answerable, dense, e5onnx, extractive, necessity, ranker
from .analysis import stem_version, strip_markup, terms, tokenise, use_stems
from .cache import cache_dir as cache_folder, corpus_listing, load_or_build
from .corpus import Progress, index_passages, passage_vectors, read_corpus
from .embedstore import Store
from .errors import CorpusNotFound, EmptyCorpus
from .index import Index, QueryVector
from .model import DEFAULT_TOP_K, Answer, DocStatus, Footnote, Passage, Quote, ShortAnswer
from .question import QueryPlan, understand
from .quotes import coverage_gain, quotes_for
from .rank import Candidates, Layout, candidates, claims_for_entries, cosines, rank
from .readers import KNOWN, describe_formats
from .settings import DEFAULT, Settings
from .short_answer import short_answer, span_model
from .signals import measure, unknown_share
from .state import Arrays, BadState, State, array, from_records, nest, part, records
from .units import Units

__all__ = ["DocStatus", "Engine", "Progress"]


@lru_cache(maxsize=8)
def _inputs(todo: tuple[str, ...]) -> int:
    """Return how many inputs a todo stands for (e5onnx.count), once a todo: every question reads it."""
    return e5onnx.count(todo)


def check_models() -> None:
    """Read the fitted files (ranker, answerability, short answer, the reader's checksum) once; raise ModelFileError if
    one is missing or corrupt, so Kutip never answers without them."""
    extractive.check()
    ranker.model(True)
    ranker.model(False)
    answerable.threshold(True)
    answerable.veto()
    span_model()


class Engine:
    """An immutable, shareable question-answering engine over one corpus folder."""

    def __init__(self, passages: tuple[Passage, ...], footnotes: tuple[Footnote, ...],
                 documents: tuple[DocStatus, ...], index: Index, units: Units,
                 compounds: dict[str, str], built_at: float, vectors: np.ndarray | None = None,
                 todo: tuple[str, ...] = ()) -> None:
        """Hold the built parts; use Engine.build to make one.  vectors: one e5 vector per unit, then one per passage,
        or None; todo: the texts still to embed (past the build's budget), vectors None until they are."""
        self.passages, self.footnotes, self.documents = passages, footnotes, documents
        self.index, self.units, self.compounds, self.built_at = index, units, compounds, built_at
        self.vectors, self.todo = vectors, todo
        self.settings = DEFAULT
        self.layout = Layout.of(passages, units, index, compounds)

    def to_state(self) -> State:
        """Return the engine as arrays plus JSON-able values, for the cache (never pickled)."""
        arrays: Arrays = {}
        meta = {"passages": records(self.passages, Passage), "footnotes": records(self.footnotes, Footnote),
                "documents": records(self.documents, DocStatus), "compounds": self.compounds,
                "built_at": self.built_at}
        nest("index", self.index.to_state(), arrays, meta)
        nest("units", self.units.to_state(), arrays, meta)
        if self.vectors is not None:
            arrays["vectors"] = self.vectors.astype(np.float16)   # half the size; cosines change < 1e-3
        return arrays, meta

    @classmethod
    def from_state(cls, arrays: Arrays, meta: dict) -> Engine:
        """Return the engine stored by to_state; raise BadState (or a plain ValueError) when it does not fit."""
        passages = from_records(meta["passages"], Passage)
        index = Index.from_state(*part("index", arrays, meta))
        units = Units.from_state(*part("units", arrays, meta))
        if index.passages.n_rows != len(passages) or index.sentences.n_rows != len(units.passage):
            raise BadState("engine: index and passages differ")
        vectors = None
        if "vectors" in arrays:
            vectors = array(arrays, "vectors", "f", ndim=2).astype(np.float32)
            if vectors.shape != (len(units.passage) + len(passages), dense.DIM):
                raise BadState("engine: vectors and units differ")
        return cls(passages, from_records(meta["footnotes"], Footnote), from_records(meta["documents"], DocStatus),
                   index, units, {str(k): str(v) for k, v in meta["compounds"].items()}, float(meta["built_at"]),
                   vectors)

    @cached_property
    def abbreviations(self) -> dict[str, str]:
        """Return the abbreviations this corpus writes out beside itself, lower-cased, and their words: a question's
        "LoI" also searches "Letter of Intent" (study.glossary.written_out, read on the first question)."""
        from .study.glossary import written_out
        return written_out(self.passages)

    @property
    def complete(self) -> bool:
        """Tell whether every sentence that should have a vector has one (an incomplete engine is never cached)."""
        return not self.todo

    @classmethod
    def build(cls, corpus: Path, cache_dir: Path | None = None, progress: Progress | None = None,
              use_cache: bool = True, budget: int | None = None) -> Engine:
        """Return the engine for a corpus folder, from the cache when it is current; raise ModelFileError first when
        a fitted model file is missing or corrupt.

        Texts embedded before (in this process, or stored in the cache folder) are not embedded again (without
        use_cache the folder is only read); when more than budget are new, the engine answers by words and lists
        them in `todo`.
        """
        check_models()
        corpus = Path(corpus)
        if not corpus.is_dir():
            raise CorpusNotFound(f"folder korpus tidak ditemukan: {corpus}")
        files, refused = corpus_listing(corpus, KNOWN)   # refused formats (.doc, .odt) are listed as skipped
        if not files:
            raise EmptyCorpus(f"korpus kosong: tidak ada berkas {describe_formats()} di {corpus}")
        store = Store(cache_folder(cache_dir), write=use_cache)   # without the cache: vectors read, never written
        engine = load_or_build(corpus, files, lambda: cls._fresh(corpus, files, progress, refused, store, budget),
                               cache_dir, use_cache, kind=cls, extra=tuple(name for name, _ in refused))
        if not engine.passages:
            raise EmptyCorpus(f"tidak ada teks yang bisa dibaca di {corpus}")
        use_stems(store.stems(stem_version()))     # the corpus's words, stemmed when it was built: asked again cheaply
        return engine

    @classmethod
    def _fresh(cls, corpus: Path, files: list[Path], progress: Progress | None,
               refused: Sequence[tuple[str, str]] = (), store: Store | None = None,
               budget: int | None = None) -> Engine:
        """Read, structure and index every file; a bad file (or a link out of the corpus) is recorded as skipped."""
        read = read_corpus(corpus, files, progress, refused)
        return cls.from_passages(list(read.passages), list(read.footnotes), list(read.documents), progress,
                                 store, budget)

    @classmethod
    def from_passages(cls, passages: list[Passage], footnotes: list[Footnote],
                      documents: list[DocStatus] | None = None, progress: Progress | None = None,
                      store: Store | None = None, budget: int | None = None) -> Engine:
        """Return an engine indexing the given passages (ids must be 0..n-1 in order)."""
        built = index_passages(passages, progress, store, budget)
        return cls(tuple(passages), tuple(footnotes), tuple(documents or ()), built.index, built.units,
                   built.compounds, time.time(), built.vectors, built.todo)

    def filled(self, store: Store) -> Engine:
        """Return this engine with a vector for every sentence and passage, taken from the store its todo was embedded
        into (embedstore.fill; what the store lacks is embedded now): a fresh build's vectors, without reading and
        indexing the corpus again."""
        if not self.todo:
            return self
        vectors, todo = passage_vectors(self.passages, self.units, store)
        other = copy.copy(self)
        other.vectors, other.todo = vectors, tuple(todo)
        return other

    @property
    def dense_status(self) -> dense.ModelStatus:
        """Return whether questions are matched by meaning too (e5 vectors built and the model loaded), and why not."""
        _, status = dense.load_model()
        if status.loaded and self.todo:
            n = _inputs(self.todo)
            return dense.ModelStatus(False, f"makna {n} kalimat belum dihitung / meaning of {n} sentences not worked "
                                            "out yet")
        if status.loaded and self.vectors is None:
            return dense.ModelStatus(False, "index built without vectors")
        return status

    def with_settings(self, settings: Settings) -> Engine:
        """Return a copy of this engine that answers with other settings (the built parts are shared)."""
        other = copy.copy(self)
        other.settings = settings
        return other

    # --- asking -------------------------------------------------------------------------------
    def ask(self, question: str, top_k: int = DEFAULT_TOP_K, where: Callable[[Passage], bool] | None = None,
            pool: int = 0) -> Answer:
        """Return the quotes that answer the question (each passing the answerability test), or an abstention
        with the nearest passages; where: only passages it accepts, drawn from the best max(top_k, pool)."""
        plan, judged = self.judged(question, max(top_k, pool) if where is not None else top_k)
        if where is not None:
            judged = [(q, p) for q, p in judged if where(q.passage)][:top_k]
        if not judged:
            return Answer(question=plan.question, abstained=True, terms=plan.words, english=plan.english)
        dense_on = self.dense_status.loaded and self.settings.dense
        bar = answerable.threshold(dense_on, plan.english) if self.settings.min_answer is None \
            else self.settings.min_answer
        quotes = tuple(q for q, p in judged if p >= bar or not self.settings.abstain)
        if self.settings.abstain and self.settings.best_must_pass and judged[0][1] < bar:
            quotes = ()
        if not quotes:                  # nearest passages, only those at least related_share of the way to an answer
            related = tuple(q for q, p in judged if p >= self.settings.related_share * bar)
            return Answer(question=plan.question, abstained=True, related=related, terms=plan.words,
                          english=plan.english)
        short = short_answer(plan.plain, plan.asked, quotes[0].text, judged[0][1],
                             weights=self.term_weights(plan.plain), settings=self.settings, typed=plan.question) \
            if judged[0][0] is quotes[0] else None
        return Answer(question=plan.question, abstained=False, quotes=quotes, footnotes=self._footnotes_of(quotes),
                      terms=plan.words, english=plan.english, short=short)

    def read(self, answer: Answer) -> Answer:
        """Return the answer with the trained reader's span of quote 1 as its short answer, when the span model gave
        none, the question is Indonesian and the reader's score passes its fitted threshold (extractive.py).  It
        costs about 70 ms, so ask leaves it to the caller: the app, `ask` and `eval` call it.  Where the e5 model
        cannot load (the reader is that model), the answer stays as it is."""
        if (answer.abstained or answer.short or answer.english or not answer.quotes or not self.settings.reader
                or not dense.load_model()[1].loaded):
            return answer
        model = extractive.reader()
        text = answer.quotes[0].text
        found = extractive.read(self.plan(answer.question).plain, text)
        if found is None or found.score < model.threshold:
            return answer
        short = ShortAnswer(text[found.start:found.end], found.start, found.end, "reader",
                            extractive.confidence(found.score, model))
        return replace(answer, short=short)

    def warm(self) -> None:
        """Load what read uses before any question needs it (the app calls it beside its first page)."""
        if self.settings.reader and dense.load_model()[1].loaded:
            extractive.warm()

    def plan(self, question: str) -> QueryPlan:
        """Return the question as this corpus reads it: its terms, expansions (the corpus's own abbreviations among
        them) and what it asks for."""
        return understand(question, self.compounds, lambda t: t in self.index.vocab, self.settings, self.abbreviations)

    def judged(self, question: str, top_k: int = DEFAULT_TOP_K) -> tuple[QueryPlan, list[tuple[Quote, float]]]:
        """Return the question's plan and its best quotes, each with the probability that it answers it."""
        plan = self.plan(question)
        dense_on = self.dense_status.loaded and self.settings.dense
        gate = self.settings.kind_gate
        found = self.signals(plan, top_k)
        if self.settings.abstain and self.settings.named_kind and plan.asked.named:
            found = [(q, s) for q, s in found if not s.kind_missing]
        veto = answerable.veto() if self.settings.missing_veto is None else self.settings.missing_veto
        if self.settings.abstain:
            found = [(q, s) for q, s in found if answerable.missing_prior(s.missing) > veto]
        return plan, [(q, answerable.probability(s, dense_on, gate)) for q, s in found]

    def signals(self, plan: QueryPlan, top_k: int = DEFAULT_TOP_K) -> list[tuple[Quote, answerable.Signals]]:
        """Return the best quotes for a question's plan, each with what the answerability model reads of it."""
        if not plan.terms and not (plan.english and self.vectors is not None):
            return []
        qv, weighted, cos = self._vectors(plan)
        score, order = rank(self.layout, weighted, **self._ranked_by(plan, cos))
        if plan.asks_source:
            score, order = claims_for_entries(self.layout, score, order, self.settings)
        quotes = quotes_for(order, score, self.units, self.passages, max(1, top_k), coverage_gain(self.index, qv),
                            plan.wants_list, self.layout.lead_of, settings=self.settings)
        unknown = unknown_share(qv)
        return [(q, measure(self.layout, plan, qv, cos, q, unknown, self.settings)) for q in quotes]

    def _vectors(self, plan: QueryPlan) -> tuple[QueryVector, QueryVector, np.ndarray | None]:
        """Return the plan's query vector (what signals read), its necessity-weighted twin (what ranks) and its e5
        cosines with every unit and passage (None without the model)."""
        qv = self.index.vector(list(plan.terms), tuple((e.source, e.term, e.weight) for e in plan.expansions),
                               self.settings)
        weighted = self.index.reweighted(qv, partial(necessity.weight, settings=self.settings))
        return qv, weighted, cosines(self.vectors, plan.meaning) if self.settings.dense else None

    def _ranked_by(self, plan: QueryPlan, cos: np.ndarray | None) -> dict:
        """Return what rank (and the candidates it scores) reads of a plan besides its query vector."""
        return {"qtype": plan.qtype, "wants_list": plan.wants_list, "labels": plan.labels, "cos": cos,
                "english": plan.english, "question": plan.plain, "asked": plan.asked, "settings": self.settings}

    def candidates(self, question: str) -> Candidates:
        """Return the sentences the ranker scores for a question, with the features it reads of each."""
        plan = self.plan(question)
        _, weighted, cos = self._vectors(plan)
        return candidates(self.layout, weighted, **self._ranked_by(plan, cos))

    def term_weights(self, text: str) -> dict[str, float]:
        """Return the idf in this corpus of each index term of text (a term the corpus lacks: the largest idf)."""
        return {t: float(self.index.idf[self.index.vocab[t]]) if t in self.index.vocab else self.index.max_idf
                for t in terms(tokenise(text))}

    def search(self, text: str, k: int = 10, where: Callable[[Passage], bool] | None = None) -> list[Quote]:
        """Return the k best quotes for any text (no abstention), optionally only from passages where() keeps."""
        qterms = terms(tokenise(strip_markup(text)), self.compounds)
        if not qterms:
            return []
        qv = self.index.vector(qterms, settings=self.settings)
        score, order = rank(self.layout, qv, None, False, where, settings=self.settings)
        return quotes_for(order, score, self.units, self.passages, k, coverage_gain(self.index, qv), where=where,
                          settings=self.settings)

    def _footnotes_of(self, quotes: Sequence[Quote]) -> tuple[Footnote, ...]:
        """Return the footnotes the quotes cite, in order of first mention, resolved per document."""
        out: list[Footnote] = []
        for q in quotes:
            for n in q.footnotes:
                note = self.footnote(n, q.passage.source)
                if note and note not in out:
                    out.append(note)
        return tuple(out)

    def footnote(self, number: int, source: str | None = None) -> Footnote | None:
        """Return footnote `number`, preferring the one of `source`'s own document."""
        same = [f for f in self.footnotes if f.number == number and f.source == source]
        return next(iter(same or [f for f in self.footnotes if f.number == number]), None)

    def citing(self, number: int) -> list[Passage]:
        """Return the passages whose text carries footnote marker `number`."""
        return [p for p in self.passages if p.kind != "footnote" and p.marks and number in p.footnotes]
