#!/usr/bin/env bash
# test_run.sh — `mote run` end to end on stories260K against llama.cpp's
# greedy continuations (real/*.greedy-once.txt: the prompt as its tokens
# read back, then 200 generated tokens; llama.cpp's tool added two newlines
# at the end, and mote one, so trailing newlines are not compared).
#   f32: all 200 tokens; q8_0: the first 100; q4_0, q4_k_m: the first 30.
# A prefix of N tokens is checked by generating exactly N (--verbose must
# report "eval count: N") and requiring the printed text to be a prefix of
# the reference. Then the errors: missing model, prompt longer than the
# context, a context larger than memory, bad flags.
set -u
source "$(dirname "$0")/e2e_lib.sh"
need_mote; need_fixtures
R="$F/real"
make_tmp

# check_prefix TYPE N: the first N greedy tokens print a prefix of the reference.
check_prefix() {
    local type=$1 n=$2 model="$R/stories260K-$1.gguf" ref="$R/stories260K-$1.greedy-once.txt"
    if ! "$MOTE" run -m "$model" -p "Once upon a time" -n "$n" --temp 0 --verbose >"$tmp/out" 2>"$tmp/err"; then
        if grep -q "cannot compute" "$tmp/err"; then echo "note: $type skipped: $(cat "$tmp/err")"; return; fi
        err "$type: mote run failed: $(cat "$tmp/err")"; return
    fi
    grep -Eq "^eval count: +$n token" "$tmp/err" || err "$type: did not generate $n tokens: $(grep 'eval count' "$tmp/err")"
    local out expected
    out=$(cat "$tmp/out"); expected=$(cat "$ref")
    if [ "$n" = 200 ]; then
        [ "$out" == "$expected" ] || { err "$type: output differs from the reference"; diff <(echo "$out") <(echo "$expected") | head -5; }
    else
        [ "${expected:0:${#out}}" == "$out" ] || err "$type: first $n tokens are not a prefix of the reference: $out"
    fi
    [ ${#out} -gt 60 ] || err "$type: output too short: $out"
    echo "ok: $type, $n tokens match"
}

check_prefix f32 200
check_prefix q8_0 100
check_prefix q4_0 30
check_prefix q4_k_m 30

# --verbose reports the Ollama-style timings
for field in "load duration" "prompt eval count" "prompt eval duration" "prompt eval rate" "eval count" \
             "eval duration" "eval rate" "total duration" "peak RSS"; do
    grep -q "^$field:" "$tmp/err" || err "--verbose lacks '$field'"
done

# the bundled model is the default
if cmp -s "${MOTE_ROOT:-.}/models/stories260K.gguf" "$R/stories260K-f32.gguf"; then
    out=$(cd "${MOTE_ROOT:-.}" && "$MOTE" run -p "Once upon a time" -n 200 --temp 0 2>/dev/null)
    [ "$out" == "$(cat "$R/stories260K-f32.greedy-once.txt")" ] || err "default model: output differs"
fi

# expect_error STATUS PATTERN ARGS...: fails with that status and one line naming the problem
expect_error() {
    local want=$1 pattern=$2; shift 2
    "$MOTE" run "$@" >/dev/null 2>"$tmp/err"; local got=$?
    [ "$got" = "$want" ] || err "run $*: exit status $got, expected $want"
    grep -q "^mote run: .*$pattern" "$tmp/err" || err "run $*: message lacks '$pattern': $(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/err")" = 1 ] || err "run $*: expected one line on stderr, got: $(cat "$tmp/err")"
}
M="$R/stories260K-f32.gguf"
expect_error 1 "/nonexistent/model.gguf" -m /nonexistent/model.gguf -p "hi"
expect_error 1 "longer than the context" -m "$M" -p "Once upon a time there was a little girl" -c 4
expect_error 1 "more than" -m "$M" -p "hi" -c 2000000000
expect_error 2 "integer" -m "$M" -p "hi" -n abc
expect_error 2 "unknown option" -m "$M" -p "hi" --bogus 1
# no prompt: a chat (as `ollama run MODEL`); this model has no chat template,
# so each line is text it continues (issue 13)
out=$(echo "Once upon a time" | "$MOTE" run -m "$M" -n 8 --temp 0 2>"$tmp/err")
[ -n "$out" ] && [ "$(echo "$out" | wc -l)" = 1 ] || err "run without a prompt: expected one answer line, got '$out'"
grep -q "no chat template" "$tmp/err" || err "run without a prompt: no note about the missing template: $(cat "$tmp/err")"
expect_error 2 "not both" -m "$M" -p "hi" -f "$tmp/err"
expect_error 2 "need a chat" -m "$M" -p "hi" --system "be brief"
expect_error 2 "needs a value" -m "$M" -p
"$MOTE" run --help | grep -q "usage: mote run" || err "--help"

# -f reads the prompt from a file: the same text as -p; --stop ends the
# continuation right after the stop string.
printf 'Once upon a time' >"$tmp/prompt.txt"
a=$("$MOTE" run -m "$M" -p "Once upon a time" -n 12 --temp 0 2>&1)
b=$("$MOTE" run -m "$M" -f "$tmp/prompt.txt" -n 12 --temp 0 2>&1)
[ "$a" == "$b" ] || err "-f and -p differ: '$a' vs '$b'"
s=$("$MOTE" run -m "$M" -p "Once upon a time" --temp 0 --stop "Lily" 2>&1)
case "$s" in *Lily) ;; *) err "--stop Lily: output does not end at the stop string: '$s'" ;; esac

# A model with a chat template: `run -p` is one chat turn (the same answer as
# `mote chat`, whose session is held to hand-formatted greedy decoding by
# test_chat_session); --raw continues the text instead; without -p, stdin
# lines are questions, one answer line each.
Q="$F/models/qwen3-tiny-f32.gguf"
chat=$(echo "Hello there" | "$MOTE" chat -m "$Q" --temp 0 -n 8 2>&1)
run=$("$MOTE" run -m "$Q" -p "Hello there" --temp 0 -n 8 2>&1)
[ -n "$run" ] && [ "$run" == "$chat" ] || err "run -p on a chat model: '$run', chat answered '$chat'"
raw=$("$MOTE" run -m "$Q" -p "Hello there" --raw --temp 0 -n 8 2>&1)
case "${raw# }" in "Hello there"*) ;; *) err "run --raw does not continue the prompt: '$raw'" ;; esac
lines=$(printf 'Hello there\nWhat is this?\n' | "$MOTE" run -m "$Q" --temp 0 -n 8 | wc -l)
[ "$lines" = 2 ] || err "run without -p on piped stdin: $lines answer lines, expected 2"

exit $fail
