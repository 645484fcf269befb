#!/usr/bin/env bash
# test_rag.sh — `mote rag` end to end on the fixture models: index (a
# directory, '-' for paths on stdin), re-index doing nothing, ls, stats,
# search in each mode (--json), rm, another embedding model refused, bad use
# refused with one line; SIGKILL at random points of an index run leaves a
# database that passes PRAGMA integrity_check and holds whole documents; and
# `mote rag ask` with a noise chat model: the passages are in the prompt
# (--verbose-prompt), the sources are listed, the timings come apart.
set -u
source "$(dirname "$0")/e2e_lib.sh"
need_mote; need_fixtures
E="$F/models/bert-tiny-f32.gguf"
CHAT="$F/models/qwen2-tiny-f32.gguf"
make_tmp
json() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); $1" "$2"; }

mkdir -p "$tmp/kb/notes" "$tmp/kb/.hidden"
echo "The queen lays up to two thousand eggs a day in spring." >"$tmp/kb/queen.md"
echo "Foragers show the direction of flowers with the waggle dance." >"$tmp/kb/notes/dance.txt"
echo "Propolis is a resin from tree buds that seals cracks in the hive." >"$tmp/kb/notes/propolis.markdown"
echo "not walked: hidden" >"$tmp/kb/.hidden/h.md"
echo "not walked: not text by name" >"$tmp/kb/notes/data.csv"
db="$tmp/kb.sqlite"

"$MOTE" rag index --db "$db" --embed-model "$E" --chunk-tokens 64 --overlap 8 "$tmp/kb" 2>"$tmp/err"
check "index a directory" 'grep -q "3 indexed, 0 unchanged" "$tmp/err"'
"$MOTE" rag index --db "$db" "$tmp/kb" 2>"$tmp/err"
check "re-index: nothing done (the model remembered)" 'grep -q "0 indexed, 3 unchanged" "$tmp/err"'
"$MOTE" rag ls --db "$db" --json >"$tmp/ls"
check "ls: 3 documents, no hidden or csv file" 'json "assert len(j)==3 and not any(\".hidden\" in d[\"path\"] or d[\"path\"].endswith(\".csv\") for d in j)" "$tmp/ls"'
"$MOTE" rag stats --db "$db" --json >"$tmp/stats"
check "stats" 'json "assert j[\"documents\"]==3 and j[\"chunks\"]==3 and j[\"vectors\"]==3 and j[\"n_embd\"]==128 and j[\"vector_type\"]==\"f16\" and j[\"embed_id\"].startswith(\"bert/128/\")" "$tmp/stats"'
echo "Drones are the males of the colony." >"$tmp/drones.txt"
echo "$tmp/drones.txt" | "$MOTE" rag index --db "$db" - 2>"$tmp/err"
check "paths on stdin" 'grep -q "1 indexed" "$tmp/err"'

for mode in keyword hybrid; do
    "$MOTE" rag search --db "$db" "which dance shows the direction" --mode $mode -k 2 --json >"$tmp/s" 2>"$tmp/err"
    check "search $mode: the dance first, timed" 'json "assert j[\"results\"][0][\"path\"].endswith(\"dance.txt\") and j[\"results\"][0][\"keyword_rank\"]==1 and j[\"timings\"][\"total_ms\"]>=0 and len(j[\"results\"])==(1 if \"$mode\"==\"keyword\" else 2)" "$tmp/s"'
done
"$MOTE" rag search --db "$db" "anything" --mode vector -k 10 --json >"$tmp/s"
check "search vector: every chunk ranked by cosine" 'json "r=j[\"results\"]; assert len(r)==4 and all(a[\"score\"]>=b[\"score\"] for a,b in zip(r,r[1:])) and r[0][\"keyword_rank\"]==0" "$tmp/s"'
"$MOTE" rag search --db "$db" "waggle dance" >"$tmp/s" 2>"$tmp/err"
check "search text output: document, position, scores, time" 'grep -q "dance.txt, chunk 0 (bytes 0-" "$tmp/s" && grep -q "passages in .* ms" "$tmp/err"'

"$MOTE" rag rm --db "$db" "$tmp/kb/notes" 2>"$tmp/err"
check "rm a directory" 'grep -q "removed (2 documents)" "$tmp/err" && [ "$("$MOTE" rag ls --db "$db" | wc -l)" = 2 ]'

mkdir "$tmp/kb/ünï"
echo "Wax comes from glands under the abdomen." >"$tmp/kb/ünï/wax.md"
"$MOTE" rag index --db "$db" -q "$tmp/kb/ünï" 2>/dev/null
"$MOTE" rag rm --db "$db" "$tmp/kb/ünï" 2>"$tmp/err"
check "rm a directory with a non-ASCII name" 'grep -q "removed (1 document)" "$tmp/err" && [ "$("$MOTE" rag ls --db "$db" | wc -l)" = 2 ]'

