#!/usr/bin/env bash
# rag-bench.sh — `mote rag` speed: indexing (chunks per second, and how much
# of it is embedding and how much SQLite writing) and search latency (loading
# the model, reading the vectors, embedding the question, ranking by vector,
# keyword and hybrid) at several knowledge-base sizes, on a BERT-shaped
# embedding model.
#
#   bench/rag-bench.sh [--embed-model E.gguf | --like SHAPE] [--sizes 1000,10000,100000]
#                      [--index-up-to N] [--index-budget S] [--queries Q] [--chunk-tokens T]
#                      [--mote PATH] [--keep DIR]
#
# Default model: the fixture bert-tiny-f32 (../shared/fixtures); --like takes a
# BERT shape of `mote synth --like list` (bge-small-en-v1.5, all-minilm-l6-v2),
# written once with random weights (f16) and the real bert-base-uncased
# vocabulary of the fixtures (vocab/ggml-vocab-bert-bge.gguf), so chunks hold as
# much text as with the real model. The first size is indexed for real
# from generated text (and so is every size up to --index-up-to, default 10000,
# each adding to the one before, as long as the rate measured so far says it
# takes under --index-budget seconds, default 300: embedding runs at tens of
# chunks/s on 2 cores, so 100k chunks would take over an hour); larger knowledge bases are grown from the largest indexed one by
# copying its documents (chunks, vectors and FTS rows, through the same
# triggers), since search cost depends on the number of rows, not on their
# text. The table's "indexed" column says which is which. Each search is a
# fresh `mote rag search --json` process, so "load" (the model, and reading
# every vector) is paid each time; a server pays it once. Medians of --queries
# questions (default 5). Prints a Markdown table and its own run time. Not run
# by CI (timings depend on the machine). --keep DIR leaves the knowledge bases
# (DIR/kb-N.sqlite) there for a closer look.
set -euo pipefail
started=$(date +%s)
root=$(cd "$(dirname "$0")/.." && pwd)
MOTE="${MOTE:-$root/build/mote}"
F="${MOTE_FIXTURES:-$root/../shared/fixtures}"
embed="" like="" keep="" vocab_note="" index_budget=300 skipped_note="" sizes="1000,10000,100000" index_up_to=10000 queries=5 chunk_tokens=64
while [ $# -gt 0 ]; do
    case "$1" in
        --embed-model) embed=$2; shift 2 ;;
        --like) like=$2; shift 2 ;;
        --sizes) sizes=$2; shift 2 ;;
        --index-up-to) index_up_to=$2; shift 2 ;;
        --index-budget) index_budget=$2; shift 2 ;;
        --queries) queries=$2; shift 2 ;;
        --chunk-tokens) chunk_tokens=$2; shift 2 ;;
        --mote) MOTE=$2; shift 2 ;;
        --keep) keep=$2; shift 2 ;;
        -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "rag-bench.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ -x "$MOTE" ] || { echo "rag-bench.sh: no mote binary at $MOTE (build first, or --mote PATH)" >&2; exit 1; }
if [ -n "$keep" ]; then work=$keep; mkdir -p "$work"; else work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi
if [ -n "$like" ]; then
    embed="$work/$like.gguf"
    # the real WordPiece vocabulary of bge / MiniLM (bert-base-uncased), so text is cut into chunks as the
    # real model cuts it; the synthetic one cuts English into about one token per byte
    vocab="$F/vocab/ggml-vocab-bert-bge.gguf"
    if [ -f "$vocab" ] && "$MOTE" synth --like "$like" --type f16 --vocab-from "$vocab" -o "$embed" -q 2>/dev/null; then
        vocab_note="bert-base-uncased vocabulary"
    else
        "$MOTE" synth --like "$like" --type f16 -o "$embed" -q || { echo "rag-bench.sh: cannot synthesize '$like'" >&2; exit 1; }
        vocab_note="synthetic vocabulary"
    fi
fi
[ -n "$embed" ] || embed="$F/models/bert-tiny-f32.gguf"
[ -f "$embed" ] || { echo "rag-bench.sh: no embedding model '$embed' (give --embed-model or --like)" >&2; exit 1; }
text="$F/text/stories.txt"
[ -f "$text" ] || { echo "rag-bench.sh: no text at $text (MOTE_FIXTURES)" >&2; exit 1; }

