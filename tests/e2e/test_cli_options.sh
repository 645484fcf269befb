#!/usr/bin/env bash
# test_cli_options.sh — one command line for every command (issue 13): each
# shared flag is run through every command that takes it and must mean the
# same there: the same spellings (llama.cpp's long names too), the same
# checks with the same one-line message, the model as -m, --model or the
# first argument, `mote help CMD` equal to `mote CMD --help`.
set -u
source "$(dirname "$0")/e2e_lib.sh"
need_mote; need_fixtures
S="$F/real/stories260K-f32.gguf"       # no chat template
Q="$F/models/qwen3-tiny-f32.gguf"      # a chat template
TEXT="$F/text/stories.txt"
make_tmp
printf 'Once upon a time' >"$tmp/prompt.txt"

# The arguments each command needs besides the flag under test.
args_for() {
    case $1 in
        run) echo "-m $S -p hi -n 1" ;;
        chat) echo "-m $Q -p hi -n 1" ;;
        bench) echo "-m $S -p 8 -n 0 -r 1" ;;
        perplexity) echo "-m $S -f $TEXT --chunks 1 -c 64" ;;
        imatrix) echo "-m $S -f $TEXT --chunks 1 -c 64 -o $tmp/im.gguf" ;;
        quantize) echo "$S $tmp/q.gguf Q8_0" ;;
        info) echo "$S" ;;
        tokenize) echo "-m $S -p hi" ;;
        serve) echo "-m $S --port 0" ;;   # every check below fails before the server starts
        sweep) echo "$S -o $tmp/sweep --types q8_0 -p 8 -n 4 -r 1" ;;
        eval) echo "$S --task mmlu --data $tmp/mmlu --limit 1" ;;
        embed) echo "$S -p hi" ;;
    esac
}

# expect_bad CMD PATTERN FLAGS...: exit status 2 and exactly one line "mote CMD: ...PATTERN..."
expect_bad() {
    local cmd=$1 pattern=$2; shift 2
    # shellcheck disable=SC2046
    "$MOTE" "$cmd" $(args_for "$cmd") "$@" >/dev/null 2>"$tmp/err" </dev/null; local st=$?
    [ "$st" = 2 ] || err "$cmd $*: exit status $st, expected 2"
    grep -q "^mote $cmd: .*$pattern" "$tmp/err" || err "$cmd $*: message lacks '$pattern': $(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/err")" = 1 ] || err "$cmd $*: expected one line on stderr, got: $(cat "$tmp/err")"
}

# -t / --threads: the same range and the same message in every command that computes.
for cmd in run chat bench perplexity imatrix quantize sweep eval embed; do
    expect_bad "$cmd" "-t 2000: threads must be from 0 (one per physical core) to 256" -t 2000
    expect_bad "$cmd" "-t -1: threads must be from 0" --threads -1
    expect_bad "$cmd" "unknown option '--bogus'" --bogus
done
echo "ok: -t in run, chat, bench, perplexity, imatrix, quantize, sweep, eval, embed"

# The sampling and length flags: the same checks in run and chat.
for cmd in run chat; do
    expect_bad "$cmd" "-n -5: expected a number of tokens, or -1 for no limit" -n -5
    expect_bad "$cmd" "--top-k -5: expected 0 (off)" --top-k -5
    expect_bad "$cmd" "--top-p 7: expected a number from 0 to 1" --top-p 7
    expect_bad "$cmd" "--min-p 2: expected a number from 0 to 1" --min-p 2
    expect_bad "$cmd" "--temp -1: expected a number >= 0" --temp -1
    expect_bad "$cmd" "-s -2: expected a non-negative integer" -s -2
    expect_bad "$cmd" "-c -1: expected a number of tokens" --ctx-size -1
    expect_bad "$cmd" "--stop needs a non-empty text" --stop ""
    expect_bad "$cmd" "--temp expects a number, not 'hot'" --temp hot
done
for cmd in perplexity imatrix sweep; do
    expect_bad "$cmd" "--chunks 0: expected a positive number of chunks" --chunks 0
    expect_bad "$cmd" "-c -1: expected a number of tokens" -c -1
done
expect_bad eval "-c -1: expected a number of tokens" --ctx-size -1
expect_bad eval "-s -2: expected a non-negative integer" -s -2
expect_bad eval "--limit 0: expected a positive number of items" --limit 0
expect_bad sweep "-r 0: expected an integer from 1 to 64" -r 0
expect_bad embed "unknown pooling 'max'" --pooling max
echo "ok: value checks"

# -ngl is accepted everywhere a model runs, with a note that it is ignored.
mkdir -p "$tmp/mmlu/test"
printf 'What is 1+1?,1,2,3,4,B\n' >"$tmp/mmlu/test/math_test.csv"
for cmd in run chat perplexity bench sweep eval embed; do
    # shellcheck disable=SC2046
    "$MOTE" "$cmd" $(args_for "$cmd") -ngl 99 >/dev/null 2>"$tmp/err" </dev/null || err "$cmd -ngl 99 refused: $(cat "$tmp/err")"
    grep -q "^mote $cmd: note: -ngl is ignored" "$tmp/err" || err "$cmd -ngl: no note"
