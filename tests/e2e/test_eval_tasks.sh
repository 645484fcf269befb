#!/usr/bin/env bash
# test_eval_tasks.sh — each task of `mote eval` runs end to end on small
# models with --limit: the --json results carry the task's metrics, the
# --output file one JSON line per item with its prompt, answer and score,
# progress goes to stderr as plain lines (no '\r' when it is not a
# terminal), and --seed picks a different sample. Uses stories260K
# (models/) and, for ifeval's chat template, the gemma3 fixture; the full
# data comes from shared/data/eval (skipped when absent).
set -u
ROOT="${MOTE_ROOT:-.}"
F="${MOTE_FIXTURES:-../shared/fixtures}"
D="$F/../data/eval"
MODEL="$ROOT/models/stories260K.gguf"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check NAME PYTHON-EXPR-ON-results/items
    if python3 - "$tmp/out.json" "$tmp/items.jsonl" "$2" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))
results = {(r.get("group", ""), r["metric"]): r["value"] for r in res["results"]}
items = [json.loads(l) for l in open(sys.argv[2])]
sys.exit(0 if eval(sys.argv[3]) else 1)
PY
    then echo "ok: $1"; else echo "FAIL: $1: $(head -c 600 "$tmp/out.json")"; fail=1; fi
}

# mmlu on the shipped subset: 2 subjects, --limit 2 each, 1 shot
if "$MOTE" eval -m "$MODEL" --task mmlu --data "$ROOT/tests/data/eval/mmlu" --limit 2 --shots 1 --json \
    --output "$tmp/items.jsonl" >"$tmp/out.json" 2>"$tmp/err"; then
    check "mmlu results" 'results[("", "acc (all subjects)")] >= 0 and ("mmlu_other", "acc") in results and ("mmlu_social_sciences", "acc") in results and len(items) == 4 and all(i["answer"] in "ABCD" and i["prompt"].endswith("Answer:") and "Answer: " in i["prompt"] for i in items)'
    grep -q $'\r' "$tmp/err" && { echo "FAIL: '\\r' in progress written to a file"; fail=1; }
    grep -q "^mmlu: 4/4  acc" "$tmp/err" && echo "ok: progress lines" || { echo "FAIL: progress: $(cat "$tmp/err")"; fail=1; }
else
    echo "FAIL: mmlu: $(tail -1 "$tmp/err")"; fail=1
fi
# --seed: another sample of the same size
"$MOTE" eval -m "$MODEL" --task mmlu --data "$ROOT/tests/data/eval/mmlu" --limit 2 --seed 7 --output "$tmp/seed.jsonl" >/dev/null 2>&1
a=$(python3 -c 'import json,sys; print([json.loads(l)["line"] for l in open(sys.argv[1])])' "$tmp/items.jsonl")
b=$(python3 -c 'import json,sys; print([json.loads(l)["line"] for l in open(sys.argv[1])])' "$tmp/seed.jsonl")
[ "$a" != "$b" ] && echo "ok: --seed samples other questions ($b)" || { echo "FAIL: --seed: same lines $a"; fail=1; }

if [ ! -f "$D/truthfulqa/TruthfulQA.csv" ]; then echo "SKIP: data not found at $D"; exit $fail; fi
for task in truthfulqa-gen truthfulqa-mc1 truthfulqa-mc2; do
    if ! "$MOTE" eval -m "$MODEL" --task "$task" --data "$D" --limit 2 --json --output "$tmp/items.jsonl" \
        >"$tmp/out.json" 2>"$tmp/err"; then
        echo "FAIL: $task: $(tail -1 "$tmp/err")"; fail=1; continue
    fi
    case $task in
    truthfulqa-gen) check "$task results" 'len(results) == 12 and all(("", m + s) in results for m in ("bleu", "rouge1", "rouge2", "rougeL") for s in ("_max", "_acc", "_diff")) and len(items) == 2 and all("\n" not in i["answer"] and "bleu_max" in i for i in items)' ;;
    *) check "$task results" '0 <= results[("", "acc")] <= 1 and len(items) == 2 and all(len(i["choices"]) >= 2 for i in items)' ;;
    esac
done

# ifeval, generated in the chat template of a fixture model
if [ -f "$F/models/gemma3-tiny-q8_0.gguf" ]; then
    if "$MOTE" eval -m "$F/models/gemma3-tiny-q8_0.gguf" --task ifeval --data "$D" --limit 2 --max-tokens 8 --json \
        --output "$tmp/items.jsonl" >"$tmp/out.json" 2>"$tmp/err"; then
        check "ifeval generated" 'len(items) == 2 and ("", "inst_level_loose_acc") in results and all(isinstance(i["response"], str) for i in items)'
    else
        echo "FAIL: ifeval generation: $(tail -1 "$tmp/err")"; fail=1
    fi
fi
# a model without a chat template cannot do ifeval: a clear error
"$MOTE" eval -m "$MODEL" --task ifeval --data "$D" --limit 1 >/dev/null 2>"$tmp/err" && { echo "FAIL: ifeval without a template ran"; fail=1; }
grep -q "^mote eval: .*chat template" "$tmp/err" && echo "ok: $(tail -1 "$tmp/err")" || { echo "FAIL: message: $(cat "$tmp/err")"; fail=1; }
exit $fail
