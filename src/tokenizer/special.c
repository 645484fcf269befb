/*
 * special.c — find special tokens written in the text and cut the text
 * around them, before any family tokenizer sees it.
 *
 * llama.cpp's rule, which we reproduce exactly: special tokens are tried
 * longest first; each one takes its leftmost non-overlapping occurrences in
 * the text that earlier (longer) tokens left over. Control and unknown tokens
 * take part only with parse_special; user-defined tokens always do. Tokens
 * marked LSTRIP/RSTRIP also swallow the whitespace next to them.
 *
 * Instead of one scan of the text per special token (Gemma has thousands),
 * one pass walks a byte trie of all special tokens at each position to list
 * every occurrence, and the occurrences are then accepted in the same order
 * llama.cpp would consider them: by token rank, then by position.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "tokenizer/vocab_internal.h"

static _Thread_local const mote_vocab *sort_vocab; /* qsort has no context argument; only used during load */

static int by_length_desc(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    uint32_t lx = sort_vocab->text_len[x], ly = sort_vocab->text_len[y];
    if (lx != ly) return lx > ly ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* List the special tokens (longest first) and build their byte trie. */
int special_build(mote_vocab *v) {
    size_t n = 0;
    for (int32_t i = 0; i < v->n_tokens; i++)
        if (v->attr[i] & (TOK_CONTROL | TOK_USER_DEFINED | TOK_UNKNOWN)) n++;
    v->special = malloc((n ? n : 1) * sizeof *v->special);
    v->special_rank = malloc((size_t)v->n_tokens * sizeof *v->special_rank);
    if (!v->special || !v->special_rank) return mote_fail(MOTE_ERR_NOMEM, "out of memory for special tokens");
    n = 0;
    for (int32_t i = 0; i < v->n_tokens; i++) {
        v->special_rank[i] = -1;
        if (v->attr[i] & (TOK_CONTROL | TOK_USER_DEFINED | TOK_UNKNOWN)) v->special[n++] = i;
    }
    v->n_special = n;
    sort_vocab = v; /* load is single-threaded per vocabulary; the comparator only reads lengths */
    qsort(v->special, n, sizeof *v->special, by_length_desc);
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        v->special_rank[v->special[i]] = (int32_t)i;
        bytes += v->text_len[v->special[i]];
    }

    /* Trie: node 0 is the root; edges in a hash map. */
    v->trie_tok = malloc((bytes + 1) * sizeof *v->trie_tok);
    if (!v->trie_tok) return mote_fail(MOTE_ERR_NOMEM, "out of memory for the special-token trie");
    int rc = mote_u64map_init(&v->trie, bytes + 1);
    if (rc) return rc;
    v->trie_nodes = 1;
    v->trie_tok[0] = -1;
    for (size_t i = 0; i < n; i++) {
        int32_t t = v->special[i];
        const unsigned char *s = (const unsigned char *)v->arena + v->text_off[t];
        int64_t node = 0;
        for (uint32_t j = 0; j < v->text_len[t]; j++) {
            uint64_t key = (uint64_t)node << 8 | s[j];
            int64_t child = mote_u64map_get(&v->trie, key, -1);
            if (child < 0) {
                child = (int64_t)v->trie_nodes++;
                v->trie_tok[child] = -1;
                if ((rc = mote_u64map_put_new(&v->trie, key, child))) return rc;
            }
            node = child;
        }
        if (v->trie_tok[node] < 0) v->trie_tok[node] = t; /* duplicates: the longer-ranked one */
    }
    for (int b = 0; b < 256; b++) v->trie_root[b] = (int32_t)mote_u64map_get(&v->trie, (uint64_t)b, -1);
    return MOTE_OK;
}

typedef struct {
    int32_t rank, token;
    size_t pos, len;
} occurrence;

/* qsort order: the order in which llama.cpp would consider occurrences. */
static int by_rank_then_pos(const void *a, const void *b) {
    const occurrence *x = a, *y = b;
    if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* qsort order: by position in the text. */
static int by_pos(const void *a, const void *b) {
    const occurrence *x = a, *y = b;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Whether special token t may be recognised in text. */
static bool eligible(const mote_vocab *v, int32_t t, bool parse_special) {
    return parse_special || !(v->attr[t] & (TOK_CONTROL | TOK_UNKNOWN));
}

int special_partition(const mote_vocab *v, const char *text, size_t len, bool parse_special, text_fragment **frags,
                      size_t *n_frags) {
    *frags = NULL;
    *n_frags = 0;
    if (len == 0) return MOTE_OK;
    occurrence *occ = NULL;
    size_t n_occ = 0, cap_occ = 0;
    const unsigned char *u = (const unsigned char *)text;
    if (v->n_special) {
        for (size_t p = 0; p < len; p++) {
            if (v->trie_root[u[p]] < 0) continue; /* no special token starts with this byte */
            int64_t node = 0;
            for (size_t q = p; q < len; q++) {
                node = q == p ? v->trie_root[u[q]] : mote_u64map_get(&v->trie, (uint64_t)node << 8 | u[q], -1);
                if (node < 0) break;
                int32_t t = v->trie_tok[node];
                if (t < 0 || !eligible(v, t, parse_special)) continue;
                if (n_occ == cap_occ) {
                    cap_occ = cap_occ ? cap_occ * 2 : 16;
                    occurrence *no = realloc(occ, cap_occ * sizeof *occ);
                    if (!no) {
                        free(occ);
                        return mote_fail(MOTE_ERR_NOMEM, "out of memory splitting special tokens");
                    }
                    occ = no;
                }
                occ[n_occ++] = (occurrence){v->special_rank[t], t, p, q + 1 - p};
            }
        }
    }

    unsigned char *used = NULL;
    size_t n_acc = 0;
    if (n_occ) {
        used = calloc(len, 1);
        if (!used) {
            free(occ);
            return mote_fail(MOTE_ERR_NOMEM, "out of memory splitting special tokens");
        }
        qsort(occ, n_occ, sizeof *occ, by_rank_then_pos);
        for (size_t i = 0; i < n_occ; i++) {
            occurrence o = occ[i];
            bool free_span = true;
            for (size_t k = o.pos; k < o.pos + o.len && free_span; k++) free_span = !used[k];
            if (!free_span) continue;
            memset(used + o.pos, 1, o.len);
            if (v->attr[o.token] & TOK_LSTRIP)
                for (size_t k = o.pos; k > 0 && !used[k - 1] && isspace(u[k - 1]); k--) used[k - 1] = 2;
            if (v->attr[o.token] & TOK_RSTRIP)
                for (size_t k = o.pos + o.len; k < len && !used[k] && isspace(u[k]); k++) used[k] = 2;
            occ[n_acc++] = o;
        }
        qsort(occ, n_acc, sizeof *occ, by_pos);
    }

    /* Fragments: text spans not used, and the accepted tokens, in order. */
    text_fragment *f = malloc((2 * n_acc + 1) * sizeof *f);
    if (!f) {
        free(occ);
        free(used);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory splitting special tokens");
    }
    size_t nf = 0, p = 0, a = 0;
    while (p < len) {
        if (a < n_acc && occ[a].pos == p) {
            f[nf++] = (text_fragment){occ[a].token, p, occ[a].len};
            p += occ[a].len;
            a++;
            continue;
        }
        if (used && used[p]) { /* stripped whitespace */
            p++;
            continue;
        }
        size_t q = p;
        while (q < len && !(used && used[q])) q++;
        f[nf++] = (text_fragment){-1, p, q - p};
        p = q;
    }
    free(occ);
    free(used);
    *frags = f;
    *n_frags = nf;
    return MOTE_OK;
}