done
echo "ok: -ngl"

# mote help CMD is mote CMD --help, for every command; the help names the shared flags.
for cmd in info tokenize run chat perplexity imatrix quantize bench synth sweep eval embed; do
    a=$("$MOTE" help "$cmd") || err "mote help $cmd failed"
    b=$("$MOTE" "$cmd" --help) || err "mote $cmd --help failed"
    [ "$a" == "$b" ] || err "mote help $cmd differs from mote $cmd --help"
done
for cmd in run chat perplexity imatrix quantize bench sweep eval embed; do
    "$MOTE" help "$cmd" | grep -q -- "-t, --threads" || err "mote help $cmd does not list -t, --threads"
done
"$MOTE" help nosuch 2>/dev/null && err "mote help nosuch succeeded"
"$MOTE" help --help | grep -q "usage: mote <command>" || err "mote help --help does not print the command list"
echo "ok: mote help CMD"

# The model: -m, --model or the first argument, the same result.
a=$("$MOTE" info "$S"); b=$("$MOTE" info -m "$S"); c=$("$MOTE" info --model "$S")
[ "$a" == "$b" ] && [ "$a" == "$c" ] || err "info: MODEL, -m MODEL and --model MODEL differ"
a=$("$MOTE" tokenize "$S" "Once upon a time" --ids); b=$("$MOTE" tokenize -m "$S" -p "Once upon a time" --ids)
[ "$a" == "$b" ] || err "tokenize: MODEL TEXT and -m -p differ"
# run MODEL "prompt", -m/-p, --model/--prompt with llama.cpp's long names
a=$("$MOTE" run "$S" "Once upon a time" -n 24 --temp 0 2>&1)
b=$("$MOTE" run -m "$S" -p "Once upon a time" -n 24 --temp 0 2>&1)
c=$("$MOTE" run --model "$S" --prompt "Once upon a time" --n-predict 24 --temp 0 --ctx-size 256 --threads 1 2>&1)
d=$("$MOTE" run "$S" Once upon a time --predict=24 --temperature=0 2>&1)
[ "$a" == "$b" ] || err "run MODEL PROMPT and run -m -p differ: '$a' vs '$b'"
[ "$a" == "$c" ] || err "run --model --prompt --n-predict differs: '$c'"
[ "$a" == "$d" ] || err "run MODEL words --predict=24 differs: '$d'"
[ ${#a} -gt 40 ] || err "run output too short: $a"
e=$("$MOTE" run -m "$S" -f "$tmp/prompt.txt" -n 24 --temp 0 2>&1)
[ "$a" == "$e" ] || err "run -f differs from -p"
# the same seed gives the same sampled text, -s and --seed alike
a=$("$MOTE" run "$S" "Once" -n 24 -s 7 2>&1); b=$("$MOTE" run "$S" "Once" -n 24 --seed 7 2>&1)
[ "$a" == "$b" ] || err "-s 7 and --seed 7 differ"
# chat: MODEL QUESTION and -m -p; -sys and --system-prompt
a=$("$MOTE" chat "$Q" "Hello" -n 6 --temp 0 2>&1); b=$("$MOTE" chat -m "$Q" -p "Hello" -n 6 --temp 0 2>&1)
[ "$a" == "$b" ] || err "chat MODEL QUESTION and chat -m -p differ"
a=$(echo Hi | "$MOTE" chat "$Q" -sys "Be brief" -n 2 --verbose-prompt 2>&1 >/dev/null | grep -c 'Be brief')
b=$(echo Hi | "$MOTE" chat "$Q" --system-prompt "Be brief" -n 2 --verbose-prompt 2>&1 >/dev/null | grep -c 'Be brief')
[ "$a" -ge 1 ] && [ "$a" = "$b" ] || err "-sys and --system-prompt differ ($a, $b)"
# embed, eval and sweep: the model as the first argument or -m / --model, the same result
a=$("$MOTE" embed "$S" -p "Once upon a time"); b=$("$MOTE" embed -m "$S" --prompt "Once upon a time" -t 1)
[ -n "$a" ] && [ "$a" == "$b" ] || err "embed MODEL -p and embed -m --prompt differ"
a=$("$MOTE" eval "$S" --task mmlu --data "$tmp/mmlu" --json 2>/dev/null | sed 's/"seconds":[^,}]*//')
b=$("$MOTE" eval --model "$S" --task mmlu --data "$tmp/mmlu" --json -t 1 -c 256 2>/dev/null | sed 's/"seconds":[^,}]*//')
[ -n "$a" ] && [ "$a" == "$b" ] || err "eval MODEL and eval --model differ: '$a' vs '$b'"
"$MOTE" sweep "$S" --output "$tmp/sw1" --types q8_0 -p 8 -n 4 -r 1 -t 1 >/dev/null 2>&1 && [ -s "$tmp/sw1/results.csv" ] \
    || err "sweep MODEL --output DIR"
echo "ok: the model and the prompt, short and long names"

# -i / --interactive: the prompt's answer, then a session reading the rest (here from a pipe).
for flag in -i --interactive; do
    printf 'The cat\n' | "$MOTE" run "$S" -p "Once upon a time" $flag -n 4 --temp 0 --history-file "" >"$tmp/i.txt" 2>/dev/null
    grep -q "Type /? for help" "$tmp/i.txt" && [ "$(grep -c . "$tmp/i.txt")" -ge 3 ] || err "run $flag: $(cat "$tmp/i.txt")"
done
echo "ok: -i"

# -o / --output: the text goes to the file.
"$MOTE" run "$S" "Once upon a time" -n 8 --temp 0 -o "$tmp/out.txt" >/dev/null 2>&1
[ "$(cat "$tmp/out.txt")" == "$("$MOTE" run "$S" "Once upon a time" -n 8 --temp 0 2>/dev/null)" ] || err "run -o"
"$MOTE" info "$S" --output "$tmp/info.txt" && [ "$("$MOTE" info "$S")" == "$(cat "$tmp/info.txt")" ] || err "info --output"
"$MOTE" perplexity "$S" -f "$TEXT" -c 64 --chunks 2 -o "$tmp/ppl.txt" >/dev/null 2>&1
grep -q "^Final estimate" "$tmp/ppl.txt" || err "perplexity -o"
"$MOTE" imatrix "$S" -f "$TEXT" -c 64 --chunks 2 --output "$tmp/o.gguf" >/dev/null 2>&1 && [ -s "$tmp/o.gguf" ] || err "imatrix --output"
"$MOTE" quantize "$S" -o "$tmp/o8.gguf" Q8_0 -q && [ -s "$tmp/o8.gguf" ] || err "quantize -o"
"$MOTE" embed "$S" -p "Once upon a time" -o "$tmp/embed.txt" && [ "$(cat "$tmp/embed.txt")" == "$("$MOTE" embed "$S" -p "Once upon a time")" ] \
    || err "embed -o"
"$MOTE" eval "$S" --task mmlu --data "$tmp/mmlu" -o "$tmp/items.jsonl" >/dev/null 2>&1 && grep -q '"prompt"' "$tmp/items.jsonl" \
    || err "eval -o: $(cat "$tmp/items.jsonl")"
echo "ok: -o"

# --json on run and chat: one object per answer with text, tokens, timings, stop reason.
check_json() {
    python3 -c '
import json, sys
lines = [l for l in sys.stdin.read().splitlines() if l.strip()]
want = int(sys.argv[1])
assert len(lines) == want, f"{len(lines)} objects, expected {want}"
for l in lines:
    o = json.loads(l)
    assert isinstance(o["text"], str)
    assert o["stop_reason"] in ("eos", "stop", "length", "context")
    assert o["tokens"]["generated"] > 0 and o["tokens"]["prompt"] > 0
    for k in ("load_ms", "prompt_ms", "eval_ms", "prompt_per_second", "eval_per_second"):
        assert k in o["timings"]
' "$1"
}
"$MOTE" run "$S" "Once upon a time" -n 8 --json 2>/dev/null | check_json 1 || err "run --json"
"$MOTE" run "$S" "Once upon a time" -n 8 --json --temp 0 2>/dev/null | grep -q '"stop_reason":"length"' || err "run --json: stop reason"
"$MOTE" chat "$Q" "Hello" -n 4 --json 2>/dev/null | check_json 1 || err "chat -p --json"
printf 'Hello\nHow are you?\n' | "$MOTE" chat "$Q" -n 4 --json 2>/dev/null | check_json 2 || err "chat batch --json"
echo "ok: --json"

# serve reads the same table: the same checks and messages, its help from the table,
# and its own flags checked the same way (issue 12/13).
expect_bad serve "-t 2000: threads must be from 0 (one per physical core) to 256" -t 2000
expect_bad serve "unknown option '--bogus'" --bogus
expect_bad serve "--top-p 7: expected a number from 0 to 1" --top-p 7
expect_bad serve "--temp -1: expected a number >= 0" --temp -1
expect_bad serve "-c -1: expected a number of tokens" --ctx-size -1
expect_bad serve "-np 0: expected a number of slots" -np 0
expect_bad serve "--port 70000: expected a port" --port 70000
expect_bad serve "--max-memory needs a size such as 512M or 2G, not '12X'" --max-memory 12X
expect_bad serve "--keep-alive needs a duration" --keep-alive soon
expect_bad serve "-n 0 would answer nothing" -n 0
a=$("$MOTE" help serve) || err "mote help serve failed"
b=$("$MOTE" serve --help) || err "mote serve --help failed"
[ "$a" == "$b" ] || err "mote help serve differs from mote serve --help"
for f in "-t, --threads" "-c, --ctx-size" "--temp, --temperature" "--max-memory SIZE" "-np, --parallel"; do
    grep -q -- "$f" <<<"$a" || err "mote help serve does not list $f"
done
echo "ok: serve"

[ $fail = 0 ] && echo "PASS" || exit 1
