#!/usr/bin/env bash
# test_serve_budget.sh — what `mote serve` does with sizes (issue 12):
#   options.num_ctx: a prompt longer than the default context but within
#   num_ctx is answered (the context grows; the answer equals mote run's), a
#   longer one gets a 400 naming num_ctx, a smaller num_ctx limits prompt +
#   answer, a num_ctx beyond the model's trained context is capped;
#   --max-memory: a model that cannot fit gets a clear error, a second model
#   unloads the idle first to fit, a num_ctx too big for the budget is a 400,
#   a model waits for a busy one to finish rather than failing;
#   the sampling flags are the defaults of requests (the model given as an
#   argument, not -m); /metrics carries the
#   process meter (CPU, peak RSS, energy with its source).
set -euo pipefail
here=$(dirname "$0")
source "$here/serve_lib.sh"
need_mote; serve_fixtures
gen() { # gen MODEL PROMPT OPTIONS-JSON: /api/generate, not streamed
    post /api/generate "{\"model\":\"$1\",\"prompt\":\"$2\",\"stream\":false,\"options\":$3}"
}

# A prompt of about 100 tokens for stories260K (a base model: raw continuation).
long="Once upon a time there was a little girl named Lily. She liked to play in the park with her friends."
long="$long $long $long $long"
n_long=$("$MOTE" tokenize -m "$S" -p "$long" --ids | python3 -c 'import sys; print(len(eval(sys.stdin.read())))')
[ "$n_long" -gt 64 ] && [ "$n_long" -lt 200 ] || fail "the long prompt is $n_long tokens"

