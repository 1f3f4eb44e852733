"""A corpus built in a worker process, so that reading and indexing a large upload never holds this process's GIL
(every other session of the server keeps answering); the engine comes back as the cache's plain arrays and JSON.

The worker is a plain subprocess (`python -P -c ...`, as embedpool's): it reads one JSON request on stdin, reports
progress as JSON lines on stdout and writes the engine to a file in a private temporary folder with
cache.write_cache (checksummed, numpy arrays loaded with allow_pickle=False, never pickle).  The passages' text
and the sentences still to embed travel as UTF-8 bytes with end offsets, the sentence spans as int arrays, the
passages' other fields as JSON chunks of CHUNK_ROWS: one JSON string of a 20 MB upload held the GIL for 0.7 s while
parsed, and every other session waited.  A worker that cannot start leaves the build to this process.
"""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import errors
from .analysis import stem_version, use_stems
from .cache import cache_dir as cache_folder, read_cache, write_cache
from .corpus import Progress
from .embedstore import Store
from .engine import Engine
from .errors import BuildFailed
from .scope import same_content
from .state import Arrays, BadState, State
from .suggest import suggest_questions

ROOT = Path(__file__).resolve().parent.parent
BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from retrieval.buildproc import serve; serve()"
CHUNK_ROWS = 500            # passage rows per JSON chunk (their strings apart): parsed in a few ms each
STRING_FIELDS = ("source", "kind", "text", "lead", "context")   # a passage's str fields, sent as UTF-8 bytes
PAIR_FIELDS = ("sentences",)        # its (start, end) spans, sent as int arrays: as JSON they were most of the parsing
OUT = "engine.npz"
NICE = 10                   # the worker's lower CPU priority
MIN_BYTES = 500_000         # uploads from this size on are worth a worker (the app's choice): a 20 MB text held the
                            # GIL for 17 s in the server (0.85 s a MB); a worker costs ~2 s to start (imports, model)


@dataclass(frozen=True)
class Built:
    """An engine and what the app shows beside it (suggested questions, repeated documents), worked out once."""

    engine: Engine
    suggestions: tuple[str, ...]
    repeats: tuple[tuple[str, str], ...]     # document -> the first document with the same content


def built(engine: Engine, suggestions: int) -> Built:
    """Return the engine with up to `suggestions` suggested questions and its repeated documents."""
    return Built(engine, tuple(suggest_questions(engine, suggestions)), tuple(same_content(engine).items()))


def build(corpus: Path, progress: Progress | None = None, use_cache: bool = True, budget: int | None = None,
          cache_dir: Path | None = None, suggestions: int = 0, worker: bool = True) -> Built:
    """Return built(Engine.build(corpus, cache_dir, progress, use_cache, budget), suggestions), worked out in a worker
    process (worker False, or none can start: here); the core's own errors (EmptyCorpus, CorpusNotFound,
    ModelFileError, ...) are raised here as themselves."""
    def here() -> Built:
        """Build in this process."""
        return built(Engine.build(corpus, cache_dir, progress, use_cache, budget), suggestions)
    if not worker:
        return here()
    request = {"corpus": str(corpus), "use_cache": use_cache, "budget": budget, "suggestions": suggestions,
               "cache_dir": None if cache_dir is None else str(cache_dir)}
    with tempfile.TemporaryDirectory(prefix="kutip-build-") as tmp:      # 0700: the engine file is no one else's
        out = Path(tmp) / OUT
        request["out"] = str(out)
        try:
            proc = subprocess.Popen([sys.executable, "-P", "-c", BOOT, str(ROOT)], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError:
            return here()
        result = _talk(proc, request, progress)
        if "error" in result:
            raise _error(result["error"], result.get("message", ""))
        state = read_cache(out)
        if state is None:
            raise BuildFailed("berkas indeks dari proses pembangun rusak / the worker's index file is corrupt")
        try:
            done = unpack(state)
        except (KeyError, TypeError, ValueError, BadState) as e:
            raise BuildFailed(f"berkas indeks dari proses pembangun tidak cocok / the worker's index file does not "
                              f"fit: {e}") from None
    use_stems(Store(cache_folder(cache_dir), write=use_cache).stems(stem_version()))   # as Engine.build ends
    return done


def _talk(proc: subprocess.Popen, request: dict[str, Any], progress: Progress | None) -> dict[str, Any]:
    """Send the request, pass on the worker's progress, and return its last message (an error when it died)."""
    assert proc.stdin is not None and proc.stdout is not None
    result: dict[str, Any] = {}
    try:
        with contextlib.suppress(OSError):
            proc.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
            proc.stdin.close()
        for line in proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict) and isinstance(message.get("progress"), list) and progress:
                stage, done, total = message["progress"]
                progress(str(stage), int(done), int(total))
            elif isinstance(message, dict) and ("done" in message or "error" in message):
                result = message
    except BaseException:               # progress raised (the page started over, the server stops): no one waits
        proc.kill()
        raise
    finally:
        code = proc.wait()
    if not result:
        result = {"error": "BuildFailed", "message": f"proses pembangun berhenti (kode {code}) / "
                                                     f"the build worker stopped (exit code {code})"}
    return result


