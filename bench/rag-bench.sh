#!/usr/bin/env bash
# rag-bench.sh — `mote rag` speed: indexing (chunks per second: chunking,
# embedding, writing) and search latency (embedding the question, ranking by
# vector, keyword and hybrid, reading the vectors into memory) at several
# knowledge-base sizes, on a BERT-shaped embedding model.
#
#   bench/rag-bench.sh [--embed-model E.gguf | --like SHAPE] [--sizes 1000,10000,100000]
#                      [--index-up-to N] [--queries Q] [--chunk-tokens T] [--mote PATH]
#
# Default model: the fixture bert-tiny-f32 (../shared/fixtures); --like takes a
# BERT shape of `mote synth --like list` (bge-small-en-v1.5, all-minilm-l6-v2),
# written once with random weights (f16). Sizes up to --index-up-to (default
# 10000) are indexed for real from generated text; larger knowledge bases are
# grown from the largest indexed one by copying its documents (chunks,
# vectors and FTS rows, through the same triggers), since search cost depends
# on the number of rows, not on their text. Each search is a fresh
# `mote rag search --json` process, so "load" (reading every vector) is paid
# each time; a server pays it once. Medians of --queries questions (default 5).
# Prints a Markdown table. Not run by CI (timings depend on the machine).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
MOTE="${MOTE:-$root/build/mote}"
F="${MOTE_FIXTURES:-$root/../shared/fixtures}"
embed="" like="" sizes="1000,10000,100000" index_up_to=10000 queries=5 chunk_tokens=64
while [ $# -gt 0 ]; do
    case "$1" in
        --embed-model) embed=$2; shift 2 ;;
        --like) like=$2; shift 2 ;;
        --sizes) sizes=$2; shift 2 ;;
        --index-up-to) index_up_to=$2; shift 2 ;;
        --queries) queries=$2; shift 2 ;;
        --chunk-tokens) chunk_tokens=$2; shift 2 ;;
        --mote) MOTE=$2; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "rag-bench.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ -x "$MOTE" ] || { echo "rag-bench.sh: no mote binary at $MOTE (build first, or --mote PATH)" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
if [ -n "$like" ]; then
    embed="$work/$like.gguf"
    "$MOTE" synth --like "$like" --type f16 -o "$embed" >/dev/null 2>&1 || { echo "rag-bench.sh: cannot synthesize '$like'" >&2; exit 1; }
fi
[ -n "$embed" ] || embed="$F/models/bert-tiny-f32.gguf"
[ -f "$embed" ] || { echo "rag-bench.sh: no embedding model '$embed' (give --embed-model or --like)" >&2; exit 1; }
text="$F/text/stories.txt"
[ -f "$text" ] || { echo "rag-bench.sh: no text at $text (MOTE_FIXTURES)" >&2; exit 1; }

# Write files under $1 until indexing them would give about $2 chunks (one
# chunk per ~ chunk_tokens*4 bytes of text; every file differs, so none is skipped).
make_corpus() {
    python3 - "$1" "$2" "$text" "$chunk_tokens" <<'PY'
import os, sys
out, want, src, ct = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
os.makedirs(out, exist_ok=True)
paras = [p.strip() for p in open(src, encoding="utf-8", errors="replace").read().split("\n") if p.strip()]
per_chunk = ct * 4  # bytes of English per chunk of this many tokens, roughly (the overlap adds chunks)
need, n, i = want * per_chunk * 0.55, 0, 0
while n < need:
    body = "\n\n".join(f"{paras[(i + k) % len(paras)]} (note {i}.{k})" for k in range(12))
    with open(os.path.join(out, f"doc{i:06d}.md"), "w") as f:
        f.write(f"# Document {i}\n\n{body}\n")
    n += len(body)
    i += 1
PY
}

