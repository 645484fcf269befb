/*
 * spm.c — SentencePiece BPE ("llama" vocabularies: Llama 2, TinyLlama,
 * stories260K, Phi-3, Gemma 3).
 *
 * The text arrives with spaces already written as U+2581 (tokenize.c does
 * that). Start from single UTF-8 characters and repeatedly merge the adjacent
 * pair whose concatenation is the token with the highest score (ties: the
 * leftmost pair), until no adjacent pair forms a token. A symbol left that is
 * not a token is emitted as its bytes (<0xNN> tokens): byte fallback.
 */
#include <stdlib.h>

#include "core/error.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab_internal.h"

typedef struct {
    size_t off;      /* start in the text; never changes */
    size_t n;        /* bytes; 0 once merged into its left neighbour */
    int32_t prev, next;
} spm_symbol;

typedef struct {
    int32_t left, right;
    float score;
    size_t size; /* bytes of the pair when it was queued: a changed pair is stale */
} spm_pair;

/* Max-heap order: higher score first, then leftmost. */
static bool pair_before(const spm_pair *a, const spm_pair *b) {
    return a->score > b->score || (a->score == b->score && a->left < b->left);
}

typedef struct {
    spm_pair *v;
    size_t n, cap;
} pair_heap;

/* Add a candidate merge to the heap. */
static int heap_push(pair_heap *h, spm_pair p) {
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        spm_pair *nv = realloc(h->v, cap * sizeof *nv);
        if (!nv) return mote_fail(MOTE_ERR_NOMEM, "out of memory in the SentencePiece tokenizer");
        h->v = nv;
        h->cap = cap;
    }
    size_t i = h->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!pair_before(&p, &h->v[parent])) break;
        h->v[i] = h->v[parent];
        i = parent;
    }
    h->v[i] = p;
    return MOTE_OK;
}

/* Remove and return the best candidate (the heap must not be empty). */
static spm_pair heap_pop(pair_heap *h) {
    spm_pair top = h->v[0], last = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && pair_before(&h->v[c + 1], &h->v[c])) c++;
        if (!pair_before(&h->v[c], &last)) break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n) h->v[i] = last;
    return top;
}

/* Queue the pair (left, right) if together they spell a token. */
static int try_pair(const mote_vocab *v, const char *text, spm_symbol *sym, int32_t left, int32_t right, pair_heap *h) {
    if (left < 0 || right < 0) return MOTE_OK;
    size_t size = sym[left].n + sym[right].n;
    int32_t id = mote_strmap_get(&v->text_to_id, text + sym[left].off, size, -1);
    if (id < 0) return MOTE_OK;
    return heap_push(h, (spm_pair){left, right, v->scores[id], size});
}

/* Emit one final symbol: its token, or its bytes. */
static int emit(const mote_vocab *v, const char *text, const spm_symbol *s, growbuf_i32 *out) {
    int32_t id = mote_strmap_get(&v->text_to_id, text + s->off, s->n, -1);
    if (id >= 0) return growbuf_push(out, id);
    for (size_t k = 0; k < s->n; k++) {
        int32_t b = v->byte_tok[(unsigned char)text[s->off + k]];
        if (b < 0) b = v->unk; /* a vocabulary without byte tokens: unknown (or nothing) */
        int rc = b >= 0 ? growbuf_push(out, b) : MOTE_OK;
        if (rc) return rc;
    }
    return MOTE_OK;
}

/* Tokenize escaped text by score-ordered merges; append the ids. */
int spm_tokenize(const mote_vocab *v, const char *text, size_t len, growbuf_i32 *out) {
    if (len == 0) return MOTE_OK;
    if (len > INT32_MAX) return mote_fail(MOTE_ERR_INVALID_ARG, "text fragment too long (%zu bytes)", len);
    spm_symbol *sym = malloc(len * sizeof *sym);
    if (!sym) return mote_fail(MOTE_ERR_NOMEM, "out of memory in the SentencePiece tokenizer");
    int32_t n = 0;
    for (size_t off = 0; off < len;) {
        uint32_t cp; /* invalid UTF-8 makes one-byte symbols, so byte fallback gives the bytes back */
        size_t cl = utf8_decode(text + off, len - off, &cp);
        sym[n] = (spm_symbol){off, cl, n - 1, -1};
        if (n > 0) sym[n - 1].next = n;
        n++;
        off += cl;
    }
    pair_heap h = {0};
    int rc = MOTE_OK;
    for (int32_t i = 1; i < n && !rc; i++) rc = try_pair(v, text, sym, i - 1, i, &h);
    while (h.n && !rc) {
        spm_pair p = heap_pop(&h);
        spm_symbol *l = &sym[p.left], *r = &sym[p.right];
        if (l->n == 0 || r->n == 0 || l->n + r->n != p.size) continue; /* stale */
        l->n += r->n;
        r->n = 0;
        l->next = r->next;
        if (r->next >= 0) sym[r->next].prev = p.left;
        rc = try_pair(v, text, sym, l->prev, p.left, &h);
        if (!rc) rc = try_pair(v, text, sym, p.left, l->next, &h);
    }
    for (int32_t i = 0; i != -1 && !rc; i = sym[i].next) rc = emit(v, text, &sym[i], out);
    free(h.v);
    free(sym);
    return rc;
}
