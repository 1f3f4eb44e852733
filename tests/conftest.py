"""Shared fixtures: the real chapter (read once, indexed once per session) and a cache that is never the user's."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from retrieval import Engine
from retrieval.cache import ENV as CACHE_ENV
from retrieval.model import Block, Footnote, Passage
from retrieval.readers.markdown import read_markdown
from retrieval.settings import Settings
from retrieval.structure import structure

REPO = Path(__file__).resolve().parents[1]
CHAPTER_NAME = "bab3-sister-city-batam-gimje.md"
CHAPTER = REPO / "corpus" / CHAPTER_NAME
CORE_DATA = Path(__file__).resolve().parent / "data" / "core"
SHARED = Path(os.environ.get("KUTIP_SHARED") or REPO.parent / "shared")  # ../shared beside the clone


def shared_path(*parts: str) -> Path:
    """Return a file or folder of ../shared (or $KUTIP_SHARED); if it is missing the test fails under CI=true
    and is skipped, saying so, elsewhere."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"{path} not found: put the project's shared/ folder beside the clone (or set KUTIP_SHARED)"
        if os.environ.get("CI", "").strip().lower() in ("true", "1"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session", autouse=True)
def session_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Point KUTIP_CACHE_DIR at a session tmp folder before anything runs, so no test (nor a CLI
    subprocess, which inherits the environment) ever writes to the real user cache; then embed the chapter's
    sentences once into it (and into this process's memory), so no later build, in this process or a CLI
    subprocess, embeds them again."""
    folder = tmp_path_factory.mktemp("kutip-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(CACHE_ENV, str(folder))
        chapter = tmp_path_factory.mktemp("chapter-once")
        (chapter / CHAPTER_NAME).write_bytes(CHAPTER.read_bytes())
        Engine.build(chapter, cache_dir=folder)
        yield folder


@pytest.fixture(scope="session")
def chapter_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus folder holding only the real chapter (a byte copy).

    corpus/sources/ is where fetch-sources drops the cited documents; copying the chapter alone keeps
    the chapter's expected answers independent of what has been downloaded there.
    """
    folder = tmp_path_factory.mktemp("chapter")
    (folder / CHAPTER_NAME).write_bytes(CHAPTER.read_bytes())
    return folder


@pytest.fixture(scope="session")
def engine(chapter_corpus: Path) -> Engine:
    """The engine over the real chapter, built once per session without touching any cache."""
    return Engine.build(chapter_corpus, use_cache=False)


@pytest.fixture(scope="session")
def chapter_parts() -> tuple[list[Passage], list[Footnote]]:
    """The chapter read by the markdown reader and structured (independently of the engine)."""
    return structure(read_markdown(CHAPTER))


@pytest.fixture(scope="session")
def passages(chapter_parts) -> list[Passage]:
    return chapter_parts[0]


@pytest.fixture(scope="session")
def footnotes(chapter_parts) -> dict[int, Footnote]:
    return {f.number: f for f in chapter_parts[1]}


def write_corpus(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write {relative name: text or bytes} under folder and return folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def passage_with(passages: list[Passage], text: str) -> Passage:
    """Return the only passage whose text holds `text` (fails if none or several)."""
    found = [p for p in passages if text in p.text]
    assert len(found) == 1, f"{len(found)} passages hold {text!r}"
    return found[0]


LEXICAL = Settings(dense=False, abstain=False)


def lexical(engine: Engine) -> Engine:
    """Return the engine ranking by words alone, always answering: for tests of the lexical mechanisms (list
    labels, headings, frame words) on corpora of a few sentences, where meaning would decide instead."""
    return engine.with_settings(LEXICAL)


def one_page_pdf(text: str) -> bytes:
    """Return a real one-page PDF (fpdf2, Helvetica 12) holding text."""
    from fpdf import FPDF
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


@pytest.fixture()
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every request on 127.0.0.1, whatever proxy the environment names."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def word_at_mark(block: Block, number: int) -> str:
    """Return the word right before footnote `number`'s marker, '|', and the character after the marker."""
    offset = dict((n, o) for o, n in block.marks)[number]
    return block.text[:offset].split()[-1] + "|" + block.text[offset:offset + 1]
