#!/usr/bin/env bash
# test_eval_ifeval.sh — `mote eval --task ifeval --responses` on the GPT-4
# reference responses shipped with the IFEval data (shared/data/eval/ifeval):
#   1. the four accuracies are within 1 point of the IFEval paper's for the
#      same responses (Zhou et al. 2023, table of GPT-4: strict 76.89% prompt /
#      83.57% instruction level, loose 79.30% / 85.37%);
#   2. per instruction, the strict and the loose verdicts agree with a third
#      party's run of the reference code (thirdparty_unverified/eval_results_*.jsonl)
#      on at least 98% of instructions; docs/eval.md explains each disagreement;
#   3. --json prints the same numbers.
# Skips when the data folder is absent.
set -u
D="${MOTE_FIXTURES:-../shared/fixtures}/../data/eval/ifeval"
if [ ! -f "$D/input_data.jsonl" ]; then echo "SKIP: IFEval data not found at $D"; exit 77; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if ! "$MOTE" eval --task ifeval --data "$D/input_data.jsonl" \
    --responses "$D/input_response_data_gpt4_20231107_145030.jsonl" --output "$tmp/items.jsonl" --json \
    >"$tmp/out.json" 2>"$tmp/err"; then
    echo "FAIL: mote eval: $(tail -1 "$tmp/err")"; exit 1
fi
python3 - "$tmp/out.json" "$tmp/items.jsonl" "$D/thirdparty_unverified" <<'PY'
import json, sys
out = json.load(open(sys.argv[1]))
got = {r["metric"]: r["value"] for r in out["results"] if "group" not in r}
paper = {"prompt_level_strict_acc": 0.7689, "inst_level_strict_acc": 0.8357,
         "prompt_level_loose_acc": 0.7930, "inst_level_loose_acc": 0.8537}
fail = 0
for k, want in paper.items():
    ok = abs(got.get(k, -1) - want) <= 0.01
    print(("ok" if ok else "FAIL") + f": {k} {got.get(k)} (paper {want})")
    fail |= not ok
items = {}
for line in open(sys.argv[2]):
    d = json.loads(line)
    items[d["prompt"]] = d
for mode in ("strict", "loose"):
    total = agree = 0
    for line in open(f"{sys.argv[3]}/eval_results_{mode}.jsonl"):
        ref = json.loads(line)
        ours = items.get(ref["prompt"])
        if ours is None:
            print(f"FAIL: no item for prompt {ref['prompt'][:40]!r}"); fail = 1; continue
        for i, (iid, want) in enumerate(zip(ref["instruction_id_list"], ref["follow_instruction_list"])):
            total += 1
            if ours[f"follow_instruction_list_{mode}"][i] == want:
                agree += 1
            else:
                print(f"  {mode} disagreement: key {ours['key']} {iid}: reference {want}")
    ok = agree >= 0.98 * total
    print(("ok" if ok else "FAIL") + f": {mode}: agree on {agree}/{total} instructions ({100 * agree / total:.2f}%)")
    fail |= not ok
sys.exit(fail)
PY
