/*
 * bm25.c — keyword ranking without a lookup per matching chunk.
 *
 * FTS5's own bm25() asks for each matching row's length (xColumnSize), and
 * with the lengths kept in the %_docsize table that is one B-tree search
 * per row: at 100k chunks a question of common words matches ~30k of them
 * and those searches were most of the ~25 ms a keyword search took. Here
 * the same Okapi BM25 (k1 = 1.2, b = 0.75, the idf floor of 1e-6: FTS5's
 * constants, so the ranking is the same) is an FTS5 auxiliary function,
 * mote_bm25(chunks_fts), that takes the lengths from an array read once per
 * handle in one pass over %_docsize, and falls back to xColumnSize for a row
 * the array does not know. The array is dropped when the database changes
 * (rag_doc_lens_forget; PRAGMA data_version for other connections).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/error.h"
#include "rag/rag_internal.h"

#define BM25_K1 1.2
#define BM25_B 0.75

/* What one query needs for every row: per phrase its idf, and the average length. */
typedef struct {
    int n_phrase;
    double avg_len;
    double *idf;
    double *freq; /* scratch: the row's hits per phrase */
} bm25_query;

static void bm25_query_free(void *p) {
    bm25_query *q = p;
    if (!q) return;
    free(q->idf);
    free(q->freq);
    free(q);
}

/* xQueryPhrase callback: one more row holds the phrase. */
static int count_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *user) {
    (void)api;
    (void)fts;
    (*(int64_t *)user)++;
    return SQLITE_OK;
}

/* The query's constants, made on its first row (FTS5 keeps them as auxdata). */
static bm25_query *query_of(const Fts5ExtensionApi *api, Fts5Context *fts, int *rc) {
    bm25_query *q = api->xGetAuxdata(fts, 0);
    if (q) return q;
    sqlite3_int64 n_rows = 0, n_tokens = 0;
    int n = api->xPhraseCount(fts);
    if (!(q = calloc(1, sizeof *q)) || !(q->idf = calloc((size_t)n + 1, sizeof *q->idf)) ||
        !(q->freq = calloc((size_t)n + 1, sizeof *q->freq))) {
        bm25_query_free(q);
        *rc = SQLITE_NOMEM;
        return NULL;
    }
    q->n_phrase = n;
    *rc = api->xRowCount(fts, &n_rows);
    if (*rc == SQLITE_OK) *rc = api->xColumnTotalSize(fts, -1, &n_tokens);
    q->avg_len = n_rows > 0 ? (double)n_tokens / (double)n_rows : 1.0;
    for (int i = 0; *rc == SQLITE_OK && i < n; i++) {
        int64_t hits = 0;
        *rc = api->xQueryPhrase(fts, i, &hits, count_row);
        double idf = log(((double)n_rows - (double)hits + 0.5) / ((double)hits + 0.5));
        q->idf[i] = idf > 0.0 ? idf : 1e-6; /* a word in most rows still counts a little */
    }
    if (*rc == SQLITE_OK) *rc = api->xSetAuxdata(fts, q, bm25_query_free);
    else bm25_query_free(q);
    return *rc == SQLITE_OK ? q : NULL;
}

/* mote_bm25(table): -BM25 of the row (lower is better, as bm25()). */
static void bm25_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int n_val,
                    sqlite3_value **vals) {
    (void)n_val;
    (void)vals;
    const mote_rag *r = api->xUserData(fts);
    int rc;
    bm25_query *q = query_of(api, fts, &rc);
    if (!q) {
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    int n_inst = 0;
    memset(q->freq, 0, (size_t)q->n_phrase * sizeof *q->freq);
    rc = api->xInstCount(fts, &n_inst);
    for (int i = 0; rc == SQLITE_OK && i < n_inst; i++) {
        int phrase, col, off;
        rc = api->xInst(fts, i, &phrase, &col, &off);
        if (rc == SQLITE_OK && phrase >= 0 && phrase < q->n_phrase) q->freq[phrase] += 1.0;
    }
    int64_t id = api->xRowid(fts);
    int len = 0;
    if (r->doc_lens && id >= 0 && id < r->n_doc_lens && r->doc_lens[id] >= 0) len = r->doc_lens[id];
    else if (rc == SQLITE_OK) rc = api->xColumnSize(fts, -1, &len);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    double norm = BM25_K1 * (1.0 - BM25_B + BM25_B * (double)len / q->avg_len), score = 0.0;
    for (int i = 0; i < q->n_phrase; i++)
        if (q->freq[i] > 0.0) score += q->idf[i] * q->freq[i] * (BM25_K1 + 1.0) / (q->freq[i] + norm);
    sqlite3_result_double(ctx, -score);
}

int rag_bm25_register(mote_rag *r) {
    fts5_api *api = NULL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return rag_db_fail(r, "finding SQLite's FTS5");
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (!api || api->iVersion < 2) return mote_fail(MOTE_ERR_UNSUPPORTED, "this SQLite has no FTS5");
    if (api->xCreateFunction(api, "mote_bm25", r, bm25_fn, NULL) != SQLITE_OK)
        return rag_db_fail(r, "registering mote_bm25");
    return MOTE_OK;
}

void rag_doc_lens_forget(mote_rag *r) {
    free(r->doc_lens);
    r->doc_lens = NULL;
    r->n_doc_lens = 0;
}

/* An FTS5 varint (SQLite's: big-endian 7-bit groups, the 9th byte whole). */
static int64_t get_varint(const unsigned char *p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n && i < 9; i++) {
        if (i == 8) return (int64_t)((v << 8) | p[i]);
        v = (v << 7) | (p[i] & 0x7f);
        if (!(p[i] & 0x80)) return (int64_t)v;
    }
    return -1; /* cut short */
}

int rag_doc_lens_load(mote_rag *r, double *load_s) {
    int64_t version = rag_data_version(r);
    if (r->doc_lens && version == r->doc_lens_version) return MOTE_OK;
    int64_t t0 = mote_now_ns();
    rag_doc_lens_forget(r);
    sqlite3_stmt *st;
    int64_t max_id = 0;
    if (sqlite3_prepare_v2(r->db, "SELECT max(id) FROM chunks_fts_docsize", -1, &st, NULL) != SQLITE_OK)
        return rag_db_fail(r, "reading the keyword index");
    if (sqlite3_step(st) == SQLITE_ROW) max_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    /* ids beyond this (a chunk written by someone else) are asked of FTS5 */
    if (max_id <= 0 || max_id > ((int64_t)1 << 28)) return MOTE_OK;
    if (!(r->doc_lens = malloc((size_t)(max_id + 1) * sizeof *r->doc_lens)))
        return mote_fail(MOTE_ERR_NOMEM, "out of memory for %lld chunk lengths", (long long)max_id);
    memset(r->doc_lens, 0xff, (size_t)(max_id + 1) * sizeof *r->doc_lens); /* -1: not known */
    r->n_doc_lens = max_id + 1;
    if (sqlite3_prepare_v2(r->db, "SELECT id, sz FROM chunks_fts_docsize", -1, &st, NULL) != SQLITE_OK) {
        rag_doc_lens_forget(r);
        return rag_db_fail(r, "reading the keyword index");
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        int64_t len = get_varint(sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1));
        if (id >= 0 && id <= max_id && len >= 0 && len < INT32_MAX) r->doc_lens[id] = (int32_t)len;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        rag_doc_lens_forget(r);
        return rag_db_fail(r, "reading the keyword index");
    }
    r->doc_lens_version = version;
    if (load_s) *load_s += (double)(mote_now_ns() - t0) / 1e9;
    return MOTE_OK;
}
