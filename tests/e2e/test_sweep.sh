#!/usr/bin/env bash
# test_sweep.sh — `mote sweep` over stories260K with small settings: every
# file is written; results.csv has one row per type and every column
# (perplexity and KLD against the base measured; MMLU, IFEval, a
# --target-bpw budget and --compare with a stand-in llama-bench in a
# second, smaller sweep);
# results.json parses; each SVG is well-formed XML (parsed) and names every
# variant; a second run keeps the finished cells (their files untouched)
# and measures only what is missing — an interrupted sweep leaves exactly
# that, since a cell file is written whole (by rename) at the end of its
# variant; changed settings redo the cells; bad input is a one-line error.
set -u
source "$(dirname "$0")/e2e_lib.sh"
need_mote; make_tmp; story_text; no_sensors
ROOT="${MOTE_ROOT:-.}"
F="${MOTE_FIXTURES:-/nonexistent}"
base="$F/real/stories260K-f32.gguf"
[ -f "$base" ] || base="$ROOT/models/stories260K.gguf"
out="$tmp/out"
sweep() { "$MOTE" sweep -m "$base" -o "$out" --text "$text" -c 32 --chunks 2 -p 16 -n 8 -r 1 -t 1 \
    --watts 2,6 --grid-intensity 300 --ram 64M --tasks ppl,kld "$@"; }

TYPES="f32,q8_0,q4_0,q4_k_m"
sweep --types "$TYPES" >"$tmp/stdout" 2>"$tmp/stderr"; st=$?
check "sweep exits 0" '[ $st -eq 0 ] || { cat "$tmp/stderr"; false; }'
PLOTS="score_vs_size kld_vs_size accuracy_vs_size tps_vs_size joules_vs_size pareto_memory"
for f in results.csv results.json report.md kld-base.bin $(printf '%s.svg ' $PLOTS); do
    check "$f written" '[ -s "$out/$f" ]'
done

# verify DIR TYPES MEASURED: every file of the sweep in DIR; TYPES the rows expected (comma-separated),
# MEASURED the optional columns that must hold numbers (the other optional ones must be empty).
verify() { python3 "$ROOT/tests/e2e/sweep_verify.py" "$@"; }
check "CSV, JSON, SVG and report contents" 'verify "$out" "$TYPES" ppl,kld'

# resume: the finished cells are kept untouched, only the new type is measured
sums=$(md5sum "$out"/cells/{f32,q8_0,q4_0,q4_k_m}.json)
sweep --types "$TYPES,q6_k" >"$tmp/stdout" 2>"$tmp/stderr"; st=$?
check "resumed sweep exits 0" '[ $st -eq 0 ]'
check "4 cells kept" '[ "$(grep -c "kept from an earlier run" "$tmp/stderr")" -eq 4 ]'
check "kept cell files untouched" '[ "$(md5sum "$out"/cells/{f32,q8_0,q4_0,q4_k_m}.json)" = "$sums" ]'
check "the new type measured" 'grep -q "q6_k: quantizing ... .*measuring" "$tmp/stderr" && [ -s "$out/cells/q6_k.json" ]'
check "5 rows after resuming" 'verify "$out" "$TYPES,q6_k" ppl,kld'

# an interruption: the cell being measured has no file yet; the quantized file may exist
rm "$out/cells/q4_0.json"
sweep --types "$TYPES,q6_k" >"$tmp/stdout" 2>"$tmp/stderr"
check "only the interrupted cell redone" '[ "$(grep -c "kept from an earlier run" "$tmp/stderr")" -eq 4 ] &&
    grep -q "q4_0: measuring" "$tmp/stderr" && ! grep -q "quantizing" "$tmp/stderr"'
check "all rows again" 'verify "$out" "$TYPES,q6_k" ppl,kld'

# a real interruption: killed once its first new cell is written (or finished, if it was quicker);
# the next run keeps every cell that exists and completes the rest
K="q5_0,q5_1,q4_1"
# (exec: $! is then mote itself, not a subshell running the sweep function)
(exec "$MOTE" sweep -m "$base" -o "$tmp/killed" --text "$text" -c 32 --chunks 2 -p 16 -n 8 -r 1 -t 1 --watts 2,6 \
    --grid-intensity 300 --ram 64M --tasks ppl,kld --types "$K" >/dev/null 2>&1) &
pid=$!
for _ in $(seq 200); do ls "$tmp/killed/cells/"*.json >/dev/null 2>&1 && break; sleep 0.05; done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
n_before=$(ls "$tmp/killed/cells/"*.json 2>/dev/null | wc -l)
sweep --types "$K" -o "$tmp/killed" >"$tmp/stdout" 2>"$tmp/stderr"; st=$?
check "after a kill: $n_before cell(s) kept, the rest measured" '[ $st -eq 0 ] && [ "$n_before" -ge 1 ] &&
    [ "$(grep -c "kept from an earlier run" "$tmp/stderr")" -eq "$n_before" ] && [ "$(ls "$tmp/killed/cells/"*.json | wc -l)" -eq 3 ]'

