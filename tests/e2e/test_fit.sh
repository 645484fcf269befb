#!/usr/bin/env bash
# test_fit.sh — `mote fit`, the memory line of `mote info`, and loading
# under a real memory limit. This container has no systemd (systemd-run
# --scope fails) and its cgroup is not ours to change, so the limit is
# prlimit --as (the address-space limit, which mote_memory_available
# reads; cgroup v1/v2 limits are read the same way where they exist).
#   - fit: weights, KV cache per token, buffers; "fits" in --ram 1G and
#     "does NOT fit" in 1M; the largest context grows with q8_0 and q4_0;
#     a bad --ram is a one-line error (status 2).
#   - under prlimit --as=1G: the gemma3-270m q4_k_m shape (mote synth) with
#     a 2048 context and qwen3-0.6b q4_k_m (from /work/models, if there)
#     with 1024 generate; under a limit too small, the model (or the
#     context) is refused with the numbers before anything is mapped, not
#     killed, and --no-memory-check skips the model check.
set -u
source "$(dirname "$0")/e2e_lib.sh"
need_mote; need_fixtures; make_tmp
M="$F/real/stories260K-f32.gguf"

"$MOTE" fit "$M" --ram 1G >"$tmp/fit" 2>"$tmp/e" || err "fit failed: $(cat "$tmp/e")"
for want in '^weights: ' '^KV cache: +per token' '^buffers: ' '^memory: +1024.0 MiB \(--ram\): fits' '^largest context: ' '^  q8_0 '; do
    grep -Eq "$want" "$tmp/fit" || err "fit output lacks /$want/: $(cat "$tmp/fit")"
done
"$MOTE" fit "$M" --ram 1M | grep -q "does NOT fit" || err "1M should not fit"
"$MOTE" fit "$M" --ram 3M -c 64 | python3 -c '
import re, sys
t = sys.stdin.read(); n = [int(x) for x in re.findall(r"(\d+) tokens \((?:f16|q8_0|q4_0) cache\)", t)]
sys.exit(0 if len(n) == 3 and 0 < n[0] <= n[1] <= n[2] else 1)' || err "largest contexts not growing f16 <= q8_0 <= q4_0"
"$MOTE" fit "$M" --ram lots >/dev/null 2>"$tmp/e"; rc=$?
[ $rc = 2 ] && [ "$(wc -l <"$tmp/e")" = 1 ] || err "--ram lots: status $rc, $(cat "$tmp/e")"
"$MOTE" info "$M" | grep -Eq '^memory: +weights .* KV cache per token .* buffers' || err "info has no memory line"
echo "ok: fit, info"

command -v prlimit >/dev/null || { echo "SKIP: no prlimit"; exit $fail; }
if [ "${MOTE_SANITIZE:-OFF}" = ON ]; then
    echo "note: sanitizer build: no address-space limits tried (the sanitizer reserves terabytes of shadow space)"
    exit $fail
fi
G="$tmp/gemma3-270m-q4_k_m.gguf"
"$MOTE" synth --like gemma3-270m --type q4_k_m -o "$G" -q || err "synth failed"
prlimit --as=$((1 << 30)) "$MOTE" run "$G" --raw -p "Once upon a time" -n 8 -c 2048 >"$tmp/o" 2>"$tmp/e" ||
    err "gemma3-270m q4_k_m -c 2048 under 1 GB failed: $(cat "$tmp/e")"
echo "ok: gemma3-270m q4_k_m shape, 2048 context, within 1 GB of address space"
Q=/work/models/qwen3-0.6b-q4_k_m.gguf
if [ -f "$Q" ]; then
    prlimit --as=$((1 << 30)) "$MOTE" run "$Q" --raw -p "Once upon a time" -n 8 -c 1024 >"$tmp/o" 2>"$tmp/e" ||
        err "qwen3-0.6b q4_k_m -c 1024 under 1 GB failed: $(cat "$tmp/e")"
    echo "ok: qwen3-0.6b q4_k_m, 1024 context, within 1 GB"
fi
prlimit --as=$((150 << 20)) "$MOTE" run "$G" --raw -p "Once" -n 4 >"$tmp/o" 2>"$tmp/e"; rc=$?
[ $rc = 1 ] && [ "$(wc -l <"$tmp/e")" = 1 ] && grep -q "cannot run here" "$tmp/e" ||
    err "too small a limit: status $rc, $(cat "$tmp/e")"
echo "ok: refused: $(cat "$tmp/e")"
prlimit --as=$((150 << 20)) "$MOTE" run "$G" --raw -p "Once" -n 4 --no-memory-check >"$tmp/o" 2>"$tmp/e"
grep -q "cannot run here" "$tmp/e" && err "--no-memory-check still refused"
prlimit --as=$((400 << 20)) "$MOTE" run "$G" --raw -p "Once" -n 4 -c 32768 >"$tmp/o" 2>"$tmp/e"; rc=$?
[ $rc = 1 ] && grep -q "a context of 32768 tokens needs" "$tmp/e" || err "too large a context: status $rc, $(cat "$tmp/e")"
echo "ok: context refused: $(cat "$tmp/e")"
exit $fail
