"""The engine: read a corpus folder, structure it, index it (cached), and answer questions."""
from __future__ import annotations

import copy
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

from . import answer as A, answerable, dense, necessity
from .analysis import compound_words, strip_markup, terms, tokenise
from .cache import corpus_listing, load_or_build
from .errors import CorpusNotFound, EmptyCorpus, KutipError
from .headings import without_numbering
from .index import Index, ranges
from .linking import link_sources
from .model import DEFAULT_TOP_K, Answer, Document, Footnote, Passage, Quote
from .settings import DEFAULT, Settings
from .question import QueryPlan, understand
from .readers import KNOWN, describe_formats, read_file
from .state import Arrays, BadState, State, array, from_records, nest, part, records
from .structure import structure, with_source_footnote

ANALYSE_STEP = 5000          # sentences analysed between two progress reports
Progress = Callable[[str, int, int], None]
_LABEL = re.compile(r"^([a-z]|\d{1,2})[.)]", re.M | re.I)   # a list item's label at the start of its line


@dataclass(frozen=True)
class DocStatus:
    """What became of one file of the corpus: indexed (with its passage count) or skipped (why)."""

    source: str
    status: str
    passages: int = 0
    reason: str = ""
    cites: int | None = None   # the footnote this file is the cited source of, if any


