#!/usr/bin/env bash
# quant-results.sh — quantization error of mote vs llama.cpp, per type, for
# bench/QUANT-RESULTS.md. Prints markdown tables on stdout.
#
#   bench/quant-results.sh [BUILD_DIR] [LLAMA_BIN_DIR]
#
# For each type: `mote quantize --pure` of the f32 fixture models, and (when
# LLAMA_BIN_DIR has llama-quantize) `llama-quantize --pure` of the same files,
# each compared with the f32 weights by bench/quant_compare.c (RMSE over the
# tensors of that type). Then the same with the importance matrices of
# tests/data/quantize/ (made by llama-imatrix over text/stories.txt, -c 128),
# where the importance-weighted RMSE is what the quantizers minimise. Last,
# with llama-perplexity, the perplexity of stories260K on text/stories.txt
# (-c 128 -b 128) for each preset, quantized by either tool: llama.cpp
# loading mote's files is part of the check.
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
        echo "| type | RMSE llama.cpp | RMSE mote --min-error | weighted RMSE llama.cpp | weighted RMSE mote --min-error | mote / llama.cpp (weighted) |"
        echo "|---|---|---|---|---|---|"
    else
        echo "| type | RMSE llama.cpp | RMSE mote | RMSE mote --min-error | mote --min-error / llama.cpp |"
        echo "|---|---|---|---|---|"
    fi
    for P in $TYPES; do
        local base; base=$(echo "$P" | sed 's/_[SML]$//' | tr 'A-Z' 'a-z' | sed 's/_k$/_K/')
        local im_opt=""; [ -n "$imatrix" ] && im_opt="--imatrix $imatrix"
        "$MOTE" quantize "$model" "$T/m.gguf" "$P" --pure -q --min-error $im_opt
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
            "$MOTE" quantize "$model" "$T/c.gguf" "$P" --pure -q
            local c; c=$(rmse "$model" "$T/c.gguf" "$base"); set -- $c
            echo "| $base | $lr | $1 | $mr | $(awk -v a="$mr" -v b="$lr" 'BEGIN{ if (b+0>0) printf "%.4f", a/b; else print "n/a"}') |"
        fi
    done
}

table "$FIX/models/llama-tiny-f32.gguf" "" "llama-tiny (random weights, 256-wide rows), no imatrix"
table "$FIX/real/stories260K-f32.gguf" "" "stories260K (trained, 64/172-wide rows: 256-block types fall back), no imatrix"
IMX=$ROOT/tests/data/quantize
table "$FIX/models/llama-tiny-f32.gguf" "$IMX/llama-tiny.imatrix.gguf" "llama-tiny with an imatrix (llama-imatrix, text/stories.txt)"
table "$FIX/real/stories260K-f32.gguf" "$IMX/stories.imatrix.gguf" "stories260K with an imatrix (llama-imatrix, text/stories.txt)"

if [ -x "$LLAMA/llama-perplexity" ] && [ $have_llama = 1 ]; then
    ppl() {  # retries: llama-perplexity now and then exits (status 0) before its last log lines are out
        local r k
        for k in 1 2 3 4 5; do
            r=$("$LLAMA/llama-perplexity" -m "$1" -f "$FIX/text/stories.txt" -c 128 -b 128 -t 2 2>&1 |
                sed -n 's/.*Final estimate: PPL = \([0-9.]*\).*/\1/p')
            [ -n "$r" ] && break
        done
        echo "${r:-failed}"
    }
    S=$FIX/real/stories260K-f32.gguf
    echo; echo "### stories260K perplexity on text/stories.txt (llama-perplexity -c 128 -b 128; f32: $(ppl "$S"))"; echo
    echo "mote's default output is llama-quantize's, byte for byte (tests/unit/test_quantize_model.c,"
    echo "test_quantize_imatrix.c), so its perplexity is the llama-quantize column."; echo
    echo "| preset | llama-quantize = mote | mote --min-error | llama-quantize + imatrix = mote + imatrix | mote --min-error + imatrix |"
    echo "|---|---|---|---|---|"
    for P in ${PPL_TYPES:-Q8_0 Q6_K Q5_K_M Q5_1 Q4_K_M Q4_0 IQ4_NL Q2_K}; do
        "$LLAMA/llama-quantize" "$S" "$T/l.gguf" "$P" >/dev/null 2>&1
        "$MOTE" quantize "$S" "$T/m.gguf" "$P" -q --min-error
        "$LLAMA/llama-quantize" --imatrix "$IMX/stories.imatrix.gguf" "$S" "$T/li.gguf" "$P" >/dev/null 2>&1
        "$MOTE" quantize "$S" "$T/mi.gguf" "$P" -q --min-error --imatrix "$IMX/stories.imatrix.gguf"
        echo "| $P | $(ppl "$T/l.gguf") | $(ppl "$T/m.gguf") | $(ppl "$T/li.gguf") | $(ppl "$T/mi.gguf") |"
    done
fi
