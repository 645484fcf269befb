#!/usr/bin/env bash
# budget-results.sh — `mote quantize --target-bpw` against llama.cpp's fixed
# presets of the same size, on stories260K (bench/QUANT-RESULTS.md, section
# "Budget mode"). Prints a markdown table on stdout.
#
#   bench/budget-results.sh [BUILD_DIR] [LLAMA_BIN_DIR]
#
# For each preset: llama-quantize makes the preset file (without, then with
# an imatrix); its bits per weight (as `mote info` counts them) become the
# budget of `mote quantize --target-bpw` (likewise without, then with the
# same imatrix). The imatrix is made by `mote imatrix` over text/stories.txt
# at -c 128. All four files are scored by `mote perplexity -c 128` on the
# same text (in-sample for the imatrix runs: both tools see the same data).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
LLAMA=${2:-/work/ref/llama.cpp/build/bin}
FIX=${MOTE_FIXTURES:-$ROOT/../shared/fixtures}
MOTE=$BUILD/mote
MODEL=$FIX/real/stories260K-f32.gguf
TEXT=$FIX/text/stories.txt
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PRESETS=${PRESETS:-"Q4_0 Q4_K_M Q5_1 Q8_0"}

bpw() { "$MOTE" info "$1" | awk '/^bits per weight/ {print $4}'; }
ppl() { "$MOTE" perplexity -m "$1" -f "$TEXT" -c 128 | awk '/Final estimate/ {print $5}'; }

"$MOTE" imatrix -m "$MODEL" -f "$TEXT" -c 128 -o "$T/imatrix.gguf" >/dev/null 2>&1
echo "| preset | imatrix | llama.cpp preset bpw | PPL preset | mote budget bpw | PPL budget | budget mix (share of weights) |"
echo "|---|---|---|---|---|---|---|"
for p in $PRESETS; do
    for im in no yes; do
        iarg=(); [ $im = yes ] && iarg=(--imatrix "$T/imatrix.gguf")
        "$LLAMA/llama-quantize" "${iarg[@]}" "$MODEL" "$T/preset.gguf" "$p" >/dev/null 2>&1
        target=$(bpw "$T/preset.gguf")
        mix=$("$MOTE" quantize "${iarg[@]}" "$MODEL" "$T/budget.gguf" --target-bpw "$target" |
              sed -n 's/^budget: predicted error [^;]*; mix: \(.*\) of the weights$/\1/p')
        echo "| $p | $im | $target | $(ppl "$T/preset.gguf") | $(bpw "$T/budget.gguf") | $(ppl "$T/budget.gguf") | $mix |"
    done
done
echo
echo "f32 reference: PPL $(ppl "$MODEL")"
