#!/usr/bin/env bash
# compare-server.sh — `mote serve` against llama.cpp's llama-server under concurrent streaming
# clients: aggregate generation tokens/s and time to first token (p50, p99) at 1, 4, 8 and 16
# clients, on the same GGUF file, with the same threads and the same number of slots, in one run.
#
# For each shape (a real-model shape made by `mote synth --like SHAPE --type TYPE` when
# MODEL_DIR has no SHAPE-TYPE.gguf), each server in turn is started on a free loopback port,
# warmed up with one request, then bench/serve_loadgen.py runs C clients, each sending REQUESTS
# streamed /v1/completions one after another (a fixed prompt made unique per request so no prompt
# cache answers it, greedy, N_PREDICT tokens); then the server is stopped. Prints a markdown table
# ready for bench/RESULTS.md (the raw JSON lines go to $OUT).
#
# Settings (environment):
#   MOTE (default build/mote), LLAMA_SERVER (default /work/llama/src/build/bin/llama-server),
#   MODEL_DIR (default /work/models, else bench/.cache/models), SHAPES ("smollm2-135m qwen3-0.6b"),
#   TYPE (q4_0), CLIENTS ("1 4 8 16"), SLOTS (16: -np for both), THREADS (2), N_PREDICT (64),
#   REQUESTS (2 per client), CTX_PER_SLOT (N_PREDICT + 256), OUT (bench/.cache/compare-server).
#   QUICK=1: a short sanity run (smollm2-135m, 1 and 4 clients, 8 tokens, one request each).
# Both servers get --ctx-size for all slots: SLOTS x CTX_PER_SLOT (mote's -c is per slot).
# Run it on a quiet machine for numbers worth keeping.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MOTE=${MOTE:-$ROOT/build/mote}
LLAMA_SERVER=${LLAMA_SERVER:-/work/llama/src/build/bin/llama-server}
MODEL_DIR=${MODEL_DIR:-/work/models}
[[ -d "$MODEL_DIR" ]] || MODEL_DIR=$ROOT/bench/.cache/models
SHAPES=${SHAPES:-"smollm2-135m qwen3-0.6b"}
TYPE=${TYPE:-q4_0}
CLIENTS=${CLIENTS:-"1 4 8 16"}
SLOTS=${SLOTS:-16}
THREADS=${THREADS:-2}
N_PREDICT=${N_PREDICT:-64}
REQUESTS=${REQUESTS:-2}
OUT=${OUT:-$ROOT/bench/.cache/compare-server}
if [[ "${QUICK:-0}" = 1 ]]; then
    SHAPES=smollm2-135m CLIENTS="1 4" N_PREDICT=8 REQUESTS=1 SLOTS=4
fi
CTX_PER_SLOT=${CTX_PER_SLOT:-$((N_PREDICT + 256))} # the prompt: ~130 tokens with a synthetic vocabulary
LOADGEN="python3 $ROOT/bench/serve_loadgen.py"

die() { echo "compare-server: $*" >&2; exit 1; }
log() { printf '[compare-server %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
[[ -x "$MOTE" ]] || die "no mote binary at $MOTE (set MOTE)"
[[ -x "$LLAMA_SERVER" ]] || die "no llama-server at $LLAMA_SERVER (set LLAMA_SERVER)"
mkdir -p "$OUT" "$MODEL_DIR"
RESULTS=$OUT/results.jsonl
: > "$RESULTS"

SERVER_PID=
stop_server() {
    [[ -n "$SERVER_PID" ]] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}
trap stop_server EXIT INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_ready URL LOG: /health answers 200 within 120 s (llama-server says 503 while loading).
wait_ready() {
    for _ in $(seq 1200); do
        [[ "$(curl -s -o /dev/null -w '%{http_code}' "$1/health")" = 200 ]] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -5 "$2" >&2; die "the server exited at start (log: $2)"; }
        sleep 0.1
    done
    die "the server was not ready within 120 s (log: $2)"
}

