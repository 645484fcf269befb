/*
 * index.c — writing the knowledge base: files and directories in, one
 * transaction per document (chunks, vectors and the FTS5 rows together),
 * nothing done for a file whose content hash is unchanged; removing,
 * listing and counting documents. See mote_rag.h.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/clock.h"
#include "core/error.h"
#include "quant/fp16.h"
#include "rag/chunk.h"
#include "rag/rag_internal.h"
#include "rag/sha256.h"

#define MAX_FILE_BYTES (64 << 20) /* larger files are not notes: skipped */
#define EMBED_BATCH 32             /* chunks embedded per call */

/* A whole file, NUL-terminated, malloc'd; NULL when it cannot be read. */
static char *read_whole(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap) {
            char *more = n >= MAX_FILE_BYTES ? NULL : realloc(buf, (cap *= 2) + 1);
            if (!more) {
                free(buf);
                buf = NULL;
            } else buf = more;
        }
    }
    bool bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* True for the extensions indexed when a directory is walked. */
static bool is_text_name(const char *name) {
    const char *dot = strrchr(name, '.');
    return dot && (!strcmp(dot, ".txt") || !strcmp(dot, ".md") || !strcmp(dot, ".markdown") || !strcmp(dot, ".text"));
}

/* The stored document (id and hash) at path; id 0 if none. */
static int find_doc(mote_rag *r, const char *path, int64_t *id, char hash[65]) {
    sqlite3_stmt *st;
    *id = 0;
    if (sqlite3_prepare_v2(r->db, "SELECT id, hash FROM documents WHERE path = ?", -1, &st, NULL) != SQLITE_OK)
        return rag_db_fail(r, "reading its documents");
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        snprintf(hash, 65, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    return MOTE_OK;
}

/* Delete a document and everything of it (inside the caller's transaction). */
static int delete_doc(mote_rag *r, int64_t id) {
    static const char *const sql[] = {
        "DELETE FROM vectors WHERE chunk_id IN (SELECT id FROM chunks WHERE doc_id = ?)",
        "DELETE FROM chunks WHERE doc_id = ?",
        "DELETE FROM documents WHERE id = ?",
    };
    for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(r->db, sql[i], -1, &st, NULL) != SQLITE_OK) return rag_db_fail(r, "removing a document");
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) return rag_db_fail(r, "removing a document");
    }
    return MOTE_OK;
}