refuse() { # name, expected message part, command...
    local name=$1 want=$2; shift 2
    if "$@" >"$tmp/out" 2>"$tmp/err" </dev/null; then echo "FAIL: $name accepted"; fail=1; return; fi
    if [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "^mote rag.*$want" "$tmp/err"; then echo "ok: $name refused"
    else echo "FAIL: $name: $(cat "$tmp/err")"; fail=1; fi
}
refuse "another embedding model" "built with another embedding model" \
    "$MOTE" rag search --db "$db" "queen" --embed-model "$F/models/bert-tiny-q8_0.gguf"
refuse "no --db" "no knowledge base given" "$MOTE" rag search "queen"
refuse "missing database" "no knowledge base '" "$MOTE" rag search --db "$tmp/none.sqlite" "queen"
refuse "not a database" "not a mote knowledge base" "$MOTE" rag ls --db "$tmp/kb/queen.md"
refuse "bad mode" "--mode is hybrid, vector or keyword" "$MOTE" rag search --db "$db" q --mode fuzzy
refuse "no question" "no question given" "$MOTE" rag search --db "$db"
refuse "bad -k" "-k 0" "$MOTE" rag search --db "$db" q -k 0
refuse "unknown subcommand" "unknown command 'find'" "$MOTE" rag find
refuse "first index without a model" "no embedding model yet" "$MOTE" rag index --db "$tmp/new.sqlite" "$tmp/kb/queen.md"
refuse "missing file" "no file or directory" "$MOTE" rag index --db "$db" "$tmp/nope.txt"
refuse "rm of an unknown path" "not in the knowledge base" "$MOTE" rag rm --db "$db" "$tmp/nope.txt"
refuse "ask without a model" "no chat model" "$MOTE" rag ask --db "$db" "question"

# SIGKILL during indexing: every run is killed at a random point; the file must stay a consistent database
mkdir -p "$tmp/big"
for i in $(seq 1 20); do
    { echo "# Story $i"; echo; sed -n "$((i * 2)),$((i * 2 + 8))p" "$F/text/stories.txt"; } >"$tmp/big/s$i.md"
done
kdb="$tmp/kill.sqlite"
for round in 1 2 3 4 5 6; do
    "$MOTE" rag index --db "$kdb" --embed-model "$E" --chunk-tokens 48 --overlap 8 -q "$tmp/big" 2>/dev/null &
    pid=$!
    sleep "0.$((RANDOM % 50 + 5))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    touch "$tmp/big/s$round.md" # (content unchanged: hashes decide, not times)
done
check "after SIGKILL: integrity_check ok, whole documents only" 'python3 - "$kdb" <<PY
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
for doc, n in c.execute("SELECT id, n_chunks FROM documents"):
    assert c.execute("SELECT count(*) FROM chunks WHERE doc_id=?", (doc,)).fetchone()[0] == n, doc
assert c.execute("SELECT count(*) FROM chunks").fetchone()[0] == c.execute("SELECT count(*) FROM vectors").fetchone()[0]
c.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES (\"integrity-check\", 1)")
PY'
"$MOTE" rag index --db "$kdb" -q "$tmp/big" 2>"$tmp/err"
check "an interrupted index completes when run again" 'grep -q "skipped; " "$tmp/err" && [ "$("$MOTE" rag ls --db "$kdb" | wc -l)" = 20 ]'

# ask, on noise models: the mechanics
"$MOTE" rag ask --db "$db" -m "$CHAT" "how many eggs does the queen lay" -k 2 -n 12 --temp 0 --verbose-prompt \
    >"$tmp/ans" 2>"$tmp/err"
check "ask: the numbered passages in the chat template's prompt" 'grep -q "<|im_start|>user" "$tmp/err" && grep -q "^\[1\] (queen.md) The queen lays" "$tmp/err" && grep -q "^\[2\] (" "$tmp/err" && grep -q "^Question: how many eggs" "$tmp/err"'
check "ask: an answer streamed, sources listed, timings apart" '[ -s "$tmp/ans" ] && grep -q "^sources:" "$tmp/err" && grep -q "\[1\] .*queen.md, chunk 0" "$tmp/err" && grep -q "^retrieval .* ms, generation .* ms" "$tmp/err"'
"$MOTE" rag ask --db "$db" -m "$CHAT" "the queen" -k 2 -n 8 --multi-query 2 --json -s 3 >"$tmp/ans" 2>"$tmp/err"
check "ask --multi-query --json" 'json "assert len(j[\"sources\"])==2 and \"cited\" in j[\"sources\"][0] and isinstance(j[\"rewrites\"], list) and j[\"timings\"][\"retrieval_ms\"]>0 and j[\"timings\"][\"generation_ms\"]>0 and j[\"timings\"][\"generated_tokens\"]==8" "$tmp/ans"'

exit $fail
