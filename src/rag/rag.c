/*
 * rag.c — a knowledge base handle: opening (or creating) the SQLite file,
 * its schema and meta values, the embedding model it was built with (its
 * identity checked, the model loaded only when vectors are needed), and
 * embedding texts. See mote_rag.h and rag_internal.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "rag/rag_internal.h"
#include "rag/sha256.h"

#define RAG_FORMAT "mote-rag 1"
#define EMBED_SEQS 8 /* texts embedded per forward pass */

static const char *const SCHEMA =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS documents(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, hash TEXT NOT NULL,"
    " bytes INTEGER NOT NULL, n_chunks INTEGER NOT NULL, indexed_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS chunks(id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL REFERENCES documents(id),"
    " seq INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, n_tokens INTEGER NOT NULL,"
    " text TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id, seq);"
    "CREATE TABLE IF NOT EXISTS vectors(chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id), vec BLOB NOT NULL);"
    "CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(text, content='chunks', content_rowid='id',"
    " tokenize='porter unicode61 remove_diacritics 2');"
    "CREATE TRIGGER IF NOT EXISTS chunks_fts_insert AFTER INSERT ON chunks BEGIN"
    " INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text); END;"
    "CREATE TRIGGER IF NOT EXISTS chunks_fts_delete AFTER DELETE ON chunks BEGIN"
    " INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text); END;";

int rag_db_fail(mote_rag *r, const char *doing) {
    return mote_fail(MOTE_ERR_IO, "%s: %s (%s)", r->db_path, doing, sqlite3_errmsg(r->db));
}

int rag_exec(mote_rag *r, const char *sql) {
    char *msg = NULL;
    if (sqlite3_exec(r->db, sql, NULL, NULL, &msg) == SQLITE_OK) return MOTE_OK;
    int st = mote_fail(MOTE_ERR_IO, "%s: %s", r->db_path, msg ? msg : sqlite3_errmsg(r->db));
    sqlite3_free(msg);
    return st;
}

char *rag_meta_get(mote_rag *r, const char *key) {
    sqlite3_stmt *st;
    char *value = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) != SQLITE_OK) return NULL;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        value = strdup(v ? v : "");
    }
    sqlite3_finalize(st);
    return value;
}

int rag_meta_set(mote_rag *r, const char *key, const char *value) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", -1, &st, NULL) !=
        SQLITE_OK)
        return rag_db_fail(r, "writing its settings");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? MOTE_OK : rag_db_fail(r, "writing its settings");
}

static int meta_int(mote_rag *r, const char *key, int def) {
    char *v = rag_meta_get(r, key);
    int n = v ? atoi(v) : def;
    free(v);
    return n;
}

int rag_model_identity(const char *path, char *out, size_t size) {
    mote_gguf *g;
    int st = mote_gguf_open(path, &g);
    if (st) return st;
    /* the tensor table and the first bytes of every tensor: enough to tell
     * two models (or two types of one model) apart without reading it all */
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = malloc(cap);
    for (int64_t i = 0; buf && i < mote_gguf_n_tensors(g); i++) {
        const mote_tensor_info *t = mote_gguf_tensor(g, i);
        size_t take = t->size < 256 ? t->size : 256;
        size_t need = len + strlen(t->name) + 64 + take;
        if (need > cap) {
            unsigned char *more = realloc(buf, cap = need * 2);
            if (!more) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = more;
        }
        len += (size_t)snprintf((char *)buf + len, cap - len, "%s:%d:%lld:%lld;", t->name, t->type,
                                (long long)t->ne[0], (long long)t->ne[1]);
        memcpy(buf + len, t->data, take);
        len += take;
    }
    if (!buf) {
        mote_gguf_close(g);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory reading '%s'", path);
    }
    char hex[65];
    rag_sha256_hex(buf, len, hex);
    free(buf);
    mote_model_summary s;
    mote_gguf_summarize(g, &s);
    snprintf(out, size, "%s/%llu/%.16s", s.architecture ? s.architecture : "?", (unsigned long long)s.embedding_length,
             hex);
    mote_gguf_close(g);
    return MOTE_OK;
}

mote_rag_params mote_rag_default_params(void) {
    mote_rag_params p = {0};
    p.chunk_tokens = 200;
    p.overlap_tokens = 40;
    return p;
}

