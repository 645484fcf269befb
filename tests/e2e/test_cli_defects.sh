#!/usr/bin/env bash
# test_cli_defects.sh — one check per defect of issue 13 (found by trying
# each command as a new user). Each check is a function named after the
# defect; each failed before its fix. Run one with: bash test_cli_defects.sh NAME
set -u
source "$(dirname "$0")/e2e_lib.sh"
need_mote; need_fixtures
S="$F/real/stories260K-f32.gguf"        # base model, no chat template
L="$F/models/llama-tiny-f32.gguf"       # base model, trained context 512
Q="$F/models/qwen3-tiny-f32.gguf"       # chat template
TEXT="$F/text/stories.txt"              # about 10k stories260K tokens
failed=0
make_tmp
fail() { echo "FAIL: ${FUNCNAME[1]}: $*"; failed=1; }

# quantize A.gguf A.gguf replaced its input.
quantize_refuses_output_equal_to_input() {
    cp "$S" "$tmp/a.gguf"; ln "$tmp/a.gguf" "$tmp/hard.gguf"; ln -s "$tmp/a.gguf" "$tmp/sym.gguf"
    for out in "$tmp/a.gguf" "$tmp/hard.gguf" "$tmp/sym.gguf"; do
        if "$MOTE" quantize "$tmp/a.gguf" "$out" Q8_0 -q 2>"$tmp/err"; then fail "accepted $out"; fi
        grep -q "^mote quantize: .*is the input" "$tmp/err" || fail "message: $(cat "$tmp/err")"
    done
    cmp -s "$S" "$tmp/a.gguf" || fail "the input was changed"
}

# perplexity --chunks 1 failed on a long text; "1 chunks".
perplexity_short_chunks() {
    "$MOTE" perplexity "$S" -f "$TEXT" -c 128 --chunks 1 >"$tmp/out" 2>"$tmp/err" || fail "--chunks 1 failed: $(cat "$tmp/err")"
    grep -q "^perplexity: 128 tokens, 1 chunk of 128 tokens" "$tmp/out" || fail "header: $(head -1 "$tmp/out")"
    grep -q "^Final estimate: PPL = " "$tmp/out" || fail "no final estimate"
    # llama-perplexity's rule still holds for the whole text
    head -c 300 "$TEXT" >"$tmp/short.txt"
    if "$MOTE" perplexity "$S" -f "$tmp/short.txt" -c 128 2>"$tmp/err" >/dev/null; then fail "a too short text was accepted"; fi
    grep -q "at least 256 tokens" "$tmp/err" || fail "short text message: $(cat "$tmp/err")"
}

# imatrix --chunks 3 said "from 10393 tokens".
imatrix_reports_tokens_used() {
    "$MOTE" imatrix "$S" -f "$TEXT" -c 128 --chunks 3 -o "$tmp/im.gguf" >"$tmp/out" 2>&1 || fail "$(cat "$tmp/out")"
    grep -q "from 3 chunks of 128 tokens (384 tokens)" "$tmp/out" || fail "summary: $(cat "$tmp/out")"
    "$MOTE" imatrix "$S" -f "$TEXT" -c 128 --chunks 1 -o "$tmp/im.gguf" >"$tmp/out" 2>&1
    grep -q "from 1 chunk of 128" "$tmp/out" || fail "one chunk: $(cat "$tmp/out")"
}

