#!/usr/bin/env bash
# test_serve_structured.sh — structured output (Ollama format, OpenAI
# response_format), forced tool calls returned as structured tool_calls
# (whole and streamed, both APIs), tool results and thinking through the
# template, on the random-weight fixtures: serve_structured.py does the checks.
set -euo pipefail
here=$(dirname "$0")
source "$here/serve_lib.sh"
need_mote
Q3="$MOTE_FIXTURES/models/qwen3-tiny-q8_0.gguf"
Q2="$MOTE_FIXTURES/models/qwen2-tiny-q8_0.gguf"
S="$MOTE_ROOT/models/stories260K.gguf"
[ -f "$Q3" ] || { echo "SKIP: fixtures not found at $MOTE_FIXTURES"; exit 77; }
need_python_module jsonschema python3-jsonschema
tmp=$(mktemp -d)
trap 'cleanup_server; rm -rf "$tmp"' EXIT
# -c 1024: the tool definitions alone take ~450 tokens of the tiny models' context
start_server "$tmp/log" -m "$Q3" -m "$Q2" -m "$S" --parallel 2 -c 1024
python3 "$here/serve_structured.py" "$URL" || { tail -20 "$tmp/log" >&2; exit 1; }
stop_server
echo "ok"