# Write files under $1 until indexing them would give about $2 chunks. The
# tokens per byte come from the model's own tokenizer on a sample document (a
# synthesized vocabulary cuts text much finer than a trained one); a chunk
# holds about 3/4 of --chunk-tokens new tokens (sentence boundaries, overlap).
# Every file differs, so none is skipped as unchanged.
make_corpus() {
    python3 - "$1" "$2" "$text" "$chunk_tokens" "$MOTE" "$embed" <<'PY'
import json, os, subprocess, sys
out, want, src, ct, mote, model = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
os.makedirs(out, exist_ok=True)
paras = [p.strip() for p in open(src, encoding="utf-8", errors="replace").read().split("\n") if p.strip()]
def doc(i):
    body = "\n\n".join(f"{paras[(i + k) % len(paras)]} (note {i}.{k})" for k in range(12))
    return f"# Document {i}\n\n{body}\n"
sample = doc(0)
tok = subprocess.run([mote, "tokenize", "-m", model, "-p", sample, "--json"], capture_output=True, text=True, check=True)
tokens_per_byte = json.loads(tok.stdout)["n_tokens"] / len(sample.encode())
need, n, i = want * ct * 0.75 / tokens_per_byte, 0, 0
while n < need:
    d = doc(i)
    with open(os.path.join(out, f"doc{i:06d}.md"), "w") as f:
        f.write(d)
    n += len(d.encode())
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

# search_times DB MODE: one line per question, "load_ms load_vectors_ms embed_ms search_ms".
search_times() {
    local db=$1 mode=$2
    for ((q = 0; q < queries; q++)); do
        "$MOTE" rag search --db "$db" "${QUESTIONS[q % ${#QUESTIONS[@]}]}" --mode "$mode" -k 5 --json -q |
            python3 -c "import json,sys; t=json.load(sys.stdin)['timings']; print(t['load_ms'], t['load_vectors_ms'], t['embed_ms'], t['search_ms'])"
    done
}
# col N: the median of column N of stdin.
col() { awk -v c="$1" '{print $c}' | median; }

flags=$(grep -m1 -o -w -E 'avx512f|avx512_vnni|avx2|f16c|fma|neon|asimd|asimdhp' /proc/cpuinfo 2>/dev/null | sort -u | tr '\n' ' ')
cpu=$(grep -m1 -E '^model name|^Model' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')
echo "# mote rag: $(basename "$embed")${like:+ (random weights of the $like shape, f16, $vocab_note)}, chunks of $chunk_tokens tokens (overlap 8), $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "cpu: ${cpu:-unknown}, $(nproc) CPUs; flags: ${flags:-none of avx2/avx512/neon}; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| chunks | indexed | index chunks/s | embed / SQLite ms per chunk | DB MiB | load model ms | load vectors ms | load lengths ms | embed question ms | vector ms | keyword ms | hybrid ms |"
echo "|---:|:---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
base_db=""
checkpoint() { python3 -c "import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA wal_checkpoint(TRUNCATE)')" "$1"; }
IFS=, read -r -a size_list <<<"$sizes"
for n in "${size_list[@]}"; do
    db="$work/kb-$n.sqlite"
    rate="-" split="-"
    real_ok=no
    if [ -z "$base_db" ]; then real_ok=yes
    elif [ "$n" -le "$index_up_to" ]; then
        # what indexing the added chunks would take at the rate measured so far
        eta=$(awk -v n="$n" -v have="$have" -v r="$last_rate" 'BEGIN {printf "%d", (n - have) / (r > 0 ? r : 1)}')
        if [ "$eta" -le "$index_budget" ]; then real_ok=yes
        else skipped_note=" $n chunks were copied, not indexed: at $last_rate chunks/s that would take ~$eta s (over --index-budget $index_budget)."
        fi
    fi
    if [ "$real_ok" = yes ]; then
        # one corpus, grown: the files of the smaller size are the same, so
        # they are skipped as unchanged and only the new ones are timed
        if [ -n "$base_db" ]; then checkpoint "$base_db"; cp "$base_db" "$db"; fi
        make_corpus "$work/corpus" "$n"
        log=$("$MOTE" rag index --db "$db" --embed-model "$embed" --chunk-tokens "$chunk_tokens" --overlap 8 -q \
              "$work/corpus" 2>&1 | tail -1)
        # "... N chunks in T s (embedding E s, R chunks/s)"
        read -r nc tot emb rate < <(echo "$log" | sed -n 's/.* \([0-9]*\) chunks in \([0-9.]*\) s (embedding \([0-9.]*\) s, \([0-9.]*\) chunks\/s).*/\1 \2 \3 \4/p')
        [ -n "${rate:-}" ] || { echo "rag-bench.sh: indexing failed: $log" >&2; exit 1; }
        split=$(awk -v n="$nc" -v t="$tot" -v e="$emb" 'BEGIN {printf "%.1f / %.2f", e * 1000 / n, (t - e) * 1000 / n}')
        base_db=$db last_rate=$rate
        real=yes
    else
        checkpoint "$base_db"
        cp "$base_db" "$db"
        grow_db "$db" "$n"
        real=copied
    fi
    chunks=$("$MOTE" rag stats --db "$db" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['chunks'])")
    [ "$real" = yes ] && have=$chunks
    mib=$(python3 -c "import os,sys; print('%.1f' % (sum(os.path.getsize(p) for p in (sys.argv[1], sys.argv[1] + '-wal') if os.path.exists(p)) / 1048576))" "$db")
    vt=$(search_times "$db" vector)
    kt=$(search_times "$db" keyword)
    ht=$(search_times "$db" hybrid)
    load=$(echo "$vt" | col 1) lvec=$(echo "$vt" | col 2)
    printf '| %s | %s | %s | %s | %s | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | %.2f |\n' "$chunks" "$real" "$rate" "$split" "$mib" \
        "$(awk -v a="$load" -v b="$lvec" 'BEGIN {print a - b}')" "$lvec" "$(echo "$kt" | col 1)" "$(echo "$vt" | col 3)" \
        "$(echo "$vt" | col 4)" "$(echo "$kt" | col 4)" "$(echo "$ht" | col 4)"
done
echo
echo "Medians of $queries questions, each a fresh \`mote rag search -k 5 --json\` process (so every search pays the loads;"
echo "a server pays them once). Loads: the model (vector, hybrid), every vector (vector, hybrid), every chunk's"
echo "keyword length (keyword, hybrid). vector / keyword / hybrid ms: the search itself (ranking, fusion, reading the"
echo "k chunks), without loads and question embedding. Indexing: chunks/s over the chunks added at that size;"
echo "\"copied\" sizes were grown from the indexed one.$skipped_note Run time: $(( $(date +%s) - started )) s."
