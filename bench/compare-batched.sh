#!/usr/bin/env bash
# compare-batched.sh — many sequences at once: `mote bench --parallel` against llama.cpp's
# llama-batched-bench on the same GGUF files, same machine, same threads, in one run.
#
# Both evaluate S prompts of P tokens together, then generate N tokens for each of the S sequences,
# one batched step per token; both report the prompt rate (S_PP) and the aggregate generation rate
# (S_TG = S*N / time of the generation steps). Prints a markdown table with the ratios.
#
# Needs: LLAMA_CPP_DIR, a llama.cpp checkout built with build/bin/llama-batched-bench (see
# compare-llamacpp.sh for how to get and build one), or LLAMA_BATCHED_BENCH pointing at the binary;
# MOTE, the mote binary (default build/mote). Models: MODEL_DIR holds SHAPE-TYPE.gguf files, made
# with `mote synth --like SHAPE --type TYPE` when missing.
# Settings: SHAPES, TYPES, PARALLEL (comma list), P, N, THREADS, R (mote's repetitions).
# Run it on a quiet machine: anything else running skews both sides, differently.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MOTE=${MOTE:-$ROOT/build/mote}
MODEL_DIR=${MODEL_DIR:-$ROOT/bench/.cache/models}
SHAPES=${SHAPES:-"smollm2-135m qwen3-0.6b llama3.2-1b"}
TYPES=${TYPES:-"q4_0 q4_k_m"}
PARALLEL=${PARALLEL:-1,4,8,16}
P=${P:-32}
N=${N:-64}
THREADS=${THREADS:-2}
R=${R:-3}
LBB=${LLAMA_BATCHED_BENCH:-${LLAMA_CPP_DIR:-}/build/bin/llama-batched-bench}
[[ -x "$LBB" ]] || { echo "compare-batched: set LLAMA_CPP_DIR or LLAMA_BATCHED_BENCH (llama-batched-bench not found at '$LBB')" >&2; exit 1; }
[[ -x "$MOTE" ]] || { echo "compare-batched: no mote binary at $MOTE" >&2; exit 1; }
mkdir -p "$MODEL_DIR"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
max_s=$(tr ',' '\n' <<<"$PARALLEL" | sort -n | tail -1)
ctx=$((max_s * (P + N + 1)))

echo "| shape | type | S | mote S_PP | llama.cpp S_PP | ratio | mote S_TG | llama.cpp S_TG | ratio |"
echo "|---|---|--:|--:|--:|--:|--:|--:|--:|"
for shape in $SHAPES; do
    for type in $TYPES; do
        f=$MODEL_DIR/$shape-$type.gguf
        [[ -f "$f" ]] || "$MOTE" synth --like "$shape" --type "$type" -o "$f" >&2
        "$MOTE" bench -m "$f" --parallel "$PARALLEL" -p "$P" -n "$N" -t "$THREADS" -r "$R" -q --json >"$out/mote.json"
        "$LBB" -m "$f" -npp "$P" -ntg "$N" -npl "$PARALLEL" -t "$THREADS" -c "$ctx" 2>/dev/null | grep '^|' >"$out/llama.md"
        python3 - "$shape" "$type" "$out/mote.json" "$out/llama.md" <<'PY'
import json, sys
shape, typ, mj, lm = sys.argv[1:]
mote = {r["n_parallel"]: r for r in json.load(open(mj))}
llama = {}
for line in open(lm):
    c = [x.strip() for x in line.strip().strip("|").split("|")]
    if c and c[0].isdigit():  # PP TG B N_KV T_PP S_PP T_TG S_TG T S
        llama[int(c[2])] = (float(c[5]), float(c[7]))
for s in sorted(mote):
    m = mote[s]
    lp, lt = llama.get(s, (float("nan"), float("nan")))
    print(f"| {shape} | {typ} | {s} | {m['speed_pp']:.1f} | {lp:.1f} | {m['speed_pp']/lp:.2f} | "
          f"{m['speed_tg']:.1f} | {lt:.1f} | {m['speed_tg']/lt:.2f} |")
PY
    done
done
echo
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|f16c|avx512f|avx512bw|avx512vl|avx512_vnni|avx_vnni|avx512_bf16)$' | tr '\n' ' ')"
echo "threads: $THREADS; P=$P N=$N; mote repetitions $R (llama-batched-bench: one run); $(date -u +%Y-%m-%dT%H:%MZ)"
