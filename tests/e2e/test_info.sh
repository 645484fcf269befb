#!/usr/bin/env bash
# test_info.sh — `mote info` on every GGUF of the fixtures (models, real, vocab).
#
# The numbers mote prints are checked against values derived independently:
#   - the file size from stat;
#   - n_embd, layers, heads / kv heads, ffn from the fixtures README's table;
#   - the vocabulary size from the reference logits (rows of n_vocab floats)
#     or, for the vocab/ files, from the published size of each tokenizer;
#   - the parameter count, bytes per tensor and the type mix recomputed from
#     `--tensors` with the GGML block sizes written out below;
#   - bits per weight from those sums.
# Then bad input: truncated, not GGUF, missing, empty, a directory -> exit 1
# with one line on stderr. Only bash and awk are used (no python, no jq).
set -u
source "$(dirname "$0")/e2e_lib.sh"
need_mote; need_fixtures
FIX=$F

fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
make_tmp

# jget JSON KEY: a top-level field of mote's JSON (cJSON prints one per line,
# indented by one tab, "key":<tab>value), without quotes or trailing comma.
jget() { awk -F'\t' -v k="\"$2\":" '$1 == "" && $2 == k { v = $3; sub(/,$/, "", v); gsub(/^"|"$/, "", v); print v; exit }' "$1"; }

# jtypes JSON: "type count bytes" lines from the "types" object.
jtypes() {
    awk -F'\t' '
        $1 == "" && $2 == "\"types\":" { in_types = 1; next }
        in_types && $1 == "" && $2 ~ /^}/ { exit }
        in_types && $3 ~ /^"/ { t = $3; gsub(/[":]/, "", t) }
        in_types && $4 == "\"count\":" { c = $5; sub(/,$/, "", c) }
        in_types && $4 == "\"bytes\":" { print t, c, $5 }
    ' "$1" | sort
}

