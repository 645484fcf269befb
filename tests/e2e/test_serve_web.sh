#!/usr/bin/env bash
# test_serve_web.sh — the chat page at / in headless Chromium (serve_web.mjs):
# type a message, see a streamed answer, press stop. Skipped without
# Debian's chromium, node, or the playwright-core package (npm_setup.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/serve_lib.sh"
need_mote
source "$here/npm_setup.sh"
Q="$MOTE_FIXTURES/models/qwen3-tiny-f32.gguf"
[ -f "$Q" ] || { echo "SKIP: fixtures not found at $MOTE_FIXTURES"; exit 77; }
[ -x /usr/bin/chromium ] || { echo "SKIP: /usr/bin/chromium is needed (apt-get install chromium)"; exit 77; }
need_npm_packages playwright-core
tmp=$(mktemp -d)
trap 'cleanup_server; rm -rf "$tmp"' EXIT

# a long context, so an answer streams long enough to be stopped
start_server "$tmp/log" -m "$Q" -c 8192 --parallel 1 --quiet
cp "$here/serve_web.mjs" "$NPM_DIR/"
timeout 120 node "$NPM_DIR/serve_web.mjs" "$URL" "$tmp/profile" || { tail -20 "$tmp/log" >&2; exit 1; }
# the stopped answers freed the slot
for _ in $(seq 50); do
    curl -s "$URL/metrics" | grep -q '^mote_busy_slots 0$' && break
    sleep 0.1
done
curl -s "$URL/metrics" > "$tmp/metrics"
grep -q '^mote_busy_slots 0$' "$tmp/metrics" || { echo "FAIL: a slot is still busy after stop" >&2; exit 1; }
stop_server
echo ok
