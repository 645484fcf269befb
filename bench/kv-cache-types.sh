#!/usr/bin/env bash
# kv-cache-types.sh — what a quantized KV cache (-ctk/-ctv q8_0, q4_0)
# costs in perplexity and saves in memory, as a markdown table for
# bench/RESULTS.md. Perplexity is deterministic, so this may run on a busy
# machine; nothing here is timed.
#   bench/kv-cache-types.sh [MOTE] [CTX_FOR_MEMORY] -- MODEL:CHUNK_LEN:CHUNKS[:CTX] ...
# Each model is scored on the fixtures' stories.txt (llama-perplexity's
# chunks of CHUNK_LEN tokens, the first CHUNKS of them; 0: all), with keys
# and values both f16, both q8_0 and both q4_0; the cache's size is the one
# `mote run --verbose` reports for a context of CTX_FOR_MEMORY tokens (or
# the model's own CTX, for one with fewer learned positions, like gpt2's).
set -eu
MOTE=${1:-build/mote}; CTX=${2:-2048}; shift 2; [ "${1:-}" = -- ] && shift
TEXT=${MOTE_FIXTURES:-../shared/fixtures}/text/stories.txt
echo "| model | cache (K and V) | PPL | change | KV cache (at $CTX tokens unless noted) | saved |"
echo "|---|---|---:|---:|---:|---:|"
for spec in "$@"; do
    IFS=: read -r model clen chunks mctx <<<"$spec"
    mctx=${mctx:-$CTX}
    base_ppl=""; base_kv=""
    for t in f16 q8_0 q4_0; do
        extra=(); [ "$chunks" != 0 ] && extra=(--chunks "$chunks")
        ppl=$(nice "$MOTE" perplexity "$model" -f "$TEXT" -c "$clen" -ctk $t -ctv $t -q "${extra[@]}" 2>&1 |
              sed -n 's/^Final estimate: PPL = \([0-9.]*\).*/\1/p')
        kv=$(nice "$MOTE" run "$model" -p "Once" -n 1 --raw -c "$mctx" -ctk $t -ctv $t --verbose 2>&1 >/dev/null |
             grep -o 'KV cache [0-9.]* MiB' | grep -o '[0-9.]*')
        [ $t = f16 ] && { base_ppl=$ppl; base_kv=$kv; }
        python3 - "$(basename "$model" .gguf)" "$t" "$ppl" "$base_ppl" "$kv" "$base_kv" "$clen" "$chunks" "$mctx" "$CTX" <<'PY'
import sys
name, t, ppl, bppl, kv, bkv, clen, chunks, mctx, ctx = sys.argv[1:]
note = "" if mctx == ctx else f" (at {mctx})"
ch = "all" if chunks == "0" else chunks
change = "" if t == "f16" else "%+.2f%%" % (100 * (float(ppl) / float(bppl) - 1))
saved = "" if t == "f16" else "%.0f%%" % (100 * (1 - float(kv) / float(bkv)))
print(f"| {name} (c{clen}, {ch} chunks) | {t} | {float(ppl):.4f} | {change} | {float(kv):.2f} MiB{note} | {saved} |")
PY
    done
done