# other settings: nothing is kept
sweep --types q8_0 -n 4 >"$tmp/stdout" 2>"$tmp/stderr"
check "changed settings redo the cell" '! grep -q "kept" "$tmp/stderr" && grep -q "q8_0: measuring" "$tmp/stderr"'

# bad input: one line, non-zero, nothing crashes
for args in "--types q9_z" "--tasks mmlu:200" "--tasks bogus" "--tasks mmlu:0" "--ram lots" "-p -1" "-p 8,16" \
    "--target-bpw 40" "--llama-bench /nonexistent" "--watts 1" "-m $text" "-t 2000"; do
    # shellcheck disable=SC2086
    sweep $args >"$tmp/stdout" 2>"$tmp/stderr"; st=$?
    check "sweep $args refused" '[ $st -eq 2 ] && [ "$(wc -l <"$tmp/stderr")" -eq 1 ] && grep -q "^mote sweep: " "$tmp/stderr"'
done
"$MOTE" sweep --types q8_0 -o "$tmp/x" >"$tmp/stdout" 2>"$tmp/stderr"; st=$?
check "sweep without -m refused" '[ $st -eq 2 ] && grep -q "needs a model" "$tmp/stderr"'

# the eval tasks, a bits-per-weight budget and --compare, on a small data set and a stand-in llama-bench
# that prints llama-bench's JSON (its arguments kept, to check what it was asked)
mkdir -p "$tmp/data/mmlu/test" "$tmp/data/mmlu/dev" "$tmp/data/ifeval" "$tmp/bin"
printf 'What is 1+1?,1,2,3,4,B\nWhat is 2+2?,2,3,4,5,C\n' >"$tmp/data/mmlu/test/math_test.csv"
printf 'Which is red?,grass,sky,blood,snow,C\n' >"$tmp/data/mmlu/test/colors_test.csv"
printf '%s\n' '{"key": 1, "prompt": "Write a story.", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}' \
    '{"key": 2, "prompt": "Say hi.", "instruction_id_list": ["change_case:english_lowercase"], "kwargs": [{}]}' \
    >"$tmp/data/ifeval/input_data.jsonl"
cat >"$tmp/bin/llama-bench" <<SH
#!/bin/sh
echo "\$*" >>"$tmp/llama-bench.args"
echo '[{"n_prompt": 16, "n_gen": 0, "avg_ts": 123.5}, {"n_prompt": 0, "n_gen": 8, "avg_ts": 45.25}]'
SH
chmod +x "$tmp/bin/llama-bench"
out2="$tmp/tasks"
PATH="$tmp/bin:$PATH" "$MOTE" sweep "$base" -o "$out2" --types f32,q8_0 --target-bpw 7 --text "$text" -c 32 --chunks 2 \
    -p 16 -n 8 -r 1 -t 1 --watts 2,6 --grid-intensity 300 --tasks ppl,mmlu:2,ifeval:2 --data "$tmp/data" --max-tokens 8 --compare \
    >"$tmp/stdout" 2>"$tmp/stderr"; st=$?
check "sweep with mmlu, ifeval, --target-bpw and --compare exits 0" '[ $st -eq 0 ] || { cat "$tmp/stderr"; false; }'
check "... every column filled" 'verify "$out2" f32,q8_0,bpw7 ppl,mmlu,ifeval,llama'
check "... the budget variant is within 7 bits per weight" \
    'python3 -c "import csv,sys; r=[r for r in csv.DictReader(open(sys.argv[1])) if r[\"type\"]==\"bpw7\"][0]; assert 6 < float(r[\"bpw\"]) <= 7.0001, r" "$out2/results.csv"'
check "... llama-bench ran on each variant's file with the same test" '[ "$(wc -l <"$tmp/llama-bench.args")" -eq 3 ] &&
    grep -q -- "-m $out2/stories260K[^ ]*-q8_0.gguf -p 16 -n 8 -r 1 -t 1 -o json" "$tmp/llama-bench.args" &&
    grep -q "llama_pp_tps" "$out2/results.csv" && grep -q ",123.500,45.250," "$out2/results.csv"'
check "... mmlu: both subjects' 3 questions; ifeval: 2 prompts" 'python3 -c "import csv,sys; rows=list(csv.DictReader(open(sys.argv[1]))); assert all(r[\"mmlu_items\"]==\"3\" and r[\"ifeval_items\"]==\"2\" for r in rows), rows" "$out2/results.csv"'
# without a llama-bench anywhere: a note, the columns stay empty
PATH="/usr/bin:/bin" "$MOTE" sweep "$base" -o "$tmp/nollama" --types q8_0 -p 16 -n 8 -r 1 -t 1 --watts 2,6 --grid-intensity 300 --compare \
    >"$tmp/stdout" 2>"$tmp/stderr"; st=$?
check "--compare without llama-bench: a note, no llama.cpp numbers" '[ $st -eq 0 ] &&
    grep -q "note: --compare: llama-bench is not in PATH" "$tmp/stderr" && verify "$tmp/nollama" q8_0 ""'
exit $fail
