"""Building a corpus: read every file (a bad one recorded as skipped), structure it, link cited sources, index it."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from . import dense, e5onnx
from .analysis import compound_words, new_stems, stem_version, terms, tokenise, use_stems
from .e5onnx import joined
from .embedstore import Store, missing, vectors_for
from .errors import EmptyCorpus, KutipError
from .index import Index
from .linking import link_sources
from .model import DocStatus, Document, Footnote, Passage
from .readers import read_file
from .structure import structure, with_source_footnote
from .units import Units, make_units, passage_texts, unit_parts

ANALYSE_STEP = 5000          # sentences analysed between two progress reports
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Corpus:
    """Every passage and footnote of a corpus folder (ids 0..n-1 in order), and what became of each file."""

    passages: tuple[Passage, ...]
    footnotes: tuple[Footnote, ...]
    documents: tuple[DocStatus, ...]


@dataclass(frozen=True, eq=False)
class Indexed:
    """The searchable parts built from passages: sentence units, TF-IDF index, compounds, e5 vectors (or None: one per
    unit, then one per whole passage), and the texts still to embed when they were more than the budget (vectors
    None until they are)."""

    units: Units
    index: Index
    compounds: dict[str, str]
    vectors: np.ndarray | None
    todo: tuple[str, ...] = ()


def read_corpus(corpus: Path, files: list[Path], progress: Progress | None = None,
                refused: Sequence[tuple[str, str]] = ()) -> Corpus:
    """Read, structure and link every file; a bad file (or a link out of the corpus) is recorded as skipped."""
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
    links = link_sources(docs, footnotes)     # source file -> the footnote it is the cited document of
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
    return Corpus(tuple(passages), tuple(footnotes), tuple(statuses[k] for k in sorted(statuses)))


def index_passages(passages: list[Passage], progress: Progress | None = None, store: Store | None = None,
                   budget: int | None = None) -> Indexed:
    """Return the units, index, compounds and (with the e5 model) vectors of passages (ids 0..n-1 in order).

    Stems and vectors worked out before are taken from the store (memory only when None); only sentences it
    lacks are embedded, each distinct text once.  More than budget of them: no vectors, the texts in `todo`.
    """
    store = store or Store(None)
    version = stem_version()
    use_stems(store.stems(version))
    units, token_lists = make_units(passages, progress)
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
    store.put_stems(version, new_stems())
    index = Index(sentence_terms, passage_terms, progress)
    vectors, todo = passage_vectors(passages, units, store, progress, budget)
    return Indexed(units, index, compounds, vectors, tuple(todo))


def passage_vectors(passages: Sequence[Passage], units: Units, store: Store, progress: Progress | None = None,
                    budget: int | None = None) -> tuple[np.ndarray | None, list[str]]:
    """Return (the e5 vectors of each unit, then of each whole passage, []), embedding what the store lacks; past
    budget (None, the inputs to embed, a passage's sentences folded into one: e5onnx.grouped); without the model
    (None, []).  Kept at float16 precision, as the cache stores them: built and loaded answer alike."""
    model, _ = dense.load_model()
    if not model:
        return None, []
    whole = passage_texts(passages)
    parts = unit_parts(passages, units, dense.MAX_CHARS, whole) + [("", t) for t in whole]
    length = np.array([min(len(t), dense.MAX_CHARS) for t in whole])
    owner = np.concatenate([units.passage, np.arange(len(passages))])
    order = np.lexsort((owner, length[owner]))      # a passage's sentences beside it, so one pass serves them all
    if budget is not None:                          # (dense._chunks), and passages of like length run together
        new = set(missing(whole, store))
        if len(new) > budget:
            return None, _todo([parts[k] for k in order], [whole[k] in new for k in owner[order].tolist()], store)
    inputs = [joined(head, text) for head, text in (parts[k] for k in order)]
    vectors, todo = vectors_for(inputs, model.passages, store, progress, budget)
    if vectors is None:
        return None, e5onnx.grouped(todo)
    out = np.empty_like(vectors)
    out[order] = vectors
    return out, []


def _todo(parts: list[tuple[str, str]], new: list[bool], store: Store) -> list[str]:
    """Return a budgeted build's todo (e5onnx.grouped) from the inputs as unit_parts gives them, where new tells
    which belong to a passage the store lacks: those are all taken as missing (a sentence's key holds its
    passage's text), so a large upload's spans are never written out, hashed or looked up; the others are."""
    kept = {k: joined(*parts[k]) for k, n in enumerate(new) if not n}
    lacking = set(missing(list(kept.values()), store))
    todo = dict.fromkeys(part for k, part in enumerate(parts) if new[k] or kept[k] in lacking)
    return e5onnx.grouped_parts(list(todo))
