# serve_lib.sh — sourced by the test_serve*.sh tests: start `mote serve` on a
# free loopback port, wait until it answers, stop it with SIGTERM and check
# that it exits 0; the request helpers of the curl-driven tests. Every wait
# is bounded.

source "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh"

# A free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server LOG ARGS...: run mote serve in the background; sets SERVER_PID, PORT and URL.
start_server() {
    local log=$1
    shift
    PORT=$(free_port)
    URL="http://127.0.0.1:$PORT"
    "$MOTE" serve --port "$PORT" "$@" > "$log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        if curl -s -o /dev/null "$URL/health"; then return 0; fi
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" >&2; echo "FAIL: mote serve exited at start" >&2; exit 1; }
        sleep 0.1
    done
    echo "FAIL: mote serve did not answer within 10 s" >&2
    cat "$log" >&2
    exit 1
}

# stop_server: SIGTERM, then the exit status must be 0 within 15 s.
stop_server() {
    kill -TERM "$SERVER_PID"
    for _ in $(seq 150); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID"
        echo "FAIL: mote serve did not stop within 15 s of SIGTERM" >&2
        exit 1
    fi
    local rc=0
    wait "$SERVER_PID" || rc=$?
    SERVER_PID=
    [ "$rc" -eq 0 ] || { echo "FAIL: mote serve exited with $rc after SIGTERM" >&2; exit 1; }
}

# Kill a server left running by a failed test.
cleanup_server() {
    if [ -n "${SERVER_PID:-}" ]; then kill -KILL "$SERVER_PID" 2>/dev/null || true; fi
}

# serve_fixtures: the two models of the curl-driven tests — Q (qwen3-tiny
# q8_0, a chat model) and S (stories260K, a base model); exits 77 (skip)
# without the fixtures. Then a temporary $tmp, removed on exit with the server.
serve_fixtures() {
    Q="$MOTE_FIXTURES/models/qwen3-tiny-q8_0.gguf"
    S="$MOTE_ROOT/models/stories260K.gguf"
    [ -f "$Q" ] || { echo "SKIP: fixtures not found at $MOTE_FIXTURES"; exit 77; }
    make_tmp cleanup_server
}

# fail MESSAGE: the test fails now, with the end of the server's log ($tmp/log).
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/log" ] && tail -20 "$tmp/log" >&2; exit 1; }

# post PATH JSON: POST to the server; prints the body, and the status goes to
# $tmp/status (read it with `status`). At most 60 s.
post() { curl -s --max-time 60 -o "$tmp/body" -w '%{http_code}' -X POST "$URL$1" -H 'Content-Type: application/json' -d "$2" > "$tmp/status"; cat "$tmp/body"; }
status() { cat "$tmp/status"; }

# jq_ EXPR: a Python expression over d, the JSON document on stdin, printed.
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
