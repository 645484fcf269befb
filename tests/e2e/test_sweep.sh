#!/usr/bin/env bash
# test_sweep.sh — `mote sweep` over stories260K with small settings: every
# file is written; results.csv has one row per type and every column;
# results.json parses; each SVG is well-formed XML (parsed) and names every
# variant; a second run keeps the finished cells (their files untouched)
# and measures only what is missing — an interrupted sweep leaves exactly
# that, since a cell file is written whole (by rename) at the end of its
# variant; changed settings redo the cells; bad input is a one-line error.
set -u
ROOT="${MOTE_ROOT:-.}"
F="${MOTE_FIXTURES:-/nonexistent}"
base="$F/real/stories260K-f32.gguf"
[ -f "$base" ] || base="$ROOT/models/stories260K.gguf"
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }
if [ -f "$F/text/stories.txt" ]; then text="$F/text/stories.txt"; else
    for i in $(seq 60); do echo "Once upon a time, there was a little girl named Lily. She liked to play in the park."; done >"$tmp/text.txt"
    text="$tmp/text.txt"
fi
mkdir -p "$tmp/sys" # no sensors: the declared model, the same on every machine
export MOTE_SYSFS_ROOT="$tmp/sys" MOTE_VCGENCMD=/nonexistent
out="$tmp/out"
sweep() { "$MOTE" sweep -m "$base" -o "$out" --text "$text" -c 32 --chunks 2 -p 16 -n 8 -r 1 -t 1 \
    --watts 2,6 --grid-intensity 300 --ram 64M "$@"; }

TYPES="f32,q8_0,q4_0,q4_k_m"
sweep --types "$TYPES" >"$tmp/stdout" 2>"$tmp/stderr"; st=$?
check "sweep exits 0" '[ $st -eq 0 ] || { cat "$tmp/stderr"; false; }'
for f in results.csv results.json report.md score_vs_size.svg tps_vs_size.svg joules_vs_size.svg pareto_memory.svg; do
    check "$f written" '[ -s "$out/$f" ]'
done

verify() { # $1: the types expected, comma-separated
python3 - "$out" "$1" <<'PY'
import csv, json, sys, xml.etree.ElementTree as ET
out, types = sys.argv[1], sys.argv[2].split(",")
cols = ("type,file,size_bytes,n_params,bpw,load_ms,peak_rss_bytes,threads,pp_tokens,pp_tps,tg_tokens,tg_tps,"
        "cpu_percent,energy_source,watts,pp_j_per_token,tg_j_per_token,tg_g_co2_per_1k_tokens,ppl,ppl_err,kld").split(",")
rows = list(csv.DictReader(open(f"{out}/results.csv")))
header = open(f"{out}/results.csv").readline().strip().split(",")
assert header == cols, header
assert sorted(r["type"] for r in rows) == sorted(types), [r["type"] for r in rows]
for r in rows:
    assert None not in r and all(k in r for k in cols), r
    for k in cols:
        if k in ("type", "file", "energy_source"): assert r[k], (k, r)
        elif k == "kld": assert r[k] == "", r      # a hook: not measured yet
        else: float(r[k])                          # every other column is a number
    assert r["energy_source"] == "declared", r
    assert int(r["size_bytes"]) > 0 and float(r["ppl"]) > 1 and float(r["tg_tps"]) > 0, r
size = {r["type"]: int(r["size_bytes"]) for r in rows}
if "q8_0" in size and "f32" in size: assert size["q8_0"] < size["f32"], size
j = json.load(open(f"{out}/results.json"))
assert [r["type"] for r in j["results"]] == [r["type"] for r in rows]
assert j["energy_source"] == "declared" and j["best_under_ram"] in types, j["best_under_ram"]
ns = "{http://www.w3.org/2000/svg}"
for name in ("score_vs_size", "tps_vs_size", "joules_vs_size", "pareto_memory"):
    root = ET.parse(f"{out}/{name}.svg").getroot()           # well-formed, or this raises
    assert root.tag == ns + "svg", root.tag
    # a label names every variant drawn at its place ("q4_0, q2_k")
    texts = {part for t in root.iter(ns + "text") if t.text for part in t.text.split(", ")}
    missing = [t for t in types if t not in texts]
    assert not missing, (name, missing)
    assert len(list(root.iter(ns + "circle"))) >= len(types), name
md = open(f"{out}/report.md").read()
for t in types: assert f"| {t}" in md, t
assert "Best under --ram" in md and "declared" in md
PY
}
check "CSV, JSON, SVG and report contents" 'verify "$TYPES"'

# resume: the finished cells are kept untouched, only the new type is measured
sums=$(md5sum "$out"/cells/{f32,q8_0,q4_0,q4_k_m}.json)
sweep --types "$TYPES,q6_k" >"$tmp/stdout" 2>"$tmp/stderr"; st=$?
check "resumed sweep exits 0" '[ $st -eq 0 ]'
check "4 cells kept" '[ "$(grep -c "kept from an earlier run" "$tmp/stderr")" -eq 4 ]'
check "kept cell files untouched" '[ "$(md5sum "$out"/cells/{f32,q8_0,q4_0,q4_k_m}.json)" = "$sums" ]'
check "the new type measured" 'grep -q "q6_k: quantizing ... .*measuring" "$tmp/stderr" && [ -s "$out/cells/q6_k.json" ]'
check "5 rows after resuming" 'verify "$TYPES,q6_k"'

# an interruption: the cell being measured has no file yet; the quantized file may exist
rm "$out/cells/q4_0.json"
sweep --types "$TYPES,q6_k" >"$tmp/stdout" 2>"$tmp/stderr"
check "only the interrupted cell redone" '[ "$(grep -c "kept from an earlier run" "$tmp/stderr")" -eq 4 ] &&
    grep -q "q4_0: measuring" "$tmp/stderr" && ! grep -q "quantizing" "$tmp/stderr"'
check "all rows again" 'verify "$TYPES,q6_k"'

# a real interruption: killed once its first new cell is written (or finished, if it was quicker);
# the next run keeps every cell that exists and completes the rest
K="q5_0,q5_1,q4_1"
# (exec: $! is then mote itself, not a subshell running the sweep function)
(exec "$MOTE" sweep -m "$base" -o "$tmp/killed" --text "$text" -c 32 --chunks 2 -p 16 -n 8 -r 1 -t 1 --watts 2,6 \
    --grid-intensity 300 --ram 64M --types "$K" >/dev/null 2>&1) &
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
for args in "--types q9_z" "--tasks mmlu:200" "--tasks kld" "--ram lots" "-p -1" "--watts 1" "-m $text"; do
    # shellcheck disable=SC2086
    sweep $args >"$tmp/stdout" 2>"$tmp/stderr"; st=$?
    check "sweep $args refused" '[ $st -eq 2 ] && [ "$(wc -l <"$tmp/stderr")" -eq 1 ] && grep -q "^mote sweep: " "$tmp/stderr"'
done
"$MOTE" sweep --types q8_0 -o "$tmp/x" >"$tmp/stdout" 2>"$tmp/stderr"; st=$?
check "sweep without -m refused" '[ $st -eq 2 ] && grep -q "needs a model" "$tmp/stderr"'
exit $fail
