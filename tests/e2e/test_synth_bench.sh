#!/usr/bin/env bash
# test_synth_bench.sh — `mote synth` and `mote bench` from the command line.
#
#   - synth of the "tiny" shape and of one real shape (smollm2-135m): `mote info`
#     shows the hyper-parameters of the shapes table and the parameter count
#     of the published model (134.5M, from its model card);
#   - bench on a fixture model: --json is valid JSON, one object per test with
#     llama-bench's field names and sane values; --csv has llama-bench's header
#     fields and one row per test; the default is a markdown table;
#   - bench --like makes its model in a temporary file and removes it;
#   - synth --vocab-from: the text tokenizes as with the file the vocabulary
#     came from; a vocabulary of another size fails with one line, no file;
#   - bad flags: exit status 2 and one line on stderr naming the problem.
set -u
source "$(dirname "$0")/e2e_lib.sh"
need_mote; need_fixtures
FIX=$F
if ! command -v python3 >/dev/null; then
    echo "SKIP: python3 is needed to check the JSON"
    exit 77
fi

fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
make_tmp

# info_field FILE KEY: a top-level value of `mote info --json`.
info_field() { "$MOTE" info --json "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])"; }

# ---- synth: tiny and smollm2-135m -------------------------------------------------------
"$MOTE" synth --like tiny --type q8_0 -o "$tmp/tiny.gguf" -q || fail "synth tiny failed"
for kv in embedding_length=256 block_count=2 head_count=4 head_count_kv=2 feed_forward_length=256 \
          vocab_size=1024 n_params=1049856 architecture=llama; do
    k=${kv%%=*} want=${kv#*=}
    got=$(info_field "$tmp/tiny.gguf" "$k")
    [ "$got" = "$want" ] || fail "tiny: $k is '$got', expected $want"
done

"$MOTE" synth --like smollm2-135m --type q8_0 -o "$tmp/smollm.gguf" -q || fail "synth smollm2-135m failed"
for kv in embedding_length=576 block_count=30 head_count=9 head_count_kv=3 feed_forward_length=1536 \
          vocab_size=49152 context_length=8192; do
    k=${kv%%=*} want=${kv#*=}
    got=$(info_field "$tmp/smollm.gguf" "$k")
    [ "$got" = "$want" ] || fail "smollm2-135m: $k is '$got', expected $want"
done
# SmolLM2-135M's model card: 134,515,008 parameters.
np=$(info_field "$tmp/smollm.gguf" n_params)
[ "$np" = 134515008 ] || fail "smollm2-135m has $np parameters, expected 134515008"
# Every matrix q8_0 except nothing; norms f32 (30 layers x 2 + output_norm = 61).
"$MOTE" info --json "$tmp/smollm.gguf" | python3 -c "
import json,sys; t=json.load(sys.stdin)['types']
assert t['f32']['count'] == 61, t
assert t['q8_0']['count'] == 30*7 + 1, t
" || fail "smollm2-135m type mix"
rm -f "$tmp/smollm.gguf"

# ---- bench on a fixture ---------------------------------------------------------------
model=$FIX/models/llama-tiny-q8_0.gguf
"$MOTE" bench -m "$model" -p 16 -n 4 -t 1,2 -r 2 --json -q >"$tmp/b.json" 2>"$tmp/b.err" || fail "bench --json failed: $(cat "$tmp/b.err")"
python3 - "$tmp/b.json" "$model" <<'EOF' || fail "bench --json output"
import json, sys
rows = json.load(open(sys.argv[1]))
assert isinstance(rows, list) and len(rows) == 4, rows
want = ["model_filename", "model_type", "model_size", "model_n_params", "n_batch", "n_threads", "n_prompt",
        "n_gen", "test_time", "avg_ns", "stddev_ns", "avg_ts", "stddev_ts", "samples_ns", "samples_ts"]
tests = []
for r in rows:
    for k in want:
        assert k in r, "missing " + k
    assert r["model_filename"] == sys.argv[2]
    assert r["model_n_params"] == 1049856, r["model_n_params"]
    assert r["avg_ts"] > 0 and r["stddev_ts"] >= 0 and r["avg_ns"] > 0
    assert len(r["samples_ns"]) == 2 and len(r["samples_ts"]) == 2
    n = r["n_prompt"] + r["n_gen"]
    # avg_ts is the mean of per-sample tokens/s, as in llama-bench.
    ts = [n * 1e9 / s for s in r["samples_ns"]]
    assert abs(sum(ts) / 2 - r["avg_ts"]) <= 1e-3 * r["avg_ts"], (ts, r["avg_ts"])
    tests.append((r["n_threads"], r["n_prompt"], r["n_gen"]))
assert tests == [(1, 16, 0), (2, 16, 0), (1, 0, 4), (2, 0, 4)], tests  # test by test, the thread counts in turn
EOF

"$MOTE" bench -m "$model" -p 8 -n 2 -t 1 -r 1 --csv -q >"$tmp/b.csv" || fail "bench --csv failed"
python3 - "$tmp/b.csv" <<'EOF' || fail "bench --csv output"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 2, rows
for k in ["model_filename", "model_type", "model_size", "model_n_params", "n_threads", "n_prompt", "n_gen",
          "test_time", "avg_ns", "stddev_ns", "avg_ts", "stddev_ts"]:
    assert k in rows[0], k
assert rows[0]["n_prompt"] == "8" and rows[1]["n_gen"] == "2"
EOF

"$MOTE" bench -m "$model" -p 8 -n 2 -t 1 -r 1 -q >"$tmp/b.md" || fail "bench (markdown) failed"
grep -q '^| model ' "$tmp/b.md" || fail "markdown table header missing"
grep -q '| *pp8 |' "$tmp/b.md" || fail "markdown row pp8 missing"
grep -q '| *tg2 |' "$tmp/b.md" || fail "markdown row tg2 missing"

# --like: the temporary model is removed afterwards.
TMPDIR=$tmp "$MOTE" bench --like tiny-qwen3 --type q8_0 -p 8 -n 2 -t 1 -r 1 --json -q >"$tmp/like.json" \
    || fail "bench --like failed"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert len(r)==2 and r[0]['model_type'].startswith('qwen3')" \
    "$tmp/like.json" || fail "bench --like output"
ls "$tmp"/mote-bench-* >/dev/null 2>&1 && fail "bench --like left its temporary model behind"

# ---- bad flags: status 2, one line naming the problem ---------------------------------
bad() {
    local want=$1
    shift
    "$MOTE" "$@" >"$tmp/out" 2>"$tmp/err"
    local st=$?
    [ "$st" = 2 ] || fail "mote $*: status $st, expected 2"
    [ "$(wc -l <"$tmp/err")" = 1 ] || fail "mote $*: stderr is not one line: $(cat "$tmp/err")"
    grep -q -- "$want" "$tmp/err" || fail "mote $*: stderr does not mention '$want': $(cat "$tmp/err")"
}
bad "unknown option '--frobnicate'" synth --like tiny -o "$tmp/x.gguf" --frobnicate
bad "-o needs a value" synth --like tiny -o
bad "unknown model 'gpt-9'" synth --like gpt-9 -o "$tmp/x.gguf"
bad "required" synth --like tiny
bad "seed" synth --like tiny -o "$tmp/x.gguf" --seed -4
bad "give either a model" bench
bad "threads must be from 0" bench -m "$model" -t 300
bad "-p 1,x: expected a comma-separated list" bench -m "$model" -p 1,x
bad "-r" bench -m "$model" -r 0
bad "unknown option '--gpu'" bench -m "$model" --gpu
bad "unknown model 'gpt-9'" bench --like gpt-9
"$MOTE" synth --like tiny --type q9_9 -o "$tmp/x.gguf" 2>"$tmp/err"
[ $? = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "q9_9" "$tmp/err" || fail "synth of an unknown type: $(cat "$tmp/err")"
[ -e "$tmp/x.gguf" ] && fail "a failed synth left a file"
"$MOTE" synth --like tiny --vocab-from "$FIX/models/bert-tiny-f32.gguf" -o "$tmp/x.gguf" 2>"$tmp/err"
[ $? = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "2048 tokens" "$tmp/err" || fail "synth with a vocabulary of another size: $(cat "$tmp/err")"
[ -e "$tmp/x.gguf" ] && fail "a failed synth --vocab-from left a file"
"$MOTE" synth --like tiny-bert --vocab-from "$FIX/models/bert-tiny-f32.gguf" -o "$tmp/vb.gguf" -q || fail "synth --vocab-from failed"
[ "$("$MOTE" tokenize -m "$tmp/vb.gguf" -p "The hive hums." --ids 2>&1)" = "$("$MOTE" tokenize -m "$FIX/models/bert-tiny-f32.gguf" -p "The hive hums." --ids 2>&1)" ] ||
    fail "synth --vocab-from: the tokens differ from the vocabulary's own file"
"$MOTE" bench -m "$tmp/missing.gguf" 2>"$tmp/err"
[ $? = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] || fail "bench of a missing file: $(cat "$tmp/err")"

[ "$fails" = 0 ] && echo "ok" || { echo "$fails failure(s)"; exit 1; }
