#!/usr/bin/env bash
# test_embed.sh — `mote embed`: the vectors of the fixture texts (-f, one per
# line) from bert-tiny-f32 match llama.cpp's (cosine >= 0.9999 each), --json
# is valid JSON with one vector per text, --pooling and --no-normalize are
# honoured, a decoder model embeds too, and bad use is refused with one line.
set -u
source "$(dirname "$0")/e2e_lib.sh"
need_mote; need_fixtures
M="$F/models"
make_tmp

"$MOTE" embed -m "$M/bert-tiny-f32.gguf" -f "$M/embed-texts.txt" >"$tmp/plain" 2>"$tmp/err"
check "plain output, 8 lines" '[ "$(wc -l <"$tmp/plain")" = 8 ]'
check "matches llama.cpp" 'python3 - "$tmp/plain" "$M/bert-tiny-f32.embed.f32" <<PY
import struct, sys, math
rows = [[float(x) for x in l.split()] for l in open(sys.argv[1])]
raw = open(sys.argv[2], "rb").read()
ref = struct.unpack("<%df" % (len(raw) // 4), raw)
d = len(rows[0])
for i, r in enumerate(rows):
    q = ref[i * d:(i + 1) * d]
    c = sum(a * b for a, b in zip(r, q)) / math.sqrt(sum(a * a for a in r) * sum(b * b for b in q))
    assert c >= 0.9999, (i, c)
PY'
"$MOTE" embed -m "$M/bert-tiny-f32.gguf" -p "hello" --pooling cls --no-normalize --json >"$tmp/json"
check "json" 'python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j[\"pooling\"]==\"cls\" and not j[\"normalized\"] and len(j[\"embeddings\"])==1 and len(j[\"embeddings\"][0])==j[\"n_embd\"]==128" "$tmp/json"'
"$MOTE" embed -m "$M/qwen2-tiny-q8_0.gguf" -p "Once upon a time" --json >"$tmp/dec"
check "decoder model, mean pooling, unit length" 'python3 -c "import json,sys,math; j=json.load(open(sys.argv[1])); v=j[\"embeddings\"][0]; assert j[\"pooling\"]==\"mean\" and abs(math.sqrt(sum(x*x for x in v))-1)<1e-4" "$tmp/dec"'

refuse() { # name, expected message part, command...
    local name=$1 want=$2; shift 2
    if "$@" >"$tmp/out" 2>"$tmp/err"; then echo "FAIL: $name accepted"; fail=1; return; fi
    if [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "^mote embed: .*$want" "$tmp/err"; then echo "ok: $name refused"
    else echo "FAIL: $name: $(cat "$tmp/err")"; fail=1; fi
}
refuse "no model" "no model" "$MOTE" embed -p hi
refuse "no text" "-p TEXT" "$MOTE" embed -m "$M/bert-tiny-f32.gguf"
refuse "bad pooling" "unknown pooling 'max'" "$MOTE" embed -m "$M/bert-tiny-f32.gguf" -p hi --pooling max
refuse "missing file" "cannot read" "$MOTE" embed -m "$M/bert-tiny-f32.gguf" -f /nonexistent.txt
printf '\n\n' >"$tmp/empty.txt"
refuse "empty file" "holds no text" "$MOTE" embed -m "$M/bert-tiny-f32.gguf" -f "$tmp/empty.txt"
python3 -c "print(' '.join(['word'] * 600))" >"$tmp/long.txt"
refuse "text longer than the encoder's context" "do not fit" "$MOTE" embed -m "$M/bert-tiny-f32.gguf" -f "$tmp/long.txt"
exit $fail