/* Write one document, its chunks and vectors in one transaction. */
static int store_doc(mote_rag *r, int64_t old_id, const char *path, const char *hash, const char *text, size_t len,
                     const rag_chunk *c, size_t n, const float *vecs) {
    int st = rag_exec(r, "BEGIN IMMEDIATE");
    if (st) return st;
    sqlite3_stmt *doc = NULL, *chunk = NULL, *vec = NULL;
    const int32_t d = r->n_embd;
    size_t elem = r->f32 ? 4 : 2;
    void *blob = malloc((size_t)d * elem);
    if (!blob) {
        st = mote_fail(MOTE_ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (old_id && (st = delete_doc(r, old_id))) goto fail;
    if (sqlite3_prepare_v2(r->db,
                           "INSERT INTO documents(path, hash, bytes, n_chunks, indexed_at) VALUES (?, ?, ?, ?, ?)", -1,
                           &doc, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(r->db, "INSERT INTO chunks(doc_id, seq, start, end, n_tokens, text) VALUES (?, ?, ?, ?, ?, ?)",
                           -1, &chunk, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(r->db, "INSERT INTO vectors(chunk_id, vec) VALUES (?, ?)", -1, &vec, NULL) != SQLITE_OK) {
        st = rag_db_fail(r, "writing a document");
        goto fail;
    }
    sqlite3_bind_text(doc, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(doc, 2, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(doc, 3, (int64_t)len);
    sqlite3_bind_int64(doc, 4, (int64_t)n);
    sqlite3_bind_int64(doc, 5, (int64_t)time(NULL));
    if (sqlite3_step(doc) != SQLITE_DONE) {
        st = rag_db_fail(r, "writing a document");
        goto fail;
    }
    int64_t doc_id = sqlite3_last_insert_rowid(r->db);
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(chunk);
        sqlite3_bind_int64(chunk, 1, doc_id);
        sqlite3_bind_int64(chunk, 2, (int64_t)i);
        sqlite3_bind_int64(chunk, 3, (int64_t)c[i].start);
        sqlite3_bind_int64(chunk, 4, (int64_t)c[i].end);
        sqlite3_bind_int(chunk, 5, c[i].n_tokens);
        sqlite3_bind_text(chunk, 6, text + c[i].start, (int)(c[i].end - c[i].start), SQLITE_STATIC);
        if (sqlite3_step(chunk) != SQLITE_DONE) {
            st = rag_db_fail(r, "writing a chunk");
            goto fail;
        }
        const float *v = vecs + i * (size_t)d;
        if (r->f32) memcpy(blob, v, (size_t)d * 4);
        else
            for (int32_t k = 0; k < d; k++) ((mote_fp16 *)blob)[k] = mote_f32_to_fp16(v[k]);
        sqlite3_reset(vec);
        sqlite3_bind_int64(vec, 1, sqlite3_last_insert_rowid(r->db));
        sqlite3_bind_blob(vec, 2, blob, (int)((size_t)d * elem), SQLITE_STATIC);
        if (sqlite3_step(vec) != SQLITE_DONE) {
            st = rag_db_fail(r, "writing a vector");
            goto fail;
        }
    }
    sqlite3_finalize(doc);
    sqlite3_finalize(chunk);
    sqlite3_finalize(vec);
    free(blob);
    if ((st = rag_exec(r, "COMMIT"))) {
        sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
        return st;
    }
    rag_vectors_forget(r);
    rag_doc_lens_forget(r);
    return MOTE_OK;
fail:
    sqlite3_finalize(doc);
    sqlite3_finalize(chunk);
    sqlite3_finalize(vec);
    free(blob);
    sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

/* The first time vectors are written: the model, its identity and the dimension join the settings. */
static int record_model(mote_rag *r) {
    if (r->n_embd) return MOTE_OK;
    r->n_embd = mote_model_n_embd(r->model);
    char buf[32];
    snprintf(buf, sizeof buf, "%d", r->n_embd);
    int st = rag_exec(r, "BEGIN IMMEDIATE");
    if (!st) st = rag_meta_set(r, "embed_model", r->embed_path);
    if (!st) st = rag_meta_set(r, "embed_id", r->embed_id);
    if (!st) st = rag_meta_set(r, "n_embd", buf);
    if (!st) st = rag_exec(r, "COMMIT");
    if (st) {
        sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
        r->n_embd = 0;
    }
    return st;
}

static void report(mote_rag_progress_fn fn, void *user, const char *path, const char *what, int32_t n) {
    if (fn) fn(path, what, n, user);
}

static int index_file(mote_rag *r, const char *path, mote_rag_progress_fn fn, void *user, mote_rag_index_stats *st) {
    char *abs = realpath(path, NULL);
    if (!abs) {
        st->files_skipped++;
        report(fn, user, path, "skipped: cannot be read", 0);
        return MOTE_OK;
    }
    size_t len = 0;
    char *text = read_whole(abs, &len);
    int rc = MOTE_OK;
    if (!text) {
        st->files_skipped++;
        report(fn, user, abs, "skipped: cannot be read (or larger than 64 MiB)", 0);
        goto done;
    }
    if (memchr(text, '\0', len)) {
        st->files_skipped++;
        report(fn, user, abs, "skipped: not a text file", 0);
        goto done;
    }
    char hash[65], old_hash[65] = "";
    rag_sha256_hex(text, len, hash);
    int64_t old_id;
    if ((rc = find_doc(r, abs, &old_id, old_hash))) goto done;
    if (old_id && !strcmp(old_hash, hash)) {
        st->files_unchanged++;
        report(fn, user, abs, "unchanged", 0);
        goto done;
    }
    if ((rc = rag_embed_ready(r)) || (rc = record_model(r))) goto done;
    rag_chunk *chunks = NULL;
    size_t n = 0;
    if (rag_chunk_text(text, len, r->chunk_tokens, r->overlap_tokens, rag_count_tokens, r, &chunks, &n)) {
        rc = mote_fail(MOTE_ERR_NOMEM, "out of memory cutting '%s' into chunks", abs);
        goto done;
    }
    float *vecs = n ? malloc(n * (size_t)r->n_embd * sizeof *vecs) : NULL;
    const char **texts = n ? malloc(n * sizeof *texts) : NULL;
    size_t *lens = n ? malloc(n * sizeof *lens) : NULL;
    if (n && (!vecs || !texts || !lens)) rc = mote_fail(MOTE_ERR_NOMEM, "out of memory for %zu chunks", n);
    int64_t t0 = mote_now_ns();
    for (size_t i = 0; !rc && i < n; i++) {
        texts[i] = text + chunks[i].start;
        lens[i] = chunks[i].end - chunks[i].start;
        st->tokens_embedded += chunks[i].n_tokens;
    }
    for (size_t at = 0; !rc && at < n; at += EMBED_BATCH) {
        int32_t m = (int32_t)(n - at < EMBED_BATCH ? n - at : EMBED_BATCH);
        rc = rag_embed_texts(r, texts + at, lens + at, m, vecs + at * (size_t)r->n_embd);
    }
    st->embed_s += (double)(mote_now_ns() - t0) / 1e9;
    if (!rc) rc = store_doc(r, old_id, abs, hash, text, len, chunks, n, vecs);
    if (!rc) {
        st->files_indexed++;
        st->chunks_added += (int64_t)n;
        report(fn, user, abs, old_id ? "updated" : "indexed", (int32_t)n);
    }
    free(vecs);
    free(texts);
    free(lens);
    free(chunks);
done:
    free(text);
    free(abs);
    return rc;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every text file under dir, in name order (depth first). */
static int index_dir(mote_rag *r, const char *dir, mote_rag_progress_fn fn, void *user, mote_rag_index_stats *st,
                     int depth) {
    if (depth > 64) return MOTE_OK;
    DIR *d = opendir(dir);
    if (!d) {
        st->files_skipped++;
        report(fn, user, dir, "skipped: cannot read the directory", 0);
        return MOTE_OK;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = MOTE_OK;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            char **more = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof *more);
            if (!more) {
                rc = mote_fail(MOTE_ERR_NOMEM, "out of memory");
                break;
            }
            names = more;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = mote_fail(MOTE_ERR_NOMEM, "out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    if (names) qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        size_t plen = strlen(dir) + strlen(names[i]) + 2;
        char *p = malloc(plen);
        struct stat sb;
        if (!rc && p) {
            snprintf(p, plen, "%s/%s", dir, names[i]);
            if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) rc = index_dir(r, p, fn, user, st, depth + 1);
            else if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode) && is_text_name(names[i]))
                rc = index_file(r, p, fn, user, st);
        }
        free(p);
        free(names[i]);
    }
    free(names);
    return rc;
}

int mote_rag_index_path(mote_rag *r, const char *path, mote_rag_progress_fn fn, void *user,
                        mote_rag_index_stats *st) {
    mote_rag_index_stats local = {0};
    if (!st) st = &local;
    int64_t t0 = mote_now_ns();
    struct stat sb;
    int rc;
    if (stat(path, &sb) != 0) rc = mote_fail(MOTE_ERR_NOT_FOUND, "no file or directory '%s'", path);
    else if (S_ISDIR(sb.st_mode)) rc = index_dir(r, path, fn, user, st, 0);
    else rc = index_file(r, path, fn, user, st);
    st->total_s += (double)(mote_now_ns() - t0) / 1e9;
    return rc;
}

int mote_rag_remove(mote_rag *r, const char *path, int64_t *n_removed) {
    if (n_removed) *n_removed = 0;
    char *abs = realpath(path, NULL);
    const char *p = abs ? abs : path;
    size_t plen = strlen(p);
    /* the document itself, or every document under the directory (bytes compared: paths may be UTF-8) */
    char *prefix = malloc(plen + 3);
    if (!prefix) {
        free(abs);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    }
    snprintf(prefix, plen + 3, "%s/", p);
    sqlite3_stmt *st;
    int rc = rag_exec(r, "BEGIN IMMEDIATE");
    if (!rc && sqlite3_prepare_v2(r->db, "SELECT id FROM documents WHERE path = ? OR substr(CAST(path AS BLOB), 1, ?) = CAST(? AS BLOB)", -1, &st,
                                  NULL) != SQLITE_OK)
        rc = rag_db_fail(r, "reading its documents");
    int64_t *ids = NULL;
    size_t n = 0;
    if (!rc) {
        sqlite3_bind_text(st, 1, p, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, (int)plen + 1);
        sqlite3_bind_text(st, 3, prefix, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            int64_t *more = realloc(ids, (n + 1) * sizeof *more);
            if (!more) break;
            ids = more;
            ids[n++] = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
    }
    for (size_t i = 0; !rc && i < n; i++) rc = delete_doc(r, ids[i]);
    if (!rc) rc = rag_exec(r, "COMMIT");
    if (rc) sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    else {
        rag_vectors_forget(r);
        rag_doc_lens_forget(r);
    }
    if (!rc && n_removed) *n_removed = (int64_t)n;
    free(ids);
    free(prefix);
    free(abs);
    return rc;
}

int mote_rag_list(mote_rag *r, bool (*fn)(const mote_rag_doc *d, void *user), void *user) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db, "SELECT id, path, hash, bytes, n_chunks, indexed_at FROM documents ORDER BY path",
                           -1, &st, NULL) != SQLITE_OK)
        return rag_db_fail(r, "reading its documents");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        mote_rag_doc d = {sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
                          (const char *)sqlite3_column_text(st, 2), sqlite3_column_int64(st, 3),
                          sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5)};
        if (!fn(&d, user)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? MOTE_OK : rag_db_fail(r, "reading its documents");
}

static int64_t count_rows(mote_rag *r, const char *sql) {
    sqlite3_stmt *st;
    int64_t n = -1;
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

int mote_rag_get_stats(mote_rag *r, mote_rag_stats *out) {
    memset(out, 0, sizeof *out);
    out->n_docs = count_rows(r, "SELECT count(*) FROM documents");
    out->n_chunks = count_rows(r, "SELECT count(*) FROM chunks");
    out->n_vectors = count_rows(r, "SELECT count(*) FROM vectors");
    if (out->n_docs < 0 || out->n_chunks < 0 || out->n_vectors < 0) return rag_db_fail(r, "counting its rows");
    out->db_bytes = count_rows(r, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()");
    out->n_embd = r->n_embd;
    out->chunk_tokens = r->chunk_tokens;
    out->overlap_tokens = r->overlap_tokens;
    snprintf(out->vector_type, sizeof out->vector_type, "%s", r->f32 ? "f32" : "f16");
    char *m = rag_meta_get(r, "embed_model"), *id = rag_meta_get(r, "embed_id");
    snprintf(out->embed_model, sizeof out->embed_model, "%s", m ? m : "");
    snprintf(out->embed_id, sizeof out->embed_id, "%s", id ? id : "");
    free(m);
    free(id);
    return MOTE_OK;
}
