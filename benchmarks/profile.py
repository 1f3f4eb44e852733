"""A pyinstrument profile of Kutip's per-question path: top functions and the call tree, to a text file."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def profile(ask: Callable[[str], object], questions: list[str], path: Path, title: str, top: int = 25) -> dict:
    """Profile ask over the questions with pyinstrument; write the top functions and the call tree to path."""
    from pyinstrument import Profiler
    path.parent.mkdir(parents=True, exist_ok=True)
    profiler = Profiler(interval=0.001)
    profiler.start()
    for q in questions:
        ask(q)
    profiler.stop()
    session = profiler.last_session
    rows, total = function_times(session.root_frame()), session.duration
    ours = sorted((r for r in rows if r["name"].split("(")[-1].startswith("retrieval/")), key=lambda r: -r["total"])
    lines = [f"pyinstrument {title}",
             f"total {total:.2f} s sampled ({session.cpu_time:.2f} s CPU), "
             f"{total * 1000 / max(1, len(questions)):.1f} ms per question under the profiler", "",
             "Kutip's own functions by inclusive time (callees included; recursion counted once)",
             f"{'total %':>8} {'total s':>8} {'self %':>7}  function"]
    lines += [f"{r['total'] / total * 100:7.1f}% {r['total']:8.3f} {r['self'] / total * 100:6.1f}%  {r['name']}"
              for r in ours[:top]]
    lines += ["", "All functions by self time (own code, not callees)",
              f"{'self %':>7} {'self s':>7} {'total %':>8}  function"]
    lines += [f"{r['self'] / total * 100:6.1f}% {r['self']:7.3f} {r['total'] / total * 100:7.1f}%  {r['name']}"
              for r in rows[:top]]
    lines += ["", "Call tree (library frames folded)", ""]
    tree = profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False)
    path.write_text("\n".join(lines) + "\n" + tree, encoding="utf-8")
    def share(r: dict) -> dict:
        return {"function": r["name"], "self_share": round(r["self"] / total, 4),
                "total_share": round(r["total"] / total, 4)}
    return {"file": path.name, "title": title, "seconds": round(total, 3), "cpu_seconds": round(session.cpu_time, 3),
            "top": [share(r) for r in rows[:top]], "kutip": [share(r) for r in ours[:top]]}


def function_times(root) -> list[dict]:
    """Return per-function self and inclusive time from a pyinstrument frame tree, largest self time first."""
    stats: dict[str, dict] = {}

    def walk(frame, ancestors: frozenset) -> None:
        if frame.is_synthetic:        # "[self]" leaves: already in their parent's total_self_time
            return
        where = frame.file_path_short
        name = f"{frame.function} ({where}:{frame.line_no})" if where else frame.function
        entry = stats.setdefault(name, {"name": name, "self": 0.0, "total": 0.0})
        entry["self"] += frame.total_self_time
        if name not in ancestors:
            entry["total"] += frame.time
        for child in frame.children:
            walk(child, ancestors | {name})
    if root is not None:
        walk(root, frozenset())
    return sorted(stats.values(), key=lambda r: -r["self"])