# From the --tensors table: per type "type count bytes" (sorted), checking
# each tensor's bytes against its shape and the block geometry; and totals.
tensor_sums() {
    awk '
        BEGIN {
            # type: elements per block, bytes per block (GGML block layouts)
            split("f32 1 4 f16 1 2 bf16 1 2 q4_0 32 18 q4_1 32 20 q5_0 32 22 q5_1 32 24 q8_0 32 34 " \
                  "q2_K 256 84 q3_K 256 110 q4_K 256 144 q5_K 256 176 q6_K 256 210 iq4_nl 32 18 " \
                  "iq4_xs 256 136 tq1_0 256 54 tq2_0 256 66", f, " ")
            for (i = 1; i <= length(f); i += 3) { bs[f[i]] = f[i + 1]; bb[f[i]] = f[i + 2] }
        }
        $1 == "tensor" && $2 == "type" { table = 1; next }
        table && NF >= 4 {
            type = $2; bytes = $NF
            shape = $0; sub(/^[^[]*\[/, "", shape); sub(/\].*$/, "", shape)
            n = split(shape, d, ", *"); ne = 1
            for (i = 1; i <= n; i++) ne *= d[i]
            if (!(type in bs)) { print "unknown-type", type; bad = 1; next }
            want = ne / bs[type] * bb[type]
            if (want != bytes) { print "bad-bytes", $1, bytes, want; bad = 1 }
            params += ne; total += bytes; cnt[type]++; tb[type] += bytes
        }
        END {
            for (t in cnt) print "type", t, cnt[t], tb[t]
            printf "params %.0f\ntotal %.0f\n", params, total
        }
    ' "$1"
}

check_file() {
    local path=$1 rel=${1#"$FIX"/} json="$tmp/j" text="$tmp/t"
    if ! "$MOTE" info --json "$path" >"$json" 2>"$tmp/err"; then
        fail "$rel: mote info --json failed: $(cat "$tmp/err")"
        return
    fi
    if ! "$MOTE" info --tensors "$path" >"$text" 2>"$tmp/err"; then
        fail "$rel: mote info --tensors failed: $(cat "$tmp/err")"
        return
    fi
    expect() { # expect FIELD VALUE
        local got
        got=$(jget "$json" "$1")
        [ "$got" = "$2" ] || fail "$rel: $1 is '$got', expected '$2'"
    }

    expect file_size "$(stat -c %s "$path")"
    expect gguf_version 3

    # Parameters, bytes and the type mix, recomputed from the tensor table.
    tensor_sums "$text" >"$tmp/sums"
    while read -r line; do fail "$rel: $line"; done < <(grep -E '^(unknown-type|bad-bytes)' "$tmp/sums")
    local params total
    params=$(awk '$1 == "params" { print $2 }' "$tmp/sums")
    total=$(awk '$1 == "total" { print $2 }' "$tmp/sums")
    expect n_params "$params"
    expect tensor_bytes "$total"
    expect n_tensors "$(awk '$1 == "type" { n += $3 } END { print n + 0 }' "$tmp/sums")"
    if [ "$(awk '$1 == "type" { print $2, $3, $4 }' "$tmp/sums" | sort)" != "$(jtypes "$json")" ]; then
        fail "$rel: type mix differs: $(jtypes "$json" | tr '\n' ';') vs tensors $(awk '$1 == "type"' "$tmp/sums" | tr '\n' ';')"
    fi
    local bpw
    bpw=$(jget "$json" bits_per_weight)
    awk -v p="$params" -v b="$total" -v got="$bpw" 'BEGIN {
        want = p > 0 ? 8 * b / p : 0; d = got - want; if (d < 0) d = -d; exit !(d <= 1e-9 * (want + 1)) }' ||
        fail "$rel: bits_per_weight $bpw, expected 8*$total/$params"
    [ "$total" -le "$(stat -c %s "$path")" ] || fail "$rel: tensor bytes exceed the file"

    # Architecture, shape and vocabulary, from the README and the reference outputs.
    local name=${rel##*/}
    case $rel in
    models/*)
        local arch=${name%%-tiny-*} wtype=${name#*-tiny-}
        wtype=${wtype%.gguf}
        # bert-cls: bert's weights with CLS pooling (fixtures README)
        [ "$arch" = bert-cls ] && arch=bert
        expect architecture "$arch"
        case $arch in
        bert) expect embedding_length 128; expect feed_forward_length 512 ;;
        gpt2) expect embedding_length 256; expect feed_forward_length 512 ;;
        *) expect embedding_length 256; expect feed_forward_length 256 ;;
        esac
        case $arch in
        llama) expect block_count 2; expect head_count 4; expect head_count_kv 2 ;;
        qwen3) expect block_count 2; expect head_count 4; expect head_count_kv 2; expect chat_template true ;;
        gemma3) expect block_count 6; expect head_count 4; expect head_count_kv 1; expect chat_template true ;;
        phi3) expect block_count 2; expect head_count 4; expect head_count_kv 4; expect chat_template true ;;
        qwen2) expect block_count 2; expect head_count 4; expect head_count_kv 2; expect chat_template true ;;
        gpt2) expect block_count 2; expect head_count 4; expect head_count_kv null ;; # not stated: = head_count
        bitnet) expect block_count 2; expect head_count 4; expect head_count_kv 2 ;;
        bert) expect block_count 2; expect head_count 4; expect head_count_kv null; expect vocab_size 2048 ;;
        *) fail "$rel: unexpected architecture in the name" ;;
        esac
        if [ "$arch" != bert ]; then
            # Logits: 32 rows (tokens.txt) of n_vocab float32.
            local ntok logits
            ntok=$(tr ',' '\n' <"$FIX/models/tokens.txt" | grep -c '[0-9]')
            logits=$(stat -c %s "${path%.gguf}.logits.f32")
            expect vocab_size $((logits / (ntok * 4)))
        fi
        # The file's weight type is among its tensor types (k-quant "_m" presets: the base type).
        local base=${wtype%_m}
        jtypes "$json" | awk -v t="$base" 'tolower($1) == t { ok = 1 } END { exit !ok }' ||
            fail "$rel: no tensor of type $base"
        [ "$arch" = llama ] && expect n_params 1049856 # README geometry, tied head (see test_gguf_summary.c)
        ;;
    real/*)
        expect architecture llama
        expect embedding_length 64
        expect block_count 5
        expect head_count 8
        expect head_count_kv 4
        expect feed_forward_length 172
        expect n_params 292800 # README geometry with its own output head
        expect vocab_model llama
        local ntok logits
        ntok=$(tr ',' '\n' <"${path%.gguf}.tokens.txt" | grep -c '[0-9]')
        logits=$(stat -c %s "${path%.gguf}.logits.f32")
        expect vocab_size $((logits / (ntok * 4)))
        grep -q "^  bos   token      1 '<s>'$" "$text" || fail "$rel: bos token is not 1 '<s>'"
        grep -q "^  eos   token      2 '</s>'$" "$text" || fail "$rel: eos token is not 2 '</s>'"
        ! grep -q "4294967295" "$text" || fail "$rel: a 'none' token id (-1) is listed"
        ;;
    vocab/*)
        expect n_params 0
        expect n_tensors 0
        local v=${name#ggml-vocab-}
        v=${v%.gguf}
        # Published vocabulary sizes and llama.cpp's tokenizer model names.
        case $v in
        llama-spm) expect architecture llama; expect vocab_model llama; expect vocab_size 32000 ;;
        llama-bpe) expect architecture llama; expect vocab_model gpt2; expect vocab_size 128256 ;;
        qwen2) expect architecture qwen2; expect vocab_model gpt2; expect vocab_size 151936 ;;
        gpt-2) expect architecture gpt2; expect vocab_model gpt2; expect vocab_size 50257 ;;
        phi-3) expect architecture phi3; expect vocab_model llama; expect vocab_size 32064 ;;
        bert-bge) expect architecture bert; expect vocab_model bert; expect vocab_size 30522 ;;
        gemma-4) expect architecture gemma4; expect vocab_model gemma4; expect vocab_size 262144 ;;
        *) fail "$rel: no expectations for this vocabulary" ;;
        esac
        ;;
    esac
}

count=0
for f in "$FIX"/models/*.gguf "$FIX"/real/*.gguf "$FIX"/vocab/*.gguf; do
    check_file "$f"
    count=$((count + 1))
done
[ "$count" -ge 46 ] || fail "only $count fixture files found"

# The text output of the bundled model names what matters.
if [ -n "${MOTE_ROOT:-}" ] && [ -f "$MOTE_ROOT/models/stories260K.gguf" ]; then
    out=$("$MOTE" info "$MOTE_ROOT/models/stories260K.gguf") || fail "mote info on the bundled model failed"
    for want in "architecture:     llama" "parameters:       292.8K (292800)" "layers:           5" \
        "heads:            8 (kv heads 4)" "vocabulary:       llama, 512 tokens" "chat template:    no"; do
        grep -qF "$want" <<<"$out" || fail "bundled model: '$want' missing from the text output"
    done
fi

# Bad input: one line on stderr, nothing on stdout, exit status 1 (not a crash).
bad_case() { # bad_case LABEL EXPECTED-WORDS FILE
    local label=$1 words=$2 file=$3 rc
    "$MOTE" info "$file" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 1 ] || fail "$label: exit status $rc, expected 1"
    [ ! -s "$tmp/out" ] || fail "$label: printed to stdout"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "$label: stderr is not one line: $(cat "$tmp/err")"
    grep -q "^mote info: .*$words" "$tmp/err" || fail "$label: message '$(cat "$tmp/err")' lacks '$words'"
}
head -c 5000 "$FIX/real/stories260K-f32.gguf" >"$tmp/trunc.gguf"
bad_case truncated "trunc.gguf" "$tmp/trunc.gguf"
head -c 1000000 "$FIX/real/stories260K-f32.gguf" >"$tmp/trunc-data.gguf"
bad_case "truncated data" "tensor '" "$tmp/trunc-data.gguf"
bad_case "not gguf" "not a GGUF file" "$FIX/README.md"
bad_case missing "no-such-file.gguf" "$tmp/no-such-file.gguf"
: >"$tmp/empty.gguf"
bad_case empty "empty" "$tmp/empty.gguf"
bad_case directory "not a regular file" "$tmp"

# Usage: --help succeeds, no file or an unknown option is a usage error (2).
"$MOTE" info --help >/dev/null || fail "mote info --help failed"
"$MOTE" info >/dev/null 2>&1
[ $? -eq 2 ] || fail "mote info without a file should exit 2"
"$MOTE" info --bogus x.gguf >/dev/null 2>&1
[ $? -eq 2 ] || fail "mote info --bogus should exit 2"

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s) over $count files" >&2
    exit 1
fi
echo "ok: $count files"