class Engine:
    """An immutable, shareable question-answering engine over one corpus folder."""

    def __init__(self, passages: tuple[Passage, ...], footnotes: tuple[Footnote, ...],
                 documents: tuple[DocStatus, ...], index: Index, units: A.Units,
                 compounds: dict[str, str], built_at: float, vectors: np.ndarray | None = None) -> None:
        """Hold the built parts; use Engine.build to make one.  vectors: one e5 vector per unit, or None."""
        self.passages, self.footnotes, self.documents = passages, footnotes, documents
        self.index, self.units, self.compounds, self.built_at = index, units, compounds, built_at
        self.vectors = vectors
        self.settings = DEFAULT
        self.lead_of = lead_ins(passages)
        self.list_labels = {p.id: frozenset(label.lower() for label in _LABEL.findall(p.text))
                            for p in passages if p.kind == "list"}
        self.first_unit = np.searchsorted(units.passage, np.arange(len(passages) + 1))   # units of p: [p], [p + 1])
        self.heading_terms = heading_terms(passages, compounds)

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
    def from_state(cls, arrays: Arrays, meta: dict) -> "Engine":
        """Return the engine stored by to_state; raise BadState (or a plain ValueError) when it does not fit."""
        passages = from_records(meta["passages"], Passage)
        index = Index.from_state(*part("index", arrays, meta))
        units = A.Units.from_state(*part("units", arrays, meta))
        if index.passages.n_rows != len(passages) or index.sentences.n_rows != len(units.passage):
            raise BadState("engine: index and passages differ")
        vectors = None
        if "vectors" in arrays:
            vectors = array(arrays, "vectors", "f", ndim=2).astype(np.float32)
            if vectors.shape != (len(units.passage), dense.DIM):
                raise BadState("engine: vectors and units differ")
        return cls(passages, from_records(meta["footnotes"], Footnote), from_records(meta["documents"], DocStatus),
                   index, units, {str(k): str(v) for k, v in meta["compounds"].items()}, float(meta["built_at"]),
                   vectors)

    @classmethod
    def build(cls, corpus: Path, cache_dir: Path | None = None, progress: Progress | None = None,
              use_cache: bool = True) -> "Engine":
        """Return the engine for a corpus folder, from the cache when it is current."""
        corpus = Path(corpus)
        if not corpus.is_dir():
            raise CorpusNotFound(f"folder korpus tidak ditemukan: {corpus}")
        files, refused = corpus_listing(corpus, KNOWN)   # refused formats (.doc, .odt) are listed as skipped
        if not files:
            raise EmptyCorpus(f"korpus kosong: tidak ada berkas {describe_formats()} di {corpus}")
        engine = load_or_build(corpus, files, lambda: cls._fresh(corpus, files, progress, refused), cache_dir,
                               use_cache, kind=cls, extra=tuple(name for name, _ in refused))
        if not engine.passages:
            raise EmptyCorpus(f"tidak ada teks yang bisa dibaca di {corpus}")
        return engine

    @classmethod
    def _fresh(cls, corpus: Path, files: list[Path], progress: Progress | None,
               refused: list[tuple[str, str]] = ()) -> "Engine":
        """Read, structure and index every file; a bad file (or a link out of the corpus) is recorded as skipped."""
        docs: list[Document] = []
        statuses: dict[str, DocStatus] = {name: DocStatus(name, "skipped", reason=why) for name, why in refused}
        for n, path in enumerate(files):
            name = path.relative_to(corpus).as_posix()
            if progress:
                progress("read", n, len(files))
            try:
                docs.append(read_file(path, source=name))
            except KutipError as e:
                statuses[name] = DocStatus(name, "skipped", reason=str(e))
            except (OSError, ValueError, RecursionError, ImportError) as e:   # one file never stops the rest
                statuses[name] = DocStatus(name, "skipped", reason=f"{name}: {type(e).__name__}: {e}")
        passages: list[Passage] = []
        footnotes: list[Footnote] = []
        per_doc: dict[str, list[Passage]] = {}
        for n, doc in enumerate(docs):
            if progress and n % 50 == 0:
                progress("structure", n, len(docs))
            ps, fs = structure(doc, first_id=0)
            per_doc[doc.source] = ps
            footnotes.extend(fs)
        links = _link(docs, footnotes)
        for doc in docs:
            ps = per_doc[doc.source]
            if doc.source in links:
                ps = with_source_footnote(ps, links[doc.source])
            ps = [replace(p, id=len(passages) + i) for i, p in enumerate(ps)]
            passages.extend(ps)
            why = (doc.get("warning") or "") if ps else f"{doc.source}: tidak ada teks / no text"   # or a repair
            statuses[doc.source] = DocStatus(doc.source, "indexed" if ps else "skipped", len(ps), why,
                                             links.get(doc.source))
        if progress:
            progress("structure", len(docs), len(docs))
        if not passages:   # say why each file was passed over (a .doc gets its advice here)
            why = "; ".join(s.reason for s in statuses.values() if s.reason)
            raise EmptyCorpus(f"tidak ada teks yang bisa dibaca di {corpus}" + (f" ({why})" if why else ""))
        return cls.from_passages(passages, footnotes, [statuses[k] for k in sorted(statuses)], progress)

    @classmethod
    def from_passages(cls, passages: list[Passage], footnotes: list[Footnote],
                      documents: list[DocStatus] | None = None, progress: Progress | None = None) -> "Engine":
        """Return an engine indexing the given passages (ids must be 0..n-1 in order)."""
        units, token_lists = A.make_units(passages, progress)
        extra = [tokenise(f"{p.lead} {p.section[-1] if p.section else ''}") for p in passages]
        compounds = compound_words(token_lists)
        sentence_terms = []
        for k, tokens in enumerate(token_lists):
            if progress and k % ANALYSE_STEP == 0:
                progress("analyse", k, len(token_lists))
            sentence_terms.append(terms(tokens, compounds))
        del token_lists
        if progress:
            progress("analyse", len(sentence_terms), len(sentence_terms))
        extra_terms = [terms(t, compounds) for t in extra]
        passage_terms: list[list[str]] = [list(t) for t in extra_terms]
        for u, ts in zip(units.passage, sentence_terms):
            passage_terms[u].extend(ts)
        for k, u in enumerate(units.passage):   # a list item keeps its lead-in ("... memiliki tujuan, seperti:")
            if passages[u].kind == "list":
                sentence_terms[k] = sentence_terms[k] + extra_terms[u]
        if not any(passage_terms):
            raise EmptyCorpus("tidak ada kata yang bisa diindeks / nothing to index "
                              "(only blank lines or function words)")
        index = Index(sentence_terms, passage_terms, progress)
        model, _ = dense.load_model()
        vectors = None
        if model:       # kept at float16 precision, as the cache stores them: built and loaded answer alike
            vectors = model.passages(unit_texts(passages, units), progress).astype(np.float16).astype(np.float32)
        return cls(tuple(passages), tuple(footnotes), tuple(documents or ()), index, units, compounds, time.time(),
                   vectors)

    @property
    def dense_status(self) -> dense.ModelStatus:
        """Return whether questions are matched by meaning too (e5 vectors built and the model loaded), and why not."""
        _, status = dense.load_model()
        if status.loaded and self.vectors is None:
            return dense.ModelStatus(False, "index built without vectors")
        return status

    def with_settings(self, settings: Settings) -> "Engine":
        """Return a copy of this engine that answers with other settings (the built parts are shared)."""
        other = copy.copy(self)
        other.settings = settings
        return other

    # --- asking -------------------------------------------------------------------------------
    def ask(self, question: str, top_k: int = DEFAULT_TOP_K) -> Answer:
        """Return the quotes that answer the question (each passing the answerability test), or an abstention
        with the nearest passages."""
        plan, judged = self.judged(question, top_k)
        if not judged:
            return Answer(question=plan.question, abstained=True, terms=plan.words, english=plan.english)
        bar = answerable.threshold(self.dense_status.loaded) if self.settings.min_answer is None \
            else self.settings.min_answer
        quotes = tuple(q for q, p in judged if p >= bar or not self.settings.abstain)
        if not quotes:
            return Answer(question=plan.question, abstained=True, related=tuple(q for q, _ in judged),
                          terms=plan.words, english=plan.english)
        return Answer(question=plan.question, abstained=False, quotes=quotes, footnotes=self._footnotes_of(quotes),
                      terms=plan.words, english=plan.english)

    def judged(self, question: str, top_k: int = DEFAULT_TOP_K) -> tuple[QueryPlan, list[tuple[Quote, float]]]:
        """Return the question's plan and its best quotes, each with the probability that it answers it."""
        plan = understand(question, self.compounds, lambda t: t in self.index.vocab, self.settings)
        dense_on = self.dense_status.loaded
        return plan, [(q, answerable.probability(s, dense_on)) for q, s in self.signals(plan, top_k)]

    def signals(self, plan: QueryPlan, top_k: int = DEFAULT_TOP_K) -> list[tuple[Quote, answerable.Signals]]:
        """Return the best quotes for a question's plan, each with what the answerability model reads of it."""
        if not plan.terms and not (plan.english and self.vectors is not None):
            return []
        qv = self.index.vector(list(plan.terms), tuple((e.source, e.term, e.weight) for e in plan.expansions))
        weighted = self.index.reweighted(qv, necessity.weight)    # ranks; the plain qv is what signals read
        cos = self._cosines(plan)
        score, order = self._rank(weighted, plan.qtype, plan.wants_list, labels=plan.labels,
                                  dense=None if cos is None else (cos - cos.mean()) / (cos.std() + 1e-6))
        quotes = A.quotes_for(order, score, self.units, self.passages, max(1, top_k), self._gain(qv),
                              plan.wants_list, self.lead_of)
        unknown = self._unknown_share(qv)
        return [(q, self._signals(plan, qv, cos, q, unknown)) for q in quotes]

    def _unknown_share(self, qv) -> float:
        """Return the idf-weighted share of the question's words the corpus has in no form at all."""
        total = sum(qv.term_idf.values()) or 1.0
        found = {t for t, _ in qv.credit.values()}
        return sum(w for t, w in qv.term_idf.items() if t not in found) / total

    def _signals(self, plan: QueryPlan, qv, cos: np.ndarray | None, quote: Quote,
                 unknown: float) -> answerable.Signals:
        """Return what the answerability model reads of one quote."""
        pid = quote.passage.id
        first, last = int(self.first_unit[pid]), int(self.first_unit[pid + 1])
        inside = [u for u in range(first, last)
                  if self.units.start[u] < quote.end and quote.start < self.units.end[u]] or list(range(first, last))
        leads = [p for p, lst in self.lead_of.items() if lst == pid and quote.start == 0
                 and quote.end == len(quote.passage.text)]      # a list given whole for the paragraph leading into it
        present = set().union(*self.index.present(qv, [pid] + leads))
        held = set().union(*self.index.unit_terms(qv, inside), *self.index.present(qv, leads))
        found = {qv.credit[i][0] for i in present}
        lexical = self.index.sentence_scores(qv, np.array(inside))
        return answerable.Signals(
            cosine=float(cos[inside].max()) if cos is not None else 0.0,
            coverage_passage=self.index.coverage(qv, present), coverage_quote=self.index.coverage(qv, held),
            asks_kind=answerable.asks_kind(plan.qtype),
            kind_missing=answerable.asks_kind(plan.qtype) and not answerable.kind_found(plan.qtype, plan.plain,
                                                                                      quote.text),
            unknown_share=unknown,
            number_missing=any(t.isdigit() and t not in found for t in qv.term_idf),
            english=plan.english, lexical=float(lexical.max()) if len(lexical) else 0.0)

    def search(self, text: str, k: int = 10, where: Callable[[Passage], bool] | None = None) -> list[Quote]:
        """Return the k best quotes for any text (no abstention), optionally only from passages where() keeps."""
        qterms = terms(tokenise(strip_markup(text)), self.compounds)
        if not qterms:
            return []
        qv = self.index.vector(qterms)
        score, order = self._rank(qv, None, False, where)
        return A.quotes_for(order, score, self.units, self.passages, k, self._gain(qv), where=where)

    def _gain(self, qv) -> Callable[[list[int]], float]:
        """Return a function giving the share of the question's words a run of sentence units holds."""
        known: dict[tuple[int, ...], float] = {}   # one question asks about the same runs again and again
        held: dict[int, set[int]] = {}             # ... made of the same sentences

        def gain(unit_ids: list[int]) -> float:
            key = tuple(unit_ids)
            if key not in known:
                for u in unit_ids:
                    if u not in held:
                        held[u] = self.index.unit_terms(qv, [u])[0]
                known[key] = self.index.coverage(qv, set().union(*(held[u] for u in unit_ids)))
            return known[key]
        return gain

    def _cosines(self, plan: QueryPlan) -> np.ndarray | None:
        """Return the e5 cosine of the question with every unit, or None without vectors."""
        model, _ = dense.load_model()
        if self.vectors is None or model is None:
            return None
        return dense.cosine(self.vectors, model.query(plan.question))

    def _rank(self, qv, qtype: str | None, wants_list: bool, where: Callable[[Passage], bool] | None = None,
              labels: tuple[str, str] | None = None, dense: np.ndarray | None = None):
        """Return ({unit: combined score}, the best units first): the sentences of the best passages.

        Passages are scored first; only the sentences of the CANDIDATES best (that where() keeps) are scored
        and ranked, so a question costs the same whether the corpus holds a chapter or a library.  dense, the
        z-scored e5 cosine of every unit, adds the CANDIDATES passages nearest in meaning and a share to each score.
        """
        per_passage = self.index.passage_scores(qv)
        keep = None
        if where is not None:
            keep = np.fromiter((bool(where(p)) for p in self.passages), bool, len(self.passages))
            per_passage = per_passage * keep
        best = A.top_units(per_passage, A.CANDIDATES)
        dense_passage = None
        if dense is not None:
            dense_passage = np.maximum.reduceat(dense, self.first_unit[:-1])   # every passage has a unit
            if keep is not None:
                dense_passage[~keep] = -np.inf
            best = np.union1d(best, A.top_units(dense_passage, A.CANDIDATES))
            if keep is not None:
                best = best[keep[best]]
        else:
            best = best[per_passage[best] > 0]
        named = self._named_lists(labels, where) if labels else np.zeros(0, np.int64)
        named = named[per_passage[named] > 0]                       # ... that shares words with the question
        best = np.union1d(best, named) if len(named) else best      # competes however far down it ranks
        rows, _ = ranges(self.first_unit[best], self.first_unit[best + 1])
        own = self.index.sentence_scores(qv, rows)
        part = A.combine(own, per_passage, self.units, qtype, wants_list, rows)
        if dense is not None:
            part = part + self.settings.dense_weight * np.maximum(dense[rows], 0) \
                + self.settings.dense_passage_weight * np.maximum(dense_passage[self.units.passage[rows]], 0)
        if len(named):
            part = part + A.LABEL_BONUS * np.isin(self.units.passage[rows], named)
        asked = set(qv.term_idf)
        headed = [p for p in best.tolist() if self.heading_terms[p] and self.heading_terms[p] <= asked]
        if headed:                                                  # the question names the passage's section
            part = part + A.HEADING_BONUS * np.isin(self.units.passage[rows], headed)
        return dict(zip(rows.tolist(), part.tolist())), rows[A.top_units(part, len(part))]

    def _named_lists(self, labels: tuple[str, str], where: Callable[[Passage], bool] | None) -> np.ndarray:
        """Return the lists whose items carry both labels ("poin a sampai g"), with the paragraphs leading into them."""
        named = {p for p, have in self.list_labels.items() if set(labels) <= have}
        named |= {p for p, lst in self.lead_of.items() if lst in named}
        return np.array(sorted(p for p in named if where is None or where(self.passages[p])), np.int64)

    def _footnotes_of(self, quotes: list[Quote]) -> tuple[Footnote, ...]:
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
        return (same or [f for f in self.footnotes if f.number == number] or [None])[0]

    def citing(self, number: int) -> list[Passage]:
        """Return the passages whose text carries footnote marker `number`."""
        return [p for p in self.passages if p.kind != "footnote" and p.marks and number in p.footnotes]