# --- num_ctx: -c 64 per request by default
start_server "$tmp/log" -m "$S" -m "$Q" -c 64 --parallel 2 --quiet
gen stories260K "$long" '{"temperature":0,"num_predict":8}' > /dev/null
[ "$(status)" = 400 ] || fail "a prompt over the default context: status $(status)"
grep -q "the context holds 64 per request (raise options.num_ctx" "$tmp/body" || fail "message: $(cat "$tmp/body")"
# within num_ctx: answered, and the answer is mote run's
want=$("$MOTE" run -m "$S" -p "$long" -n 16 --temp 0 2>/dev/null)
want=${want#" $long"}
got=$(gen stories260K "$long" '{"temperature":0,"num_predict":16,"num_ctx":256}' | jq_ 'd["response"]')
[ "$(status)" = 200 ] || fail "num_ctx 256: status $(status): $(cat "$tmp/body")"
[ "$got" = "$want" ] || fail "num_ctx 256: '$got' != mote run's '$want'"
[ "$(jq_ 'd["prompt_eval_count"]' < "$tmp/body")" = "$n_long" ] || fail "prompt_eval_count: $(cat "$tmp/body")"
[ "$(curl -s "$URL/api/ps" | jq_ 'd["models"][0]["context_length"]')" = 256 ] || fail "/api/ps context_length after num_ctx 256"
# the larger context stays: a request without num_ctx now fits too
gen stories260K "$long" '{"temperature":0,"num_predict":4}' > /dev/null
[ "$(status)" = 200 ] || fail "after growing, a request without num_ctx: $(status)"
# longer than num_ctx: a 400 naming num_ctx (no silent truncation)
gen stories260K "$long" '{"temperature":0,"num_predict":4,"num_ctx":80}' > /dev/null
[ "$(status)" = 400 ] || fail "prompt over num_ctx: status $(status)"
grep -q "options.num_ctx is 80" "$tmp/body" || fail "prompt over num_ctx: $(cat "$tmp/body")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert set(d) == {"error"}' "$tmp/body" || fail "not a JSON error"
# a num_ctx smaller than the context limits prompt + answer together
limit=$((n_long + 5))
gen stories260K "$long" "{\"temperature\":0,\"num_predict\":50,\"num_ctx\":$limit}" > /dev/null
[ "$(jq_ 'd["eval_count"], d["done_reason"]' < "$tmp/body" | tr '\n' ' ')" = "5 length " ] || fail "num_ctx $limit: $(cat "$tmp/body")"
# beyond the model's trained context (qwen3-tiny: 512): capped there
post /api/chat '{"model":"qwen3-tiny-q8_0","messages":[{"role":"user","content":"Hi"}],"stream":false,"options":{"temperature":0,"num_predict":2,"num_ctx":100000}}' > /dev/null
[ "$(status)" = 200 ] || fail "num_ctx 100000: $(status) $(cat "$tmp/body")"
[ "$(curl -s "$URL/api/ps" | jq_ '[m["context_length"] for m in d["models"] if m["name"] == "qwen3-tiny-q8_0"][0]')" = 512 ] || fail "num_ctx not capped at 512: $(curl -s "$URL/api/ps")"
# a num_ctx request while others run: they finish, then it runs (16 concurrent, all answered)
python3 - "$URL" "$long" <<'EOF' || fail "concurrent num_ctx requests"
import json, sys, threading, urllib.request
url, long = sys.argv[1], sys.argv[2]
res = {}
def go(i):
    opts = {"temperature": 0, "num_predict": 12}
    if i % 4 == 0: opts["num_ctx"] = 300 + i
    body = json.dumps({"model": "stories260K", "prompt": long if i % 4 == 0 else "Once upon a time", "stream": False, "options": opts}).encode()
    req = urllib.request.Request(url + "/api/generate", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        res[i] = json.load(r)
ts = [threading.Thread(target=go, args=(i,)) for i in range(16)]
[t.start() for t in ts]; [t.join(70) for t in ts]
assert len(res) == 16, sorted(res)
assert all(d["eval_count"] == 12 for d in res.values()), res
EOF
stop_server
echo "ok: num_ctx"

# --- the memory budget. First the sizes each model takes, from /api/ps.
start_server "$tmp/log" -m "$S" -m "$Q" -c 64 --parallel 2 --quiet
gen stories260K "Once" '{"num_predict":1}' > /dev/null
post /api/chat '{"model":"qwen3-tiny-q8_0","messages":[{"role":"user","content":"Hi"}],"stream":false,"options":{"num_predict":1}}' > /dev/null
read -r size_s size_q < <(curl -s "$URL/api/ps" | jq_ '" ".join(str(int(m["size"])) for m in sorted(d["models"], key=lambda m: m["name"] != "stories260K"))')
stop_server
[ "$size_s" -gt 1000000 ] && [ "$size_q" -gt 1000000 ] || fail "sizes $size_s $size_q"

# too small for any model: a clear error, the server goes on
start_server "$tmp/log" -m "$S" --max-memory 100K --quiet
gen stories260K "Once" '{"num_predict":1}' > /dev/null
[ "$(status)" = 500 ] || fail "--max-memory 100K: status $(status)"
grep -q "model 'stories260K' needs [0-9]* MiB for its weights, more than --max-memory allows" "$tmp/body" || fail "message: $(cat "$tmp/body")"
[ "$(curl -s "$URL/health" | jq_ 'd["status"]')" = ok ] || fail "/health after a refused load"
stop_server

# room for the larger model, not for both: using the second unloads the idle first
budget=$(( (size_s > size_q ? size_s : size_q) + 200000 ))
start_server "$tmp/log" -m "$S" -m "$Q" -c 64 --parallel 2 --max-memory "$budget" --quiet
gen stories260K "Once" '{"num_predict":2}' > /dev/null
[ "$(status)" = 200 ] || fail "first model within the budget: $(status) $(cat "$tmp/body")"
post /api/chat '{"model":"qwen3-tiny-q8_0","messages":[{"role":"user","content":"Hi"}],"stream":false,"options":{"num_predict":2}}' > /dev/null
[ "$(status)" = 200 ] || fail "second model: $(status) $(cat "$tmp/body")"
[ "$(curl -s "$URL/api/ps" | jq_ '[m["name"] for m in d["models"]]')" = "['qwen3-tiny-q8_0']" ] || fail "the first model was not unloaded: $(curl -s "$URL/api/ps")"
# a num_ctx the budget cannot hold: a 400 that says so; the model keeps serving
gen stories260K "Once" '{"num_predict":2,"num_ctx":2048}' > /dev/null
[ "$(status)" = 400 ] || fail "num_ctx over the budget: $(status) $(cat "$tmp/body")"
grep -q "more than --max-memory allows.*ask for a smaller num_ctx" "$tmp/body" || fail "message: $(cat "$tmp/body")"
gen stories260K "Once" '{"num_predict":2}' > /dev/null
[ "$(status)" = 200 ] || fail "after a refused num_ctx: $(status) $(cat "$tmp/body")"
# a model needed while the other is busy: it waits for the other to finish, then loads
curl -s --max-time 60 "$URL/api/generate" -d '{"model":"stories260K","prompt":"Once","stream":false,"options":{"num_predict":1500,"temperature":0}}' > "$tmp/long.json" &
busy=$!
sleep 0.3
post /api/chat '{"model":"qwen3-tiny-q8_0","messages":[{"role":"user","content":"Hi"}],"stream":false,"options":{"num_predict":2}}' > /dev/null
[ "$(status)" = 200 ] || fail "waiting for a busy model's memory: $(status) $(cat "$tmp/body")"
wait $busy
[ "$(jq_ 'd["done"]' < "$tmp/long.json")" = True ] || fail "the busy model's request: $(cat "$tmp/long.json")"
stop_server
echo "ok: --max-memory"

# --- sampling flags as request defaults; /metrics with the meter
start_server "$tmp/log" "$S" --temp 0 -n 12 --energy-source declared --watts 2,10 --quiet
want=$("$MOTE" run -m "$S" -p "Once upon a time" -n 12 --temp 0 2>/dev/null)
want=${want#" Once upon a time"}
got=$(gen stories260K "Once upon a time" '{}' | jq_ 'd["response"]')
[ "$got" = "$want" ] || fail "--temp 0 -n 12 as defaults: '$got' != '$want'"
got=$(post /v1/completions '{"model":"stories260K","prompt":"Once upon a time"}' | jq_ 'd["choices"][0]["text"] + "|" + str(d["usage"]["completion_tokens"])')
[ "$got" = "$want|12" ] || fail "OpenAI request with the server's defaults: '$got'"
sleep 0.3
curl -s "$URL/metrics" > "$tmp/metrics"
python3 - "$tmp/metrics" <<'EOF' || fail "/metrics: $(cat "$tmp/metrics")"
import sys
v = {}
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip(): continue
    name, value = line.rsplit(" ", 1)
    v[name] = float(value)
assert v["mote_process_cpu_seconds_total"] > 0, v
assert v["mote_process_cpu_percent"] > 0, v
assert v["mote_process_peak_rss_bytes"] > 1e6, v
assert v['mote_energy_source_info{source="declared"}'] == 1, v
assert v['mote_energy_joules_total{source="declared"}'] > 0, v
assert 2 <= v['mote_power_watts{source="declared"}'] <= 10, v
assert v['mote_joules_per_token{source="declared"}'] > 0, v
EOF
# the totals only grow
j1=$(awk '$1 ~ /^mote_energy_joules_total/ {print $2}' "$tmp/metrics")
sleep 0.3
j2=$(curl -s "$URL/metrics" | awk '$1 ~ /^mote_energy_joules_total/ {print $2}')
python3 -c "import sys; assert float(sys.argv[2]) > float(sys.argv[1])" "$j1" "$j2" || fail "energy did not grow: $j1 then $j2"
stop_server
echo "ok: request defaults, /metrics metering"
echo PASS
