#!/usr/bin/env bash
# quant-results.sh — quantization error of mote vs llama.cpp, per type, for
# bench/QUANT-RESULTS.md. Prints markdown tables on stdout.
#
#   bench/quant-results.sh [BUILD_DIR] [LLAMA_BIN_DIR]
#
# For each type: `mote quantize --pure` of the f32 fixture models, and (when
# LLAMA_BIN_DIR has llama-quantize) `llama-quantize --pure` of the same files,
# each compared with the f32 weights by bench/quant_compare.c (RMSE over the
# tensors of that type). With llama-imatrix, an importance matrix of
# stories260K over the fixture text is made and both tools quantize with it;
# the importance-weighted RMSE is reported too.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
LLAMA=${2:-/work/ref/llama.cpp/build/bin}
FIX=${MOTE_FIXTURES:-$ROOT/../shared/fixtures}
MOTE=$BUILD/mote
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cc -std=c11 -O2 -I"$ROOT/include" -I"$ROOT/src" "$ROOT/bench/quant_compare.c" "$BUILD/libmote.a" -lm -lpthread -lpcre2-8 -o "$T/qc"
have_llama=0; [ -x "$LLAMA/llama-quantize" ] && have_llama=1
TYPES="Q8_0 Q6_K Q5_K_M Q5_0 Q5_1 Q4_K_M Q4_0 Q4_1 IQ4_NL IQ4_XS Q3_K_M Q2_K TQ2_0 TQ1_0"

# rmse FILE_F32 FILE_Q TYPE [IMATRIX] -> "rmse weighted" of tensors of TYPE
rmse() { "$T/qc" "$1" "$2" ${4:-} | awk -v t="$3" 'tolower($1)==tolower(t) {print $3, $4}'; }

table() {
    local model=$1 imatrix=${2:-} title=$3
    echo; echo "### $title"; echo
    if [ -n "$imatrix" ]; then
        echo "| type | RMSE llama.cpp | RMSE mote | weighted RMSE llama.cpp | weighted RMSE mote | mote / llama.cpp (weighted) |"
        echo "|---|---|---|---|---|---|"
    else
        echo "| type | RMSE llama.cpp | RMSE mote (--llama-compat) | RMSE mote | mote / llama.cpp |"
        echo "|---|---|---|---|---|"
    fi
    for P in $TYPES; do
        local base; base=$(echo "$P" | sed 's/_[SML]$//' | tr 'A-Z' 'a-z' | sed 's/_k$/_K/')
        local im_opt=""; [ -n "$imatrix" ] && im_opt="--imatrix $imatrix"
        "$MOTE" quantize "$model" "$T/m.gguf" "$P" --pure -q $im_opt
        local m; m=$(rmse "$model" "$T/m.gguf" "$base" "$imatrix")
        [ -n "$m" ] || continue
        local l="n/a n/a"
        if [ $have_llama = 1 ]; then
            local lim=""; [ -n "$imatrix" ] && lim="--imatrix $imatrix"
            "$LLAMA/llama-quantize" --pure $lim "$model" "$T/l.gguf" "$P" >/dev/null 2>&1 && l=$(rmse "$model" "$T/l.gguf" "$base" "$imatrix")
        fi
        set -- $l; local lr=$1 lw=${2:--}
        set -- $m; local mr=$1 mw=${2:--}
        if [ -n "$imatrix" ]; then
            echo "| $base | $lr | $mr | $lw | $mw | $(awk -v a="$mw" -v b="$lw" 'BEGIN{ if (b+0>0) printf "%.4f", a/b; else print "n/a"}') |"
        else
            "$MOTE" quantize "$model" "$T/c.gguf" "$P" --pure -q --llama-compat
            local c; c=$(rmse "$model" "$T/c.gguf" "$base"); set -- $c
            echo "| $base | $lr | $1 | $mr | $(awk -v a="$mr" -v b="$lr" 'BEGIN{ if (b+0>0) printf "%.4f", a/b; else print "n/a"}') |"
        fi
    done
}

table "$FIX/models/llama-tiny-f32.gguf" "" "llama-tiny (random weights, 256-wide rows), no imatrix"
table "$FIX/real/stories260K-f32.gguf" "" "stories260K (trained, 64/172-wide rows: 256-block types fall back), no imatrix"
if [ -x "$LLAMA/llama-imatrix" ]; then
    "$LLAMA/llama-imatrix" -m "$FIX/real/stories260K-f32.gguf" -f "$FIX/text/stories.txt" -c 128 -o "$T/imatrix.gguf" -t 2 >/dev/null 2>&1
    table "$FIX/real/stories260K-f32.gguf" "$T/imatrix.gguf" "stories260K with an imatrix from llama-imatrix (text/stories.txt, -c 128)"
fi
