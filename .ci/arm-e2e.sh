#!/usr/bin/env bash
# arm-e2e.sh — the whole of `mote` cross-built for arm64 and armhf (ARMv7
# NEON, the Raspberry Pi 2) against Debian's multiarch libraries, and run end
# to end under qemu-user next to the native x86 build:
#   - stories260K greedy text identical to x86's at 1 and 2 threads;
#   - perplexity within 0.5% of x86's (the tolerance of test_perplexity.sh),
#     on the first chunks of the fixtures' stories.txt;
#   - chat batch mode (stdin not a terminal) answering as x86 does;
#   - quantize: the same bytes as x86's output;
#   - one `mote serve` request over loopback on a free port;
#   - the quick unit tests (cmocka) that touch sizes, byte order, files and
#     threads, cross-built and run by ctest through qemu (the toolchain's
#     emulator): the GGUF reader on good and hostile files, pack, loading,
#     vocabularies, sampling, grammars, the server's request parsing, ...;
#   - the Debian package (cpack -G DEB): built, unpacked with dpkg -x into a
#     scratch root and run from another directory (tests/e2e/test_package.sh);
#   - `mote pack`: a single executable with the model inside runs, chats and
#     serves from another directory, peak RSS no larger than with the
#     separate file (tests/e2e/test_pack.sh).
# Called by .ci/run; runs alone too: `bash .ci/arm-e2e.sh` after the native
# build in build/ (cmd1 of the README). Installs what it needs (Debian's
# cross compilers, qemu-user and the :arm64 / :armhf -dev packages, adding
# the architectures to dpkg) unless already there. Build trees:
# $MOTE_ARM_BUILD/{arm64,armhf} (default build-arm/ in the checkout).
# ARM programs run as `qemu-… -L /`: the multiarch root, whose glibc the
# libraries were built against (the cross sysroot's glibc mixed with them
# hangs threaded programs under qemu).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${MOTE_ARM_BUILD:-$ROOT/build-arm}
X86=${MOTE_X86:-$ROOT/build/mote}
FIX=${MOTE_FIXTURES:-$ROOT/../shared/fixtures}
JOBS=${JOBS:-2}
export DEBIAN_FRONTEND=noninteractive

[ -x "$X86" ] || { echo "arm-e2e: no native build at $X86 (build it first: cmake -S . -B build && cmake --build build)" >&2; exit 1; }

# --- what the stage needs ----------------------------------------------------
LIBS="libc6-dev libcmocka-dev libpcre2-dev libutf8proc-dev libedit-dev libmicrohttpd-dev libcjson-dev libexttextcat-dev libsqlite3-dev"
want=(gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf qemu-user dpkg-dev curl python3)
for arch in arm64 armhf; do
    for lib in $LIBS; do want+=("$lib:$arch"); done
done
if ! dpkg -s "${want[@]}" >/dev/null 2>&1; then
    added=0
    for arch in arm64 armhf; do
        if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then dpkg --add-architecture "$arch"; added=1; fi
    done
    if [ "$added" = 1 ]; then apt-get update; fi
    apt-get install -y --no-install-recommends "${want[@]}" </dev/null
fi

# --- the builds ---------------------------------------------------------------
declare -A TOOLCHAIN=([arm64]=aarch64-multiarch [armhf]=armhf-multiarch)
# The CPU each build is run as: the Pi 4's Cortex-A72 (NEON without the dot
# product) and the Pi 2's Cortex-A7.
declare -A RUNNER=([arm64]="qemu-aarch64 -cpu cortex-a72 -L /" [armhf]="qemu-arm -cpu cortex-a7 -L /")
# Seconds each natively; a few times that under qemu.
UNIT_TESTS=(test_gguf_read test_gguf_bad test_gguf_summary test_pack test_model_load test_model_errors test_vocab_load
            test_sampler test_grammar test_tool_calls test_chat_template test_server_request test_quantize_model
            test_threads test_conversations)
for arch in arm64 armhf; do
    echo "== building mote and ${#UNIT_TESTS[@]} unit tests for $arch"
    # Only what is listed is built; cpack's "preinstall" must not build the rest.
    cmake -S "$ROOT" -B "$OUT/$arch" -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchain-${TOOLCHAIN[$arch]}.cmake" \
          -DCMAKE_BUILD_TYPE=Release -DMOTE_BUILD_TESTS=ON -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >/dev/null
    nice cmake --build "$OUT/$arch" -j"$JOBS" --target mote "${UNIT_TESTS[@]}" >/dev/null
done

# --- the checks ---------------------------------------------------------------
tmp=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
passed=0
failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
# same LABEL FILE_A FILE_B: the two outputs must be identical and not empty.
same() {
    if [ -s "$2" ] && cmp -s "$2" "$3"; then ok "$1"; else bad "$1 differs from x86:"; diff "$2" "$3" | head -5; fi
}
MODEL=$ROOT/models/stories260K.gguf

