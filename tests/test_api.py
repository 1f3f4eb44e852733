"""The public API: `from retrieval import ...` gives every listed name, and importing the package loads nothing else."""
from __future__ import annotations

import subprocess
import sys

import pytest

import retrieval
from conftest import REPO
from retrieval import engine, errors, model, question, settings


def test_every_public_name_is_the_one_its_module_defines():
    assert retrieval.__all__ == ["Answer", "BadQuestion", "CorpusNotFound", "DEFAULT_TOP_K", "DocStatus", "EmptyCorpus",
                                 "Engine", "Footnote", "KutipError", "MAX_QUESTION_CHARS", "Passage", "Quote",
                                 "ReadError", "Settings", "UnsupportedFormat"]
    homes = {"Engine": engine, "Settings": settings, "MAX_QUESTION_CHARS": question}
    for name in retrieval.__all__:
        is_error = name.endswith(("Error", "Format", "NotFound", "Corpus", "Question"))
        home = homes.get(name, errors if is_error else model)
        assert getattr(retrieval, name) is getattr(home, name), name
    assert retrieval.DEFAULT_TOP_K == 3


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Engin'"):
        retrieval.Engin  # noqa: B018
    with pytest.raises(ImportError):
        exec("from retrieval import Engin", {})


def loaded_after(statement: str) -> list[str]:
    """Return the retrieval modules a fresh interpreter has loaded after running statement."""
    code = f"import sys; {statement}; print(' '.join(sorted(m for m in sys.modules if m.startswith('retrieval'))))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    return out.split()


def test_importing_the_package_loads_no_submodule():
    assert loaded_after("import retrieval") == ["retrieval"]
    assert loaded_after("from retrieval import BadQuestion") == ["retrieval", "retrieval.errors"]


def test_the_pdf_worker_starts_without_the_engine():
    loaded = loaded_after("import retrieval.readers.pdf.worker")
    assert "retrieval.readers.pdf.worker" in loaded
    assert not {"retrieval.engine", "retrieval.index", "retrieval.dense", "retrieval.rank",
                 "retrieval.quotes", "retrieval.units", "retrieval.signals", "retrieval.corpus"} & set(loaded)