/* Check the file is a mote knowledge base (or empty), create the schema. */
static int prepare_db(mote_rag *r) {
    sqlite3_busy_timeout(r->db, 10000);
    /* the first read tells a non-database file apart */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) != SQLITE_OK)
        return mote_fail(MOTE_ERR_FORMAT, "'%s' is not a mote knowledge base (%s)", r->db_path,
                         sqlite3_errmsg(r->db));
    int n_tables = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (n_tables < 0)
        return mote_fail(MOTE_ERR_FORMAT, "'%s' is not a mote knowledge base (%s)", r->db_path,
                         sqlite3_errmsg(r->db));
    if (n_tables > 0) {
        char *format = rag_meta_get(r, "format");
        bool ours = format && !strcmp(format, RAG_FORMAT);
        free(format);
        if (!ours)
            return mote_fail(MOTE_ERR_FORMAT, "'%s' is an SQLite database but not a mote knowledge base", r->db_path);
    }
    int st2 = rag_exec(r, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
    if (st2 || n_tables > 0) return st2;
    char buf[32];
    if ((st2 = rag_exec(r, "BEGIN IMMEDIATE")) || (st2 = rag_exec(r, SCHEMA)) ||
        (st2 = rag_meta_set(r, "format", RAG_FORMAT)) ||
        (snprintf(buf, sizeof buf, "%d", r->p.chunk_tokens), st2 = rag_meta_set(r, "chunk_tokens", buf)) ||
        (snprintf(buf, sizeof buf, "%d", r->p.overlap_tokens), st2 = rag_meta_set(r, "overlap_tokens", buf)) ||
        (st2 = rag_meta_set(r, "vector_type", r->p.vectors_f32 ? "f32" : "f16")) || (st2 = rag_exec(r, "COMMIT"))) {
        sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
        return st2;
    }
    return MOTE_OK;
}

/* Settle which embedding model is used: the one given must be the one the
 * database was built with. */
static int settle_model(mote_rag *r) {
    char *stored_path = rag_meta_get(r, "embed_model"), *stored_id = rag_meta_get(r, "embed_id");
    int st = MOTE_OK;
    if (r->p.embed_model) {
        st = rag_model_identity(r->p.embed_model, r->embed_id, sizeof r->embed_id);
        if (!st && stored_id && strcmp(stored_id, r->embed_id))
            st = mote_fail(MOTE_ERR_INVALID_ARG,
                           "'%s' was built with another embedding model (%s, id %s); '%s' is %s: its vectors "
                           "cannot be compared: use that model, or index into a new database",
                           r->db_path, stored_path ? stored_path : "?", stored_id, r->p.embed_model, r->embed_id);
        if (!st) r->embed_path = realpath(r->p.embed_model, NULL);
        if (!st && !r->embed_path) r->embed_path = strdup(r->p.embed_model);
    } else if (stored_path) {
        r->embed_path = strdup(stored_path);
        snprintf(r->embed_id, sizeof r->embed_id, "%s", stored_id ? stored_id : "");
    }
    free(stored_path);
    free(stored_id);
    return st;
}

