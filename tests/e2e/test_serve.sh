#!/usr/bin/env bash
# test_serve.sh — `mote serve` driven with curl: every endpoint of the Ollama
# and OpenAI APIs and the extras, streamed and whole, embeddings; the answers equal
# `mote run` for the same prompt and options (greedy); the errors are JSON
# with the right status; --api-key, --cors, --models DIR, keep_alive,
# SIGTERM exits 0.
set -euo pipefail
here=$(dirname "$0")
source "$here/serve_lib.sh"
need_mote; serve_fixtures

start_server "$tmp/log" -m "$Q" -m "$S" --parallel 2

# --- the plain endpoints
[ "$(curl -s "$URL/")" = "mote is running" ] || fail "GET / without Accept: text/html"
page=$(curl -s -H 'Accept: text/html' "$URL/")
[[ $page == *'<title>mote</title>'* ]] || fail "GET / for a browser is not the page"
[ "$(curl -s "$URL/health" | jq_ 'd["status"]')" = ok ] || fail "/health"
[ "$(curl -s "$URL/api/version" | jq_ 'd["version"]')" = "$("$MOTE" --version | cut -d' ' -f2)" ] || fail "/api/version"
[ "$(curl -s "$URL/api/tags" | jq_ '" ".join(m["name"] for m in d["models"])')" = "qwen3-tiny-q8_0 stories260K" ] || fail "/api/tags"
[ "$(curl -s "$URL/v1/models" | jq_ '" ".join(m["id"] for m in d["data"])')" = "qwen3-tiny-q8_0 stories260K" ] || fail "/v1/models"
[ "$(curl -s "$URL/api/ps" | jq_ 'len(d["models"])')" = 0 ] || fail "/api/ps lists a model before any use"
[ "$(post /api/show '{"model":"qwen3-tiny-q8_0"}' | jq_ 'd["details"]["family"], d["details"]["quantization_level"], "<|im_start|>" in d["template"]')" = 'qwen3 Q8_0 True' ] || fail "/api/show: $(cat "$tmp/body")"