def _error(name: Any, message: Any) -> Exception:
    """Return the core's error of that name with the message, else BuildFailed naming what the worker raised."""
    kind = getattr(errors, str(name), None)
    if isinstance(kind, type) and issubclass(kind, errors.KutipError):
        return kind(str(message))
    return BuildFailed(f"{name}: {message}")


def pack(done: Built) -> State:
    """Return the engine's state with its passages' string fields and its todo as UTF-8 bytes with end offsets,
    the passages' other fields in JSON chunks of CHUNK_ROWS, and the suggestions and repeats beside them."""
    arrays, meta = done.engine.to_state()
    names, rows = meta["passages"]["fields"], meta["passages"].pop("rows")
    for k, name in enumerate(names):
        if name in _COLUMNS:
            _COLUMNS[name][0](arrays, f"passages.{name}", [row[k] for row in rows])
            for row in rows:
                row[k] = None
    meta["passages"]["chunks"] = _chunks(arrays, "passages", rows)
    _put_strings(arrays, "todo", list(done.engine.todo))
    meta["suggestions"], meta["repeats"] = list(done.suggestions), [list(r) for r in done.repeats]
    meta["abbreviations"] = done.engine.abbreviations      # read here: on the server, the first question read it,
    return arrays, meta                                    # in the GIL every session shares (0.3 s at 20 MB)


def unpack(state: State) -> Built:
    """Return what pack packed."""
    arrays, meta = state
    names, rows = meta["passages"]["fields"], _rows(arrays, "passages", meta["passages"].pop("chunks"))
    for k, name in enumerate(names):
        if name in _COLUMNS:
            for row, value in zip(rows, _COLUMNS[name][1](arrays, f"passages.{name}"), strict=True):
                row[k] = value
    meta["passages"]["rows"] = rows
    engine = Engine.from_state(arrays, meta)
    engine.todo = tuple(_strings(arrays, "todo"))
    known = meta["abbreviations"]
    if not isinstance(known, dict) or not all(isinstance(x, str) for pair in known.items() for x in pair):
        raise ValueError("abbreviations are not words and their expansions")
    vars(engine)["abbreviations"] = known                  # the cached property, filled as pack read it
    return Built(engine, tuple(str(q) for q in meta["suggestions"]),
                 tuple((str(a), str(b)) for a, b in meta["repeats"]))


def _put_strings(arrays: Arrays, name: str, items: list[str]) -> None:
    """Store strings as arrays['str.name.bytes'] (UTF-8, one after another) and ['str.name.ends'] (end offsets)."""
    encoded = [item.encode("utf-8", "surrogatepass") for item in items]
    arrays[f"str.{name}.bytes"] = np.frombuffer(b"".join(encoded), np.uint8)
    arrays[f"str.{name}.ends"] = np.cumsum([len(b) for b in encoded], dtype=np.int64)


