/*
 * imatrix_collect.c — see imatrix_collect.h.
 *
 * The forward pass is untouched: a matmul observer (engine/matmul.h) sees
 * each product's weight and input rows, and this file keeps one running sum
 * per matrix, found by the weight's address (a model has a few hundred
 * matrices at most, so a linear search per product costs nothing next to
 * the product itself).
 *
 * Sums are kept in double: over many chunks a float sum of squares drifts,
 * and the file stores the rounded float anyway.
 */
#include "engine/imatrix_collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "engine/context.h"
#include "engine/matmul.h"

typedef struct {
    const mote_weight *w; /* NULL for an entry read from a file until a product with its matrix is seen */
    char *name;         /* the tensor's name (owned) */
    int64_t n_in;
    double *sum2;       /* n_in sums of squares */
    int64_t count;      /* activation rows seen */
} stat_entry;

struct mote_imatrix_stats {
    stat_entry *e;
    int64_t n, cap;
    int32_t chunk_size, n_chunks;
    bool with_output;
    int status;         /* first failure inside the observer */
};

static bool wanted(const mote_imatrix_stats *s, const char *name) {
    if (!name) return false;
    if (!strncmp(name, "blk.", 4)) return true;
    return s->with_output && !strcmp(name, "output.weight");
}

static stat_entry *entry_for(mote_imatrix_stats *s, const mote_weight *w) {
    for (int64_t i = 0; i < s->n; i++)
        if (s->e[i].w == w) return &s->e[i];
    /* Sums read back from a file (--resume): bind them to this matrix. */
    for (int64_t i = 0; i < s->n; i++)
        if (!s->e[i].w && !strcmp(s->e[i].name, w->name) && s->e[i].n_in == w->n_in) {
            s->e[i].w = w;
            return &s->e[i];
        }
    if (s->n == s->cap) {
        int64_t cap = s->cap ? 2 * s->cap : 64;
        stat_entry *e = realloc(s->e, (size_t)cap * sizeof *e);
        if (!e) return NULL;
        s->e = e;
        s->cap = cap;
    }
    double *sum2 = calloc((size_t)w->n_in, sizeof *sum2);
    char *name = strdup(w->name);
    if (!sum2 || !name) {
        free(sum2);
        free(name);
        return NULL;
    }
    s->e[s->n] = (stat_entry){w, name, w->n_in, sum2, 0};
    return &s->e[s->n++];
}

/* The matmul observer: add x's squared columns to w's sums. */
static void observe(const mote_weight *w, const float *x, int32_t n_tokens, void *user) {
    mote_imatrix_stats *s = user;
    if (s->status || !wanted(s, w->name)) return;
    stat_entry *e = entry_for(s, w);
    if (!e) {
        s->status = mote_fail(MOTE_ERR_NOMEM, "out of memory collecting activations of %s", w->name);
        return;
    }
    for (int32_t t = 0; t < n_tokens; t++) {
        const float *row = x + (int64_t)t * w->n_in;
        for (int64_t j = 0; j < w->n_in; j++) e->sum2[j] += (double)row[j] * row[j];
    }
    e->count += n_tokens;
}

void mote_imatrix_stats_free(mote_imatrix_stats *s) {
    if (!s) return;
    for (int64_t i = 0; i < s->n; i++) {
        free(s->e[i].sum2);
        free(s->e[i].name);
    }
    free(s->e);
    free(s);
}

int64_t mote_imatrix_stats_count(const mote_imatrix_stats *s) { return s ? s->n : 0; }

int32_t mote_imatrix_stats_n_chunks(const mote_imatrix_stats *s) { return s ? s->n_chunks : 0; }

const double *mote_imatrix_stats_find(const mote_imatrix_stats *s, const char *name, int64_t *n_in, int64_t *count) {
    for (int64_t i = 0; s && i < s->n; i++)
        if (!strcmp(s->e[i].name, name)) {
            if (n_in) *n_in = s->e[i].n_in;
            if (count) *count = s->e[i].count;
            return s->e[i].sum2;
        }
    return NULL;
}