# --- greedy answers equal mote run (raw continuation of a base model, and a chat turn)
run_text=$("$MOTE" run -m "$S" -p "Once upon a time" -n 24 --temp 0 2>/dev/null)
want=${run_text#" Once upon a time"}
got=$(post /api/generate '{"model":"stories260K","prompt":"Once upon a time","stream":false,"options":{"temperature":0,"num_predict":24}}' | jq_ 'd["response"]')
[ "$got" = "$want" ] || fail "/api/generate: '$got' != mote run's '$want'"
[ "$(jq_ 'd["done_reason"], d["eval_count"], d["prompt_eval_count"] > 0, d["eval_duration"] > 0, d["total_duration"] >= d["eval_duration"]' < "$tmp/body" | tr '\n' ' ')" = "length 24 True True True " ] || fail "/api/generate fields: $(cat "$tmp/body")"
got=$(post /v1/completions '{"model":"stories260K","prompt":"Once upon a time","temperature":0,"max_tokens":24}' | jq_ 'd["choices"][0]["text"]')
[ "$got" = "$want" ] || fail "/v1/completions: '$got' != '$want'"
# streamed: the concatenated chunks are the same text, the last line has done:true
curl -sN "$URL/api/generate" -d '{"model":"stories260K","prompt":"Once upon a time","options":{"temperature":0,"num_predict":24}}' > "$tmp/nd"
got=$(python3 -c 'import json,sys; L=[json.loads(l) for l in open(sys.argv[1])]; assert L[-1]["done"] and not any(x["done"] for x in L[:-1]); print("".join(x["response"] for x in L))' "$tmp/nd") || fail "NDJSON stream: $(cat "$tmp/nd")"
[ "$got" = "$want" ] || fail "streamed /api/generate: '$got' != '$want'"

chat_want=$("$MOTE" run -m "$Q" -p "Hello there" -n 12 --temp 0 2>/dev/null)
got=$(post /api/chat '{"model":"qwen3-tiny-q8_0","messages":[{"role":"user","content":"Hello there"}],"stream":false,"options":{"temperature":0,"num_predict":12}}' | jq_ 'd["message"]["content"]')
[ "$got" = "$chat_want" ] || fail "/api/chat: '$got' != mote run's '$chat_want'"
got=$(post /v1/chat/completions '{"model":"qwen3-tiny-q8_0","messages":[{"role":"user","content":"Hello there"}],"temperature":0,"max_tokens":12}' | jq_ 'd["choices"][0]["message"]["content"]')
[ "$got" = "$chat_want" ] || fail "/v1/chat/completions: '$got' != '$chat_want'"
[ "$(jq_ 'd["object"], d["usage"]["completion_tokens"], d["usage"]["total_tokens"] == d["usage"]["prompt_tokens"] + 12, d["choices"][0]["finish_reason"]' < "$tmp/body" | tr '\n' ' ')" = "chat.completion 12 True length " ] || fail "chat.completion fields: $(cat "$tmp/body")"
# the same conversation again reuses the cached prompt: far fewer prompt tokens evaluated
first=$(post /api/chat '{"model":"qwen3-tiny-q8_0","messages":[{"role":"system","content":"You answer questions about the weather in great detail."},{"role":"user","content":"Will it rain tomorrow in the north?"}],"stream":false,"options":{"temperature":0,"num_predict":4}}' | jq_ 'd["prompt_eval_count"]')
again=$(post /api/chat '{"model":"qwen3-tiny-q8_0","messages":[{"role":"system","content":"You answer questions about the weather in great detail."},{"role":"user","content":"Will it rain tomorrow in the north?"}],"stream":false,"options":{"temperature":0,"num_predict":4}}' | jq_ 'd["prompt_eval_count"]')
[ "$first" -gt 20 ] && [ "$again" -lt 5 ] || fail "prefix reuse: $first prompt tokens evaluated the first time, $again the second"
# /api/generate on a chat model uses its template: the same answer
got=$(post /api/generate '{"model":"qwen3-tiny-q8_0","prompt":"Hello there","stream":false,"options":{"temperature":0,"num_predict":12}}' | jq_ 'd["response"]')
[ "$got" = "$chat_want" ] || fail "/api/generate with a template: '$got' != '$chat_want'"
# SSE with usage, ending in [DONE]
curl -sN "$URL/v1/chat/completions" -d '{"model":"qwen3-tiny-q8_0","messages":[{"role":"user","content":"Hello there"}],"temperature":0,"max_tokens":12,"stream":true,"stream_options":{"include_usage":true}}' > "$tmp/sse"
got=$(python3 - "$tmp/sse" <<'PY'
import json, sys
events = [l[6:] for l in open(sys.argv[1]).read().split("\n") if l.startswith("data: ")]
assert events[-1] == "[DONE]", events[-1]
chunks = [json.loads(e) for e in events[:-1]]
assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
assert chunks[-1]["usage"]["completion_tokens"] == 12 and chunks[-1]["choices"] == []
assert chunks[-2]["choices"][0]["finish_reason"] == "length"
print("".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"]))
PY
) || fail "SSE stream: $(cat "$tmp/sse")"
[ "$got" = "$chat_want" ] || fail "streamed chat: '$got' != '$chat_want'"
# a stop string ends the answer before it
stop=$(printf '%s' "$want" | cut -c8-12)
got=$(post /api/generate "{\"model\":\"stories260K\",\"prompt\":\"Once upon a time\",\"stream\":false,\"options\":{\"temperature\":0,\"num_predict\":24,\"stop\":[\"$stop\"]}}" | jq_ 'd["response"], d["done_reason"]' | tr '\n' '|')
[ "$got" = "${want%%"$stop"*} stop|" ] || fail "stop string '$stop': got '$got'"

# --- tokenize / detokenize
toks=$(post /tokenize '{"model":"stories260K","content":"Hello world"}' | jq_ 'd["tokens"]')
[ "$(status)" = 200 ] || fail "/tokenize: $(cat "$tmp/body")"
[ "$(post /detokenize "{\"model\":\"stories260K\",\"tokens\":$toks}" | jq_ 'd["content"]')" = "Hello world" ] || fail "/detokenize: $(cat "$tmp/body")"

# --- /api/ps now shows both; /metrics counts them
[ "$(curl -s "$URL/api/ps" | jq_ 'sorted(m["name"] for m in d["models"])')" = "['qwen3-tiny-q8_0', 'stories260K']" ] || fail "/api/ps after use"
curl -s "$URL/metrics" > "$tmp/metrics"
for m in mote_requests_total mote_generated_tokens_total mote_prompt_tokens_total mote_tokens_per_second mote_queue_depth mote_busy_slots mote_time_to_first_token_seconds_sum; do
    grep -q "^$m [0-9]" "$tmp/metrics" || fail "/metrics lacks $m"
done
[ "$(awk '$1 == "mote_models_loaded" {print $2}' "$tmp/metrics")" = 2 ] || fail "mote_models_loaded"
# keep_alive 0 unloads at once (Ollama: an empty prompt only loads/unloads)
[ "$(post /api/generate '{"model":"stories260K","keep_alive":0}' | jq_ 'd["done_reason"]')" = unload ] || fail "keep_alive 0: $(cat "$tmp/body")"
for _ in $(seq 50); do
    [ "$(curl -s "$URL/api/ps" | jq_ 'len(d["models"])')" = 1 ] && break
    sleep 0.1
done
[ "$(curl -s "$URL/api/ps" | jq_ 'len(d["models"])')" = 1 ] || fail "keep_alive 0 did not unload"

# --- errors: JSON, with the API's shape and the right status
expect() { # expect STATUS PATH BODY WHAT
    post "$2" "$3" > /dev/null
    [ "$(status)" = "$1" ] || fail "$4: status $(status), wanted $1: $(cat "$tmp/body")"
    # (grep, not a JSON parser per case: starting python 30 times is slow on a busy machine)
    if [[ $2 == /v1/* ]]; then grep -q '^{"error":{"message":"[^"]' "$tmp/body" || fail "$4: not OpenAI's error shape: $(cat "$tmp/body")"
    else grep -q '^{"error":"[^"]' "$tmp/body" || fail "$4: no JSON error: $(cat "$tmp/body")"; fi
}
expect 400 /api/generate '{"model": "stories260K", "prompt": ' "invalid JSON"
expect 400 /api/generate '' "empty body"
expect 400 /api/generate '[1,2]' "not an object"
expect 400 /api/generate '{"model":"stories260K","prompt":5}' "prompt of the wrong type"
expect 400 /api/generate '{"model":"stories260K","prompt":"x","options":{"temperature":"hot"}}' "temperature of the wrong type"
expect 400 /api/generate '{"model":"stories260K","prompt":"x","options":{"num_predict":-5}}' "negative num_predict"
expect 400 /api/generate '{"model":"stories260K","prompt":"x","options":{"num_predict":1e30}}' "huge num_predict"
expect 400 /api/generate '{"model":"stories260K","prompt":"x","stream":"yes"}' "stream of the wrong type"
expect 404 /api/generate '{"model":"nope","prompt":"x"}' "unknown model"
expect 400 /api/generate '{"prompt":"x"}' "no model"
expect 400 /api/chat '{"model":"stories260K","messages":[{"role":"user","content":"hi"}]}' "chat on a model without a template"
expect 400 /api/chat '{"model":"qwen3-tiny-q8_0","messages":[{"role":"wizard","content":"hi"}]}' "unknown role"
expect 400 /api/chat '{"model":"qwen3-tiny-q8_0","messages":"hi"}' "messages of the wrong type"
expect 400 /api/generate '{"model":"stories260K","prompt":"x","format":"yaml"}' "format neither json nor a schema"
expect 400 /api/chat '{"model":"qwen3-tiny-q8_0","messages":[],"tools":[{"type":"function"}]}' "a tool without a name"
expect 400 /v1/chat/completions '{"model":"qwen3-tiny-q8_0","messages":[{"role":"user","content":"hi"}],"n":2}' "n > 1"
expect 400 /v1/chat/completions '{"model":"qwen3-tiny-q8_0","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"xml"}}' "an unknown response_format"
expect 400 /v1/chat/completions '{"model":"qwen3-tiny-q8_0"}' "no messages"
expect 400 /v1/chat/completions '{"model":"qwen3-tiny-q8_0","messages":[{"role":"user","content":"hi"}],"temperature":-1}' "negative temperature"
expect 404 /v1/completions '{"model":"nope","prompt":"x"}' "unknown model (OpenAI)"
expect 400 /api/embed '{"model":"stories260K","input":5}' "embed input of the wrong type"
expect 400 /api/embeddings '{"model":"stories260K","prompt":["x"]}' "old embeddings with an array"
expect 400 /v1/embeddings '{"model":"stories260K","input":"x","encoding_format":"int8"}' "an unknown encoding_format"
expect 400 /v1/embeddings '{"model":"stories260K","input":[]}' "no texts to embed"
expect 501 /api/pull '{"model":"llama3"}' "pull"
expect 404 /api/nothing '{}' "unknown endpoint"
expect 400 /detokenize '{"model":"stories260K","tokens":[99999999]}' "token id out of range"
expect 400 /tokenize '{"model":"stories260K"}' "tokenize without content"
# a prompt longer than the context
python3 -c 'import json; print(json.dumps({"model":"stories260K","prompt":"once upon a time " * 3000,"stream":False}))' > "$tmp/long.json"
curl -s -o "$tmp/body" -w '%{http_code}' "$URL/api/generate" --data-binary @"$tmp/long.json" > "$tmp/status"
[ "$(status)" = 400 ] && grep -q 'context' "$tmp/body" || fail "prompt longer than the context: $(status) $(cat "$tmp/body")"
# invalid UTF-8
printf '{"model":"stories260K","prompt":"\xff\xfe bad"}' > "$tmp/bad.json"
curl -s -o "$tmp/body" -w '%{http_code}' "$URL/api/generate" --data-binary @"$tmp/bad.json" > "$tmp/status"
[ "$(status)" = 400 ] && grep -q 'UTF-8' "$tmp/body" || fail "invalid UTF-8: $(status) $(cat "$tmp/body")"
# JSON nested too deep
python3 -c 'print("[" * 100000 + "]" * 100000)' > "$tmp/deep.json"
curl -s -o "$tmp/body" -w '%{http_code}' "$URL/api/generate" --data-binary @"$tmp/deep.json" > "$tmp/status"
[ "$(status)" = 400 ] && grep -q 'deeper' "$tmp/body" || fail "deep JSON: $(status) $(cat "$tmp/body")"
# a 100 MB body is refused (413) without reading it all
head -c 100000000 /dev/zero | tr '\0' ' ' > "$tmp/huge"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' "$URL/api/generate" --data-binary @"$tmp/huge" || true)
[ "$code" = 413 ] || fail "100 MB body: status $code"
rm -f "$tmp/huge"
# wrong method
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/generate")" = 405 ] || fail "GET /api/generate is not 405"
# CORS is off by default
curl -s -D "$tmp/h" -o /dev/null "$URL/api/tags" -H 'Origin: http://evil.example'
! grep -qi '^access-control' "$tmp/h" || fail "CORS headers without --cors"
# still serving
[ "$(post /api/generate '{"model":"stories260K","prompt":"Once upon a time","stream":false,"options":{"temperature":0,"num_predict":24}}' | jq_ 'd["response"]')" = "$want" ] || fail "not serving after the bad requests"
stop_server
grep -q 'stopped' "$tmp/log" || fail "no 'stopped' in the log"

# --- --api-key, --cors, --models DIR
mkdir "$tmp/models"
ln -s "$S" "$tmp/models/story.gguf"
start_server "$tmp/log" --models "$tmp/models" --api-key s3cret --cors http://app.example --quiet
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/health")" = 200 ] || fail "/health needs the key"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/tags")" = 401 ] || fail "/api/tags without the key is not 401"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer wrong' "$URL/api/tags")" = 401 ] || fail "a wrong key is not 401"
[ "$(curl -s -H 'Authorization: Bearer s3cret' "$URL/api/tags" | jq_ 'd["models"][0]["name"]')" = story ] || fail "--models DIR / Bearer"
[ "$(curl -s -H 'X-Api-Key: s3cret' "$URL/v1/models" | jq_ 'd["data"][0]["id"]')" = story ] || fail "X-Api-Key"
curl -s -D "$tmp/h" -o /dev/null -X OPTIONS "$URL/api/chat" -H 'Origin: http://app.example' -H 'Access-Control-Request-Method: POST'
grep -qi '^access-control-allow-origin: http://app.example' "$tmp/h" || fail "CORS preflight: $(cat "$tmp/h")"
stop_server

# --- --max-loaded 1: using a second model unloads the first; --max-tokens caps an answer
start_server "$tmp/log" -m "$S" -m "$Q" --max-loaded 1 --max-tokens 5 --quiet
[ "$(post /api/generate '{"model":"stories260K","prompt":"Once","stream":false,"options":{"num_predict":50}}' | jq_ 'd["eval_count"], d["done_reason"]')" = "5 length" ] || fail "--max-tokens 5: $(cat "$tmp/body")"
post /api/generate '{"model":"stories260K","prompt":"Once","stream":false,"options":{"num_predict":2}}' > /dev/null
post /api/generate '{"model":"qwen3-tiny-q8_0","prompt":"Hi","stream":false,"options":{"num_predict":2}}' > /dev/null
[ "$(status)" = 200 ] || fail "--max-loaded: the second model did not answer"
for _ in $(seq 50); do
    [ "$(curl -s "$URL/api/ps" | jq_ '[m["name"] for m in d["models"]]')" = "['qwen3-tiny-q8_0']" ] && break
    sleep 0.1
done
[ "$(curl -s "$URL/api/ps" | jq_ '[m["name"] for m in d["models"]]')" = "['qwen3-tiny-q8_0']" ] || fail "--max-loaded 1: $(curl -s "$URL/api/ps")"
stop_server

# --- embeddings: an embedding model's equal llama.cpp's (the fixtures); a decoder model's are unit vectors
B="$MOTE_FIXTURES/models/bert-tiny-f32.gguf"
start_server "$tmp/log" -m "$B" -m "$S" --quiet
python3 - "$URL" "$MOTE_FIXTURES/models" <<'PY' || fail "embeddings"
import json, math, struct, sys, urllib.request
url, fx = sys.argv[1], sys.argv[2]
def post(path, body):
    req = urllib.request.Request(url + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())
texts = open(fx + "/embed-texts.txt").read().splitlines()
def rows(name):
    raw = open(fx + "/" + name, "rb").read()
    v = struct.unpack("<%df" % (len(raw) // 4), raw)
    return [v[i * 128:(i + 1) * 128] for i in range(len(texts))]
def close(a, b):
    return len(a) == len(b) and max(abs(x - y) for x, y in zip(a, b)) < 2e-3
want, want_raw = rows("bert-tiny-f32.embed.f32"), rows("bert-tiny-f32.embed-raw.f32")
got = post("/api/embed", {"model": "bert-tiny-f32", "input": texts})["embeddings"]
assert all(close(g, w) for g, w in zip(got, want)), "/api/embed differs from the reference"
d = post("/v1/embeddings", {"model": "bert-tiny-f32", "input": texts})
assert [x["index"] for x in d["data"]] == list(range(len(texts))) and d["usage"]["prompt_tokens"] > 0
assert all(close(x["embedding"], w) for x, w in zip(d["data"], want)), "/v1/embeddings differs"
assert close(post("/api/embeddings", {"model": "bert-tiny-f32", "prompt": texts[0]})["embedding"], want_raw[0]), "/api/embeddings (raw)"
v = post("/api/embed", {"model": "stories260K", "input": "Once upon a time"})["embeddings"][0]
assert abs(math.sqrt(sum(x * x for x in v)) - 1) < 1e-4, "a decoder model's embedding is not a unit vector"
assert v == post("/api/embed", {"model": "stories260K", "input": ["Once upon a time"]})["embeddings"][0]
print("ok: embeddings")
PY
post /api/generate '{"model":"bert-tiny-f32","prompt":"x"}' > /dev/null
[ "$(status)" = 400 ] && grep -q 'embedding model' "$tmp/body" || fail "generation on an embedding model: $(status) $(cat "$tmp/body")"
stop_server

# --- bad command lines
"$MOTE" serve 2> "$tmp/err" && fail "serve without models succeeded"
grep -q 'no models' "$tmp/err" || fail "no message without models"
"$MOTE" serve -m /nonexistent.gguf --port 0 2> "$tmp/err" && fail "serve with a missing file succeeded"
grep -q 'nonexistent' "$tmp/err" || fail "no message for a missing model"
"$MOTE" serve -m "$S" --port 99999 2> /dev/null && fail "a bad port was accepted"
echo "ok"
