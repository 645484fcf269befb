#!/usr/bin/env bash
# test_quantize_budget.sh — `mote imatrix` and the budget mode of `mote
# quantize` end to end on stories260K: an imatrix file that the quantizer
# reads; --target-bpw and --target-size files within 2% of the budget (bits
# per weight as `mote info` counts them, file size); a budget below the
# smallest mix refused with no file left; and at Q4_K_M's size, the budget
# mix's perplexity no worse than the Q4_K_M preset's with the same imatrix
# (mote's preset writes llama-quantize's bytes).
set -u
MOTE=${MOTE:?path of the mote binary}
FIX=${MOTE_FIXTURES:-}
if [ -z "$FIX" ] || [ ! -f "$FIX/real/stories260K-f32.gguf" ]; then
    echo "SKIP: fixtures not found (MOTE_FIXTURES)"; exit 77
fi
IN="$FIX/real/stories260K-f32.gguf"
TEXT="$FIX/text/stories.txt"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
bpw() { "$MOTE" info "$1" | awk '/^bits per weight/ {print $4}'; }
ppl() { "$MOTE" perplexity -m "$1" -f "$TEXT" -c 128 --chunks 8 | awk '/Final estimate/ {print $5}'; }
within() { awk -v a="$1" -v b="$2" -v tol="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= tol * b) }'; }

# 1. mote imatrix: a file the quantizer reads (35 matrices of 5 layers).
"$MOTE" imatrix -m "$IN" -f "$TEXT" -c 128 --chunks 8 -o "$T/im.gguf" >"$T/out.txt" 2>&1 ||
    fail "mote imatrix: $(cat "$T/out.txt")"
grep -q "35 matrices" "$T/out.txt" || fail "mote imatrix: $(cat "$T/out.txt")"
"$MOTE" quantize --imatrix "$T/im.gguf" "$IN" "$T/q4km.gguf" Q4_K_M >"$T/out.txt" 2>&1 || fail "quantize Q4_K_M with mote's imatrix"
grep -q "importance matrix: 35 tensors" "$T/out.txt" || fail "imatrix not read: $(head -3 "$T/out.txt")"

# 2. Budgets: Q4_K_M's bits per weight, a lower one, and a file size.
target=$(bpw "$T/q4km.gguf")
"$MOTE" quantize --imatrix "$T/im.gguf" "$IN" "$T/b1.gguf" --target-bpw "$target" >"$T/out.txt" 2>&1 ||
    fail "--target-bpw $target: $(tail -1 "$T/out.txt")"
grep -q "^budget: .*mix:" "$T/out.txt" || fail "--target-bpw: no mix printed"
got=$(bpw "$T/b1.gguf")
within "$got" "$target" 0.02 || fail "--target-bpw $target gave $got bits per weight"
"$MOTE" quantize "$IN" "$T/b2.gguf" --target-bpw 7.2 -q || fail "--target-bpw 7.2 failed"
got=$(bpw "$T/b2.gguf")
within "$got" 7.2 0.02 || fail "--target-bpw 7.2 gave $got bits per weight"
"$MOTE" quantize "$IN" "$T/b3.gguf" Q4_0 --target-size 320K -q || fail "--target-size 320K failed"
size=$(stat -c %s "$T/b3.gguf")
within "$size" 327680 0.02 || fail "--target-size 320K gave $size bytes"
"$MOTE" info "$T/b3.gguf" >/dev/null || fail "mote cannot read the budget file"

# 3. Impossible budget: one line, non-zero exit, no file.
if "$MOTE" quantize "$IN" "$T/none.gguf" --target-bpw 3 -q 2>"$T/err.txt"; then fail "--target-bpw 3 succeeded"; fi
grep -q "^mote quantize: .*below the smallest mix" "$T/err.txt" || fail "--target-bpw 3: $(cat "$T/err.txt")"
[ ! -e "$T/none.gguf" ] || fail "--target-bpw 3 left a file"

# 4. Same size, same imatrix: the budget mix predicts no worse than the preset.
p_preset=$(ppl "$T/q4km.gguf")
p_budget=$(ppl "$T/b1.gguf")
echo "Q4_K_M preset PPL $p_preset, budget mix at $target bpw PPL $p_budget (8 chunks)"
awk -v a="$p_budget" -v b="$p_preset" 'BEGIN { exit !(a <= b) }' || fail "budget PPL $p_budget > preset PPL $p_preset"

[ $fails -eq 0 ] && echo "all budget checks passed"
[ $fails -eq 0 ]
