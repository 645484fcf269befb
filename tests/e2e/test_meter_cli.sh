#!/usr/bin/env bash
# test_meter_cli.sh — metering as the commands show it, against fake sysfs
# trees (MOTE_SYSFS_ROOT) and a fake vcgencmd (MOTE_VCGENCMD): `mote run
# --verbose` names the energy source and why each better one was not used;
# `mote chat --verbose` gives the same after each answer, `mote eval` after its results;
# `mote bench` and `mote perplexity` report watts and J/token with the
# source; bad metering options are one-line errors.
set -u
M="${MOTE_ROOT:-.}/models/stories260K.gguf"
fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi; }

# an ina260 power monitor reading 3.5 W
mkdir -p "$tmp/ina/class/hwmon/hwmon2"
echo ina260 >"$tmp/ina/class/hwmon/hwmon2/name"
echo 3500000 >"$tmp/ina/class/hwmon/hwmon2/power1_input"
MOTE_SYSFS_ROOT="$tmp/ina" MOTE_VCGENCMD=/nonexistent "$MOTE" run -m "$M" -p "Once upon" -n 8 --temp 0 --verbose \
    >"$tmp/out" 2>"$tmp/err"
check "run --verbose names the hwmon source" 'grep -q "^energy source: hwmon:ina260" "$tmp/err"'
check "run --verbose says why RAPL was not used" 'grep -q "not used: rapl:" "$tmp/err"'
check "run --verbose: prompt and generation J/token" 'grep -q "J/token prompt, .* J/token generated (hwmon:ina260)" "$tmp/err"'
check "run --verbose: 3.50 W" 'grep -q "at 3.50 W (hwmon:ina260)" "$tmp/err"'
# chat: the same summary after each answer, one question (-p) and two in batch mode
Q="${MOTE_FIXTURES:-/nonexistent}/models/qwen3-tiny-f32.gguf"; [ -f "$Q" ] || Q="$M"
MOTE_SYSFS_ROOT="$tmp/ina" MOTE_VCGENCMD=/nonexistent "$MOTE" chat "$Q" -p "Hello" -n 4 --temp 0 --verbose \
    >"$tmp/out" 2>"$tmp/err"
check "chat --verbose names the source and gives J/token" 'grep -q "^energy source: hwmon:ina260" "$tmp/err" &&
    grep -q "^prompt eval cost: .*at 3.50 W (hwmon:ina260)" "$tmp/err" && grep -q "J/token prompt, .* J/token generated (hwmon:ina260)" "$tmp/err"'
printf 'Hello\nHow are you?\n' | MOTE_SYSFS_ROOT="$tmp/ina" MOTE_VCGENCMD=/nonexistent "$MOTE" chat "$Q" -n 4 --temp 0 --verbose \
    --grid-intensity 300 >"$tmp/out" 2>"$tmp/err"
check "chat batch --verbose: a cost per answer, with CO2" '[ "$(grep -c "^eval cost: .*g CO2" "$tmp/err")" -eq 2 ] && [ "$(grep -c "^energy: " "$tmp/err")" -eq 2 ]'
MOTE_SYSFS_ROOT="$tmp/ina" "$MOTE" chat "$Q" -p "Hello" -n 4 --watts 7 >/dev/null 2>"$tmp/err"; st=$?
check "chat --watts 7 refused in one line" '[ $st -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^mote chat: --watts needs IDLE,BUSY" "$tmp/err"'

# eval: the run's cost after its results, on stderr
printf '%s\n' '{"key": 1, "prompt": "Say hi.", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}' >"$tmp/ifeval.jsonl"
printf '%s\n' '{"prompt": "Say hi.", "response": "hi"}' >"$tmp/resp.jsonl"
MOTE_SYSFS_ROOT="$tmp/ina" MOTE_VCGENCMD=/nonexistent "$MOTE" eval --task ifeval --data "$tmp/ifeval.jsonl" \
    --responses "$tmp/resp.jsonl" --json --grid-intensity 300 >"$tmp/out" 2>"$tmp/err"
check "eval: results on stdout, the cost with its source on stderr" 'python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/out" &&
    grep -q "^cost: wall .* at 3.50 W (hwmon:ina260), .* g CO2" "$tmp/err"'

# nothing under /sys; a Raspberry Pi 5 PMIC through vcgencmd: 1.0 A x 5.0 V + 2.0 A x 0.5 V = 6 W
mkdir -p "$tmp/empty"
cat >"$tmp/vcgencmd" <<'SH'
#!/bin/sh
[ "$1" = pmic_read_adc ] || exit 1
echo '   3V3_SYS_A current(1)=1.00000000A'
echo '   VDD_CORE_A current(7)=2.00000000A'
echo '   3V3_SYS_V volt(9)=5.00000000V'
echo '   VDD_CORE_V volt(15)=0.50000000V'
SH
chmod +x "$tmp/vcgencmd"
MOTE_SYSFS_ROOT="$tmp/empty" MOTE_VCGENCMD="$tmp/vcgencmd" "$MOTE" bench -m "$M" -p 16 -n 0 -r 1 -q --csv >"$tmp/bench.csv" 2>"$tmp/err"
check "bench --csv: pi5-pmic source and 6 W" 'python3 - "$tmp/bench.csv" <<PY
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
r = rows[0]
assert r["energy_source"] == "pi5-pmic", r
assert abs(float(r["watts"]) - 6.0) < 1e-3, r["watts"]
assert float(r["joules_per_token"]) > 0 and float(r["cpu_percent"]) >= 0
PY'

# nothing measurable and no model: said, not invented
MOTE_SYSFS_ROOT="$tmp/empty" MOTE_VCGENCMD=/nonexistent "$MOTE" run -m "$M" -p "Once" -n 4 --verbose >"$tmp/out" 2>"$tmp/err"
check "no source: energy not measured" 'grep -q "energy source: none" "$tmp/err" && grep -q "energy not measured" "$tmp/err" && grep -q "not used: declared: no power model" "$tmp/err"'

# the declared model, with CO2, in perplexity
MOTE_SYSFS_ROOT="$tmp/empty" MOTE_VCGENCMD=/nonexistent "$MOTE" perplexity -m "$M" -f "${MOTE_FIXTURES:-/nonexistent}/text/stories.txt" \
    -c 64 --chunks 2 --watts 2,6 --grid-intensity 400 >"$tmp/out" 2>"$tmp/err" ||
    printf 'Once upon a time there was a little dog. %.0s' $(seq 40) >"$tmp/text.txt"
if [ -f "$tmp/text.txt" ]; then
    MOTE_SYSFS_ROOT="$tmp/empty" "$MOTE" perplexity -m "$M" -f "$tmp/text.txt" -c 64 --chunks 2 --watts 2,6 \
        --grid-intensity 400 >"$tmp/out" 2>"$tmp/err"
fi
check "perplexity: J/token (declared) and CO2" 'grep -q "^energy: .* J/token (declared)" "$tmp/out" && grep -q "g CO2" "$tmp/out"'

# bad options: one line, non-zero
for args in "--watts 5" "--watts 6,2" "--grid-intensity -3" "--energy-source thermometer" "--energy-source rapl"; do
    # shellcheck disable=SC2086
    MOTE_SYSFS_ROOT="$tmp/empty" "$MOTE" bench -m "$M" -p 8 -n 0 -r 1 -q $args >"$tmp/out" 2>"$tmp/err"; st=$?
    check "bench $args refused" '[ $st -ne 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^mote bench: " "$tmp/err"'
done
exit $fail
