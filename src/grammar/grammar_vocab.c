/*
 * grammar_vocab.c — a vocabulary prepared for grammar matching, built once
 * and shared read-only: every token's bytes, whether it ends generation or
 * can never be text, and a trie of all text tokens so that a grammar state
 * can be walked against the whole vocabulary at once (a prefix rejected
 * once rejects every token that starts with it).
 *
 * The trie is stored in pre-order: node i's first child is i+1 and
 * skip[i] is the index just past its subtree (so also its next sibling).
 * The tokens whose bytes end at node i are tok_sorted[tok_first[i] ..
 * tok_first[i] + tok_n[i]).
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "grammar/grammar_vocab.h"

typedef struct {
    const char *s;
    uint32_t len;
    int32_t id;
} piece_ref;

static int compare_pieces(const void *pa, const void *pb) {
    const piece_ref *a = pa, *b = pb;
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->s, b->s, n);
    if (c) return c;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

void mote_grammar_vocab_free(mote_grammar_vocab *gv) {
    if (!gv) return;
    free(gv->kind);
    free(gv->piece_off);
    free(gv->piece_len);
    free(gv->pieces);
    free(gv->byte);
    free(gv->skip);
    free(gv->tok_first);
    free(gv->tok_n);
    free(gv->tok_sorted);
    free(gv->eog);
    free(gv->control);
    free(gv);
}

/* Build the trie from pieces sorted by their bytes. */
static int build_trie(mote_grammar_vocab *gv, const piece_ref *refs, uint32_t n) {
    uint64_t total = 1;
    uint32_t longest = 0;
    for (uint32_t i = 0; i < n; i++) {
        total += refs[i].len;
        if (refs[i].len > longest) longest = refs[i].len;
    }
    if (total > UINT32_MAX / 2) return mote_fail(MOTE_ERR_UNSUPPORTED, "grammar: vocabulary too large");
    gv->byte = malloc(total);
    gv->skip = malloc(total * sizeof *gv->skip);
    gv->tok_first = malloc(total * sizeof *gv->tok_first);
    gv->tok_n = malloc(total * sizeof *gv->tok_n);
    gv->tok_sorted = malloc((n ? n : 1) * sizeof *gv->tok_sorted);
    uint32_t *path = malloc(((size_t)longest + 1) * sizeof *path);
    if (!gv->byte || !gv->skip || !gv->tok_first || !gv->tok_n || !gv->tok_sorted || !path) {
        free(path);
        return mote_fail(MOTE_ERR_NOMEM, "grammar: out of memory for the token trie");
    }
    uint32_t nodes = 1, depth = 0;
    gv->byte[0] = 0, gv->tok_first[0] = 0, gv->tok_n[0] = 0;
    path[0] = 0;
    const piece_ref *prev = NULL;
    for (uint32_t t = 0; t < n; t++) {
        const piece_ref *r = &refs[t];
        uint32_t lcp = 0;
        if (prev)
            while (lcp < prev->len && lcp < r->len && prev->s[lcp] == r->s[lcp]) lcp++;
        for (; depth > lcp; depth--) gv->skip[path[depth]] = nodes;
        for (; depth < r->len; depth++) {
            uint32_t id = nodes++;
            gv->byte[id] = (uint8_t)r->s[depth];
            gv->tok_first[id] = 0, gv->tok_n[id] = 0;
            path[depth + 1] = id;
        }
        uint32_t at = path[r->len];
        if (!gv->tok_n[at]) gv->tok_first[at] = t;
        gv->tok_n[at]++;
        gv->tok_sorted[t] = r->id;
        prev = r;
    }
    for (; depth > 0; depth--) gv->skip[path[depth]] = nodes;
    gv->skip[0] = nodes;
    gv->n_nodes = nodes;
    gv->max_len = longest;
    free(path);
    return MOTE_OK;
}

int mote_grammar_vocab_new(const mote_vocab *v, mote_grammar_vocab **out) {
    if (!out) return mote_fail(MOTE_ERR_INVALID_ARG, "grammar: no output pointer");
    *out = NULL;
    if (!v) return mote_fail(MOTE_ERR_INVALID_ARG, "grammar: no vocabulary");
    int32_t n = mote_vocab_n_tokens(v);
    mote_grammar_vocab *gv = calloc(1, sizeof *gv);
    piece_ref *refs = malloc(((size_t)n + 1) * sizeof *refs);
    if (!gv || !refs) {
        free(refs);
        mote_grammar_vocab_free(gv);
        return mote_fail(MOTE_ERR_NOMEM, "grammar: out of memory");
    }
    gv->n_vocab = n;
    gv->kind = calloc((size_t)n + 1, 1);
    gv->piece_off = malloc(((size_t)n + 1) * sizeof *gv->piece_off);
    gv->piece_len = malloc(((size_t)n + 1) * sizeof *gv->piece_len);
    gv->eog = malloc(((size_t)n + 1) * sizeof *gv->eog);
    gv->control = malloc(((size_t)n + 1) * sizeof *gv->control);
    size_t bytes = 0;
    for (int32_t i = 0; i < n; i++) {
        size_t len = 0;
        if (mote_token_piece(v, i, &len)) bytes += len;
    }
    gv->pieces = malloc(bytes + 1);
    if (!gv->kind || !gv->piece_off || !gv->piece_len || !gv->eog || !gv->control || !gv->pieces) {
        free(refs);
        mote_grammar_vocab_free(gv);
        return mote_fail(MOTE_ERR_NOMEM, "grammar: out of memory");
    }
    size_t at = 0;
    uint32_t n_text = 0;
    for (int32_t i = 0; i < n; i++) {
        size_t len = 0;
        const char *piece = mote_token_piece(v, i, &len);
        gv->piece_off[i] = (uint32_t)at;
        gv->piece_len[i] = piece ? (uint32_t)len : 0;
        if (piece && len) memcpy(gv->pieces + at, piece, len);
        at += gv->piece_len[i];
        if (mote_vocab_is_eog(v, i)) {
            gv->kind[i] = GV_EOG;
            gv->eog[gv->n_eog++] = i;
        } else if (!piece || !len) {
            gv->kind[i] = GV_NEVER;
        } else if (mote_vocab_is_control(v, i)) {
            gv->kind[i] = GV_CONTROL;
            gv->control[gv->n_control++] = i;
        } else {
            gv->kind[i] = GV_TEXT;
            refs[n_text++] = (piece_ref){gv->pieces + gv->piece_off[i], gv->piece_len[i], i};
        }
    }
    qsort(refs, n_text, sizeof *refs, compare_pieces);
    int st = build_trie(gv, refs, n_text);
    free(refs);
    if (st) {
        mote_grammar_vocab_free(gv);
        return st;
    }
    *out = gv;
    return MOTE_OK;
}