def unit_texts(passages, units: A.Units) -> list[str]:
    """Return the text each unit is embedded as: its sentence, after the lead-in for a list item or table row."""
    out = []
    for p, a, b in zip(units.passage.tolist(), units.start.tolist(), units.end.tolist()):
        passage = passages[p]
        lead = passage.lead + " " if passage.kind in ("list", "row") and passage.lead else ""
        out.append(lead + passage.text[a:b])
    return out


def lead_ins(passages: tuple[Passage, ...]) -> dict[int, int]:
    """Return paragraph id -> id of the list that the paragraph's last sentence introduces."""
    out = {}
    for p in passages:
        if p.kind == "list" and p.lead and p.id > 0:
            before = passages[p.id - 1]
            if before.kind == "paragraph" and before.source == p.source and before.text.endswith(p.lead):
                out[before.id] = p.id
    return out


def heading_terms(passages: tuple[Passage, ...], compounds: dict[str, str]) -> list[frozenset[str]]:
    """Return the index terms of each passage's own section heading, without its numbering ("5) "); empty for a
    heading of one term ("Pendahuluan", "Kerjasama"), which names too little to single a section out."""
    known: dict[str, frozenset[str]] = {}
    out = []
    for p in passages:
        heading = p.section[-1] if p.section else ""
        if heading not in known:
            words = frozenset(terms(tokenise(without_numbering(heading)), compounds))
            known[heading] = words if len(words) >= 2 else frozenset()
        out.append(known[heading])
    return out


def _link(docs: list[Document], footnotes: list[Footnote]) -> dict[str, int]:
    """Return source file -> the footnote it is the cited document of."""
    return link_sources(docs, footnotes)
