#!/usr/bin/env bash
# test_mem_flags.sh — the small-memory flags from the command line.
# -ctk / -ctv (a quantized KV cache): run, chat and perplexity take them;
# q8_0's perplexity on stories260K stays within 1% of the f16 cache's;
# --verbose reports the smaller cache; a name that is not a type, and a
# type that is not a cache type, get one-line errors and a non-zero status.
# --no-mmap and --mlock: the same text as without; when locking is not
# allowed (no CAP_IPC_LOCK and `ulimit -l` 64 kB), a one-line warning and
# the same text.
set -u
source "$(dirname "$0")/e2e_lib.sh"
need_mote; need_fixtures; make_tmp
M="$F/real/stories260K-f32.gguf"

ppl() { "$MOTE" perplexity "$M" -f "$F/text/stories.txt" -c 128 --chunks 20 -q "$@" 2>/dev/null | sed -n 's/^Final estimate: PPL = \([0-9.]*\).*/\1/p'; }
base=$(ppl); q8=$(ppl -ctk q8_0 -ctv q8_0)
[ -n "$base" ] && [ -n "$q8" ] || err "perplexity printed no estimate ($base, $q8)"
python3 -c "import sys; b,q=float('$base'),float('$q8'); sys.exit(0 if abs(q-b)/b<0.01 else 1)" ||
    err "q8_0 cache perplexity $q8 not within 1% of f16's $base"
echo "ok: perplexity f16 $base, q8_0 $q8"

kv() { grep -o 'KV cache [0-9.]* MiB' "$1" | grep -o '[0-9.]*'; }
"$MOTE" run "$M" -p "Once upon a time" -n 8 --temp 0 -c 512 --verbose >"$tmp/f16.out" 2>"$tmp/f16.err" || err "run f16 failed"
"$MOTE" run "$M" -p "Once upon a time" -n 8 --temp 0 -c 512 --verbose -ctk q4_0 --cache-type-v q8_0 >"$tmp/q.out" 2>"$tmp/q.err" ||
    err "run -ctk q4_0 -ctv q8_0 failed: $(cat "$tmp/q.err")"
[ "$(wc -c <"$tmp/q.out")" -gt 20 ] || err "run with a quantized cache printed too little: $(cat "$tmp/q.out")"
python3 -c "import sys; f,q=float('$(kv "$tmp/f16.err")'),float('$(kv "$tmp/q.err")'); sys.exit(0 if abs(q/f-(18+34)/128)<0.03 else 1)" ||
    err "KV cache sizes not as expected: f16 $(kv "$tmp/f16.err"), q4_0/q8_0 $(kv "$tmp/q.err")"
echo "hello" | "$MOTE" chat "$M" -n 4 -ctk q8_0 -ctv q8_0 >"$tmp/chat.out" 2>"$tmp/chat.err" || err "chat with -ctk failed: $(cat "$tmp/chat.err")"

"$MOTE" run "$M" -p hi -ctk q9_9 >"$tmp/o" 2>"$tmp/e"; rc=$?
[ $rc = 2 ] && [ "$(wc -l <"$tmp/e")" = 1 ] && grep -q "not a type" "$tmp/e" || err "-ctk q9_9: status $rc, $(cat "$tmp/e")"
"$MOTE" run "$M" -p hi -ctv q4_K >"$tmp/o" 2>"$tmp/e"; rc=$?
[ $rc != 0 ] && [ "$(wc -l <"$tmp/e")" = 1 ] && grep -q "value cache cannot be q4_K" "$tmp/e" || err "-ctv q4_K: status $rc, $(cat "$tmp/e")"
echo "ok: errors"

"$MOTE" run "$M" --raw -p "Once upon a time" -n 24 --temp 0 >"$tmp/plain" 2>/dev/null || err "run failed"
for flags in --no-mmap --mlock "--no-mmap --mlock"; do
    # shellcheck disable=SC2086
    "$MOTE" run "$M" --raw -p "Once upon a time" -n 24 --temp 0 $flags >"$tmp/o" 2>"$tmp/e" || err "run $flags failed: $(cat "$tmp/e")"
    cmp -s "$tmp/plain" "$tmp/o" || err "run $flags: other text: $(cat "$tmp/o")"
    grep -q warning "$tmp/e" && [ "$(id -u)" = 0 ] && err "run $flags warned as root: $(cat "$tmp/e")"
done
"$MOTE" perplexity "$M" -f "$F/text/stories.txt" -c 128 --chunks 2 --no-mmap --mlock -q >/dev/null 2>&1 || err "perplexity --no-mmap --mlock failed"
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
    setpriv --bounding-set=-ipc_lock --inh-caps=-ipc_lock bash -c 'ulimit -l 64; exec "$0" "$@"' \
        "$MOTE" run "$M" --raw -p "Once upon a time" -n 24 --temp 0 --mlock >"$tmp/o" 2>"$tmp/e" || err "unlockable run failed"
    cmp -s "$tmp/plain" "$tmp/o" || err "unlockable run: other text"
    [ "$(grep -c 'warning: --mlock: cannot lock' "$tmp/e")" = 1 ] || err "no lock warning: $(cat "$tmp/e")"
    echo "ok: --mlock without the right to lock: $(cat "$tmp/e")"
fi
echo "ok: --no-mmap, --mlock"
exit $fail