# imatrix had no -t, checked -o only after the whole run, lost everything on Ctrl-C.
imatrix_threads_output_resume() {
    "$MOTE" imatrix "$S" -f "$TEXT" -c 128 --chunks 1 -t 1 -o "$tmp/t.gguf" >/dev/null 2>&1 || fail "-t 1 refused"
    local t0=$SECONDS
    if "$MOTE" imatrix "$S" -f "$TEXT" -c 128 -o /nonexistent/dir/im.gguf 2>"$tmp/err" >/dev/null; then fail "bad -o accepted"; fi
    grep -q "cannot write the output file" "$tmp/err" || fail "-o message: $(cat "$tmp/err")"
    grep -q "chunks" "$tmp/err" && fail "bad -o was found after the work"
    # Ctrl-C after the first save: the chunks done are kept, --resume finishes.
    python3 - "$MOTE" "$S" "$TEXT" "$tmp/int.gguf" <<'PY' || fail "Ctrl-C: see above"
import os, signal, subprocess, sys, time
mote, model, text, out = sys.argv[1:5]
p = subprocess.Popen([mote, "imatrix", model, "-f", text, "-c", "64", "-t", "1", "--output-frequency", "1", "-o", out],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
deadline = time.time() + 60
while not os.path.exists(out) and p.poll() is None and time.time() < deadline:
    time.sleep(0.005)
p.send_signal(signal.SIGINT)
o, e = p.communicate(timeout=60)
if p.returncode == 0:
    print("note: imatrix finished before Ctrl-C arrived"); sys.exit(0)
if p.returncode != 130 or b"interrupted" not in e or b"--resume" not in e:
    print(f"FAIL: status {p.returncode}, stderr {e.decode()}"); sys.exit(1)
PY
    "$MOTE" imatrix "$S" -f "$TEXT" -c 64 -t 1 -o "$tmp/int.gguf" --resume >"$tmp/out" 2>"$tmp/err" || fail "--resume failed: $(cat "$tmp/err")"
    grep -q "resuming after chunk" "$tmp/err" || fail "--resume did not resume: $(cat "$tmp/err")"
    "$MOTE" imatrix "$S" -f "$TEXT" -c 64 -t 1 -o "$tmp/full.gguf" >"$tmp/full" 2>/dev/null
    [ "$(grep -o 'from [0-9]* chunks' "$tmp/out")" == "$(grep -o 'from [0-9]* chunks' "$tmp/full")" ] ||
        fail "resumed run: '$(cat "$tmp/out")' vs '$(cat "$tmp/full")'"
}

# run -m BASE -p X --chat-template chatml was refused.
run_chat_template_on_base_model() {
    "$MOTE" run -m "$S" -p "Hello" --chat-template chatml -n 3 --verbose-prompt >/dev/null 2>"$tmp/err" ||
        fail "refused: $(cat "$tmp/err")"
    grep -q "<|im_start|>user" "$tmp/err" || fail "chatml not applied: $(cat "$tmp/err")"
}

# A model without a chat template refused mote chat.
chat_without_template() {
    "$MOTE" chat "$S" "Once upon a time" -n 8 --temp 0 >"$tmp/out" 2>"$tmp/err" || fail "refused: $(cat "$tmp/err")"
    [ -s "$tmp/out" ] || fail "no answer"
    [ "$(grep -c 'no chat template' "$tmp/err")" = 1 ] || fail "not said once: $(cat "$tmp/err")"
}

# --messages FILE ending with the user's message waited for input and printed nothing.
messages_ending_with_question() {
    printf '[{"role":"user","content":"Hello"}]' >"$tmp/conv.json"
    "$MOTE" chat "$Q" --messages "$tmp/conv.json" -n 4 --temp 0 >"$tmp/out" 2>"$tmp/err" </dev/null || fail "$(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/out")" = 1 ] && [ -s "$tmp/out" ] || fail "no answer: '$(cat "$tmp/out")'"
    [ "$(cat "$tmp/out")" == "$("$MOTE" chat "$Q" -p Hello -n 4 --temp 0 2>/dev/null)" ] || fail "not the answer to Hello"
}

# Chat batch mode skipped blank lines: answer N was not on line N.
batch_blank_lines() {
    printf 'Hello\n\nHello\n' | "$MOTE" chat "$Q" -n 4 --temp 0 >"$tmp/out" 2>/dev/null
    [ "$(wc -l <"$tmp/out")" = 3 ] || fail "$(wc -l <"$tmp/out") lines for 3 questions"
    [ -z "$(sed -n 2p "$tmp/out")" ] && [ "$(sed -n 1p "$tmp/out")" == "$(sed -n 3p "$tmp/out")" ] || fail "lines do not match"
}