for arch in arm64 armhf; do
    read -r -a run <<<"${RUNNER[$arch]}"
    arm=("${run[@]}" "$OUT/$arch/mote")
    echo "== $arch: ${arm[*]}"

    pattern="^unit\\.($(IFS='|'; echo "${UNIT_TESTS[*]}"))\$"
    if ctest --test-dir "$OUT/$arch" -R "$pattern" --output-on-failure >"$tmp/ctest.log" 2>&1; then
        ok "$arch unit tests under qemu: $(grep -o '[0-9]*% tests passed.*' "$tmp/ctest.log")"
    else
        bad "$arch unit tests under qemu"; cat "$tmp/ctest.log"
    fi

    for t in 1 2; do
        timeout 300 "$X86" run -m "$MODEL" -p "Once upon a time" -n 120 --temp 0 -t "$t" >"$tmp/x86.txt" 2>/dev/null
        timeout 300 "${arm[@]}" run -m "$MODEL" -p "Once upon a time" -n 120 --temp 0 -t "$t" >"$tmp/arm.txt" 2>"$tmp/err" ||
            cat "$tmp/err"
        same "$arch greedy text, $t thread(s)" "$tmp/x86.txt" "$tmp/arm.txt"
    done

    if [ -f "$FIX/text/stories.txt" ]; then
        for type in f32 q4_k_m; do
            ppl() { timeout 300 "$@" perplexity -m "$FIX/real/stories260K-$type.gguf" -f "$FIX/text/stories.txt" -c 128 -b 128 \
                        --chunks 8 -t 2 2>/dev/null | sed -n 's/^Final estimate: PPL = \([0-9.]*\) .*/\1/p'; }
            want_ppl=$(ppl "$X86")
            got_ppl=$(ppl "${arm[@]}")
            if [ -n "$got_ppl" ] && awk -v g="$got_ppl" -v w="$want_ppl" 'BEGIN { d = (g - w) / w; if (d < 0) d = -d; exit !(d <= 0.005) }'; then
                ok "$arch perplexity $type: $got_ppl (x86 $want_ppl)"
            else
                bad "$arch perplexity $type: '$got_ppl', x86 '$want_ppl'"
            fi
        done
    else
        echo "note: no fixtures at $FIX: perplexity and the chat fixture not checked"
    fi

    printf 'Hello\nWhere is the ball?\n' >"$tmp/q.txt"
    timeout 300 "$X86" chat -m "$MODEL" --chat-template chatml --temp 0 -n 24 <"$tmp/q.txt" >"$tmp/x86.txt" 2>/dev/null
    timeout 300 "${arm[@]}" chat -m "$MODEL" --chat-template chatml --temp 0 -n 24 <"$tmp/q.txt" >"$tmp/arm.txt" 2>"$tmp/err" ||
        cat "$tmp/err"
    same "$arch chat batch mode (stories260K, chatml)" "$tmp/x86.txt" "$tmp/arm.txt"
    if [ -f "$FIX/models/qwen3-tiny-f32.gguf" ]; then
        timeout 300 "$X86" chat -m "$FIX/models/qwen3-tiny-f32.gguf" --temp 0 -n 16 <"$tmp/q.txt" >"$tmp/x86.txt" 2>/dev/null
        timeout 300 "${arm[@]}" chat -m "$FIX/models/qwen3-tiny-f32.gguf" --temp 0 -n 16 <"$tmp/q.txt" >"$tmp/arm.txt" 2>"$tmp/err" ||
            cat "$tmp/err"
        same "$arch chat batch mode (qwen3-tiny, its own template)" "$tmp/x86.txt" "$tmp/arm.txt"
    fi

    timeout 300 "$X86" quantize -q "$MODEL" "$tmp/x86.gguf" Q4_K_M -t 2 >/dev/null 2>&1
    timeout 300 "${arm[@]}" quantize -q "$MODEL" "$tmp/arm.gguf" Q4_K_M -t 2 >/dev/null 2>"$tmp/err" || cat "$tmp/err"
    same "$arch quantize Q4_K_M (bytes)" "$tmp/x86.gguf" "$tmp/arm.gguf"
    rm -f "$tmp/x86.gguf" "$tmp/arm.gguf"

    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${arm[@]}" serve -m "$MODEL" --host 127.0.0.1 --port "$port" --quiet >"$tmp/serve.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 300); do
        curl -s -o /dev/null "http://127.0.0.1:$port/health" && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    answer=$(curl -s -m 120 "http://127.0.0.1:$port/api/generate" \
        -d '{"model": "stories260K", "prompt": "Once upon a time", "raw": true, "stream": false,
             "options": {"temperature": 0, "num_predict": 20}}' || true)
    "$X86" run -m "$MODEL" -p "Once upon a time" -n 20 --temp 0 >"$tmp/x86.txt" 2>/dev/null
    text=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["response"])' "$answer" 2>/dev/null || true)
    if [ -n "$text" ] && grep -qF -- "$text" "$tmp/x86.txt"; then ok "$arch serve: /api/generate answered '$text'"
    else bad "$arch serve: /api/generate answered '$answer'"; cat "$tmp/serve.log"; fi
    kill -TERM "$server_pid" 2>/dev/null || true
    rc=0
    timeout 30 tail --pid="$server_pid" -f /dev/null || rc=$?
    wait "$server_pid" || rc=$?
    server_pid=
    if [ "$rc" = 0 ]; then ok "$arch serve: exit 0 after SIGTERM"; else bad "$arch serve: exit $rc after SIGTERM"; fi

    if MOTE=$OUT/$arch/mote MOTE_RUNNER="${RUNNER[$arch]}" MOTE_DEB_ARCH=$arch bash "$ROOT/tests/e2e/test_package.sh"; then
        ok "$arch Debian package"
    else
        bad "$arch Debian package"
    fi
    if MOTE=$OUT/$arch/mote MOTE_RUNNER="${RUNNER[$arch]}" bash "$ROOT/tests/e2e/test_pack.sh"; then
        ok "$arch mote pack"
    else
        bad "$arch mote pack"
    fi
done

echo "arm-e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
