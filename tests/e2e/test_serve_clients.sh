#!/usr/bin/env bash
# test_serve_clients.sh — the npm `ollama` and `openai` client libraries
# against `mote serve` (serve_clients.mjs); their greedy answers equal
# `mote run`'s. The packages are installed into the build directory on first
# use (npm_setup.sh); without node or network the test is skipped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/serve_lib.sh"
need_mote
source "$here/npm_setup.sh"
Q="$MOTE_FIXTURES/models/qwen3-tiny-f32.gguf"
S="$MOTE_ROOT/models/stories260K.gguf"
[ -f "$Q" ] || { echo "SKIP: fixtures not found at $MOTE_FIXTURES"; exit 77; }
need_npm_packages ollama openai
tmp=$(mktemp -d)
trap 'cleanup_server; rm -rf "$tmp"' EXIT

raw=$("$MOTE" run -m "$S" -p "Once upon a time" -n 24 --temp 0 2>/dev/null)
raw=${raw#" Once upon a time"}
chat=$("$MOTE" run -m "$Q" -p "Hello there" -n 12 --temp 0 2>/dev/null)
expected=$(python3 -c 'import json, sys; print(json.dumps({"raw": sys.argv[1], "chat": sys.argv[2]}))' "$raw" "$chat")

start_server "$tmp/log" -m "$S" -m "$Q" --quiet
# node resolves the packages from the script's directory upward: run a copy beside node_modules
cp "$here/serve_clients.mjs" "$NPM_DIR/"
timeout 120 node "$NPM_DIR/serve_clients.mjs" "$URL" "$expected" || { tail -20 "$tmp/log" >&2; exit 1; }
stop_server
echo ok
