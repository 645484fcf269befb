#!/usr/bin/env bash
# test_perplexity.sh — `mote perplexity -c 128` on text/stories.txt for the
# four stories260K files must be within 0.5% of llama-perplexity's final
# estimate (real/*.ppl-c128.txt, made with -c 128 -b 128). Also, on the first
# 8 chunks, a smaller batch (-b 32) must give the same number as -b 128.
# A sanitizer build (MOTE_SANITIZE=ON, ~10x slower) scores only the first
# 6 chunks of each file: it checks memory safety, not the numbers, which the
# normal build of the same suite checks in full.
set -u
F="${MOTE_FIXTURES:-}"
quick=""
if [ "${MOTE_SANITIZE:-OFF}" = ON ]; then quick="--chunks 6"; echo "note: sanitizer build: 6 chunks per file, no comparison"; fi
if [ ! -f "$F/README.md" ]; then echo "SKIP: fixtures not found (MOTE_FIXTURES)"; exit 77; fi
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for type in f32 q8_0 q4_0 q4_k_m; do
    model="$F/real/stories260K-$type.gguf"
    # shellcheck disable=SC2086
    if ! "$MOTE" perplexity -m "$model" -f "$F/text/stories.txt" -c 128 -b 128 $quick >"$tmp/out" 2>"$tmp/err"; then
        if grep -q "cannot compute" "$tmp/err"; then echo "note: $type skipped: $(cat "$tmp/err")"; continue; fi
        echo "FAIL: $type: $(cat "$tmp/err")"; fail=1; continue
    fi
    if [ -n "$quick" ]; then
        grep -q "^Final estimate: PPL = " "$tmp/out" && echo "ok: $type ran" || { echo "FAIL: $type: no estimate"; fail=1; }
        continue
    fi
    got=$(sed -n 's/^Final estimate: PPL = \([0-9.]*\) +\/- .*/\1/p' "$tmp/out")
    want=$(sed -n 's/.*PPL = \([0-9.]*\) +\/- .*/\1/p' "$F/real/stories260K-$type.ppl-c128.txt")
    grep -q "tokens/s" "$tmp/out" || { echo "FAIL: $type: no tokens/s"; fail=1; }
    if [ -z "$got" ] || ! awk -v g="$got" -v w="$want" 'BEGIN { d = (g - w) / w; if (d < 0) d = -d; exit !(d <= 0.005) }'; then
        echo "FAIL: $type: PPL $got, llama.cpp $want"; fail=1
    else
        echo "ok: $type: PPL $got, llama.cpp $want"
    fi
    if [ "$type" = f32 ]; then
        a=$("$MOTE" perplexity -m "$model" -f "$F/text/stories.txt" -c 128 -b 32 --chunks 8 | grep '^Final')
        b=$("$MOTE" perplexity -m "$model" -f "$F/text/stories.txt" -c 128 -b 128 --chunks 8 | grep '^Final')
        [ -n "$a" ] && [ "$a" = "$b" ] || { echo "FAIL: -b 32 gives '$a', -b 128 gives '$b'"; fail=1; }
    fi
done
"$MOTE" perplexity -m "$F/real/stories260K-f32.gguf" -f /nonexistent.txt -c 128 2>"$tmp/err" && { echo "FAIL: missing text accepted"; fail=1; }
grep -q "^mote perplexity: cannot read '/nonexistent.txt'" "$tmp/err" || { echo "FAIL: message: $(cat "$tmp/err")"; fail=1; }
exit $fail
