#!/usr/bin/env bash
# test_serve_load.sh — `mote serve` under many and hostile clients
# (serve_load.py): 16 concurrent greedy requests equal the same requests one
# at a time (a base model and a chat model), 64 concurrent streams, a full
# queue (503 + Retry-After), a client leaving mid-stream, a client sending
# one byte per second, an idle connection; SIGTERM during a generation
# still exits 0.
set -euo pipefail
here=$(dirname "$0")
source "$here/serve_lib.sh"
need_mote
Q="$MOTE_FIXTURES/models/qwen3-tiny-f32.gguf"
S="$MOTE_ROOT/models/stories260K.gguf"
[ -f "$Q" ] || { echo "SKIP: fixtures not found at $MOTE_FIXTURES"; exit 77; }
tmp=$(mktemp -d)
trap 'cleanup_server; rm -rf "$tmp"' EXIT
load() { python3 "$here/serve_load.py" "$URL" "$@" || { tail -20 "$tmp/log" >&2; exit 1; }; }

start_server "$tmp/log" -m "$S" -m "$Q" --parallel 4 --quiet --timeout 3
load concurrent stories260K 16
load concurrent qwen3-tiny-f32 8
load streams stories260K 64
load disconnect stories260K
load slowloris stories260K
load idle
# SIGTERM while a long answer streams: the server drains and exits 0
curl -sN "$URL/api/generate" -d '{"model":"stories260K","prompt":"Once","options":{"num_predict":-1}}' > "$tmp/drain" &
curl_pid=$!
sleep 0.5
stop_server
wait "$curl_pid" || true
tail -1 "$tmp/drain" | grep -q '"done":true' || { echo "FAIL: the stream in flight did not end with done:true" >&2; exit 1; }

start_server "$tmp/log" -m "$S" --parallel 1 --queue 1 --quiet
load busy stories260K
stop_server
echo ok
