#!/usr/bin/env bash
# test_tokenize.sh — `mote tokenize` end to end: the ids llama.cpp gives for
# stories260K's prompt, each output format, special-token parsing, and the
# one-line errors for bad command lines.
set -u
: "${MOTE:?set MOTE to the mote binary}"
FIX="${MOTE_FIXTURES:-}"
ROOT="${MOTE_ROOT:-.}"
MODEL="$ROOT/models/stories260K.gguf"
if [ -z "$FIX" ] || [ ! -f "$FIX/real/stories260K-f32.tokens.txt" ] || [ ! -f "$MODEL" ]; then
    echo "SKIP: fixtures or models/stories260K.gguf not found"
    exit 77
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_eq() { [ "$1" == "$2" ] || fail "$3: expected [$2], got [$1]"; }

SENTENCE="Once upon a time, there was a little girl named Lily. She loved to play"
want="[$(sed 's/,/, /g' "$FIX/real/stories260K-f32.tokens.txt" | tr -d '\n')]"

# ids, from -p, from -f and from standard input
expect_eq "$("$MOTE" tokenize -m "$MODEL" -p "$SENTENCE" --ids)" "$want" "--ids -p"
printf '%s' "$SENTENCE" > "$TMP/in.txt"
expect_eq "$("$MOTE" tokenize -m "$MODEL" -f "$TMP/in.txt" --ids)" "$want" "--ids -f"
expect_eq "$(printf '%s' "$SENTENCE" | "$MOTE" tokenize -m "$MODEL" -f - --ids)" "$want" "--ids -f -"
expect_eq "$("$MOTE" tokenize -m "$MODEL" -p "Once upon a time" --ids)" "[1, 403, 407, 261, 378]" "Once upon a time"
expect_eq "$("$MOTE" tokenize -m "$MODEL" -p "Once upon a time" --ids --no-bos)" "[403, 407, 261, 378]" "--no-bos"

# id 'piece' lines
out=$("$MOTE" tokenize -m "$MODEL" -p "Once upon a time")
expect_eq "$(echo "$out" | wc -l | tr -d ' ')" "5" "line count"
expect_eq "$(echo "$out" | sed -n 1p)" "     1 '<s>'" "first line"
expect_eq "$(echo "$out" | sed -n 2p)" "   403 ' Once'" "second line"
expect_eq "$("$MOTE" tokenize -m "$MODEL" -p $'a\nb' --no-bos | sed -n 2p)" "    13 '\\n'" "escaped newline"

# JSON
json=$("$MOTE" tokenize -m "$MODEL" -p "Once upon a time" --json)
case "$json" in
*'"n_tokens":5'*'{"id":1,"piece":"<s>"},{"id":403,"piece":" Once"}'*) ;;
*) fail "--json: unexpected output: $json" ;;
esac

# special tokens: text unless --parse-special
QWEN="$FIX/vocab/ggml-vocab-qwen2.gguf"
expect_eq "$("$MOTE" tokenize -m "$QWEN" -p "<|im_start|>user" --ids --parse-special)" "[151644, 872]" "--parse-special"
plain=$("$MOTE" tokenize -m "$QWEN" -p "<|im_start|>user" --ids)
case "$plain" in *151644*) fail "control token parsed without --parse-special: $plain" ;; esac

# errors: exit status and one line on stderr naming the problem
check_error() { # expected-status stderr-pattern args...
    local want_status=$1 pattern=$2
    shift 2
    "$MOTE" tokenize "$@" > "$TMP/out" 2> "$TMP/err"
    local status=$?
    [ "$status" -eq "$want_status" ] || fail "'$*': exit status $status, expected $want_status"
    grep -q -- "$pattern" "$TMP/err" || fail "'$*': stderr lacks '$pattern': $(cat "$TMP/err")"
    [ "$(wc -l < "$TMP/err")" -eq 1 ] || fail "'$*': stderr is not one line: $(cat "$TMP/err")"
    [ ! -s "$TMP/out" ] || fail "'$*': printed to stdout on error"
}
check_error 2 "mote tokenize: no model" -p "hi"
check_error 2 "not both" -m "$MODEL" -p "hi" -f "$TMP/in.txt"
check_error 2 "no text" -m "$MODEL"
check_error 1 "cannot read '$TMP/missing.txt'" -m "$MODEL" -f "$TMP/missing.txt"
check_error 1 "mote tokenize: .*nonexistent.gguf" -m "$TMP/nonexistent.gguf" -p "hi"
check_error 2 "unknown option '--bogus'" -m "$MODEL" -p "hi" --bogus
check_error 2 "needs a value" -m "$MODEL" -p
printf 'not a gguf file at all' > "$TMP/bad.gguf"
check_error 1 "mote tokenize: " -m "$TMP/bad.gguf" -p "hi"

if [ "$fails" -ne 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "ok"
