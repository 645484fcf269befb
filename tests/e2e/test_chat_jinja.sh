#!/usr/bin/env bash
# test_chat_jinja.sh — `mote chat` / `mote run` with a chat template no
# built-in format matches: --chat-template-file runs it through mote's Jinja
# interpreter (and a broken template is a one-line error naming the line).
set -euo pipefail
L="$MOTE_FIXTURES/models/llama-tiny-f32.gguf"
[ -f "$L" ] || { echo "SKIP: fixtures not found at $MOTE_FIXTURES"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# A template of no known family (Qwen 2.5's default system prompt is refused by detection).
T="$MOTE_ROOT/tests/data/jinja/templates/Qwen-Qwen2.5-7B-Instruct.jinja"
echo Hi | "$MOTE" chat -m "$L" --chat-template-file "$T" --temp 0 -n 3 --verbose-prompt 2> "$tmp/err" > "$tmp/a.txt"
grep -qxF 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>' "$tmp/err" \
    || fail "the template's default system prompt is missing: $(cat "$tmp/err")"
grep -qxF 'Hi<|im_end|>' "$tmp/err" || fail "no user turn: $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/a.txt")" -eq 1 ] || fail "no answer with a Jinja template"

# run passes --chat-template-file on, with a one-shot prompt.
"$MOTE" run -m "$L" -p Hello --chat-template-file "$T" --temp 0 -n 2 --verbose-prompt 2> "$tmp/err" > /dev/null
grep -qxF 'Hello<|im_end|>' "$tmp/err" || fail "mote run --chat-template-file: $(cat "$tmp/err")"

# A custom template with loops, macros and filters.
cat > "$tmp/custom.jinja" <<'JINJA'
{%- macro turn(role, text) -%}
[{{ role | upper }}] {{ text | trim }}
{% endmacro -%}
{%- for m in messages %}{{ turn(m.role, m.content) }}{% endfor -%}
{%- if add_generation_prompt %}[ASSISTANT]{% endif %}
JINJA
echo '  Hi there  ' | "$MOTE" chat -m "$L" --chat-template-file "$tmp/custom.jinja" --temp 0 -n 2 --verbose-prompt \
    2> "$tmp/err" > /dev/null
grep -qxF '[USER] Hi there' "$tmp/err" || fail "custom template: $(cat "$tmp/err")"

# Errors: the construct and the line.
printf 'ok\n{%% for m in messages %%}\n{{ m | nosuch }}\n{%% endfor %%}\n' > "$tmp/bad.jinja"
if echo Hi | "$MOTE" chat -m "$L" --chat-template-file "$tmp/bad.jinja" -n 2 2> "$tmp/err" > /dev/null; then
    fail "a template with an unknown filter was accepted"
fi
grep -q "line 3: unknown filter 'nosuch'" "$tmp/err" || fail "unhelpful error: $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "the error is not one line: $(cat "$tmp/err")"
printf '{{ raise_exception("only user turns") }}' > "$tmp/raise.jinja"
if echo Hi | "$MOTE" chat -m "$L" --chat-template-file "$tmp/raise.jinja" -n 2 2> "$tmp/err" > /dev/null; then
    fail "raise_exception did not fail"
fi
grep -q "only user turns" "$tmp/err" || fail "raise_exception message lost: $(cat "$tmp/err")"
echo "ok"
