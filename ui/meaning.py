"""Answer first, meaning fills in: an upload's sentences past the build's budget embedded in the background."""
from __future__ import annotations

import threading

import streamlit as st

from retrieval import Engine
from retrieval.cache import cache_dir
from retrieval.e5onnx import count
from retrieval.embedstore import Store, fill
from retrieval.strings import thousands
from ui.markdown import escape_md

BUDGET = 600        # new sentences an upload's build embeds before answering (~10-15 s at 40-60 a second);
                    # past it the engine answers by words at once and the rest is embedded here, in the background
MAX_FILL = 20_000   # new sentences and passages embedded in the background at most (~2.5 min on two cores: a sentence
                    # is read off its passage's pass); past it the upload is searched by words only, and the status
                    # line says so (a 20 MB text of real paragraphs holds ~148,000)
KEEP_JOBS = 16      # finished jobs remembered (a job is its sentences; the same sentences are never embedded twice)
_LOCK = threading.Lock()


class Job:
    """One background fill: how many sentences are embedded so far, whether it ended (with an error or not), and
    whether it was too large to start."""

    def __init__(self, todo: tuple[str, ...], store: Store) -> None:
        """Start embedding todo into store in a daemon thread, unless it is more than MAX_FILL sentences."""
        self.done, self.total, self.error = 0, count(todo), ""
        self.too_large = self.finished = self.total > MAX_FILL
        if not self.too_large:
            threading.Thread(target=self._run, args=(todo, store), daemon=True, name="kutip-meaning").start()

    def _run(self, todo: tuple[str, ...], store: Store) -> None:
        """Embed, recording progress; never raise out of the thread."""
        try:
            fill(todo, store, self._progress)
        except Exception as e:          # noqa: BLE001 - reported on the status line, the engine keeps answering
            self.error = f"{type(e).__name__}: {e}"
        finally:
            self.finished = True

    def _progress(self, stage: str, done: int, total: int) -> None:
        """Record how many sentences are embedded."""
        self.done = done


@st.cache_resource(show_spinner=False)
def _jobs() -> dict[tuple[int, bool], Job]:
    """Return the jobs of this server process (shared by every session)."""
    return {}


def job_for(engine: Engine, use_cache: bool) -> Job:
    """Return the background job filling in an engine's missing sentences (started on the first call)."""
    key = (hash(engine.todo), use_cache)
    jobs = _jobs()
    with _LOCK:
        if key not in jobs:
            for old in [k for k, j in jobs.items() if j.finished][:max(0, len(jobs) - KEEP_JOBS)]:
                del jobs[old]
            jobs[key] = Job(engine.todo, Store(cache_dir(), write=use_cache))   # a session's uploads: memory
        return jobs[key]


def status_line(job: Job, t: dict[str, str]) -> None:
    """Show how far the meaning got ("makna: 1.200/4.000 kalimat"), every 2 s; rerun the page once it is done.
    A job too large to start says so once."""
    if job.too_large:
        st.caption(escape_md(t["meaning_too_large"].format(total=thousands(job.total), max=thousands(MAX_FILL))))
        return

    @st.fragment(run_every=2)
    def line() -> None:
        """The status line, redrawn on its own."""
        if job.finished and not job.error:
            st.rerun()
        text = t["meaning_failed"].format(error=job.error) if job.error else \
            t["meaning_progress"].format(done=thousands(job.done), total=thousands(job.total))
        st.caption(escape_md(text))
    line()