int mote_imatrix_collect_more(mote_context *c, const int32_t *tokens, int64_t n_tokens, int32_t bos,
                              int32_t max_chunks, bool with_output, mote_imatrix_chunk_fn on_chunk, void *user,
                              mote_imatrix_stats **stats) {
    const int32_t n_ctx = c->n_ctx;
    if (c->n_batch < n_ctx)
        return mote_fail(MOTE_ERR_INVALID_ARG, "imatrix needs a batch (%d) at least as long as the context (%d)",
                         c->n_batch, n_ctx);
    if (with_output && !c->all_logits)
        return mote_fail(MOTE_ERR_INVALID_ARG, "collecting output.weight needs a context made with all_logits");
    /* llama-imatrix's rule, so that both tools accept the same inputs */
    if (n_tokens < 2 * (int64_t)n_ctx)
        return mote_fail(MOTE_ERR_INVALID_ARG, "a context of %d needs at least %d tokens; the text has only %lld", n_ctx,
                         2 * n_ctx, (long long)n_tokens);
    if (*stats && (*stats)->chunk_size != n_ctx)
        return mote_fail(MOTE_ERR_INVALID_ARG, "the statistics to continue were made with chunks of %d tokens, not %d",
                         (*stats)->chunk_size, n_ctx);
    int32_t n_chunks = (int32_t)(n_tokens / n_ctx);
    if (max_chunks > 0 && max_chunks < n_chunks) n_chunks = max_chunks;

    mote_imatrix_stats *s = *stats ? *stats : calloc(1, sizeof *s);
    int32_t *chunk = malloc((size_t)n_ctx * sizeof *chunk);
    if (!s || !chunk) {
        if (!*stats) free(s);
        free(chunk);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    }
    s->chunk_size = n_ctx;
    s->with_output = with_output;
    s->status = MOTE_OK;
    *stats = s;
    int st = MOTE_OK;
    for (int32_t k = s->n_chunks; k < n_chunks && st == MOTE_OK; k++) {
        memcpy(chunk, tokens + (int64_t)k * n_ctx, (size_t)n_ctx * sizeof *chunk);
        if (bos >= 0) chunk[0] = bos;
        mote_context_reset(c);
        /* The whole chunk in one step, as llama-imatrix evaluates it. */
        mote_matmul_set_observer(observe, s);
        st = mote_decode(c, chunk, n_ctx, with_output, NULL);
        mote_matmul_set_observer(NULL, NULL);
        if (st == MOTE_OK) st = s->status;
        if (st == MOTE_OK) {
            s->n_chunks = k + 1;
            if (on_chunk && !on_chunk(s, k + 1, n_chunks, user)) break;
        }
    }
    free(chunk);
    return st;
}

/* mote_imatrix_collect's progress callback, carried through collect_more. */
typedef struct {
    mote_imatrix_progress_fn progress;
    void *user;
} progress_adapter;

static bool adapt_progress(const mote_imatrix_stats *s, int32_t chunk, int32_t n_chunks, void *user) {
    (void)s;
    const progress_adapter *a = user;
    if (a->progress) a->progress(chunk, n_chunks, a->user);
    return true;
}

int mote_imatrix_collect(mote_context *c, const int32_t *tokens, int64_t n_tokens, int32_t bos, int32_t max_chunks,
                         bool with_output, mote_imatrix_progress_fn progress, void *user, mote_imatrix_stats **out) {
    *out = NULL;
    progress_adapter a = {progress, user};
    mote_imatrix_stats *s = NULL;
    int st = mote_imatrix_collect_more(c, tokens, n_tokens, bos, max_chunks, with_output, adapt_progress, &a, &s);
    if (st) {
        mote_imatrix_stats_free(s);
        return st;
    }
    *out = s;
    return MOTE_OK;
}

