/*
 * search.c — ranking chunks for a question: cosine over the vectors
 * (vsearch.c), BM25 over the FTS5 index, and reciprocal rank fusion of any
 * number of ranked lists (hybrid mode, and multi-query retrieval where each
 * phrasing contributes its lists). See mote_rag.h.
 */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/clock.h"
#include "core/error.h"
#include "rag/rag_internal.h"
#include "tokenizer/utf8.h"

#define RRF_K 60.0       /* the constant of reciprocal rank fusion (Cormack et al.) */
#define LIST_MIN 50      /* each list fused is at least this long, so fusion sees past the top k */
#define MAX_QUERIES 16

const char *mote_rag_mode_name(mote_rag_mode m) {
    return m == MOTE_RAG_VECTOR ? "vector" : m == MOTE_RAG_KEYWORD ? "keyword" : "hybrid";
}

int mote_rag_mode_from_name(const char *name) {
    if (!name) return -1;
    if (!strcmp(name, "hybrid")) return MOTE_RAG_HYBRID;
    if (!strcmp(name, "vector")) return MOTE_RAG_VECTOR;
    if (!strcmp(name, "keyword")) return MOTE_RAG_KEYWORD;
    return -1;
}

/* English words too common to say what a question is about. */
static bool is_stop_word(const char *w, size_t n) {
    static const char *const words[] = {
        "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "being",
        "but", "by", "can", "could", "did", "do", "does", "doing", "for", "from", "had", "has", "have", "having",
        "he", "her", "here", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "me", "more",
        "most", "my", "no", "not", "of", "on", "or", "other", "our", "out", "she", "should", "so", "some", "such",
        "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "too",
        "up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
        "will", "with", "would", "you", "your", "tell", "many", "much",
    };
    if (n > 8) return false;
    char low[9];
    for (size_t i = 0; i < n; i++) low[i] = (char)tolower((unsigned char)w[i]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (!strcmp(low, words[i])) return true;
    return false;
}

/* A letter or digit (any script). */
static bool is_word_char(uint32_t cp) {
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) || c == UTF8PROC_CATEGORY_ND ||
           c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC;
}

char *rag_fts_query(const char *question) {
    size_t len = strlen(question);
    /* each word becomes "word" OR: at most 6 bytes more per word, a word at least 1 byte */
    char *q = malloc(len * 7 + 1);
    if (!q) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t l = utf8_decode(question + i, len - i, &cp);
        if (!is_word_char(cp)) {
            i += l;
            continue;
        }
        size_t s = i;
        while (i < len && (l = utf8_decode(question + i, len - i, &cp), is_word_char(cp))) i += l;
        if (is_stop_word(question + s, i - s)) continue;
        if (o) o += (size_t)sprintf(q + o, " OR ");
        q[o++] = '"';
        memcpy(q + o, question + s, i - s); /* word characters hold no quote: no escaping needed */
        o += i - s;
        q[o++] = '"';
    }
    q[o] = '\0';
    return q;
}

char *rag_utf8_clean(const char *s, size_t n) {
    char *out = malloc(n * 3 + 1); /* a bad byte (1) becomes 3 */
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = utf8_decode(s + i, n - i, &cp);
        if (cp == 0xFFFD && l == 1) memcpy(out + o, "\xEF\xBF\xBD", 3), o += 3;
        else memcpy(out + o, s + i, l), o += l;
        i += l;
    }
    out[o] = '\0';
    return out;
}

/* One ranked list: chunk ids, best first, with the score that ranked them. */
typedef struct {
    int64_t *ids;
    double *scores;
    int32_t n;
} ranked;

static void ranked_free(ranked *l) {
    free(l->ids);
    free(l->scores);
    memset(l, 0, sizeof *l);
}

static int keyword_list(mote_rag *r, const char *question, int32_t limit, ranked *out) {
    char *q = rag_fts_query(question);
    if (!q) return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    int rc = MOTE_OK;
    if (!*q) goto done;
    out->ids = malloc((size_t)limit * sizeof *out->ids);
    out->scores = malloc((size_t)limit * sizeof *out->scores);
    if (!out->ids || !out->scores) {
        rc = mote_fail(MOTE_ERR_NOMEM, "out of memory");
        goto done;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db,
                           "SELECT rowid, mote_bm25(chunks_fts) AS s FROM chunks_fts WHERE chunks_fts MATCH ? "
                           "ORDER BY s, rowid LIMIT ?",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = rag_db_fail(r, "keyword search");
        goto done;
    }
    sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, limit);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW && out->n < limit) {
        out->ids[out->n] = sqlite3_column_int64(st, 0);
        out->scores[out->n++] = -sqlite3_column_double(st, 1); /* bm25() is lower for better matches */
    }
    if (s != SQLITE_DONE && s != SQLITE_ROW) rc = rag_db_fail(r, "keyword search");
    sqlite3_finalize(st);
done:
    free(q);
    return rc;
}

