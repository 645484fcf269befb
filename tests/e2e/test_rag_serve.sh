#!/usr/bin/env bash
# test_rag_serve.sh — `mote serve --rag NAME=KB.sqlite,model=CHAT`: NAME is
# listed as a model, its chats carry the knowledge base's passages (the
# prompt grows by them), POST /api/rag/search returns passages as JSON, bad
# requests and bad --rag values are refused clearly; then the npm `ollama`
# client chats with NAME (skipped when node or the package is unavailable).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/serve_lib.sh"
need_mote
F="${MOTE_FIXTURES:-}"
[ -f "$F/README.md" ] || { echo "SKIP: fixtures not found (MOTE_FIXTURES)"; exit 77; }
Q="$F/models/qwen3-tiny-f32.gguf"
tmp=$(mktemp -d)
trap 'cleanup_server; rm -rf "$tmp"' EXIT
json() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); $1" "$2"; }

mkdir "$tmp/kb"
echo "The queen lays up to two thousand eggs a day in spring." >"$tmp/kb/queen.md"
echo "Foragers show the direction of flowers with the waggle dance." >"$tmp/kb/dance.md"
"$MOTE" rag index --db "$tmp/kb.sqlite" --embed-model "$F/models/bert-tiny-f32.gguf" -q "$tmp/kb" 2>/dev/null

# bad --rag values: one line, non-zero, before listening
for bad in "bees" "=x.sqlite" "bees=$tmp/none.sqlite" "bees=$tmp/kb.sqlite,model=nope" "qwen3-tiny-f32=$tmp/kb.sqlite" \
           "bees=$tmp/kb.sqlite,port=1"; do
    if "$MOTE" serve --port 0 -m "$Q" --rag "$bad" >"$tmp/out" 2>"$tmp/err"; then echo "FAIL: --rag $bad accepted"; fail=1
    elif [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "^mote serve: " "$tmp/err"; then echo "ok: --rag $bad refused: $(cat "$tmp/err")"
    else echo "FAIL: --rag $bad: $(cat "$tmp/err")"; fail=1; fi
done

start_server "$tmp/log" -m "$Q" --rag "bees=$tmp/kb.sqlite,model=qwen3-tiny-f32" --quiet
curl -s "$URL/api/tags" >"$tmp/tags"
check "the knowledge base is a model" 'json "assert [m[\"name\"] for m in j[\"models\"]]==[\"qwen3-tiny-f32\",\"bees\"]" "$tmp/tags"'
curl -s "$URL/api/rag/search" -d '{"model": "bees", "query": "waggle dance", "k": 2, "mode": "keyword"}' >"$tmp/s"
check "POST /api/rag/search" 'json "r=j[\"results\"]; assert j[\"model\"]==\"bees\" and len(r)==1 and r[0][\"path\"].endswith(\"dance.md\") and r[0][\"keyword_rank\"]==1 and \"search_ms\" in j[\"timings\"]" "$tmp/s"'
curl -s "$URL/api/rag/search" -d '{"query": "the queen"}' >"$tmp/s"
check "search: the only knowledge base by default, hybrid" 'json "assert j[\"mode\"]==\"hybrid\" and len(j[\"results\"])==2 and j[\"results\"][0][\"vector_rank\"]>0" "$tmp/s"'
code() { curl -s -o "$tmp/e" -w '%{http_code}' "$URL/api/rag/search" -d "$1"; }
check "search: no query is 400" '[ "$(code "{\"model\": \"bees\"}")" = 400 ] && grep -q "query" "$tmp/e"'
check "search: unknown model is 404" '[ "$(code "{\"model\": \"wasps\", \"query\": \"x\"}")" = 404 ]'
check "search: bad mode is 400" '[ "$(code "{\"query\": \"x\", \"mode\": \"fuzzy\"}")" = 400 ]'
check "search: bad k is 400" '[ "$(code "{\"query\": \"x\", \"k\": 0}")" = 400 ]'
check "search: not JSON is 400" '[ "$(code "{nope")" = 400 ]'
body='{"model": "MODEL", "messages": [{"role": "user", "content": "which dance shows the direction"}], "stream": false, "options": {"num_predict": 4, "temperature": 0}}'
curl -s "$URL/api/chat" -d "${body/MODEL/qwen3-tiny-f32}" >"$tmp/plain"
curl -s "$URL/api/chat" -d "${body/MODEL/bees}" >"$tmp/rag"
check "a chat with the knowledge base carries the passages" 'python3 -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert b[\"model\"]==\"bees\" and b[\"done\"] and b[\"prompt_eval_count\"] > a[\"prompt_eval_count\"] + 20, (a, b)" "$tmp/plain" "$tmp/rag"'
curl -s "$URL/v1/chat/completions" -H 'Content-Type: application/json' \
    -d '{"model": "bees", "messages": [{"role": "user", "content": "the queen"}], "max_tokens": 4}' >"$tmp/oa"
check "OpenAI chat with the knowledge base" 'json "assert j[\"model\"]==\"bees\" and j[\"usage\"][\"completion_tokens\"]==4" "$tmp/oa"'
check "a chat without a user message is 400" '[ "$(curl -s -o "$tmp/e" -w "%{http_code}" "$URL/api/chat" -d "{\"model\": \"bees\", \"messages\": [{\"role\": \"system\", \"content\": \"hi\"}]}")" = 400 ]'

if command -v node >/dev/null && command -v npm >/dev/null; then
    ( source "$here/npm_setup.sh"; need_npm_packages ollama
      cp "$here/rag_ollama.mjs" "$NPM_DIR/"
      timeout 120 node "$NPM_DIR/rag_ollama.mjs" "$URL" bees qwen3-tiny-f32 ) >"$tmp/node" 2>&1 && rc=0 || rc=$?
    if [ $rc = 0 ]; then echo "ok: the ollama npm client chats with the knowledge base"
    elif [ $rc = 77 ]; then echo "skipped the ollama client: $(cat "$tmp/node")"
    else echo "FAIL: ollama client: $(cat "$tmp/node")"; fail=1; fi
else echo "skipped the ollama client: no node/npm"; fi
stop_server
exit $fail