# A full context ended generation silently; --verbose gave no stop reason; raw run did not shift.
context_full_and_stop_reasons() {
    "$MOTE" run "$S" "Once upon a time" -c 16 -n 100 --ignore-eos --no-context-shift --verbose >/dev/null 2>"$tmp/err"
    grep -q "^mote run: the context of 16 tokens is full" "$tmp/err" || fail "full context not said: $(cat "$tmp/err")"
    grep -q "^stop reason: *context$" "$tmp/err" || fail "stop reason context"
    "$MOTE" run "$S" "Once upon a time" -c 16 -n 100 --ignore-eos --verbose >/dev/null 2>"$tmp/err" || fail "shift run failed"
    grep -q "^eval count: *100 token" "$tmp/err" || fail "context shift: not 100 tokens: $(grep 'eval count' "$tmp/err")"
    grep -q "^context shifts: *[1-9]" "$tmp/err" || fail "no context shift reported"
    "$MOTE" run "$S" "Once upon a time" -n 5 --verbose >/dev/null 2>"$tmp/err"
    grep -q "^stop reason: *length$" "$tmp/err" || fail "stop reason length"
    "$MOTE" run "$S" "Once upon a time" -n 200 --temp 0 --stop "Lily" --verbose >"$tmp/out" 2>"$tmp/err"
    grep -q "^stop reason: *stop$" "$tmp/err" || fail "stop reason stop"
    "$MOTE" chat "$Q" "Hello" -n 2 --temp 0 --verbose >/dev/null 2>"$tmp/err"
    grep -q "^stop reason: *length$" "$tmp/err" || fail "chat stop reason: $(cat "$tmp/err")"
    # eos: some seed makes the tiny chat model end its turn well within 300 tokens
    for seed in 1 2 3 4 5 6 7 8; do
        "$MOTE" chat "$Q" "Hello" -n 300 -s $seed --json 2>/dev/null | grep -q '"stop_reason":"eos"' && return
    done
    fail "stop reason eos never seen"
}

# -c beyond the trained context did not warn.
ctx_beyond_training_warns() {
    "$MOTE" run "$L" "Hello" -n 2 -c 1024 >/dev/null 2>"$tmp/err"
    grep -q "warning: the context of 1024 tokens is larger than the 512 the model was trained with" "$tmp/err" ||
        fail "no warning: $(cat "$tmp/err")"
    "$MOTE" run "$L" "Hello" -n 2 -c 512 >/dev/null 2>"$tmp/err"
    grep -q warning "$tmp/err" && fail "a warning at the trained size"
}

# Messages: -t 2000, --stop "", run failures said "mote chat:", -n -5 unlimited, --top-k -5 / --top-p 7 accepted.
messages() {
    "$MOTE" run "$S" hi -t 2000 2>"$tmp/err"; grep -q "threads must be from 0 (one per physical core) to 256" "$tmp/err" || fail "-t 2000: $(cat "$tmp/err")"
    "$MOTE" run "$S" hi --stop "" 2>"$tmp/err"; grep -q "needs a non-empty text" "$tmp/err" || fail "--stop '': $(cat "$tmp/err")"
    "$MOTE" run "$Q" hi --chat-template vicuna 2>"$tmp/err"; grep -q "^mote run: unknown chat template" "$tmp/err" || fail "run prefix: $(cat "$tmp/err")"
    "$MOTE" run "$Q" hi -n -5 2>"$tmp/err" && fail "-n -5 accepted"
    "$MOTE" run "$S" hi --top-k -5 2>/dev/null && fail "--top-k -5 accepted"
    "$MOTE" run "$S" hi --top-p 7 2>/dev/null && fail "--top-p 7 accepted"
    "$MOTE" info "$S" | grep -q "1 tensors" && fail "1 tensors"
    true
}

# Progress lines used \r in logs.
progress_plain_in_logs() {
    "$MOTE" imatrix -m "$S" -f "$TEXT" -c 128 -o "$tmp/p.gguf" >/dev/null 2>"$tmp/err"
    "$MOTE" perplexity -m "$S" -f "$TEXT" -c 128 >/dev/null 2>>"$tmp/err"
    "$MOTE" quantize "$S" "$tmp/p8.gguf" Q8_0 >/dev/null 2>>"$tmp/err"
    if grep -q $'\r' "$tmp/err"; then fail "carriage returns on a stderr that is not a terminal"; fi
}

