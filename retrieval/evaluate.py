"""Eval figures with the definitions of ../shared/eval/README.md: hit1, hit3, rr, fn3, doc1, doc3, abstention; and
of the short answer against the gold spans: how often it is shown, exact when shown, token F1 when shown."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict


def norm(s: str) -> str:
    """Return s lower-cased with every run of non-alphanumerics one space (as the shared scorer does)."""
    s = unicodedata.normalize("NFKC", s).lower().replace("\u00ad", "")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", s).split())


def token_f1(found: str, gold: str) -> float:
    """Return the token F1 of two answers after norm (SQuAD's measure)."""
    a, b = norm(found).split(), norm(gold).split()
    common = sum((Counter(a) & Counter(b)).values())
    return 0.0 if not common else 2 * common / (len(a) + len(b))


def judge(q: dict, a: dict) -> dict:
    """Return the per-question figures of one answer (in the `ask --json` shape)."""
    if q.get("abstain"):
        return {"abstain_ok": bool(a.get("abstained"))}
    ps = [] if a.get("abstained") else a.get("passages", [])
    gold = [norm(g) for g in q.get("gold", [])]
    want = set(q.get("footnotes", []))

    def ok(p: dict) -> bool:
        return any(g in norm(p["text"]) for g in gold) if gold else bool(want & set(p.get("footnotes", [])))

    rank = next((i + 1 for i, p in enumerate(ps[:10]) if ok(p)), None)
    r: dict = {}
    if q.get("source"):
        src = next((i + 1 for i, p in enumerate(ps[:10]) if str(p.get("source", "")).endswith(q["source"])), None)
        r.update(doc1=src == 1, doc3=src is not None and src <= 3)
    r.update(words1=len(ps[0]["text"].split()) if ps else 0, hit1=rank == 1,
             hit3=rank is not None and rank <= 3, rr=1.0 / rank if rank else 0.0,
             false_abstain=bool(a.get("abstained")))
    if want:
        r["fn3"] = bool(want & {n for p in ps[:3] for n in p.get("footnotes", [])})
    short = None if a.get("abstained") else (a.get("answer") or {}).get("text")
    if gold:
        r["short_shown"] = short is not None
        if short is not None:
            r.update(short_exact=norm(short) in gold, short_f1=max(token_f1(short, g) for g in q["gold"]))
    return r


def summarise(questions: list[dict], answers: list[dict]) -> dict:
    """Return figures per group (answerable, unanswerable, english, type:*) and the ids missed at rank 1."""
    groups: dict[str, list[tuple[dict, dict]]] = defaultdict(list)
    for q, a in zip(questions, answers):
        r = judge(q, a)
        group = "unanswerable" if q.get("abstain") else ("english" if q.get("type") == "english" else "answerable")
        groups[group].append((q, r))
        groups["type:" + q.get("type", "?") + ("/abstain" if q.get("abstain") else "")].append((q, r))
    out: dict = {}
    for g, rows in sorted(groups.items()):
        rs = [r for _, r in rows]
        if "abstain_ok" in rs[0]:
            out[g] = {"n": len(rs), "abstain_ok": sum(r["abstain_ok"] for r in rs) / len(rs)}
            continue
        d: dict = {"n": len(rs)}
        for k in ("hit1", "hit3", "rr", "false_abstain", "doc1", "doc3"):
            if k in rs[0]:
                d[k] = sum(r[k] for r in rs) / len(rs)
        d["words1_median"] = float(sorted(r["words1"] for r in rs)[len(rs) // 2])
        fn = [r["fn3"] for r in rs if "fn3" in r]
        if fn:
            d["fn3"] = sum(fn) / len(fn)
        shown = [r for r in rs if r.get("short_shown")]
        if any("short_shown" in r for r in rs):
            d["short_shown"] = len(shown) / len(rs)
        if shown:
            d["short_exact"] = sum(r["short_exact"] for r in shown) / len(shown)
            d["short_f1"] = sum(r["short_f1"] for r in shown) / len(shown)
        out[g] = d
    out["misses"] = [q.get("id") for g in ("answerable", "english") for q, r in groups.get(g, []) if not r["hit1"]]
    return out


def format_summary(out: dict) -> str:
    """Return the figures as the shared scorer prints them."""
    lines = []
    for g, d in out.items():
        if g != "misses":
            lines.append(f"{g:22s} " + " ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}"
                                                for k, v in d.items()))
    lines.append("misses@1: " + " ".join(str(m) for m in out["misses"]))
    return "\n".join(lines)