static int vector_list(mote_rag *r, const float *qv, int32_t limit, ranked *out) {
    if (r->n_vecs == 0) return MOTE_OK;
    out->ids = malloc((size_t)limit * sizeof *out->ids);
    out->scores = malloc((size_t)limit * sizeof *out->scores);
    float *s = malloc((size_t)limit * sizeof *s);
    int64_t n = out->ids && out->scores && s
                    ? rag_topk_dot(r->vecs, r->f32 ? MOTE_TYPE_F32 : MOTE_TYPE_F16, r->n_vecs, r->n_embd, qv, limit,
                                   out->ids, s)
                    : -1;
    if (n < 0) {
        free(s);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    }
    for (int64_t i = 0; i < n; i++) {
        out->scores[i] = s[i];
        out->ids[i] = r->vec_ids[out->ids[i]]; /* row -> chunk id */
    }
    out->n = (int32_t)n;
    free(s);
    return MOTE_OK;
}

/* What fusion knows of one chunk. */
typedef struct {
    int64_t id;
    double rrf, vscore, kscore;
    int32_t vrank, krank;
} fused;

static fused *fused_find(fused *f, int32_t *n, int64_t id) {
    for (int32_t i = 0; i < *n; i++)
        if (f[i].id == id) return &f[i];
    f[*n] = (fused){id, 0, NAN, NAN, 0, 0};
    return &f[(*n)++];
}

static int by_rrf(const void *a, const void *b) {
    const fused *x = a, *y = b;
    if (x->rrf != y->rrf) return x->rrf < y->rrf ? 1 : -1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Read a hit's chunk and document. */
static int fill_hit(mote_rag *r, sqlite3_stmt *st, const fused *f, double score, mote_rag_hit *h) {
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, f->id);
    if (sqlite3_step(st) != SQLITE_ROW) return rag_db_fail(r, "reading a chunk");
    h->chunk_id = f->id;
    h->seq = sqlite3_column_int(st, 0);
    h->start = sqlite3_column_int64(st, 1);
    h->end = sqlite3_column_int64(st, 2);
    h->text = rag_utf8_clean((const char *)sqlite3_column_text(st, 3), (size_t)sqlite3_column_bytes(st, 3));
    h->path = rag_utf8_clean((const char *)sqlite3_column_text(st, 4), (size_t)sqlite3_column_bytes(st, 4));
    h->score = score;
    h->vector_score = f->vscore;
    h->keyword_score = f->kscore;
    h->vector_rank = f->vrank;
    h->keyword_rank = f->krank;
    if (!h->text || !h->path) return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    return MOTE_OK;
}