# run_server ENGINE SHAPE FILE: start it, warm up, one loadgen run per client count, stop it.
run_server() {
    local engine=$1 shape=$2 f=$3 port url log model
    port=$(free_port)
    url="http://127.0.0.1:$port"
    log="$OUT/$engine-$shape.log"
    model=$(basename "$f" .gguf)
    if [[ $engine = mote ]]; then
        "$MOTE" serve -m "$f" --host 127.0.0.1 --port "$port" -t "$THREADS" -np "$SLOTS" -c "$CTX_PER_SLOT" \
            --queue 256 --quiet >"$log" 2>&1 &
    else
        "$LLAMA_SERVER" -m "$f" --host 127.0.0.1 --port "$port" -t "$THREADS" -tb "$THREADS" -np "$SLOTS" \
            -c $((SLOTS * CTX_PER_SLOT)) --no-webui >"$log" 2>&1 &
    fi
    SERVER_PID=$!
    wait_ready "$url" "$log"
    $LOADGEN --url "$url" --model "$model" --clients 1 --requests 1 --n-predict 4 --tag warm-up >/dev/null \
        || die "$engine warm-up failed (log: $log)"
    for c in $CLIENTS; do
        log "$engine $shape: $c client(s)"
        local line
        line=$($LOADGEN --url "$url" --model "$model" --clients "$c" --requests "$REQUESTS" --n-predict "$N_PREDICT" \
            --tag "c$c") \
            || log "$engine $shape $c: errors: $line"
        printf '{"engine":"%s","shape":"%s","type":"%s","result":%s}\n' "$engine" "$shape" "$TYPE" "$line" >>"$RESULTS"
    done
    stop_server
}

for shape in $SHAPES; do
    f=$MODEL_DIR/$shape-$TYPE.gguf
    if [[ ! -f "$f" ]]; then
        log "synth $shape $TYPE -> $f"
        "$MOTE" synth --like "$shape" --type "$TYPE" -o "$f" -q || die "mote synth --like $shape failed"
    fi
    run_server mote "$shape" "$f"
    run_server llama-server "$shape" "$f"
done

python3 - "$RESULTS" "$THREADS" "$SLOTS" "$N_PREDICT" "$REQUESTS" <<'PY'
import json, sys
path, threads, slots, n_predict, requests = sys.argv[1:]
rows = {}
for line in open(path):
    d = json.loads(line)
    rows[(d["shape"], d["type"], d["result"]["clients"], d["engine"])] = d["result"]
def fmt(x, nd=1):
    return "—" if x is None else f"{x:.{nd}f}"
print(f"`mote serve` vs `llama-server`: {threads} threads, {slots} slots (-np), streamed /v1/completions, "
      f"greedy, {n_predict} tokens per request, {requests} requests per client one after another.\n")
print("| shape | type | clients | mote t/s | llama-server t/s | ratio | mote TTFT p50 / p99 ms | "
      "llama-server TTFT p50 / p99 ms | TTFT p50 ratio |")
print("|---|---|--:|--:|--:|--:|--:|--:|--:|")
for (shape, typ, c) in sorted({k[:3] for k in rows}, key=lambda k: (k[0], k[1], k[2])):
    m, l = rows.get((shape, typ, c, "mote")), rows.get((shape, typ, c, "llama-server"))
    if not m or not l:
        continue
    ratio = m["agg_tps"] / l["agg_tps"] if l["agg_tps"] else float("nan")
    tr = (m["ttft_p50_ms"] / l["ttft_p50_ms"]) if m["ttft_p50_ms"] and l["ttft_p50_ms"] else float("nan")
    errs = "" if not (m["errors"] or l["errors"]) else f" (errors: mote {m['errors']}, llama {l['errors']})"
    print(f"| {shape} | {typ} | {c} | {fmt(m['agg_tps'])} | {fmt(l['agg_tps'])} | {ratio:.2f} | "
          f"{fmt(m['ttft_p50_ms'], 0)} / {fmt(m['ttft_p99_ms'], 0)} | {fmt(l['ttft_p50_ms'], 0)} / "
          f"{fmt(l['ttft_p99_ms'], 0)} | {tr:.2f}{errs} |")
PY