int mote_imatrix_stats_load(const char *path, mote_imatrix_stats **out) {
    *out = NULL;
    mote_gguf *g = NULL;
    int st = mote_gguf_open(path, &g);
    if (st) return st;
    mote_imatrix_stats *s = calloc(1, sizeof *s);
    if (!s) {
        mote_gguf_close(g);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    }
    s->chunk_size = (int32_t)mote_gguf_get_u32(g, "imatrix.chunk_size", 0);
    s->n_chunks = (int32_t)mote_gguf_get_u32(g, "imatrix.chunk_count", 0);
    if (s->chunk_size <= 0) st = mote_fail(MOTE_ERR_FORMAT, "%s: not an imatrix file of llama.cpp's GGUF format", path);
    static const char suffix[] = ".in_sum2";
    const size_t sl = sizeof suffix - 1;
    for (int64_t i = 0; i < mote_gguf_n_tensors(g) && st == MOTE_OK; i++) {
        const mote_tensor_info *t = mote_gguf_tensor(g, i);
        size_t len = strlen(t->name);
        if (len <= sl || strcmp(t->name + len - sl, suffix)) continue;
        char cname[512];
        snprintf(cname, sizeof cname, "%.*s.counts", (int)(len - sl), t->name);
        const mote_tensor_info *ct = mote_gguf_find_tensor(g, cname);
        /* One matrix per tensor (no experts): what mote_imatrix_collect writes. */
        if (!ct || t->type != MOTE_TYPE_F32 || ct->type != MOTE_TYPE_F32 || mote_tensor_nelements(ct) != 1 ||
            mote_tensor_nelements(t) != t->ne[0]) {
            st = mote_fail(MOTE_ERR_FORMAT, "%s: %s is not a single matrix's sums with a count", path, t->name);
            break;
        }
        if (s->n == s->cap) {
            int64_t cap = s->cap ? 2 * s->cap : 64;
            stat_entry *e = realloc(s->e, (size_t)cap * sizeof *e);
            if (!e) {
                st = mote_fail(MOTE_ERR_NOMEM, "out of memory");
                break;
            }
            s->e = e;
            s->cap = cap;
        }
        stat_entry *e = &s->e[s->n];
        *e = (stat_entry){NULL, strndup(t->name, len - sl), t->ne[0], calloc((size_t)t->ne[0], sizeof(double)), 0};
        if (!e->name || !e->sum2) {
            free(e->name);
            free(e->sum2);
            st = mote_fail(MOTE_ERR_NOMEM, "out of memory");
            break;
        }
        s->n++;
        for (int64_t j = 0; j < e->n_in; j++) {
            float v;
            memcpy(&v, (const char *)t->data + j * sizeof v, sizeof v); /* only 32-byte aligned in the file */
            e->sum2[j] = v;
        }
        float cnt;
        memcpy(&cnt, ct->data, sizeof cnt);
        e->count = (int64_t)cnt;
    }
    mote_gguf_close(g);
    if (st) {
        mote_imatrix_stats_free(s);
        return st;
    }
    *out = s;
    return MOTE_OK;
}

static int by_name(const void *a, const void *b) {
    return strcmp((*(const stat_entry *const *)a)->name, (*(const stat_entry *const *)b)->name);
}

int mote_imatrix_stats_save(const mote_imatrix_stats *s, const char *path, const char *const *datasets, int n_datasets) {
    const stat_entry **order = malloc((size_t)(s->n > 0 ? s->n : 1) * sizeof *order);
    float *values = NULL;
    int64_t n_values = 0;
    for (int64_t i = 0; i < s->n; i++) n_values += s->e[i].n_in + 1;
    values = malloc((size_t)(n_values > 0 ? n_values : 1) * sizeof *values);
    mote_gguf_writer *w = mote_gguf_writer_new();
    int st = order && values && w ? MOTE_OK : mote_fail(MOTE_ERR_NOMEM, "out of memory");
    if (st == MOTE_OK) {
        for (int64_t i = 0; i < s->n; i++) order[i] = &s->e[i];
        qsort(order, (size_t)s->n, sizeof *order, by_name);
        st = mote_gguf_writer_set_str(w, "general.type", "imatrix");
    }
    if (st == MOTE_OK) st = mote_gguf_writer_set_arr_str(w, "imatrix.datasets", datasets, (uint64_t)n_datasets);
    if (st == MOTE_OK) st = mote_gguf_writer_set_u32(w, "imatrix.chunk_count", (uint32_t)s->n_chunks);
    if (st == MOTE_OK) st = mote_gguf_writer_set_u32(w, "imatrix.chunk_size", (uint32_t)s->chunk_size);
    /* The writer keeps pointers to tensor data: all values live in one buffer until the file is written. */
    float *v = values;
    for (int64_t i = 0; i < s->n && st == MOTE_OK; i++) {
        const stat_entry *e = order[i];
        char name[512];
        for (int64_t j = 0; j < e->n_in; j++) v[j] = (float)e->sum2[j];
        v[e->n_in] = (float)e->count;
        const int64_t ne_sum[1] = {e->n_in}, ne_count[1] = {1};
        snprintf(name, sizeof name, "%s.in_sum2", e->name);
        st = mote_gguf_writer_add_tensor(w, name, MOTE_TYPE_F32, 1, ne_sum, v);
        snprintf(name, sizeof name, "%s.counts", e->name);
        if (st == MOTE_OK) st = mote_gguf_writer_add_tensor(w, name, MOTE_TYPE_F32, 1, ne_count, v + e->n_in);
        v += e->n_in + 1;
    }
    if (st == MOTE_OK) st = mote_gguf_writer_write_file(w, path);
    mote_gguf_writer_free(w);
    free(values);
    free(order);
    return st;
}
