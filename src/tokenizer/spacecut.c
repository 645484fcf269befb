/*
 * spacecut.c — cut SentencePiece-style text (spaces written as U+2581) into
 * words that can be tokenized independently, with exactly the same result as
 * tokenizing the whole text.
 *
 * Why it is exact: merging never crosses a point unless some token spells the
 * text across that point. We cut only before a run of U+2581 that follows
 * another character, and a token spanning such a cut would contain
 * "<char>U+2581". At load we list those "crossing" tokens (Llama 2 has none,
 * Gemma 4 has one: ">▁</"); a cut is skipped wherever one of them occurs in
 * the text across it. Vocabularies with many crossing tokens, or with merges
 * whose result is not a token, are not cut at all.
 *
 * Cutting matters for speed: merging is n log n in the length of what is
 * merged, and short words can be cached (wordcache.c).
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "tokenizer/vocab_internal.h"

#define MAX_CROSSING 64

/* True if U+2581 starts at s[i]. */
static bool space_mark_at(const char *s, size_t i, size_t n) {
    return i + 3 <= n && s[i] == '\xe2' && s[i + 1] == '\x96' && s[i + 2] == '\x81';
}

/* Decide at load whether and how v's escaped text may be cut at spaces. */
int spacecut_build(mote_vocab *v) {
    v->space_splits = false;
    v->n_crossing = 0;
    if (!(v->type == MOTE_VOCAB_SPM || v->escape_ws) || v->merge_without_token) return MOTE_OK;
    int32_t found[MAX_CROSSING];
    size_t n = 0;
    for (int32_t t = 0; t < v->n_tokens; t++) {
        if (!(v->attr[t] & TOK_NORMAL)) continue; /* only normal tokens come out of merges */
        const char *s = v->arena + v->text_off[t];
        uint32_t len = v->text_len[t];
        for (uint32_t i = 1; i < len; i++) {
            if (space_mark_at(s, i, len) && !(i >= 3 && space_mark_at(s, i - 3, len))) {
                if (n == MAX_CROSSING) return MOTE_OK; /* too many: do not cut */
                found[n++] = t;
                break;
            }
        }
    }
    if (n) {
        v->crossing = malloc(n * sizeof *v->crossing);
        if (!v->crossing) return mote_fail(MOTE_ERR_NOMEM, "out of memory for the vocabulary");
        memcpy(v->crossing, found, n * sizeof *found);
    }
    v->n_crossing = n;
    v->space_splits = true;
    return MOTE_OK;
}

/* True if a crossing token occurs in s[0..n) over the point between i-1 and i. */
static bool crossing_at(const mote_vocab *v, const char *s, size_t n, size_t i) {
    for (size_t k = 0; k < v->n_crossing; k++) {
        int32_t t = v->crossing[k];
        const char *ts = v->arena + v->text_off[t];
        size_t tl = v->text_len[t];
        for (size_t a = i >= tl - 1 ? i - (tl - 1) : 0; a < i; a++)
            if (a + tl <= n && !memcmp(s + a, ts, tl)) return true;
    }
    return false;
}

/* Call fn on each word between the allowed cuts. */
int spacecut_split(const mote_vocab *v, const char *s, size_t n, pretok_fn fn, void *ctx) {
    if (!v->space_splits) return fn(s, n, ctx);
    size_t start = 0;
    for (size_t i = 1; i < n; i++) {
        if (!space_mark_at(s, i, n) || (i >= 3 && space_mark_at(s, i - 3, n))) continue;
        if (v->n_crossing && crossing_at(v, s, n, i)) continue;
        int rc = fn(s + start, i - start, ctx);
        if (rc) return rc;
        start = i;
    }
    return n > start ? fn(s + start, n - start, ctx) : MOTE_OK;
}
