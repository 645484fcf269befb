#!/usr/bin/env bash
# compare-embedding.sh — embedding throughput: texts per second of `mote embed` against llama.cpp's
# llama-embedding on the same GGUF files, same threads, same texts, in one run. Prints a markdown table.
#
# Each tool embeds the same file of TEXTS texts (one per line, about WORDS words each, made up here from
# a fixed word list) and, separately, its first line alone; the difference of the two wall times is the
# time of TEXTS - 1 texts without loading the model, so texts/s = (TEXTS - 1) / (t_all - t_one). Both
# print every vector (to /dev/null).
#
# Needs: LLAMA_CPP_DIR, a llama.cpp checkout built with build/bin/llama-embedding, or LLAMA_EMBEDDING
# pointing at the binary; MOTE, the mote binary (default build/mote).
# Models: MODELS, a list of GGUF files of an embedding model (default: the BERT fixture shape's real
# model, bge-small-en-v1.5, in f16 and q8_0, made with `mote synth --like SHAPE --type TYPE` into
# MODEL_DIR when missing; SHAPE and TYPES choose others, e.g. SHAPE=tiny-bert for the fixture's size).
# Settings: TEXTS (default 64), WORDS (default 24), THREADS (default 2).
# One run each: run it on a quiet machine; the lead's verdict runs are what count.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MOTE=${MOTE:-$ROOT/build/mote}
MODEL_DIR=${MODEL_DIR:-$ROOT/bench/.cache/models}
SHAPE=${SHAPE:-bge-small-en-v1.5}
TYPES=${TYPES:-"f16 q8_0"}
TEXTS=${TEXTS:-64}
WORDS=${WORDS:-24}
THREADS=${THREADS:-2}
LEMB=${LLAMA_EMBEDDING:-${LLAMA_CPP_DIR:-}/build/bin/llama-embedding}
[[ -x "$LEMB" ]] || { echo "compare-embedding: set LLAMA_CPP_DIR or LLAMA_EMBEDDING (llama-embedding not found at '$LEMB')" >&2; exit 1; }
[[ -x "$MOTE" ]] || { echo "compare-embedding: no mote binary at $MOTE" >&2; exit 1; }
(( TEXTS >= 2 )) || { echo "compare-embedding: TEXTS must be at least 2" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if [[ -z "${MODELS:-}" ]]; then
    mkdir -p "$MODEL_DIR"
    MODELS=""
    for type in $TYPES; do
        f=$MODEL_DIR/$SHAPE-$type.gguf
        [[ -f "$f" ]] || "$MOTE" synth --like "$SHAPE" --type "$type" -o "$f" >&2
        MODELS+=" $f"
    done
fi

# The texts: deterministic sentences from a fixed word list.
python3 - "$TEXTS" "$WORDS" >"$out/texts.txt" <<'PY'
import sys
n, w = int(sys.argv[1]), int(sys.argv[2])
words = ("the a small model reads every weight once for all sequences while the cache keeps keys and values "
         "of each text retrieval needs vectors that place similar sentences near one another on a sphere "
         "capital city river mountain library engine kernel memory thread batch token").split()
x = 12345
for i in range(n):
    line = []
    for j in range(w):
        x = (x * 1103515245 + 12345) % 2**31
        line.append(words[x % len(words)])
    print(" ".join(line).capitalize() + ".")
PY
head -1 "$out/texts.txt" >"$out/one.txt"

# Wall seconds of a command, its output discarded; fails loudly if the command does.
seconds() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>"$out/err" || { echo "compare-embedding: failed: $*" >&2; tail -5 "$out/err" >&2; exit 1; }
    t1=$(date +%s.%N)
    python3 -c "print($t1 - $t0)"
}

echo "| model | threads | texts | words/text | mote texts/s | llama.cpp texts/s | ratio |"
echo "|---|--:|--:|--:|--:|--:|--:|"
for f in $MODELS; do
    mote_all=$(seconds "$MOTE" embed -m "$f" -f "$out/texts.txt" -t "$THREADS")
    mote_one=$(seconds "$MOTE" embed -m "$f" -f "$out/one.txt" -t "$THREADS")
    # llama-embedding: one text per line (its default separator), mean pooling as the BERT files declare
    # it, a context large enough for a text; it batches texts into one pass as mote does.
    lemb=("$LEMB" -m "$f" -t "$THREADS" -c 512 --pooling mean --embd-normalize 2 -f)
    llama_all=$(seconds "${lemb[@]}" "$out/texts.txt")
    llama_one=$(seconds "${lemb[@]}" "$out/one.txt")
    python3 - "$(basename "$f")" "$THREADS" "$TEXTS" "$WORDS" "$mote_all" "$mote_one" "$llama_all" "$llama_one" <<'PY'
import sys
name, t, n, w = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ma, mo, la, lo = map(float, sys.argv[5:9])
rate = lambda a, o: (n - 1) / (a - o) if a > o else float("nan")
m, l = rate(ma, mo), rate(la, lo)
print(f"| {name} | {t} | {n} | {w} | {m:.1f} | {l:.1f} | {m / l:.2f} |")
PY
done
echo
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); threads: $THREADS;" \
     "texts/s = (TEXTS - 1) / (time of all texts - time of the first alone), one run; $(date -u +%Y-%m-%dT%H:%MZ)"