int mote_rag_open(const char *db_path, const mote_rag_params *p, mote_rag **out) {
    *out = NULL;
    mote_rag_params def = mote_rag_default_params();
    if (!p) p = &def;
    if (!db_path || !*db_path) return mote_fail(MOTE_ERR_INVALID_ARG, "no database path given");
    if (p->chunk_tokens < 0 || p->chunk_tokens > 8192 || p->overlap_tokens >= (p->chunk_tokens ? p->chunk_tokens : 200))
        return mote_fail(MOTE_ERR_INVALID_ARG, "chunks of %d tokens with an overlap of %d: the overlap must be "
                         "smaller than the chunk (at most 8192 tokens)", p->chunk_tokens, p->overlap_tokens);
    struct stat sb;
    bool exists = stat(db_path, &sb) == 0;
    if (!exists && p->must_exist)
        return mote_fail(MOTE_ERR_NOT_FOUND, "no knowledge base '%s' (make one with mote rag index --db %s FILE...)",
                         db_path, db_path);
    if (exists && S_ISDIR(sb.st_mode)) return mote_fail(MOTE_ERR_INVALID_ARG, "'%s' is a directory", db_path);
    mote_rag *r = calloc(1, sizeof *r);
    if (!r || !(r->db_path = strdup(db_path))) {
        free(r);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    }
    r->p = *p;
    if (!r->p.chunk_tokens) r->p.chunk_tokens = 200;
    if (r->p.overlap_tokens < 0) r->p.overlap_tokens = 40;
    int flags = SQLITE_OPEN_READWRITE | (p->must_exist ? 0 : SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    int st;
    if (sqlite3_open_v2(db_path, &r->db, flags, NULL) != SQLITE_OK) {
        st = mote_fail(MOTE_ERR_IO, "cannot open '%s' (%s)", db_path, r->db ? sqlite3_errmsg(r->db) : "out of memory");
        mote_rag_close(r);
        return st;
    }
    if ((st = prepare_db(r)) || (st = settle_model(r)) || (st = rag_bm25_register(r))) {
        mote_rag_close(r);
        return st;
    }
    r->chunk_tokens = meta_int(r, "chunk_tokens", 200);
    r->overlap_tokens = meta_int(r, "overlap_tokens", 40);
    r->n_embd = meta_int(r, "n_embd", 0);
    char *vt = rag_meta_get(r, "vector_type");
    r->f32 = vt && !strcmp(vt, "f32");
    free(vt);
    *out = r;
    return MOTE_OK;
}

int64_t rag_data_version(mote_rag *r) {
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(r->db, "PRAGMA data_version", -1, &st, NULL) != SQLITE_OK) return -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

void mote_rag_close(mote_rag *r) {
    if (!r) return;
    rag_vectors_forget(r);
    rag_doc_lens_forget(r);
    mote_context_free(r->ctx);
    mote_vocab_free(r->vocab);
    mote_model_free(r->model);
    if (r->db) sqlite3_close(r->db);
    free(r->embed_path);
    free(r->db_path);
    free(r);
}

int rag_embed_ready(mote_rag *r) {
    if (r->ctx) return MOTE_OK;
    if (!r->embed_path)
        return mote_fail(MOTE_ERR_INVALID_ARG, "'%s' has no embedding model yet: give one with --embed-model E.gguf "
                         "(the database remembers it)", r->db_path);
    int st = mote_model_load(r->embed_path, &r->model);
    if (st) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s", mote_last_error());
        return mote_fail(st, "the embedding model '%s' cannot be loaded (%s); give another copy of it with "
                         "--embed-model", r->embed_path, msg);
    }
    if (!r->embed_id[0]) rag_model_identity(r->embed_path, r->embed_id, sizeof r->embed_id);
    if ((st = mote_vocab_load(mote_model_gguf(r->model), &r->vocab))) return st;
    int32_t train = mote_model_n_ctx_train(r->model);
    if (train <= 0) train = 512;
    /* room for a chunk, its special tokens and the counting slack of the chunker */
    r->seq_tokens = r->chunk_tokens + 32 < train ? r->chunk_tokens + 32 : train;
    if (r->chunk_tokens + 2 > train)
        return mote_fail(MOTE_ERR_INVALID_ARG, "chunks of %d tokens do not fit the embedding model's context of %d",
                         r->chunk_tokens, train);
    mote_context_params cp = mote_context_default_params();
    cp.n_seq = EMBED_SEQS;
    cp.n_ctx = r->seq_tokens * EMBED_SEQS;
    cp.n_batch = r->seq_tokens * EMBED_SEQS;
    cp.n_threads = r->p.n_threads;
    if ((st = mote_context_new(r->model, &cp, &r->ctx))) return st;
    int32_t d = mote_model_n_embd(r->model);
    if (r->n_embd && r->n_embd != d)
        return mote_fail(MOTE_ERR_INVALID_ARG, "'%s' holds vectors of %d dimensions; '%s' makes %d", r->db_path,
                         r->n_embd, r->embed_path, d);
    return MOTE_OK;
}

int32_t rag_count_tokens(const char *text, size_t len, void *user) {
    mote_rag *r = user;
    size_t n = 0;
    int32_t buf[1];
    mote_tokenize(r->vocab, text, len, false, false, buf, 0, &n);
    return (int32_t)n;
}

int rag_embed_texts(mote_rag *r, const char *const *texts, const size_t *lens, int32_t n, float *out) {
    int st = rag_embed_ready(r);
    if (st) return st;
    int32_t *toks[EMBED_SEQS] = {0};
    int32_t n_toks[EMBED_SEQS];
    mote_embed_params ep = mote_embed_default_params();
    ep.normalize = true;
    const int32_t d = mote_model_n_embd(r->model);
    for (int32_t at = 0; at < n && !st; at += EMBED_SEQS) {
        int32_t m = n - at < EMBED_SEQS ? n - at : EMBED_SEQS;
        for (int32_t i = 0; i < m && !st; i++) {
            size_t nt = 0;
            const char *t = texts[at + i];
            size_t tl = lens ? lens[at + i] : strlen(t);
            st = mote_tokenize_alloc(r->vocab, t, tl, true, false, &toks[i], &nt);
            if (st) break;
            /* a text longer than a sequence keeps its start and its closing token ([SEP]) */
            if ((int32_t)nt > r->seq_tokens) {
                toks[i][r->seq_tokens - 1] = toks[i][nt - 1];
                nt = (size_t)r->seq_tokens;
            }
            n_toks[i] = (int32_t)nt;
        }
        if (!st) st = mote_embed_tokens(r->ctx, (const int32_t *const *)toks, n_toks, m, &ep, out + (size_t)at * d);
        for (int32_t i = 0; i < m; i++) {
            free(toks[i]);
            toks[i] = NULL;
        }
    }
    return st;
}