# Copy documents of the knowledge base $1 until it holds at least $2 chunks.
grow_db() {
    python3 - "$1" "$2" <<'PY'
import sqlite3, sys
db, want = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
docs = c.execute("SELECT id, path, hash, bytes, n_chunks, indexed_at FROM documents ORDER BY id").fetchall()
have, copy = c.execute("SELECT count(*) FROM chunks").fetchone()[0], 0
while have < want:
    copy += 1
    for d, path, h, b, n, t in docs:
        if have >= want: break
        cur = c.execute("INSERT INTO documents(path, hash, bytes, n_chunks, indexed_at) VALUES (?,?,?,?,?)",
                        (f"{path}#copy{copy}", h, b, n, t))
        new = cur.lastrowid
        c.execute("INSERT INTO chunks(doc_id, seq, start, end, n_tokens, text) SELECT ?, seq, start, end, n_tokens, text "
                  "FROM chunks WHERE doc_id = ? ORDER BY seq", (new, d))
        c.execute("INSERT INTO vectors(chunk_id, vec) SELECT n.id, v.vec FROM chunks n JOIN chunks o ON o.doc_id = ? "
                  "AND o.seq = n.seq JOIN vectors v ON v.chunk_id = o.id WHERE n.doc_id = ?", (d, new))
        have += n
    c.commit()
c.close()
PY
}

QUESTIONS=("how did the little girl feel" "what did the dog find in the park" "why was the boy sad"
           "where did they go on the boat" "who helped the bird fly home" "what was in the big box"
           "when did the sun come out" "what did mom say")

# Median of the numbers on stdin.
median() { sort -g | awk '{a[NR]=$1} END {if (NR) print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2); else print "nan"}'; }

# search_stats DB MODE FIELD: median of a --json timing field over the questions.
search_field() {
    local db=$1 mode=$2 field=$3
    for ((q = 0; q < queries; q++)); do
        "$MOTE" rag search --db "$db" "${QUESTIONS[q % ${#QUESTIONS[@]}]}" --mode "$mode" -k 5 --json -q |
            python3 -c "import json,sys; print(json.load(sys.stdin)['timings']['$field'])"
    done | median
}

echo "# mote rag: $(basename "$embed"), chunks of $chunk_tokens tokens, $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| chunks | indexed | index chunks/s | DB MiB | load model+vectors ms | embed question ms | vector rank ms | keyword rank ms | hybrid rank ms |"
echo "|---:|:---:|---:|---:|---:|---:|---:|---:|---:|"
base_db=""
IFS=, read -r -a size_list <<<"$sizes"
for n in "${size_list[@]}"; do
    db="$work/kb-$n.sqlite"
    rate="-"
    if [ "$n" -le "$index_up_to" ]; then
        make_corpus "$work/corpus-$n" "$n"
        log=$("$MOTE" rag index --db "$db" --embed-model "$embed" --chunk-tokens "$chunk_tokens" --overlap 8 -q \
              "$work/corpus-$n" 2>&1 | tail -1)
        rate=$(echo "$log" | sed -n 's/.*, \([0-9.]*\) chunks\/s).*/\1/p')
        base_db=$db
        real=yes
    else
        [ -n "$base_db" ] || { echo "rag-bench.sh: the smallest size must be indexed (--index-up-to)" >&2; exit 1; }
        cp "$base_db" "$db"
        python3 -c "import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA wal_checkpoint(TRUNCATE)')" "$base_db"
        cp "$base_db" "$db"
        grow_db "$db" "$n"
        real=copied
    fi
    chunks=$("$MOTE" rag stats --db "$db" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['chunks'])")
    mib=$(python3 -c "import os,sys; print('%.1f' % (sum(os.path.getsize(p) for p in (sys.argv[1], sys.argv[1] + '-wal') if os.path.exists(p)) / 1048576))" "$db")
    load=$(search_field "$db" vector load_ms)
    emb=$(search_field "$db" vector embed_ms)
    vec=$(search_field "$db" vector search_ms)
    kw=$(search_field "$db" keyword search_ms)
    hy=$(search_field "$db" hybrid search_ms)
    printf '| %s | %s | %s | %s | %.1f | %.1f | %.2f | %.2f | %.2f |\n' "$chunks" "$real" "$rate" "$mib" "$load" "$emb" "$vec" "$kw" "$hy"
done
