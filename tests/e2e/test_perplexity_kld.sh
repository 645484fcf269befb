#!/usr/bin/env bash
# test_perplexity_kld.sh — `mote perplexity --kl-divergence-base` /
# `--kl-divergence` against llama-perplexity:
#   1. mote saves stories260K-f32's log-probabilities over text/stories.txt
#      (-c 128) in llama.cpp's file format, and compares the q8_0, q4_0 and
#      q4_k_m files with it: mean KLD within 2% and "same top p" within 0.5
#      points of llama-perplexity's own run (base file made by llama-perplexity
#      from the same f32 model and text: tests/data/kld/*.c128.llama-kld.txt);
#   2. f32 against its own base: KLD 0 (up to the file's rounding), the same
#      top token everywhere;
#   3. mote reads a base file written by llama-perplexity
#      (tests/data/kld/stories260K-f32.c64x4.kld, -c 64 --chunks 4) and gets
#      llama-perplexity's numbers for q4_0 on it;
#   4. the file mote writes has llama's layout (header, tokens, rows of
#      2*((n_vocab+1)/2)+4 uint16), so llama-perplexity can read it (checked
#      by hand: see docs/eval.md);
#   5. bad base files get one clear line.
# A sanitizer build runs 4 chunks only and skips the comparisons.
set -u
F="${MOTE_FIXTURES:-}"
ROOT="${MOTE_ROOT:-.}"
if [ ! -f "$F/README.md" ]; then echo "SKIP: fixtures not found (MOTE_FIXTURES)"; exit 77; fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
quick=""
[ "${MOTE_SANITIZE:-OFF}" = ON ] && quick="--chunks 4"
# shellcheck disable=SC2086
if ! "$MOTE" perplexity -m "$F/real/stories260K-f32.gguf" -f "$F/text/stories.txt" -c 128 $quick \
    --kl-divergence-base "$tmp/base.kld" >"$tmp/out" 2>"$tmp/err"; then
    echo "FAIL: writing the base: $(cat "$tmp/err")"; exit 1
