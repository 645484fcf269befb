/*
 * vsearch.c — exact vector search: every stored vector against the
 * question's, by the SIMD dot-product kernels of the weight types (f16 or
 * f32 rows, as stored), the k best kept in a small heap. The vectors are
 * unit length, so the dot product is the cosine similarity.
 */
#include <stdlib.h>
#include <string.h>

#include "core/bigmem.h"
#include "core/clock.h"
#include "core/error.h"
#include "quant/types.h"
#include "rag/rag_internal.h"

/* a before b in the ranking: higher score, then lower row */
static bool better(float sa, int64_t ia, float sb, int64_t ib) { return sa > sb || (sa == sb && ia < ib); }

/* Restore the min-heap (worst at the top) below position i. */
static void sift_down(float *s, int64_t *x, int32_t n, int32_t i) {
    for (;;) {
        int32_t w = i, l = 2 * i + 1, r = l + 1;
        if (l < n && better(s[w], x[w], s[l], x[l])) w = l;
        if (r < n && better(s[w], x[w], s[r], x[r])) w = r;
        if (w == i) return;
        float ts = s[i];
        s[i] = s[w];
        s[w] = ts;
        int64_t tx = x[i];
        x[i] = x[w];
        x[w] = tx;
        i = w;
    }
}

int64_t rag_topk_dot(const void *rows, int type, int64_t n, int32_t d, const float *q, int32_t k, int64_t *idx,
                     float *scores) {
    if (k <= 0 || n <= 0) return 0;
    const mote_type_traits *t = mote_traits(type), *qt = t ? mote_traits(t->vec_dot_type) : NULL;
    if (!t || !qt) return -1;
    size_t row_bytes = mote_row_size(type, d);
    /* the question in the kernel's activation type */
    void *qx = malloc(mote_row_size(t->vec_dot_type, d) + 64);
    if (!qx) return -1;
    qt->from_float(q, qx, d);
    int32_t m = 0;
    const char *p = rows;
    for (int64_t i = 0; i < n; i++, p += row_bytes) {
        float s = t->vec_dot(d, p, qx);
        if (m < k) {
            /* fill, then heapify once full */
            scores[m] = s;
            idx[m++] = i;
            if (m == k)
                for (int32_t j = k / 2 - 1; j >= 0; j--) sift_down(scores, idx, m, j);
        } else if (better(s, i, scores[0], idx[0])) {
            scores[0] = s;
            idx[0] = i;
            sift_down(scores, idx, m, 0);
        }
    }
    free(qx);
    if (m < k)
        for (int32_t j = m / 2 - 1; j >= 0; j--) sift_down(scores, idx, m, j);
    /* heap sort: take the worst off the top, from the back */
    for (int32_t end = m - 1; end > 0; end--) {
        float ts = scores[0];
        scores[0] = scores[end];
        scores[end] = ts;
        int64_t tx = idx[0];
        idx[0] = idx[end];
        idx[end] = tx;
        sift_down(scores, idx, end, 0);
    }
    return m;
}

void rag_vectors_forget(mote_rag *r) {
    free(r->vecs);
    free(r->vec_ids);
    r->vecs = NULL;
    r->vec_ids = NULL;
    r->n_vecs = 0;
    r->vecs_loaded = false;
}

int rag_vectors_load(mote_rag *r, double *load_s) {
    int64_t version = rag_data_version(r);
    if (r->vecs_loaded && version == r->vecs_version) return MOTE_OK;
    int64_t t0 = mote_now_ns();
    rag_vectors_forget(r);
    size_t row = (size_t)r->n_embd * (r->f32 ? 4 : 2);
    /* one vector per chunk (written in the same transaction): counting the
     * chunks reads their small index, counting the vectors would read every vector */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db, "SELECT count(*) FROM chunks", -1, &st, NULL) != SQLITE_OK)
        return rag_db_fail(r, "reading its vectors");
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (n > 0 &&
        (!(r->vecs = mote_big_alloc((size_t)n * row)) || !(r->vec_ids = mote_big_alloc((size_t)n * sizeof *r->vec_ids)))) {
        rag_vectors_forget(r);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory for %lld vectors", (long long)n);
    }
    if (sqlite3_prepare_v2(r->db, "SELECT chunk_id, vec FROM vectors ORDER BY chunk_id", -1, &st, NULL) != SQLITE_OK)
        return rag_db_fail(r, "reading its vectors");
    int64_t i = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && i < n) {
        if ((size_t)sqlite3_column_bytes(st, 1) != row) continue; /* cannot happen: written with this size */
        r->vec_ids[i] = sqlite3_column_int64(st, 0);
        memcpy((char *)r->vecs + (size_t)i * row, sqlite3_column_blob(st, 1), row);
        i++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        rag_vectors_forget(r);
        return rag_db_fail(r, "reading its vectors");
    }
    r->n_vecs = i;
    r->vecs_loaded = true;
    r->vecs_version = version;
    if (load_s) *load_s += (double)(mote_now_ns() - t0) / 1e9;
    return MOTE_OK;
}
