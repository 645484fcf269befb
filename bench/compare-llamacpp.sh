#!/usr/bin/env bash
# compare-llamacpp.sh — mote against llama.cpp on the same GGUF files, same machine, same threads.
#
# 1. llama.cpp: its source comes from the npm registry (node-llama-cpp ships it as a git bundle);
#    llama-bench is built with CMake (CPU only, Release, GGML_NATIVE) into the cache. Set
#    LLAMA_CPP_DIR to an existing llama.cpp checkout with build/bin/llama-bench (or LLAMA_BENCH to
#    the binary) to skip the download and build.
# 2. mote: built Release with -march=native into the cache, unless MOTE points at a binary.
# 3. Models: `mote synth` writes random-weight GGUFs with the exact shapes of real models.
# 4. Both benchmarks run on each file (pp and tg, each thread count, R repetitions).
# 5. A memory-bandwidth probe (bench/bandwidth.c) gives the ceiling of generation speed:
#    tokens/s <= bandwidth / bytes of weights read per token.
# 6. bench/compare_table.py prints the markdown report (also saved in the cache).
#
# Every step's result is kept in the cache, so an interrupted run resumes where it stopped;
# FRESH=1 re-runs the measurements (but keeps the builds and model files).
#
# Settings (environment): MODELS, TYPES, THREADS (comma list), P, N, R, BENCH_CACHE, JOBS, NOTE.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${BENCH_CACHE:-$ROOT/bench/.cache}
MODELS=${MODELS:-"gemma3-270m qwen3-0.6b llama3.2-1b"}
TYPES=${TYPES:-"q4_0 q8_0 q4_k_m"}
THREADS=${THREADS:-1,2}
P=${P:-512}
N=${N:-128}
R=${R:-3}
JOBS=${JOBS:-2}
NODE_LLAMA_CPP_VERSION=${NODE_LLAMA_CPP_VERSION:-3.22.1}
RUN="p${P}-n${N}-r${R}-t${THREADS//,/_}"
RESULTS=$CACHE/results/$RUN
mkdir -p "$CACHE/models" "$RESULTS"