fi
grep -q "^Final estimate: PPL = 6.78" "$tmp/out" || [ -n "$quick" ] || { echo "FAIL: base PPL: $(grep Final "$tmp/out")"; fail=1; }
# layout: 20-byte header, n_chunk*128 tokens, n_chunk*63 rows of (512+4) uint16
python3 - "$tmp/base.kld" <<'PY' || fail=1
import struct, sys, os
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"_logits_", "magic"
n_ctx, n_vocab, n_chunk = struct.unpack("<Iii", data[8:20])
want = 20 + 4 * n_ctx * n_chunk + n_chunk * (n_ctx - 1 - n_ctx // 2) * (2 * ((n_vocab + 1) // 2) + 4) * 2
ok = n_ctx == 128 and n_vocab == 512 and len(data) == want
print(("ok" if ok else "FAIL") + f": base file n_ctx {n_ctx}, n_vocab {n_vocab}, {n_chunk} chunks, {len(data)} bytes (expected {want})")
sys.exit(0 if ok else 1)
PY

# field VALUE of llama's "Mean    KLD:" / "Same top p:" line
stat() { sed -n "s/^$2 *\([-0-9.]*\).*/\1/p" "$1" | head -1; }
for q in q8_0 q4_0 q4_k_m; do
    # shellcheck disable=SC2086
    if ! "$MOTE" perplexity -m "$F/real/stories260K-$q.gguf" --kl-divergence --kl-divergence-base "$tmp/base.kld" \
        $quick >"$tmp/kld" 2>"$tmp/err"; then
        echo "FAIL: $q: $(cat "$tmp/err")"; fail=1; continue
    fi
    [ -n "$quick" ] && { grep -q "Same top p" "$tmp/kld" && echo "ok: $q ran" || { echo "FAIL: $q: no statistics"; fail=1; }; continue; }
    ref="$ROOT/tests/data/kld/stories260K-$q.c128.llama-kld.txt"
    got_k=$(stat "$tmp/kld" "Mean    KLD:"); want_k=$(stat "$ref" "Mean    KLD:")
    got_t=$(stat "$tmp/kld" "Same top p:"); want_t=$(stat "$ref" "Same top p:")
    if awk -v g="$got_k" -v w="$want_k" -v gt="$got_t" -v wt="$want_t" \
        'BEGIN { d = (g - w) / w; if (d < 0) d = -d; t = gt - wt; if (t < 0) t = -t; exit !(d <= 0.02 && t <= 0.5) }'; then
        echo "ok: $q: KLD $got_k (llama $want_k), same top $got_t% (llama $want_t%)"
    else
        echo "FAIL: $q: KLD $got_k (llama $want_k), same top $got_t% (llama $want_t%)"; fail=1
    fi
done

# the base model against itself
"$MOTE" perplexity -m "$F/real/stories260K-f32.gguf" --kl-divergence --kl-divergence-base "$tmp/base.kld" --chunks 4 >"$tmp/kld" 2>&1
self_k=$(stat "$tmp/kld" "Mean    KLD:")
awk -v k="$self_k" 'BEGIN { exit !(k < 1e-4 && k > -1e-4) }' && grep -q "^Same top p: 100.000" "$tmp/kld" \
    && echo "ok: f32 against itself: KLD 0, same top 100%" || { echo "FAIL: f32 against itself: $(grep -E 'KLD:|top' "$tmp/kld" | head -3)"; fail=1; }

# a base file written by llama-perplexity
if [ -z "$quick" ]; then
    "$MOTE" perplexity -m "$F/real/stories260K-q4_0.gguf" --kl-divergence \
        --kl-divergence-base "$ROOT/tests/data/kld/stories260K-f32.c64x4.kld" >"$tmp/kld" 2>"$tmp/err"
    ref="$ROOT/tests/data/kld/stories260K-q4_0.c64x4.llama-kld.txt"
    got_k=$(stat "$tmp/kld" "Mean    KLD:"); want_k=$(stat "$ref" "Mean    KLD:")
    got_t=$(stat "$tmp/kld" "Same top p:"); want_t=$(stat "$ref" "Same top p:")
    awk -v g="$got_k" -v w="$want_k" -v gt="$got_t" -v wt="$want_t" \
        'BEGIN { d = (g - w) / w; if (d < 0) d = -d; t = gt - wt; if (t < 0) t = -t; exit !(d <= 0.02 && t <= 0.5) }' \
        && echo "ok: llama's base file: KLD $got_k (llama $want_k), same top $got_t% (llama $want_t%)" \
        || { echo "FAIL: llama's base file: KLD '$got_k' (llama $want_k), same top '$got_t' ($want_t) $(cat "$tmp/err")"; fail=1; }
fi

# --chunks 1 with a base file: one chunk of a long text is enough (the two-chunk rule is on the whole text)
"$MOTE" perplexity -m "$F/real/stories260K-f32.gguf" -f "$F/text/stories.txt" -c 64 --chunks 1 \
    --kl-divergence-base "$tmp/one.kld" >"$tmp/one.out" 2>"$tmp/err" && [ -s "$tmp/one.kld" ] &&
    "$MOTE" perplexity -m "$F/real/stories260K-q4_0.gguf" --kl-divergence --kl-divergence-base "$tmp/one.kld" \
        >"$tmp/one.kld.out" 2>>"$tmp/err" && grep -q "^Mean    KLD:" "$tmp/one.kld.out" \
    && echo "ok: --chunks 1 --kl-divergence-base" || { echo "FAIL: --chunks 1 --kl-divergence-base: $(cat "$tmp/err")"; fail=1; }

# bad files
printf 'not a logits file' >"$tmp/bad.kld"
"$MOTE" perplexity -m "$F/real/stories260K-q4_0.gguf" --kl-divergence --kl-divergence-base "$tmp/bad.kld" 2>"$tmp/err" && { echo "FAIL: bad file accepted"; fail=1; }
grep -q "^mote perplexity: .*bad.kld: not a file of base log-probabilities" "$tmp/err" && echo "ok: $(cat "$tmp/err")" || { echo "FAIL: message: $(cat "$tmp/err")"; fail=1; }
head -c 3000 "$tmp/base.kld" >"$tmp/short.kld"
"$MOTE" perplexity -m "$F/real/stories260K-q4_0.gguf" --kl-divergence --kl-divergence-base "$tmp/short.kld" >/dev/null 2>"$tmp/err" && { echo "FAIL: truncated file accepted"; fail=1; }
grep -q "short.kld: the file ends inside" "$tmp/err" && echo "ok: $(cat "$tmp/err")" || { echo "FAIL: message: $(cat "$tmp/err")"; fail=1; }
"$MOTE" perplexity -m "$F/models/llama-tiny-f32.gguf" --kl-divergence --kl-divergence-base "$tmp/base.kld" >/dev/null 2>"$tmp/err" && { echo "FAIL: other vocabulary accepted"; fail=1; }
grep -q "vocabulary" "$tmp/err" && echo "ok: $(cat "$tmp/err")" || { echo "FAIL: message: $(cat "$tmp/err")"; fail=1; }
"$MOTE" perplexity -m "$F/real/stories260K-q4_0.gguf" --kl-divergence 2>"$tmp/err" && { echo "FAIL: no base accepted"; fail=1; }
grep -q "needs a model (-m) and --kl-divergence-base FILE" "$tmp/err" && echo "ok: $(cat "$tmp/err")" || { echo "FAIL: message: $(cat "$tmp/err")"; fail=1; }
exit $fail
