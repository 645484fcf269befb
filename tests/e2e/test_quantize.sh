#!/usr/bin/env bash
# test_quantize.sh — `mote quantize` end to end: a quantized stories260K that
# mote can read back, the progress and summary it prints, and every failure
# (unknown type, quantized input, unwritable output, full disk) reported in
# one line with a non-zero exit and no output file left behind.
set -u
MOTE=${MOTE:?path of the mote binary}
FIX=${MOTE_FIXTURES:-}
if [ -z "$FIX" ] || [ ! -f "$FIX/real/stories260K-f32.gguf" ]; then
    echo "SKIP: fixtures not found (MOTE_FIXTURES)"; exit 77
fi
IN="$FIX/real/stories260K-f32.gguf"
T=$(mktemp -d)
MNT=""
cleanup() { [ -n "$MNT" ] && umount "$MNT" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# No file at all may be left in $1's directory but the ones listed after it.
only_files() {
    local dir=$1; shift
    local got; got=$(cd "$dir" && ls -A | sort | tr '\n' ' ')
    local want=""; [ $# -gt 0 ] && want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
    [ "$got" = "$want" ] || fail "files in $dir: '$got', expected '$want'"
}

# Expect failure: exit status non-zero, one line on stderr starting "mote quantize:" and containing $2.
expect_error() {
    local what=$1 needle=$2; shift 2
    "$@" >"$T/out.txt" 2>"$T/err.txt"
    local st=$?
    [ $st -ne 0 ] || fail "$what: exit status 0"
    [ "$(wc -l <"$T/err.txt")" -eq 1 ] || fail "$what: expected one line on stderr, got: $(cat "$T/err.txt")"
    grep -q "^mote quantize: .*$needle" "$T/err.txt" || fail "$what: message '$(cat "$T/err.txt")' lacks '$needle'"
}

# 1. The three presets of the fixtures, each read back by mote.
mkdir "$T/ok"
for type in q8_0 q4_0 q4_k_m; do
    if ! "$MOTE" quantize "$IN" "$T/ok/s-$type.gguf" "$type" -t 2 >"$T/log-$type.txt" 2>"$T/err.txt"; then
        fail "quantize $type: $(cat "$T/err.txt")"; continue
    fi
    "$MOTE" info "$T/ok/s-$type.gguf" >/dev/null || fail "mote info cannot read the $type output"
    # Progress: one line per tensor (48), with sizes; the fallbacks are explained.
    [ "$(grep -c '^\[ *[0-9]*/ *48\]' "$T/log-$type.txt")" -eq 48 ] || fail "$type: not 48 progress lines"
    grep -q "model size: .* -> .*bits per weight" "$T/log-$type.txt" || fail "$type: no summary line"
    # The file runs in mote: its perplexity (8 chunks of 128) equals what
    # mote computes on llama-quantize's file of the same type.
    ppl() { "$MOTE" perplexity -m "$1" -f "$FIX/text/stories.txt" -c 128 --chunks 8 2>&1 | sed -n 's/.*PPL = \([0-9.]*\).*/\1/p' | tail -1; }
    mine=$(ppl "$T/ok/s-$type.gguf"); ref=$(ppl "$FIX/real/stories260K-$type.gguf")
    [ -n "$mine" ] && [ "$mine" = "$ref" ] || fail "$type: perplexity of mote's file '$mine' differs from llama-quantize's file '$ref'"
done
grep -q "ffn_down.weight: rows of 172 values do not fit" "$T/log-q4_0.txt" || fail "q4_0: the ffn_down fallback is not reported"
grep -q "blk.0.ffn_down.weight .*f32 -> f16" "$T/log-q4_0.txt" || fail "q4_0: ffn_down did not fall back to f16"
grep -q "output.weight .*f32 -> q8_0" "$T/log-q4_k_m.txt" || fail "q4_k_m: output.weight not q8_0"
only_files "$T/ok" s-q8_0.gguf s-q4_0.gguf s-q4_k_m.gguf
# Sizes match llama-quantize's files of the same presets.
for type in q8_0 q4_0 q4_k_m; do
    a=$(stat -c %s "$T/ok/s-$type.gguf"); b=$(stat -c %s "$FIX/real/stories260K-$type.gguf")
    [ $((a > b ? a - b : b - a)) -lt 4096 ] || fail "$type: size $a far from llama-quantize's $b"
done

# 2. Options: --pure, --tensor-type, threads give identical bytes.
"$MOTE" quantize "$IN" "$T/ok/p1.gguf" q8_0 -t 1 -q && "$MOTE" quantize "$IN" "$T/ok/p2.gguf" q8_0 -t 3 -q \
    || fail "quantize with -t"
cmp -s "$T/ok/p1.gguf" "$T/ok/s-q8_0.gguf" && cmp -s "$T/ok/p2.gguf" "$T/ok/s-q8_0.gguf" || fail "output depends on the thread count"
"$MOTE" quantize "$IN" "$T/ok/tt.gguf" q4_0 --tensor-type 'attn_v\.weight=q8_0' >"$T/log-tt.txt" 2>&1 || fail "--tensor-type"
grep -q "blk.3.attn_v.weight .*-> q8_0" "$T/log-tt.txt" || fail "--tensor-type not applied"
"$MOTE" quantize "$IN" "$T/ok/pure.gguf" q8_0 --pure >"$T/log-pure.txt" 2>&1 || fail "--pure"
[ "$(grep -c -- '-> q8_0' "$T/log-pure.txt")" -ge 30 ] || fail "--pure did not use q8_0 everywhere it fits"

# 3. Errors.
mkdir "$T/err"
expect_error "unknown type" "unknown type 'q7_k'" "$MOTE" quantize "$IN" "$T/err/x.gguf" q7_k
expect_error "unknown option" "unknown option" "$MOTE" quantize "$IN" "$T/err/x.gguf" q4_0 --frobnicate
expect_error "missing input" "" "$MOTE" quantize "$T/err/nothing.gguf" "$T/err/x.gguf" q4_0
expect_error "quantized input" "already quantized" "$MOTE" quantize "$FIX/real/stories260K-q4_0.gguf" "$T/err/x.gguf" q8_0
expect_error "bad --tensor-type" "unknown type" "$MOTE" quantize "$IN" "$T/err/x.gguf" q4_0 --tensor-type 'attn=q9'
expect_error "missing imatrix" "imatrix" "$MOTE" quantize "$IN" "$T/err/x.gguf" q4_0 --imatrix "$T/err/none.dat"
expect_error "unwritable output" "" "$MOTE" quantize "$IN" "$T/no/such/dir/x.gguf" q4_0
only_files "$T/err"
if [ "$(id -u)" -ne 0 ]; then
    mkdir "$T/ro" && chmod 555 "$T/ro"
    expect_error "read-only directory" "" "$MOTE" quantize "$IN" "$T/ro/x.gguf" q4_0
    only_files "$T/ro"
fi

# 4. A full disk: a file size limit (EFBIG with SIGXFSZ ignored) and, when we
#    may mount, a 64 KiB tmpfs (ENOSPC). The output is about 200 KiB.
mkdir "$T/full"
( trap '' XFSZ; ulimit -f 64; exec "$MOTE" quantize "$IN" "$T/full/x.gguf" q8_0 -q ) 2>"$T/err.txt"
st=$?
[ $st -ne 0 ] || fail "file size limit: exit status 0"
grep -q "^mote quantize: " "$T/err.txt" || fail "file size limit: message '$(cat "$T/err.txt")'"
only_files "$T/full"
mkdir "$T/tmpfs"
if mount -t tmpfs -o size=64k tmpfs "$T/tmpfs" 2>/dev/null; then
    MNT="$T/tmpfs"
    expect_error "disk full" "" "$MOTE" quantize "$IN" "$T/tmpfs/x.gguf" q8_0 -q
    only_files "$T/tmpfs"
    umount "$T/tmpfs"; MNT=""
else
    echo "note: cannot mount a tmpfs here; the full-disk case is covered by the file size limit only"
fi

[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "ok"
