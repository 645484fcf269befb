#!/usr/bin/env bash
# test_pack.sh — `mote pack`: single-file executables. The bundled model is
# packed into an executable that then runs from another directory with no
# model file around:
#   - `NAME run` writes exactly the text `mote run -m MODEL` writes;
#   - `NAME` alone chats (batch mode on stdin) as `mote chat -m MODEL` does;
#   - `NAME info` describes the embedded model; `NAME serve` answers one
#     request over loopback on a free port (when curl is installed);
#   - default arguments (`-- run -n 8 --temp 0`) make `NAME -p TEXT` a run;
#   - its peak RSS is no larger than `mote run` with the separate file
#     (the model is mapped in place from the executable, never copied);
#   - bad use gets one line and a non-zero exit, and no file is left.
# MOTE_RUNNER (e.g. "qemu-arm -L /") runs a cross-built binary; .ci/arm-e2e.sh
# runs this test so for arm64 and armhf.
set -euo pipefail
ROOT=${MOTE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
read -r -a RUNNER <<<"${MOTE_RUNNER:-}"
MODEL=$ROOT/models/stories260K.gguf
tmp=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mote() { "${RUNNER[@]}" "$MOTE" "$@"; }
mkdir -p "$tmp/bin" "$tmp/elsewhere"

mote pack -m "$MODEL" -o "$tmp/bin/story" 2>"$tmp/err" || fail "mote pack: $(cat "$tmp/err")"
[ -x "$tmp/bin/story" ] || fail "the packed file is not executable"
cd "$tmp/elsewhere"
story() { "${RUNNER[@]}" "$tmp/bin/story" "$@"; }

mote run -m "$MODEL" -p "Once upon a time" -n 24 --temp 0 -t 1 >"$tmp/want.txt"
story run -p "Once upon a time" -n 24 --temp 0 -t 1 >"$tmp/got.txt" 2>"$tmp/err" || fail "story run: $(cat "$tmp/err")"
[ -s "$tmp/want.txt" ] && cmp -s "$tmp/want.txt" "$tmp/got.txt" || fail "story run wrote '$(cat "$tmp/got.txt")', not '$(cat "$tmp/want.txt")'"
echo "ok: the packed executable runs its model from another directory"

printf 'Hello\nWhere is the ball?\n' >"$tmp/q.txt"
mote chat -m "$MODEL" --temp 0 -n 12 <"$tmp/q.txt" >"$tmp/want.txt" 2>/dev/null
story --temp 0 -n 12 <"$tmp/q.txt" >"$tmp/got.txt" 2>"$tmp/err" || fail "story (chat): $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/got.txt")" -eq 2 ] && cmp -s "$tmp/want.txt" "$tmp/got.txt" || fail "story alone answered '$(cat "$tmp/got.txt")', mote chat '$(cat "$tmp/want.txt")'"
echo "ok: the packed executable alone chats"

story info >"$tmp/info.txt" 2>"$tmp/err" || fail "story info: $(cat "$tmp/err")"
grep -q "^architecture: *llama" "$tmp/info.txt" || fail "story info: $(cat "$tmp/info.txt")"
grep -q "1185376 bytes" "$tmp/info.txt" || fail "story info does not describe the embedded model: $(head -3 "$tmp/info.txt")"
echo "ok: info describes the embedded model"

if command -v curl >/dev/null && command -v python3 >/dev/null; then
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${RUNNER[@]}" "$tmp/bin/story" serve --port "$port" --quiet >"$tmp/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 300); do
        curl -s -o /dev/null "http://127.0.0.1:$port/health" && break
        kill -0 "$server_pid" 2>/dev/null || fail "story serve exited: $(cat "$tmp/serve.log")"
        sleep 0.1
    done
    answer=$(curl -s -m 60 "http://127.0.0.1:$port/api/generate" -d '{"model": "story", "prompt": "Once upon a time",
        "raw": true, "stream": false, "options": {"temperature": 0, "num_predict": 12}}')
    grep -q '"response":", there was a little girl' <<<"$answer" || fail "story serve answered '$answer'"
    kill -TERM "$server_pid"
    wait "$server_pid" || fail "story serve exited with $? after SIGTERM"
    server_pid=
    echo "ok: the packed executable serves its model (as 'story')"
else
    echo "note: no curl: serve not checked"
fi

mote pack -m "$MODEL" -o "$tmp/bin/story8" -- run -n 8 --temp 0 2>/dev/null
"${RUNNER[@]}" "$tmp/bin/story8" -p "Once upon a time" >"$tmp/got.txt" 2>/dev/null
mote run -m "$MODEL" -p "Once upon a time" -n 8 --temp 0 >"$tmp/want.txt"
cmp -s "$tmp/want.txt" "$tmp/got.txt" || fail "default arguments: '$(cat "$tmp/got.txt")', not '$(cat "$tmp/want.txt")'"
echo "ok: default arguments (-- run -n 8 --temp 0)"

# Peak RSS (KiB) of a command, from the kernel's accounting of the child.
peak_rss() {
    python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}
if [ "${MOTE_SANITIZE:-OFF}" = ON ]; then
    echo "note: sanitizer build: peak RSS not compared (the sanitizer's own memory dominates)"
else
    separate=$(peak_rss "${RUNNER[@]}" "$MOTE" run -m "$MODEL" -p "Once upon a time" -n 64 --temp 0 -t 1)
    packed=$(peak_rss "${RUNNER[@]}" "$tmp/bin/story" run -p "Once upon a time" -n 64 --temp 0 -t 1)
    echo "peak RSS: mote run with the separate file $separate KiB, the packed executable $packed KiB"
    # 2% for where the kernel (or qemu) happens to fault; a copy of the model
    # into memory would add 1.1 MiB (8%) and fail.
    [ "$packed" -le $((separate + separate / 50)) ] ||
        fail "the packed executable's peak RSS ($packed KiB) exceeds mote run's ($separate KiB)"
    echo "ok: peak RSS no larger than with the separate file"
fi

mote pack -m "$MODEL" 2>"$tmp/err" && fail "pack without -o succeeded"
grep -q "^mote pack: give the model and the executable" "$tmp/err" || fail "no -o: $(cat "$tmp/err")"
mote pack -m "$tmp/none.gguf" -o "$tmp/bin/x" 2>"$tmp/err" && fail "a missing model was packed"
grep -q "^mote pack: cannot open" "$tmp/err" || fail "missing model: $(cat "$tmp/err")"
mote pack -m "$MODEL" -o /dev/null 2>"$tmp/err" && fail "-o /dev/null accepted"
grep -q "not a regular file" "$tmp/err" || fail "-o /dev/null: $(cat "$tmp/err")"
mote pack -m "$MODEL" -o "$tmp/bin/x" -- nonsense 2>"$tmp/err" && fail "an unknown default command accepted"
[ ! -e "$tmp/bin/x" ] || fail "a refused pack left $tmp/bin/x"
[ -z "$(ls "$tmp/bin" | grep tmp || true)" ] || fail "temporary files left: $(ls "$tmp/bin")"
echo "ok: errors"
