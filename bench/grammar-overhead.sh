#!/usr/bin/env bash
# grammar-overhead.sh — what a JSON Schema costs per generated token, mote against llama.cpp
# (issue 14: under 10% added time per token on the qwen3-0.6b shape, vocabulary 151,936).
#
# Both engines run as servers on the same GGUF file with the same threads and one slot:
# `mote serve` (POST /api/generate, "raw": true, with and without "format": SCHEMA) and llama.cpp's
# `llama-server` (POST /completion, with and without "json_schema": SCHEMA). Each request generates up
# to N tokens from the same prompt at temperature 0.8 with a different seed per repetition; the
# generation rate is the engines' own count over their own time (mote: eval_count / eval_duration,
# llama-server: timings.predicted_n / predicted_ms), summed over the repetitions. A grammar may end an
# answer early (the JSON is complete): the rate is per generated token either way.
#
# Settings (environment):
#   MODEL          the GGUF file (default: `mote synth --like qwen3-0.6b --type q8_0` into the cache)
#   MOTE           the mote binary (default: build/mote)
#   LLAMA_SERVER   llama-server (default: /work/llama/src/build/bin/llama-server, else on PATH)
#   THREADS (2)  N (128 tokens)  R (5 repetitions)  BENCH_CACHE (bench/.cache)
# Prints a markdown table (also saved in the cache). Run it on a quiet machine for numbers that count.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${BENCH_CACHE:-$ROOT/bench/.cache}
MOTE=${MOTE:-$ROOT/build/mote}
THREADS=${THREADS:-2}
N=${N:-128}
R=${R:-5}
mkdir -p "$CACHE/models" "$CACHE/results"

log() { printf '[grammar-overhead %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf 'grammar-overhead: %s\n' "$*" >&2; exit 1; }

[[ -x "$MOTE" ]] || die "no mote binary at $MOTE (build it, or set MOTE)"
LLAMA_SERVER=${LLAMA_SERVER:-/work/llama/src/build/bin/llama-server}
[[ -x "$LLAMA_SERVER" ]] || LLAMA_SERVER=$(command -v llama-server || true)
[[ -n "$LLAMA_SERVER" && -x "$LLAMA_SERVER" ]] || die "llama-server not found (set LLAMA_SERVER)"

if [[ -z "${MODEL:-}" ]]; then
    MODEL=$CACHE/models/qwen3-0.6b-q8_0.gguf
    if [[ ! -f "$MODEL" ]]; then
        log "writing a random-weight qwen3-0.6b (q8_0) with mote synth"
        "$MOTE" synth --like qwen3-0.6b --type q8_0 -o "$MODEL.tmp" -q && mv "$MODEL.tmp" "$MODEL"
    fi
fi
[[ -f "$MODEL" ]] || die "no model file at $MODEL"
NAME=$(basename "$MODEL" .gguf)

# The schema of bench/grammar_bench.c: nested object, bounded strings, an enum array, a pattern.
SCHEMA='{"type": "object", "properties": {"name": {"type": "string", "maxLength": 40}, "age": {"type": "integer"},
 "tags": {"type": "array", "items": {"enum": ["a", "b", "c"]}, "maxItems": 4},
 "address": {"type": "object", "properties": {"city": {"type": "string"}, "zip": {"type": "string", "pattern": "^[0-9]{5}$"}},
 "required": ["city"]}}, "required": ["name", "age"]}'
PROMPT="Describe a person as JSON:"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# wait_up URL PID: until the server answers /health (at most 5 minutes: loading can be slow)
wait_up() {
    for _ in $(seq 3000); do
        curl -sf -o /dev/null "$1/health" && return 0
        kill -0 "$2" 2>/dev/null || die "the server at $1 exited; see $CACHE/results/*.log"
        sleep 0.1
    done
    die "the server at $1 did not come up"
}

# measure ENGINE URL: prints "plain_tps schema_tps plain_tokens schema_tokens"
measure() {
    python3 - "$1" "$2" "$NAME" "$N" "$R" "$PROMPT" "$SCHEMA" <<'PY'
import json, sys, urllib.request
engine, url, name, n, reps, prompt, schema = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], json.loads(sys.argv[7])

def post(path, body):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=3600) as r:
        return json.load(r)

def one(seed, constrained):
    if engine == "mote":
        body = {"model": name, "prompt": prompt, "raw": True, "stream": False,
                "options": {"num_predict": n, "seed": seed, "temperature": 0.8}}
        if constrained:
            body["format"] = schema
        d = post("/api/generate", body)
        return d["eval_count"], d["eval_duration"] / 1e9
    body = {"prompt": prompt, "n_predict": n, "seed": seed, "temperature": 0.8, "cache_prompt": False}
    if constrained:
        body["json_schema"] = schema
    d = post("/completion", body)
    return d["timings"]["predicted_n"], d["timings"]["predicted_ms"] / 1e3

one(0, False), one(0, True)  # warm-up: first-use costs (the grammar's vocabulary) are not per-token costs
out = []
for constrained in (False, True):
    toks = secs = 0
    for r in range(1, reps + 1):
        t, s = one(r, constrained)
        toks += t
        secs += s
    out += [toks / secs if secs else 0, toks]
print(f"{out[0]:.2f} {out[2]:.2f} {out[1]} {out[3]}")
PY
}

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
port=$(free_port)
log "mote serve on $NAME, $THREADS threads"
"$MOTE" serve -m "$MODEL" -t "$THREADS" -np 1 -c 1024 --port "$port" > "$CACHE/results/grammar-mote-$STAMP.log" 2>&1 &
PIDS+=($!)
wait_up "http://127.0.0.1:$port" "${PIDS[-1]}"
read -r m_plain m_schema m_pt m_st < <(measure mote "http://127.0.0.1:$port")
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

port=$(free_port)
log "llama-server on $NAME, $THREADS threads"
"$LLAMA_SERVER" -m "$MODEL" -t "$THREADS" -np 1 -c 1024 --port "$port" --host 127.0.0.1 > "$CACHE/results/grammar-llama-$STAMP.log" 2>&1 &
PIDS+=($!)
wait_up "http://127.0.0.1:$port" "${PIDS[-1]}"
read -r l_plain l_schema l_pt l_st < <(measure llama "http://127.0.0.1:$port")
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

report=$CACHE/results/grammar-overhead-$STAMP.md
python3 - "$NAME" "$THREADS" "$N" "$R" "$m_plain" "$m_schema" "$m_pt" "$m_st" "$l_plain" "$l_schema" "$l_pt" "$l_st" > "$report" <<'PY'
import sys
name, threads, n, reps = sys.argv[1:5]
rows = [("mote", *map(float, sys.argv[5:9])), ("llama.cpp (llama-server)", *map(float, sys.argv[9:13]))]
print(f"Grammar overhead on {name}: {threads} threads, up to {n} tokens x {reps} requests, temperature 0.8, "
      "JSON Schema of bench/grammar_bench.c\n")
print("| engine | tokens/s, free | tokens/s, JSON Schema | added time per token | tokens (free / schema) |")
print("|---|---:|---:|---:|---:|")
for eng, plain, schema, pt, st in rows:
    added = (plain / schema - 1) * 100 if schema else float("nan")
    print(f"| {eng} | {plain:.1f} | {schema:.1f} | {added:+.1f}% | {pt:.0f} / {st:.0f} |")
PY
cat "$report"
log "saved in $report"
