#!/usr/bin/env bash
# test_arch_bench.sh — `mote synth --like` and `mote bench --like` for the
# families of issue 15: each tiny shape (qwen2, gpt2, bert, bitnet, smollm3, gemma2) is
# written, loads, and benches (one short prompt and generation test, JSON
# with two results); a real shape's file (distilgpt2) lists the tensors its
# architecture declares (learned positions, biases, no output.weight).
set -u
: "${MOTE:?MOTE must point to the mote binary}"
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to check the JSON"; exit 77; }
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for s in tiny-qwen2 tiny-gpt2 tiny-bert tiny-bitnet tiny-smollm3 tiny-gemma2; do
    if ! "$MOTE" bench --like "$s" --type q8_0 -p 8 -n 2 -r 1 -t 1 -q --json >"$tmp/$s.json" 2>"$tmp/err"; then
        echo "FAIL: bench --like $s: $(cat "$tmp/err")"; fail=1; continue
    fi
    if python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert len(r)==2 and all(x['avg_ts']>0 for x in r)" "$tmp/$s.json"; then
        echo "ok: bench --like $s"
    else
        echo "FAIL: bench --like $s: $(cat "$tmp/$s.json")"; fail=1
    fi
done
"$MOTE" synth --like distilgpt2 --type q8_0 --ctx 64 -o "$tmp/d.gguf" -q 2>"$tmp/err" || { echo "FAIL: synth distilgpt2: $(cat "$tmp/err")"; exit 1; }
"$MOTE" info --json "$tmp/d.gguf" >"$tmp/info.json" 2>"$tmp/err" || { echo "FAIL: info: $(cat "$tmp/err")"; exit 1; }
if python3 - "$tmp/info.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["architecture"] == "gpt2" and j["block_count"] == 6 and j["n_params"] == 81912576, j
PY
then echo "ok: distilgpt2 shape"; else echo "FAIL: distilgpt2 info"; fail=1; fi
exit $fail
