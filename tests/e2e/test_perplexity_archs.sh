#!/usr/bin/env bash
# test_perplexity_archs.sh — `mote perplexity -c 128 -b 128` on text/stories.txt
# for every qwen2, gpt2 and bitnet fixture file (issue 15) must be within 0.5%
# of llama-perplexity's final estimate (models/*.ppl-c128.txt). A sanitizer
# build scores 2 chunks of one file per family and only checks that it runs.
set -u
source "$(dirname "$0")/e2e_lib.sh"
need_mote; need_fixtures
quick=""
[ "${MOTE_SANITIZE:-OFF}" = ON ] && quick="--chunks 2"
make_tmp
for ref in "$F"/models/{qwen2,gpt2,bitnet}-tiny-*.ppl-c128.txt; do
    name=$(basename "$ref" .ppl-c128.txt)
    if [ -n "$quick" ] && ! [[ "$name" == *-f32 ]]; then continue; fi
    # shellcheck disable=SC2086
    if ! "$MOTE" perplexity -m "$F/models/$name.gguf" -f "$F/text/stories.txt" -c 128 -b 128 $quick >"$tmp/out" 2>"$tmp/err"; then
        echo "FAIL: $name: $(cat "$tmp/err")"; fail=1; continue
    fi
    got=$(sed -n 's/^Final estimate: PPL = \([0-9.]*\) +\/- .*/\1/p' "$tmp/out")
    if [ -n "$quick" ]; then
        [ -n "$got" ] && echo "ok: $name ran" || { echo "FAIL: $name: no estimate"; fail=1; }
        continue
    fi
    want=$(sed -n 's/.*PPL = \([0-9.]*\) +\/- .*/\1/p' "$ref")
    if [ -z "$got" ] || ! awk -v g="$got" -v w="$want" 'BEGIN { d = (g - w) / w; if (d < 0) d = -d; exit !(d <= 0.005) }'; then
        echo "FAIL: $name: PPL $got, llama.cpp $want"; fail=1
    else
        echo "ok: $name: PPL $got, llama.cpp $want"
    fi
done
exit $fail
