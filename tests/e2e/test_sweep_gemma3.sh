#!/usr/bin/env bash
# test_sweep_gemma3.sh — `mote sweep` over a model of gemma3-270m's exact
# shape (random weights from `mote synth`, F16, about 520 MiB in a
# temporary directory) with small settings: two types, short speed tests,
# one chunk of perplexity and KLD. Every file is written, the CSV has one
# row per type and every column, each SVG parses and names both variants
# (tests/e2e/sweep_verify.py), and sizes and KLD order as they must.
set -u
source "$(dirname "$0")/e2e_lib.sh"
need_mote; make_tmp; story_text; no_sensors
ROOT="${MOTE_ROOT:-.}"

"$MOTE" synth --like gemma3-270m --type f16 -o "$tmp/gemma3-270m-f16.gguf" -q
check "synth gemma3-270m f16" '[ -s "$tmp/gemma3-270m-f16.gguf" ]'
out="$tmp/out"
# --ram picks the best variant by peak RSS, which a sanitizer's own memory dominates
ram="--ram 310M"
[ "${MOTE_SANITIZE:-OFF}" = ON ] && ram=""
"$MOTE" sweep "$tmp/gemma3-270m-f16.gguf" -o "$out" --types q8_0,q4_0 --text "$text" -c 32 --chunks 1 \
    --tasks ppl,kld -p 8 -n 4 -r 1 -t 2 --watts 2,6 --grid-intensity 300 $ram >"$tmp/stdout" 2>"$tmp/stderr"; st=$?
check "sweep exits 0" '[ $st -eq 0 ] || { cat "$tmp/stderr"; false; }'
check "every file, every column, every plot" 'python3 "$ROOT/tests/e2e/sweep_verify.py" "$out" q8_0,q4_0 ppl,kld'
check "gemma3-270m's size: q8_0 about 278 MiB, q4_0 smaller, 268M parameters" 'python3 - "$out/results.csv" <<PY
import csv, sys
r = {row["type"]: row for row in csv.DictReader(open(sys.argv[1]))}
assert 270e6 < int(r["q8_0"]["size_bytes"]) < 300e6 and int(r["q4_0"]["size_bytes"]) < int(r["q8_0"]["size_bytes"]), r
assert int(r["q8_0"]["n_params"]) == 268098176, r
assert int(r["q8_0"]["peak_rss_bytes"]) > int(r["q8_0"]["size_bytes"]) // 2, r
PY'
[ -n "$ram" ] && check "the best under --ram 310M is q4_0" 'grep -q "Best under --ram 310.0 MiB: q4_0" "$out/report.md"'
exit $fail
