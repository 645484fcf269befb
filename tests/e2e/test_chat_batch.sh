#!/usr/bin/env bash
# test_chat_batch.sh — `mote chat` for scripts (stdin not a terminal): one
# answer per line, each question in a fresh conversation; --system,
# --messages, --chat-template, --verbose-prompt, --verbose; clear errors.
set -euo pipefail
M="$MOTE_FIXTURES/models/qwen3-tiny-f32.gguf"
[ -f "$M" ] || { echo "SKIP: fixtures not found at $MOTE_FIXTURES"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# One answer per line; a blank line gets an empty answer line, so answer N
# is on line N (issue 13); the same question gets the same answer.
printf 'Hello\nWhat is 2+2?\n\nHello\n' > "$tmp/q.txt"
"$MOTE" chat -m "$M" --temp 0 -n 16 < "$tmp/q.txt" > "$tmp/a.txt"
[ "$(wc -l < "$tmp/a.txt")" -eq 4 ] || fail "expected 4 answer lines, got: $(cat "$tmp/a.txt")"
[ -z "$(sed -n 3p "$tmp/a.txt")" ] || fail "the blank question did not get an empty answer line"
[ "$(sed -n 1p "$tmp/a.txt")" = "$(sed -n 4p "$tmp/a.txt")" ] || fail "a repeated question got another answer"
[ "$(sed -n 1p "$tmp/a.txt")" != "$(sed -n 2p "$tmp/a.txt")" ] || fail "two questions got the same answer"
[ -n "$(sed -n 1p "$tmp/a.txt")" ] || fail "empty answer"

# The exact Qwen 3 prompt, and timings.
echo Hello | "$MOTE" chat -m "$M" --temp 0 -n 4 --verbose-prompt --verbose 2> "$tmp/err" > /dev/null
grep -q '^<|im_start|>user$' "$tmp/err" || fail "no user turn in --verbose-prompt: $(cat "$tmp/err")"
grep -q '^Hello<|im_end|>$' "$tmp/err" || fail "no 'Hello<|im_end|>' in --verbose-prompt"
grep -q '^prompt eval count: *[0-9]* token(s)$' "$tmp/err" || fail "no prompt eval count in --verbose"
grep -q '^eval rate: .* tokens/s$' "$tmp/err" || fail "no eval rate in --verbose"

# --messages starts from a saved conversation; --system replaces its system prompt.
cat > "$tmp/conv.json" <<'JSON'
[{"role": "system", "content": "Saved system prompt"},
 {"role": "user", "content": "Earlier question"},
 {"role": "assistant", "content": "Earlier answer"}]
JSON
echo Hello | "$MOTE" chat -m "$M" --temp 0 -n 4 --messages "$tmp/conv.json" --verbose-prompt 2> "$tmp/err" > /dev/null
for line in 'Saved system prompt<|im_end|>' 'Earlier question<|im_end|>' 'Earlier answer<|im_end|>' 'Hello<|im_end|>'; do
    grep -qxF "$line" "$tmp/err" || fail "--messages: '$line' missing from the prompt"
done
echo Hello | "$MOTE" chat -m "$M" -n 4 --messages "$tmp/conv.json" --system "Other rules" --verbose-prompt \
    2> "$tmp/err" > /dev/null
grep -qxF 'Other rules<|im_end|>' "$tmp/err" || fail "--system did not replace the saved system prompt"
! grep -q 'Saved system prompt' "$tmp/err" || fail "the saved system prompt is still there"

# A model without a chat template: talked to as Ollama does (the text is the
# prompt, the continuation the answer), said once on stderr (issue 13);
# a format can still be named.
L="$MOTE_FIXTURES/models/llama-tiny-f32.gguf"
printf 'Hi\nThere\n' | "$MOTE" chat -m "$L" --temp 0 -n 3 2> "$tmp/err" > "$tmp/a.txt" || fail "no chat without a template: $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/a.txt")" -eq 2 ] || fail "expected 2 answers without a template, got: $(cat "$tmp/a.txt")"
[ "$(grep -c 'no chat template' "$tmp/err")" -eq 1 ] || fail "the missing template is not said once: $(cat "$tmp/err")"
echo Hi | "$MOTE" chat -m "$L" --chat-template zephyr --temp 0 -n 3 --verbose-prompt 2> "$tmp/err" > "$tmp/a.txt"
grep -qxF '<|user|>' "$tmp/err" || fail "--chat-template zephyr not applied"
[ "$(wc -l < "$tmp/a.txt")" -eq 1 ] || fail "no answer with --chat-template"

# --chat-template-file: the format of a Jinja file (here Phi-3.5's).
echo Hi | "$MOTE" chat -m "$L" --chat-template-file "$MOTE_ROOT/tests/data/chat/templates/microsoft-Phi-3.5-mini-instruct.jinja" \
    --temp 0 -n 3 --verbose-prompt 2> "$tmp/err" > /dev/null
grep -qxF 'Hi<|end|>' "$tmp/err" || fail "--chat-template-file not applied: $(cat "$tmp/err")"

# Bad input: one line naming the problem, a non-zero status.
if echo Hi | "$MOTE" chat -m "$M" --chat-template vicuna 2> "$tmp/err"; then fail "unknown template accepted"; fi
grep -q "unknown chat template 'vicuna'.*chatml" "$tmp/err" || fail "unknown template: $(cat "$tmp/err")"
if echo Hi | "$MOTE" chat -m "$tmp/none.gguf" 2> "$tmp/err"; then fail "missing model accepted"; fi
grep -q '^mote chat: .*none.gguf' "$tmp/err" || fail "missing model: $(cat "$tmp/err")"
if echo Hi | "$MOTE" chat -m "$M" --temp hot 2> "$tmp/err"; then fail "bad --temp accepted"; fi
grep -q "^mote chat: --temp expects a number, not 'hot'" "$tmp/err" || fail "bad --temp: $(cat "$tmp/err")"
if echo Hi | "$MOTE" chat -m "$M" --top-p -1 2> "$tmp/err"; then fail "negative --top-p accepted"; fi
grep -q '^mote chat: --top-p -1: expected a number from 0 to 1' "$tmp/err" || fail "negative --top-p: $(cat "$tmp/err")"
echo "ok"