# bench --json/--csv were built by hand: both now come from one cJSON row.
bench_json_csv() {
    cp "$S" "$tmp/we\"ird name.gguf"
    "$MOTE" bench "$tmp/we\"ird name.gguf" -p 8 -n 2 -r 2 -q --json >"$tmp/b.json" || fail "bench --json failed"
    "$MOTE" bench "$tmp/we\"ird name.gguf" -p 8 -n 2 -r 2 -q --csv >"$tmp/b.csv" || fail "bench --csv failed"
    python3 - "$tmp/b.json" "$tmp/b.csv" <<'PY' || fail "see above"
import csv, json, sys
rows = json.load(open(sys.argv[1]))
table = list(csv.DictReader(open(sys.argv[2])))
assert len(rows) == 2 == len(table), (len(rows), len(table))
assert list(rows[0]) == list(table[0]), f"JSON and CSV fields differ:\n{list(rows[0])}\n{list(table[0])}"
assert rows[0]["model_filename"].endswith('we"ird name.gguf') and table[0]["model_filename"] == rows[0]["model_filename"]
assert len(rows[0]["samples_ns"]) == 2 and len(table[0]["samples_ns"].split()) == 2
PY
}

# Ctrl-C during run lost the timings.
ctrl_c_run_prints_timings() {
    python3 - "$MOTE" "$S" <<'PY' || fail "see above"
import signal, subprocess, sys, time
mote, model = sys.argv[1:3]
p = subprocess.Popen([mote, "run", model, "Once upon a time", "-n", "-1", "--ignore-eos", "-c", "64"],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
p.stdout.read(40)  # it is generating
p.send_signal(signal.SIGINT)
out, err = p.communicate(timeout=30)
err = err.decode()
assert p.returncode == 130, f"status {p.returncode}: {err}"
for field in ("eval count:", "eval rate:", "stop reason:          cancel"):
    assert field in err, f"no '{field}' after Ctrl-C: {err}"
PY
}

# quantize --imatrix did not write llama-quantize's quantize.imatrix.* keys.
quantize_imatrix_keys() {
    local im="$MOTE_ROOT/tests/data/quantize/llama-tiny.imatrix.gguf"
    "$MOTE" quantize "$L" "$tmp/qi.gguf" Q4_K_M --imatrix "$im" -q -t 1 || fail "quantize failed"
    for key in quantize.imatrix.file quantize.imatrix.dataset quantize.imatrix.entries_count quantize.imatrix.chunks_count; do
        grep -qa "$key" "$tmp/qi.gguf" || fail "no $key"
    done
    # The whole file equals llama-quantize's, when it is at hand.
    local lq="${LLAMA_QUANTIZE:-$MOTE_ROOT/../llama/src/build/bin/llama-quantize}"
    if [ -x "$lq" ]; then
        "$lq" --imatrix "$im" "$L" "$tmp/lq.gguf" Q4_K_M 1 >/dev/null 2>&1 && cmp "$tmp/qi.gguf" "$tmp/lq.gguf" ||
            fail "differs from llama-quantize's file"
    else
        echo "note: llama-quantize not found: the byte-for-byte comparison is skipped"
    fi
}

# The README named `mote serve` before it existed: every `mote WORD` it names is a command.
readme_names_only_commands() {
    local cmds
    cmds=$("$MOTE" --help | awk '/^commands:/{on=1; next} on && NF==0{exit} on{print $1}')
    grep -oE '(build/mote|`mote) [a-z][a-z-]*' "$MOTE_ROOT/README.md" | awk '{print $2}' | sort -u | while read -r word; do
        case " help " in *" $word "*) continue ;; esac
        echo "$cmds" | grep -qx "$word" || echo "$word"
    done >"$tmp/unknown"
    [ ! -s "$tmp/unknown" ] || fail "README names commands that do not exist: $(tr '\n' ' ' <"$tmp/unknown")"
}

ALL="quantize_refuses_output_equal_to_input perplexity_short_chunks imatrix_reports_tokens_used
imatrix_threads_output_resume run_chat_template_on_base_model chat_without_template messages_ending_with_question
batch_blank_lines context_full_and_stop_reasons ctx_beyond_training_warns messages progress_plain_in_logs
bench_json_csv ctrl_c_run_prints_timings quantize_imatrix_keys readme_names_only_commands"
for t in ${1:-$ALL}; do
    before=$failed; failed=0
    "$t"
    [ $failed = 0 ] && echo "ok: $t"
    failed=$((before | failed))
done
[ $failed = 0 ] && echo "PASS" || exit 1
