/*
 * rag_internal.h — what the files of src/rag share behind mote_rag.h: the
 * handle, the SQLite helpers, the embedding model loaded on demand and the
 * in-memory copy of the vectors.
 *
 * The database (schema version 1):
 *   meta(key, value)             format, embed_model, embed_id, n_embd, vector_type,
 *                                chunk_tokens, overlap_tokens
 *   documents(id, path, hash, bytes, n_chunks, indexed_at)
 *   chunks(id, doc_id, seq, start, end, n_tokens, text)
 *   vectors(chunk_id, vec)       one blob of n_embd f16 or f32 per chunk
 *   chunks_fts                   FTS5 over chunks.text (external content,
 *                                kept in step by triggers)
 */
#ifndef MOTE_RAG_INTERNAL_H
#define MOTE_RAG_INTERNAL_H

#include <sqlite3.h>

#include "mote_rag.h"

struct mote_rag {
    sqlite3 *db;
    char *db_path;
    mote_rag_params p;
    char *embed_path;          /* the model to embed with (given, or the database's) */
    char embed_id[128];        /* its identity, once known */
    int32_t chunk_tokens, overlap_tokens;
    bool f32;                  /* vectors stored as f32 (else f16) */
    int32_t n_embd;            /* 0 until the first vector */
    /* the embedding model, loaded when first needed */
    mote_model *model;
    mote_vocab *vocab;
    mote_context *ctx;
    int32_t seq_tokens;        /* most tokens of one embedded text */
    /* the vectors, read into memory for the first vector search (blobs as stored) */
    void *vecs;
    int64_t *vec_ids;
    int64_t n_vecs;
    bool vecs_loaded;
    int64_t vecs_version;      /* PRAGMA data_version when they were read */
    /* every chunk's length in FTS5 tokens, by chunk id (-1: unknown), for mote_bm25 */
    int32_t *doc_lens;
    int64_t n_doc_lens;
    int64_t doc_lens_version;
};

/* rag.c: a failed SQLite call as a mote error naming what was being done. */
int rag_db_fail(mote_rag *r, const char *doing);
/* Run SQL without results; 0 or a mote error. */
int rag_exec(mote_rag *r, const char *sql);
/* A meta value (malloc'd) or NULL. */
char *rag_meta_get(mote_rag *r, const char *key);
int rag_meta_set(mote_rag *r, const char *key, const char *value);
/* Load the embedding model (once). */
int rag_embed_ready(mote_rag *r);
/* Embed n texts into n rows of n_embd floats (unit length). */
int rag_embed_texts(mote_rag *r, const char *const *texts, const size_t *lens, int32_t n, float *out);
/* Tokens in a text for the embedding model's tokenizer (a rag_count_fn; user = mote_rag). */
int32_t rag_count_tokens(const char *text, size_t len, void *user);
/* The identity of a GGUF model file: "arch/n_embd/fingerprint". */
int rag_model_identity(const char *path, char *out, size_t size);

/* vsearch.c: the k rows of a matrix (n rows of d values of `type`, f16 or
 * f32) with the largest dot product with q (d floats), best first, ties
 * by lower row; fills idx and scores (k entries, or n if fewer). Returns the
 * count, or -1 when memory ran out. */
int64_t rag_topk_dot(const void *rows, int type, int64_t n, int32_t d, const float *q, int32_t k, int64_t *idx,
                     float *scores);
/* rag.c: PRAGMA data_version: changes when another connection commits (-1 on error). */
int64_t rag_data_version(mote_rag *r);

/* bm25.c: register mote_bm25(chunks_fts) on the handle's database: FTS5's
 * bm25() ranking with the chunk lengths from memory (see bm25.c). */
int rag_bm25_register(mote_rag *r);
/* Read every chunk's FTS5 length into memory (once, until the database
 * changes); adds the time taken to *load_s. */
int rag_doc_lens_load(mote_rag *r, double *load_s);
void rag_doc_lens_forget(mote_rag *r);

/* Read every vector into memory (once, until the database changes). */
int rag_vectors_load(mote_rag *r, double *load_s);
void rag_vectors_forget(mote_rag *r);

/* A malloc'd copy of n bytes with every byte that is not part of valid
 * UTF-8 replaced by U+FFFD (documents and noise answers may hold such
 * bytes; JSON and terminals want text). NULL when memory ran out. */
char *rag_utf8_clean(const char *s, size_t n);

/* search.c: the FTS5 query for a question: its words (stop words left out),
 * each quoted, joined by OR; "" when no word is left. malloc'd. */
char *rag_fts_query(const char *question);

#endif