log() { printf '[compare %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf 'compare-llamacpp: %s\n' "$*" >&2; exit 1; }

# ---- llama-bench -------------------------------------------------------------------
find_llama_bench() {
    if [[ -n "${LLAMA_BENCH:-}" ]]; then
        [[ -x "$LLAMA_BENCH" ]] || die "LLAMA_BENCH=$LLAMA_BENCH is not an executable"
        echo "$LLAMA_BENCH"; return
    fi
    if [[ -n "${LLAMA_CPP_DIR:-}" ]]; then
        [[ -x "$LLAMA_CPP_DIR/build/bin/llama-bench" ]] || die "no build/bin/llama-bench in LLAMA_CPP_DIR=$LLAMA_CPP_DIR"
        echo "$LLAMA_CPP_DIR/build/bin/llama-bench"; return
    fi
    local src=$CACHE/llama.cpp
    if [[ ! -x "$src/build/bin/llama-bench" ]]; then
        if [[ ! -d "$src/.git" ]]; then
            command -v npm >/dev/null || die "npm is needed to fetch llama.cpp (or set LLAMA_CPP_DIR)"
            log "fetching llama.cpp from npm: node-llama-cpp@$NODE_LLAMA_CPP_VERSION"
            local tmp=$CACHE/npm
            rm -rf "$tmp" && mkdir -p "$tmp"
            (cd "$tmp" && npm pack --silent "node-llama-cpp@$NODE_LLAMA_CPP_VERSION" >/dev/null)
            tar -xzf "$tmp"/node-llama-cpp-*.tgz -C "$tmp" package/llama/gitRelease.bundle
            git clone --quiet "$tmp/package/llama/gitRelease.bundle" "$src"
            rm -rf "$tmp"
        fi
        log "building llama-bench (CPU, Release, GGML_NATIVE) with -j$JOBS"
        cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF \
            -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF >"$CACHE/llama-cmake.log" 2>&1 \
            || die "cmake of llama.cpp failed (see $CACHE/llama-cmake.log)"
        cmake --build "$src/build" --target llama-bench -j "$JOBS" >"$CACHE/llama-build.log" 2>&1 \
            || die "building llama-bench failed (see $CACHE/llama-build.log)"
    fi
    echo "$src/build/bin/llama-bench"
}

# ---- mote ------------------------------------------------------------------------------
find_mote() {
    if [[ -n "${MOTE:-}" ]]; then
        [[ -x "$MOTE" ]] || die "MOTE=$MOTE is not an executable"
        echo "$MOTE"; return
    fi
    local b=$CACHE/mote-build
    log "building mote (Release, MOTE_NATIVE) with -j$JOBS"
    cmake -S "$ROOT" -B "$b" -DCMAKE_BUILD_TYPE=Release -DMOTE_NATIVE=ON -DMOTE_BUILD_TESTS=OFF >"$CACHE/mote-cmake.log" 2>&1 \
        || die "cmake of mote failed (see $CACHE/mote-cmake.log)"
    cmake --build "$b" --target mote -j "$JOBS" >"$CACHE/mote-build.log" 2>&1 || die "building mote failed (see $CACHE/mote-build.log)"
    echo "$b/mote"
}

LLAMA_BENCH_BIN=$(find_llama_bench)
MOTE_BIN=$(find_mote)
log "llama-bench: $LLAMA_BENCH_BIN"
log "mote:        $MOTE_BIN"

# ---- bandwidth ------------------------------------------------------------------------
BW=$CACHE/bandwidth
if [[ ! -x "$BW" || "$ROOT/bench/bandwidth.c" -nt "$BW" ]]; then
    cc -O3 -march=native -pthread -o "$BW" "$ROOT/bench/bandwidth.c" || die "cannot build bench/bandwidth.c"
fi
if [[ ! -s "$RESULTS/bandwidth.csv" || -n "${FRESH:-}" ]]; then
    log "measuring memory bandwidth (threads $THREADS)"
    "$BW" -t "$THREADS" -m 1024 -r 5 --csv >"$RESULTS/bandwidth.csv.tmp" && mv "$RESULTS/bandwidth.csv.tmp" "$RESULTS/bandwidth.csv"
fi

# ---- models and measurements --------------------------------------------------------------
for m in $MODELS; do
    for t in $TYPES; do
        f=$CACHE/models/$m-$t.gguf
        if [[ ! -s "$f" ]]; then
            log "synth $m $t"
            if ! "$MOTE_BIN" synth --like "$m" --type "$t" -o "$f" -q 2>"$RESULTS/$m-$t.synth.err"; then
                log "skipping $m $t: $(cat "$RESULTS/$m-$t.synth.err")"
                continue
            fi
        fi
        [[ -s "$RESULTS/$m-$t.info.json" ]] || "$MOTE_BIN" info --json --tensors "$f" >"$RESULTS/$m-$t.info.json"
        if [[ ! -s "$RESULTS/$m-$t.llama.json" || -n "${FRESH:-}" ]]; then
            log "llama-bench $m $t"
            if "$LLAMA_BENCH_BIN" -m "$f" -p "$P" -n "$N" -t "$THREADS" -r "$R" -o json \
                >"$RESULTS/$m-$t.llama.json.tmp" 2>"$RESULTS/$m-$t.llama.err"; then
                mv "$RESULTS/$m-$t.llama.json.tmp" "$RESULTS/$m-$t.llama.json"
            else
                log "llama-bench failed on $m $t (see $RESULTS/$m-$t.llama.err)"
            fi
        fi
        if [[ ! -s "$RESULTS/$m-$t.mote.json" || -n "${FRESH:-}" ]]; then
            log "mote bench $m $t"
            if "$MOTE_BIN" bench -m "$f" -p "$P" -n "$N" -t "$THREADS" -r "$R" --json \
                >"$RESULTS/$m-$t.mote.json.tmp" 2>"$RESULTS/$m-$t.mote.err"; then
                mv "$RESULTS/$m-$t.mote.json.tmp" "$RESULTS/$m-$t.mote.json"
            else
                log "mote bench failed on $m $t (see $RESULTS/$m-$t.mote.err)"
            fi
        fi
    done
done

# ---- report -----------------------------------------------------------------------------
python3 "$ROOT/bench/compare_table.py" --results "$RESULTS" --models "$MODELS" --types "$TYPES" \
    --llama-bench "$LLAMA_BENCH_BIN" --mote "$MOTE_BIN" --settings "-p $P -n $N -t $THREADS -r $R" \
    --note "${NOTE:-}" | tee "$RESULTS/report.md"
log "report saved in $RESULTS/report.md"
