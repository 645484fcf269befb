#!/usr/bin/env bash
# test_eval_errors.sh — `mote eval` on bad data files and bad options: each
# must fail with exit status 1 or 2 and one line on stderr, starting
# "mote eval: " and naming the file and, where there is one, the line.
# Also the usage basics: --help, an unknown task, a missing model.
set -u
MODEL="${MOTE_ROOT:-.}/models/stories260K.gguf"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0

# expect STATUS PATTERN -- ARGS...: mote eval ARGS exits STATUS with one error line matching PATTERN
expect() {
    local want_status=$1 pattern=$2; shift 3
    "$MOTE" eval "$@" >"$tmp/out" 2>"$tmp/err"
    local status=$?
    local last; last=$(grep -v '^[a-z0-9-]*: [0-9]*/[0-9]*' "$tmp/err" | grep -v '^$' | tail -1)
    if [ "$status" != "$want_status" ]; then
        echo "FAIL: eval $*: status $status, expected $want_status ($last)"; fail=1
    elif ! grep -q -- "$pattern" <<<"$last"; then
        echo "FAIL: eval $*: message '$last' does not match '$pattern'"; fail=1
    else
        echo "ok: $last"
    fi
}

# --- IFEval input and responses ------------------------------------------------
good='{"key": 1, "prompt": "Say hi.", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}'
: >"$tmp/empty.jsonl"
expect 1 "empty.jsonl: empty file" -- --task ifeval --data "$tmp/empty.jsonl" --responses "$tmp/empty.jsonl"
printf '%s\n{"key": 2, "prompt": \n' "$good" >"$tmp/broken.jsonl"
expect 1 "broken.jsonl:2: not valid JSON" -- --task ifeval --data "$tmp/broken.jsonl" --responses "$tmp/broken.jsonl"
printf '%s\n{"key": 2, "prompt": "x", "kwargs": [{}]}\n' "$good" >"$tmp/nolist.jsonl"
expect 1 'nolist.jsonl:2: needs lists "instruction_id_list" and "kwargs"' -- --task ifeval --data "$tmp/nolist.jsonl" --responses "$tmp/nolist.jsonl"
printf '{"key": 1, "prompt": "x", "instruction_id_list": ["keywords:nonsense"], "kwargs": [{}]}\n' >"$tmp/unknown.jsonl"
expect 1 "unknown.jsonl:1: unknown instruction id 'keywords:nonsense'" -- --task ifeval --data "$tmp/unknown.jsonl" --responses "$tmp/unknown.jsonl"
printf '%s\n' "$good" >"$tmp/input.jsonl"
printf '{"prompt": "Say hi."}\n' >"$tmp/noresp.jsonl"
expect 1 'noresp.jsonl:1: no string "response"' -- --task ifeval --data "$tmp/input.jsonl" --responses "$tmp/noresp.jsonl"
printf '{"prompt": "Something else.", "response": "hi"}\n' >"$tmp/other.jsonl"
expect 1 "other.jsonl: no response for the prompt of key 1" -- --task ifeval --data "$tmp/input.jsonl" --responses "$tmp/other.jsonl"
printf '{"key": 1, "prompt": "x", "instruction_id_list": ["length_constraints:number_words"], "kwargs": [{"relation": "about"}]}\n' >"$tmp/badarg.jsonl"
printf '{"prompt": "x", "response": "hi"}\n' >"$tmp/badarg-resp.jsonl"
expect 1 "badarg.jsonl:1: instruction 1 (length_constraints:number_words): argument 'num_words' must be a whole number" -- --task ifeval --data "$tmp/badarg.jsonl" --responses "$tmp/badarg-resp.jsonl"
# and a good one passes
"$MOTE" eval --task ifeval --data "$tmp/input.jsonl" --responses <(printf '{"prompt": "Say hi.", "response": "hi there"}\n') --json >"$tmp/out" 2>/dev/null \
    && grep -q '"prompt_level_strict_acc","value":1' "$tmp/out" && echo "ok: a good file scores" || { echo "FAIL: good file: $(cat "$tmp/out")"; fail=1; }

# --- MMLU folders ---------------------------------------------------------------
mkdir -p "$tmp/mmlu/test" "$tmp/mmlu/dev"
printf 'What is 1+1?,1,2,3,4,B\nWhat is 2+2?,1,2,3,4\n' >"$tmp/mmlu/test/math_test.csv"
expect 1 "math_test.csv:2: 5 columns, expected 6" -- -m "$MODEL" --task mmlu --data "$tmp/mmlu"
printf 'What is 1+1?,1,2,3,4,B\r\n"What is 2+2?,1,2,3,4,B\r\n' >"$tmp/mmlu/test/math_test.csv"
expect 1 "math_test.csv:2: a quoted field is never closed" -- -m "$MODEL" --task mmlu --data "$tmp/mmlu"
printf 'What is 1+1?,1,2,3,4,E\n' >"$tmp/mmlu/test/math_test.csv"
expect 1 "math_test.csv:1: answer 'E' is not one of A, B, C, D" -- -m "$MODEL" --task mmlu --data "$tmp/mmlu"
: >"$tmp/mmlu/test/math_test.csv"
expect 1 "math_test.csv: empty file" -- -m "$MODEL" --task mmlu --data "$tmp/mmlu"
printf 'What is 1+1?,1,2,3,4,B\n' >"$tmp/mmlu/test/math_test.csv"
expect 1 "math_dev.csv" -- -m "$MODEL" --task mmlu --data "$tmp/mmlu" --shots 1
expect 1 "holds no mmlu data" -- -m "$MODEL" --task mmlu --data "$tmp/mmlu/dev"

# --- TruthfulQA -------------------------------------------------------------------
printf 'Type,Category,Question,Best Answer\nA,B,Why?,Because\n' >"$tmp/tqa.csv"
expect 1 "tqa.csv:1: the header needs columns Question, Correct Answers, Incorrect Answers" -- -m "$MODEL" --task truthfulqa-gen --data "$tmp/tqa.csv"
: >"$tmp/tqa.csv"
expect 1 "tqa.csv: no questions" -- -m "$MODEL" --task truthfulqa-gen --data "$tmp/tqa.csv"
printf '[\n  {"question": "Why?",\n   "mc1_targets": {"Because.": 1,\n' >"$tmp/mc.json"
expect 1 "mc.json:4: not valid JSON" -- -m "$MODEL" --task truthfulqa-mc1 --data "$tmp/mc.json"
printf '[{"question": "Why?"}]\n' >"$tmp/mc.json"
expect 1 'mc.json: item 1 has no string "question" or no object "mc2_targets"' -- -m "$MODEL" --task truthfulqa-mc2 --data "$tmp/mc.json"

# --- options ------------------------------------------------------------------------
expect 1 "cannot read '/nonexistent'" -- --task ifeval --data /nonexistent --responses /nonexistent
expect 2 "unknown task 'hellaswag'" -- --task hellaswag --data "$tmp"
expect 2 "needs a model (-m)" -- --task mmlu --data "$tmp/mmlu"
expect 2 "--shots 9: expected a number of examples from 0 to 5" -- --task mmlu --shots 9
expect 2 "unknown option '--bogus'" -- --bogus 1
"$MOTE" eval --help | grep -q "^usage: mote eval" && echo "ok: --help" || { echo "FAIL: --help"; fail=1; }
exit $fail