def _strings(arrays: Arrays, name: str) -> list[str]:
    """Return the strings stored by _put_strings (a C call a string: the GIL is never held for long)."""
    data, ends = arrays.pop(f"str.{name}.bytes").tobytes(), arrays.pop(f"str.{name}.ends").tolist()
    out, start = [], 0
    for end in ends:
        if not start <= end <= len(data):
            raise ValueError(f"strings {name}: offsets out of order")
        out.append(data[start:end].decode("utf-8", "surrogatepass"))
        start = end
    return out


def _put_pairs(arrays: Arrays, name: str, items: list[list]) -> None:
    """Store lists of (int, int) pairs as arrays['pairs.name.flat'] (the numbers in order), ['pairs.name.counts']."""
    arrays[f"pairs.{name}.flat"] = np.asarray([x for item in items for pair in item for x in pair], np.int64)
    arrays[f"pairs.{name}.counts"] = np.asarray([len(item) for item in items], np.int64)


def _pairs(arrays: Arrays, name: str) -> list[tuple[tuple[int, int], ...]]:
    """Return the pair lists stored by _put_pairs, as tuples (no JSON list of lists to parse and freeze)."""
    flat, counts = arrays.pop(f"pairs.{name}.flat").tolist(), arrays.pop(f"pairs.{name}.counts").tolist()
    if 2 * sum(counts) != len(flat) or min(counts, default=0) < 0:
        raise ValueError(f"pairs {name}: counts and numbers differ")
    out, start = [], 0
    for n in counts:
        part = flat[start:start + 2 * n]
        out.append(tuple(zip(part[0::2], part[1::2])))
        start += 2 * n
    return out


_COLUMNS: dict[str, tuple[Callable[[Arrays, str, list], None], Callable[[Arrays, str], list]]] = {
    **{name: (_put_strings, _strings) for name in STRING_FIELDS},
    **{name: (_put_pairs, _pairs) for name in PAIR_FIELDS}}     # passage field -> how it is stored, how read back


def _chunks(arrays: Arrays, name: str, rows: list) -> int:
    """Store rows as JSON chunks arrays['chunk.name.k']; return how many."""
    n = 0
    for n, start in enumerate(range(0, len(rows), CHUNK_ROWS), 1):
        blob = json.dumps(rows[start:start + CHUNK_ROWS], ensure_ascii=False).encode("utf-8")
        arrays[f"chunk.{name}.{n - 1}"] = np.frombuffer(blob, np.uint8)
    return n


def _rows(arrays: Arrays, name: str, n: Any) -> list:
    """Return the rows stored by _chunks, one chunk parsed at a time."""
    rows: list = []
    for k in range(int(n)):
        chunk = json.loads(arrays.pop(f"chunk.{name}.{k}").tobytes().decode("utf-8"))
        if not isinstance(chunk, list):
            raise ValueError(f"chunk {name}.{k} is not a list")
        rows.extend(chunk)
    return rows


def serve() -> None:
    """Worker: read one request on stdin, build, write the engine; progress and the outcome as JSON lines."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(NICE)                           # the server's own sessions go first when the cores are busy
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)                               # anything else printed (a library, C code) goes to stderr
    sys.stdout = sys.stderr

    def say(message: dict[str, Any]) -> None:
        """Write one message line."""
        out.write(json.dumps(message, ensure_ascii=False) + "\n")
        out.flush()
    try:
        request = json.loads(sys.stdin.readline())
        cache_dir = request["cache_dir"] and Path(request["cache_dir"])
        engine = Engine.build(Path(request["corpus"]), cache_dir, lambda s, d, t: say({"progress": [s, d, t]}),
                              bool(request["use_cache"]), request["budget"])
        arrays, meta = pack(built(engine, int(request["suggestions"])))
        if not write_cache(Path(request["out"]), arrays, meta):
            raise BuildFailed("berkas indeks tidak bisa ditulis / the index file could not be written")
        say({"done": True})
    except Exception as e:          # noqa: BLE001 - the parent raises it again, by name
        say({"error": type(e).__name__, "message": str(e)})
