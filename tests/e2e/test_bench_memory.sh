#!/usr/bin/env bash
# test_bench_memory.sh — the memory clause of batched decoding (issue #11):
# `mote bench --parallel` on a synthetic smollm2-135m (q4_0) keeps its peak
# RSS within 1.1 x (file + KV cache) + ALLOWANCE, and reports the cache it
# made: S x (P + N + 1) cells in total (--json kv_cache_cells, the table's
# "KV cells" column) and their bytes.
#
# S=16 runs its 16 x 32 prompt tokens as one 512-token call, whose
# activations are the part that grows with S besides the cache: what S=16
# adds to the peak over S=1, beyond 1.1 x the cache it adds, must stay
# within 5 % of its file + KV (5.1 MiB). Before the context shared the
# attention and FFN buffers (engine/context.c) that excess was 12.9 MiB
# here; then 6.8 (one 512-token step, against a budget of 10 %); since a
# call runs in forward steps of at most 128 tokens (context.c n_ubatch)
# 2.3 MiB (2026-12-04), 2.8 MiB under this budget.
#
# ALLOWANCE is the process itself, whatever the model: the same bench on
# the 0.7 MB "tiny" shape peaks at 6.9 MiB at S=1 (mote's code and its
# libraries' mapped pages, the heap, the workers' stacks; measured
# 2026-12-04; what S=16's step adds is the budget above), so 10 MiB. It was
# 16 while libmicrohttpd and libespeak-ng were linked (tiny S=1: 12.1 MiB);
# opened on first use now (server/dynlib.h), they no longer count. Here
# the closest row, S=16, peaks 10.1 MiB under its limit (4.6 before the
# micro-batches and file_pages.c).
# Before the fix this bench peaked at 1.8 x (file + KV): norms
# read from the mapping mapped back the repacked matrices' 2 MiB folios
# (loader.c copies them now; gguf_read.c maps the file by pages).
#
# Peak RSS means nothing under a sanitizer (its shadow memory dominates):
# skipped there, as test_fit and test_sweep_gemma3 skip their memory parts.
set -u
: "${MOTE:?MOTE must point to the mote binary}"
if [ "${MOTE_SANITIZE:-OFF}" = ON ]; then
    echo "SKIP: sanitizer build: peak RSS is the sanitizer's, not mote's"
    exit 77
fi
if ! command -v python3 >/dev/null; then
    echo "SKIP: python3 is needed to read the JSON"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$MOTE" synth --like smollm2-135m --type q4_0 -o "$tmp/m.gguf" -q || { echo "FAIL: synth failed" >&2; exit 1; }
# Out of the page cache, so the bench reads the file as a model on disk is
# read (readahead makes the large folios a fresh write may not have).
python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$tmp/m.gguf"
"$MOTE" bench "$tmp/m.gguf" --parallel 1,8,16 -p 32 -n 8 -r 1 --json -q >"$tmp/out.json" ||
    { echo "FAIL: bench --parallel failed" >&2; exit 1; }
"$MOTE" bench "$tmp/m.gguf" --parallel 2 -p 8 -n 4 -r 1 -q >"$tmp/out.md" ||
    { echo "FAIL: bench --parallel (table) failed" >&2; exit 1; }

python3 - "$tmp/out.json" "$tmp/m.gguf" "$tmp/out.md" <<'PY' || exit 1
import json, os, re, sys
rows = json.load(open(sys.argv[1]))
file_bytes = os.path.getsize(sys.argv[2])
ALLOWANCE = 10 << 20
MiB = 1 << 20
fails = 0
peak = {}
for r in rows:
    S, cells, kv, rss = r["n_parallel"], r.get("kv_cache_cells"), r["kv_cache_bytes"], r["peak_rss_bytes"]
    if cells != S * (32 + 8 + 1):
        print(f"FAIL: S={S}: {cells} KV cells, expected {S} x 41", file=sys.stderr); fails += 1
    # smollm2-135m: 30 layers x 3 KV heads x 64 dims x (key + value) x f16 per cell
    if kv != S * 41 * 30 * 192 * 2 * 2:
        print(f"FAIL: S={S}: {kv} KV bytes for {cells} cells", file=sys.stderr); fails += 1
    peak[S] = (rss, kv)
    limit = 1.1 * (file_bytes + kv) + ALLOWANCE
    print(f"S={S}: peak RSS {rss / MiB:.1f} MiB, file + KV {(file_bytes + kv) / MiB:.1f} MiB, "
          f"limit {limit / MiB:.1f} MiB ({rss / (file_bytes + kv):.3f} x)")
    if rss > limit:
        print(f"FAIL: S={S}: peak RSS {rss / MiB:.1f} MiB exceeds 1.1 x (file + KV) + 10 MiB = {limit / MiB:.1f} MiB",
              file=sys.stderr); fails += 1
if 1 in peak and 16 in peak:
    (rss1, kv1), (rss16, kv16) = peak[1], peak[16]
    excess, budget = rss16 - rss1 - 1.1 * (kv16 - kv1), 0.05 * (file_bytes + kv16)
    print(f"S=16 over S=1: {excess / MiB:.1f} MiB beyond 1.1 x the added cache (budget {budget / MiB:.1f} MiB)")
    if excess > budget:
        print(f"FAIL: S=16's step adds {excess / MiB:.1f} MiB of activations, more than 5 % of file + KV "
              f"({budget / MiB:.1f} MiB)", file=sys.stderr); fails += 1
else:
    print("FAIL: the bench did not report S=1 and S=16", file=sys.stderr); fails += 1
table = open(sys.argv[3]).read()
if "KV cells" not in table or not re.search(r"\|\s+26\s+\|", table):
    print("FAIL: the table does not show the KV cells (2 x 13 = 26):\n" + table, file=sys.stderr); fails += 1
sys.exit(1 if fails else 0)
PY
echo "PASS"