int mote_rag_search_multi(mote_rag *r, const char *const *queries, int32_t n_queries, int32_t k, mote_rag_mode mode,
                          mote_rag_results *out) {
    memset(out, 0, sizeof *out);
    if (k <= 0 || k > 10000) return mote_fail(MOTE_ERR_INVALID_ARG, "k must be from 1 to 10000, not %d", k);
    if (n_queries <= 0 || n_queries > MAX_QUERIES)
        return mote_fail(MOTE_ERR_INVALID_ARG, "from 1 to %d queries, not %d", MAX_QUERIES, n_queries);
    if (mode != MOTE_RAG_HYBRID && mode != MOTE_RAG_VECTOR && mode != MOTE_RAG_KEYWORD)
        return mote_fail(MOTE_ERR_INVALID_ARG, "unknown search mode %d", (int)mode);
    for (int32_t i = 0; i < n_queries; i++)
        if (!queries[i] || !*queries[i]) return mote_fail(MOTE_ERR_INVALID_ARG, "an empty question");
    const bool use_vec = mode != MOTE_RAG_KEYWORD, use_kw = mode != MOTE_RAG_VECTOR;
    int32_t limit = k > LIST_MIN ? k : LIST_MIN;
    ranked lists[2 * MAX_QUERIES] = {0};
    int n_lists = 0, rc = MOTE_OK;
    float *qv = NULL;
    if (use_vec) {
        if (r->n_embd == 0 && !r->embed_path)
            return mote_fail(MOTE_ERR_INVALID_ARG, "'%s' holds no vectors yet (index some files first)", r->db_path);
        int64_t t0 = mote_now_ns();
        if ((rc = rag_embed_ready(r))) return rc;
        out->load_s = (double)(mote_now_ns() - t0) / 1e9; /* the model, once per handle */
        t0 = mote_now_ns();
        if (!(qv = malloc((size_t)n_queries * r->n_embd * sizeof *qv))) return mote_fail(MOTE_ERR_NOMEM, "out of memory");
        rc = rag_embed_texts(r, queries, NULL, n_queries, qv);
        out->embed_s = (double)(mote_now_ns() - t0) / 1e9;
        if (!rc) rc = rag_vectors_load(r, &out->vectors_s);
        out->load_s += out->vectors_s;
    }
    if (!rc && use_kw) rc = rag_doc_lens_load(r, &out->load_s);
    int64_t t0 = mote_now_ns();
    for (int32_t q = 0; !rc && q < n_queries; q++) {
        if (use_vec) rc = vector_list(r, qv + (size_t)q * r->n_embd, limit, &lists[n_lists++]);
        if (!rc && use_kw) rc = keyword_list(r, queries[q], limit, &lists[n_lists++]);
    }
    free(qv);
    /* fuse: every list adds 1 / (60 + rank) to each chunk it holds */
    fused *f = NULL;
    int32_t nf = 0;
    if (!rc && !(f = malloc(((size_t)n_lists * limit + 1) * sizeof *f))) rc = mote_fail(MOTE_ERR_NOMEM, "out of memory");
    for (int l = 0; !rc && l < n_lists; l++) {
        bool is_vec = use_vec && (!use_kw || l % 2 == 0);
        for (int32_t i = 0; i < lists[l].n; i++) {
            fused *x = fused_find(f, &nf, lists[l].ids[i]);
            x->rrf += 1.0 / (RRF_K + i + 1);
            if (is_vec) {
                if (!x->vrank || i + 1 < x->vrank) x->vrank = i + 1;
                if (isnan(x->vscore) || lists[l].scores[i] > x->vscore) x->vscore = lists[l].scores[i];
            } else {
                if (!x->krank || i + 1 < x->krank) x->krank = i + 1;
                if (isnan(x->kscore) || lists[l].scores[i] > x->kscore) x->kscore = lists[l].scores[i];
            }
        }
    }
    for (int l = 0; l < n_lists; l++) ranked_free(&lists[l]);
    if (!rc) qsort(f, (size_t)nf, sizeof *f, by_rrf);
    int32_t n = nf < k ? nf : k;
    /* one list alone keeps its own score (and order, which fusion of one list does not change) */
    bool single = n_queries == 1 && mode != MOTE_RAG_HYBRID;
    sqlite3_stmt *st = NULL;
    if (!rc && n > 0) {
        if (!(out->hits = calloc((size_t)n, sizeof *out->hits))) rc = mote_fail(MOTE_ERR_NOMEM, "out of memory");
        else if (sqlite3_prepare_v2(r->db,
                                    "SELECT c.seq, c.start, c.end, c.text, d.path FROM chunks c "
                                    "JOIN documents d ON d.id = c.doc_id WHERE c.id = ?",
                                    -1, &st, NULL) != SQLITE_OK)
            rc = rag_db_fail(r, "reading a chunk");
        for (int32_t i = 0; !rc && i < n; i++) {
            double score = !single ? f[i].rrf : mode == MOTE_RAG_VECTOR ? f[i].vscore : f[i].kscore;
            rc = fill_hit(r, st, &f[i], score, &out->hits[i]);
            out->n = i + 1;
        }
        sqlite3_finalize(st);
    }
    free(f);
    out->search_s = (double)(mote_now_ns() - t0) / 1e9;
    if (rc) mote_rag_results_free(out);
    return rc;
}

int mote_rag_search(mote_rag *r, const char *query, int32_t k, mote_rag_mode mode, mote_rag_results *out) {
    return mote_rag_search_multi(r, &query, 1, k, mode, out);
}

void mote_rag_results_free(mote_rag_results *res) {
    if (!res) return;
    for (int32_t i = 0; i < res->n; i++) {
        free(res->hits[i].path);
        free(res->hits[i].text);
    }
    free(res->hits);
    memset(res, 0, sizeof *res);
}

static void add_score(cJSON *o, const char *key, double v) {
    if (isnan(v)) cJSON_AddNullToObject(o, key);
    else cJSON_AddNumberToObject(o, key, v);
}

int mote_rag_hits_json(const mote_rag_results *res, const bool *cited, char **out) {
    *out = NULL;
    cJSON *arr = cJSON_CreateArray();
    for (int32_t i = 0; arr && i < res->n; i++) {
        const mote_rag_hit *h = &res->hits[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "rank", i + 1);
        cJSON_AddStringToObject(o, "path", h->path);
        cJSON_AddNumberToObject(o, "chunk", h->seq);
        cJSON_AddNumberToObject(o, "start", (double)h->start);
        cJSON_AddNumberToObject(o, "end", (double)h->end);
        add_score(o, "score", h->score);
        add_score(o, "vector_score", h->vector_score);
        add_score(o, "keyword_score", h->keyword_score);
        cJSON_AddNumberToObject(o, "vector_rank", h->vector_rank);
        cJSON_AddNumberToObject(o, "keyword_rank", h->keyword_rank);
        if (cited) cJSON_AddBoolToObject(o, "cited", cited[i]);
        cJSON_AddStringToObject(o, "text", h->text);
        cJSON_AddItemToArray(arr, o);
    }
    *out = arr ? cJSON_PrintUnformatted(arr) : NULL;
    cJSON_Delete(arr);
    return *out ? MOTE_OK : mote_fail(MOTE_ERR_NOMEM, "out of memory");
}
