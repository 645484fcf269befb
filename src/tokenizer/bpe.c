/*
 * bpe.c — byte-level BPE ("gpt2" vocabularies: GPT-2, Llama 3, Qwen 2/3,
 * SmolLM, ...) and raw-UTF-8 BPE ("gemma4").
 *
 * The pre-tokenizer (pretok.c) cuts the text into words; each word is split
 * into symbols (one per byte for byte-level vocabularies, whose tokens spell
 * bytes with GPT-2's byte-to-unicode alphabet; one per UTF-8 character for
 * gemma4) and the adjacent pair with the lowest merge rank is merged until no
 * pair has a rank (ties: leftmost). Symbols are tracked by token id, so a
 * merge lookup is one hash probe on (left id, right id) — no strings.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab_internal.h"

typedef struct {
    int32_t id;   /* token id of the symbol's bytes, or -1 */
    int32_t prev, next;
    uint32_t off, n; /* bytes in the word; n = 0 once merged away */
} bpe_symbol;

typedef struct {
    int32_t rank, left, right, result;
    uint32_t size;
} bpe_pair;

/* Min-heap order: lower merge rank first, then the leftmost pair. */
static bool pair_before(const bpe_pair *a, const bpe_pair *b) {
    return a->rank < b->rank || (a->rank == b->rank && a->left < b->left);
}

/* Scratch space reused across the words of one tokenize call. */
typedef struct {
    const mote_vocab *v;
    growbuf_i32 *out;
    bpe_symbol *sym;
    size_t sym_cap;
    bpe_pair *heap;
    size_t heap_n, heap_cap;
    char *enc;
    size_t enc_cap;
    wordcache *cache;
} bpe_state;

/* Add a candidate merge to the heap. */
static int heap_push(bpe_state *s, bpe_pair p) {
    if (s->heap_n == s->heap_cap) {
        size_t cap = s->heap_cap ? s->heap_cap * 2 : 64;
        bpe_pair *nv = realloc(s->heap, cap * sizeof *nv);
        if (!nv) return mote_fail(MOTE_ERR_NOMEM, "out of memory in the BPE tokenizer");
        s->heap = nv;
        s->heap_cap = cap;
    }
    size_t i = s->heap_n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!pair_before(&p, &s->heap[parent])) break;
        s->heap[i] = s->heap[parent];
        i = parent;
    }
    s->heap[i] = p;
    return MOTE_OK;
}

/* Remove and return the best candidate (the heap must not be empty). */
static bpe_pair heap_pop(bpe_state *s) {
    bpe_pair top = s->heap[0], last = s->heap[--s->heap_n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= s->heap_n) break;
        if (c + 1 < s->heap_n && pair_before(&s->heap[c + 1], &s->heap[c])) c++;
        if (!pair_before(&s->heap[c], &last)) break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (s->heap_n) s->heap[i] = last;
    return top;
}

/* Queue the merge of symbols left and right if the vocabulary has one. */
static int try_pair(bpe_state *s, int32_t left, int32_t right) {
    if (left < 0 || right < 0) return MOTE_OK;
    const bpe_symbol *l = &s->sym[left], *r = &s->sym[right];
    if (l->id < 0 || r->id < 0) return MOTE_OK;
    int64_t m = mote_u64map_get(&s->v->merges, (uint64_t)(uint32_t)l->id << 32 | (uint32_t)r->id, -1);
    if (m < 0) return MOTE_OK;
    return heap_push(s, (bpe_pair){(int32_t)((uint64_t)m >> 32), left, right, (int32_t)(uint32_t)m, l->n + r->n});
}

/* Bytes a symbol stands for could not be one token: emit them one by one. */
static int emit_bytes(bpe_state *s, const char *word, const bpe_symbol *sym) {
    for (uint32_t k = 0; k < sym->n; k++) {
        int32_t b = s->v->byte_tok[(unsigned char)word[sym->off + k]];
        if (b >= 0) {
            int rc = growbuf_push(s->out, b);
            if (rc) return rc;
        }
    }
    return MOTE_OK;
}

/* Whole word as a token (llama3's ignore_merges, gemma4's newline runs). */
static int32_t whole_word_token(bpe_state *s, const char *word, size_t len) {
    const mote_vocab *v = s->v;
    if (!v->byte_encode) return mote_strmap_get(&v->text_to_id, word, len, -1);
    if (len * 2 > s->enc_cap) {
        size_t cap = len * 2 + 64;
        char *ne = realloc(s->enc, cap);
        if (!ne) return -1;
        s->enc = ne;
        s->enc_cap = cap;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += utf8_encode(bpe_byte_to_cp((unsigned char)word[i]), s->enc + n);
    return mote_strmap_get(&v->text_to_id, s->enc, n, -1);
}

/* True if s[0..n) is only '\n' bytes. */
static bool all_newlines(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != '\n') return false;
    return true;
}

static int bpe_merge_word(bpe_state *s, const char *word, size_t len);

/* One piece of a pre-token: from the cache, or merged (and then cached). */
static int bpe_piece(const char *word, size_t len, void *ctx) {
    bpe_state *s = ctx;
    int rc;
    if (s->cache && wordcache_get(s->cache, word, len, s->out, &rc)) return rc;
    size_t before = s->out->n;
    rc = bpe_merge_word(s, word, len);
    if (!rc && s->cache) wordcache_put(s->cache, word, len, s->out->v + before, s->out->n - before);
    return rc;
}

/* One pre-token. gemma4's are whole lines: cut them at spaces when exact. */
static int bpe_word(const char *word, size_t len, void *ctx) {
    bpe_state *s = ctx;
    if (s->v->escape_ws) return spacecut_split(s->v, word, len, bpe_piece, s);
    return bpe_piece(word, len, s);
}

/* Merge one word from its symbols to tokens and append their ids. */
static int bpe_merge_word(bpe_state *s, const char *word, size_t len) {
    const mote_vocab *v = s->v;
    if (len == 0) return MOTE_OK;
    if (len > UINT32_MAX / 2) return mote_fail(MOTE_ERR_INVALID_ARG, "pre-token too long (%zu bytes)", len);
    if (v->ignore_merges || (v->newline_words && all_newlines(word, len))) {
        int32_t id = whole_word_token(s, word, len);
        if (id >= 0) return growbuf_push(s->out, id);
    }
    if (len > s->sym_cap) {
        size_t cap = len + len / 2 + 16;
        bpe_symbol *ns = realloc(s->sym, cap * sizeof *ns);
        if (!ns) return mote_fail(MOTE_ERR_NOMEM, "out of memory in the BPE tokenizer");
        s->sym = ns;
        s->sym_cap = cap;
    }
    int32_t n = 0;
    for (size_t off = 0; off < len;) {
        size_t cl = 1;
        int32_t id;
        if (v->byte_encode) {
            id = v->byte_tok[(unsigned char)word[off]];
        } else {
            uint32_t cp; /* invalid UTF-8: one-byte symbols, which fall back to byte tokens */
            cl = utf8_decode(word + off, len - off, &cp);
            id = cl == 1 && cp < 128 ? v->ascii_tok[cp] : mote_strmap_get(&v->text_to_id, word + off, cl, -1);
        }
        s->sym[n] = (bpe_symbol){id, n - 1, -1, (uint32_t)off, (uint32_t)cl};
        if (n > 0) s->sym[n - 1].next = n;
        n++;
        off += cl;
    }
    s->heap_n = 0;
    int rc = MOTE_OK;
    for (int32_t i = 1; i < n && !rc; i++) rc = try_pair(s, i - 1, i);
    while (s->heap_n && !rc) {
        bpe_pair p = heap_pop(s);
        bpe_symbol *l = &s->sym[p.left], *r = &s->sym[p.right];
        if (l->n == 0 || r->n == 0 || l->n + r->n != p.size) continue; /* stale */
        l->n += r->n;
        l->id = p.result;
        r->n = 0;
        l->next = r->next;
        if (r->next >= 0) s->sym[r->next].prev = p.left;
        rc = try_pair(s, l->prev, p.left);
        if (!rc) rc = try_pair(s, p.left, l->next);
    }
    for (int32_t i = 0; i != -1 && !rc; i = s->sym[i].next)
        rc = s->sym[i].id >= 0 ? growbuf_push(s->out, s->sym[i].id) : emit_bytes(s, word, &s->sym[i]);
    return rc;
}

/* Pre-tokenize text and merge each word (see vocab_internal.h). */
int bpe_tokenize(const mote_vocab *v, const char *text, size_t len, wordcache *cache, growbuf_i32 *out) {
    bpe_state s = {.v = v, .out = out, .cache = cache};
    int rc = pretok_split(v, text, len, bpe_word, &s);
    free(s.sym);
    free(s.heap);
    free(s.enc);
    return rc;
}
