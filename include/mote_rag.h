/*
 * mote_rag.h — retrieval on the device: a knowledge base in one SQLite file.
 *
 * Part of libmote's public interface (it builds on mote.h). A knowledge base
 * holds documents (path and content hash), their chunks (pieces of about
 * chunk_tokens tokens of the embedding model, cut at paragraph and sentence
 * boundaries, overlapping by overlap_tokens), one embedding vector per chunk
 * (f16 or f32) and an FTS5 full-text index of the same chunks. It remembers
 * the embedding model it was built with (path and identity) and refuses
 * another one, since vectors of two models cannot be compared.
 *
 * Writes happen in transactions, one document at a time: an interrupted
 * index run leaves every document either wholly in or wholly out.
 *
 * Search is exact: cosine similarity against every stored vector (kept in
 * memory as f32 after the first search), BM25 from FTS5, or both fused by
 * reciprocal rank fusion (hybrid, the default).
 *
 * Threads: a mote_rag is one-thread-at-a-time (guard it with a mutex to
 * share it); different handles on the same file may live on different
 * threads or processes (SQLite locks the file).
 */
#ifndef MOTE_RAG_H
#define MOTE_RAG_H

#include "mote.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mote_rag mote_rag;

typedef struct {
    const char *embed_model;  /* GGUF embedding model; NULL: the one the database was built with */
    int32_t chunk_tokens;     /* a new database's chunk length in tokens (0: 200) */
    int32_t overlap_tokens;   /* a new database's overlap between chunks (-1: 40) */
    bool vectors_f32;         /* a new database stores f32 vectors (default: f16, half the size) */
    int32_t n_threads;        /* for embedding (0: the library's default) */
    bool must_exist;          /* refuse to create a database (search, ls, stats, rm) */
} mote_rag_params;

mote_rag_params mote_rag_default_params(void);

/* Open (or create) a knowledge base. Fails with a clear message when the
 * file is not a mote knowledge base, or when p->embed_model is not the
 * model the database was built with. The embedding model is loaded only
 * when something needs vectors. */
int mote_rag_open(const char *db_path, const mote_rag_params *p, mote_rag **out);
void mote_rag_close(mote_rag *r);

/* --- indexing ------------------------------------------------------------ */

/* What happened to one file: "indexed", "unchanged", "updated", or
 * "skipped: <why>" (not text, unreadable). */
typedef void (*mote_rag_progress_fn)(const char *path, const char *what, int32_t n_chunks, void *user);

typedef struct {
    int64_t files_indexed;    /* new or changed files written */
    int64_t files_unchanged;  /* same content hash: nothing done */
    int64_t files_skipped;    /* not text, unreadable */
    int64_t chunks_added;
    int64_t tokens_embedded;
    double embed_s;           /* time in the embedding model */
    double total_s;
} mote_rag_index_stats;

/* Index a text or Markdown file, or every *.txt, *.md and *.markdown file
 * under a directory (recursively; hidden entries skipped). A file whose
 * content hash is unchanged is left as it is; a changed one is replaced.
 * Counts are added to *st (which may be NULL). Stops at the first error
 * (a database or model failure); a file that is not text is skipped. */
int mote_rag_index_path(mote_rag *r, const char *path, mote_rag_progress_fn fn, void *user,
                        mote_rag_index_stats *st);
/* Remove a document (by its path, as given to index or as listed), or every
 * document under a directory; *n_removed (may be NULL) gets how many. */
int mote_rag_remove(mote_rag *r, const char *path, int64_t *n_removed);

/* --- listing --------------------------------------------------------------- */

typedef struct {
    int64_t id;
    const char *path;         /* absolute */
    const char *hash;         /* SHA-256 of the content, hex */
    int64_t bytes;
    int64_t n_chunks;
    int64_t indexed_at;       /* seconds since the epoch */
} mote_rag_doc;

/* Call fn for every document in path order; fn returns false to stop. */
int mote_rag_list(mote_rag *r, bool (*fn)(const mote_rag_doc *d, void *user), void *user);

typedef struct {
    int64_t n_docs, n_chunks, n_vectors;
    int64_t db_bytes;
    int32_t n_embd;           /* 0 until something was indexed */
    int32_t chunk_tokens, overlap_tokens;
    char vector_type[8];      /* "f16" or "f32" */
    char embed_model[512];    /* the path it was built with ("" if none yet) */
    char embed_id[128];       /* the model's identity (architecture, size, fingerprint) */
} mote_rag_stats;

int mote_rag_get_stats(mote_rag *r, mote_rag_stats *out);

/* --- search ----------------------------------------------------------------- */

typedef enum {
    MOTE_RAG_HYBRID = 0,      /* vector and keyword ranks fused (reciprocal rank fusion, k = 60) */
    MOTE_RAG_VECTOR = 1,      /* cosine similarity of the embeddings */
    MOTE_RAG_KEYWORD = 2,     /* FTS5 BM25 */
} mote_rag_mode;

/* "hybrid", "vector", "keyword"; and back (-1 if unknown). */
const char *mote_rag_mode_name(mote_rag_mode m);
int mote_rag_mode_from_name(const char *name);

typedef struct {
    int64_t chunk_id;
    char *path;               /* the document */
    int32_t seq;              /* the chunk's number in its document, from 0 */
    int64_t start, end;       /* its bytes in the document */
    char *text;
    double score;             /* what the mode ranks by: cosine, -BM25 (higher is better) or the RRF sum */
    double vector_score;      /* cosine similarity (NAN when not computed) */
    double keyword_score;     /* -BM25 (NAN when the chunk did not match the words) */
    int32_t vector_rank;      /* 1-based rank in each list, 0 when not in it */
    int32_t keyword_rank;
} mote_rag_hit;

typedef struct {
    mote_rag_hit *hits;
    int32_t n;
    double load_s;            /* loading the embedding model and reading the vectors into memory
                               * (the first vector search of a handle only) */
    double vectors_s;         /* the part of load_s spent reading the vectors */
    double embed_s;           /* embedding the question(s) */
    double search_s;          /* ranking */
} mote_rag_results;

/* The k best chunks for a query. Keyword search needs no embedding model. */
int mote_rag_search(mote_rag *r, const char *query, int32_t k, mote_rag_mode mode, mote_rag_results *out);
/* The same for several phrasings of one question: each is searched and the
 * lists are fused by reciprocal rank fusion (multi-query retrieval). */
int mote_rag_search_multi(mote_rag *r, const char *const *queries, int32_t n_queries, int32_t k,
                          mote_rag_mode mode, mote_rag_results *out);
void mote_rag_results_free(mote_rag_results *res);
/* The hits as a JSON array (malloc'd text) of {"rank", "path", "chunk",
 * "start", "end", "score", "vector_score", "keyword_score" (null when not
 * computed), "vector_rank", "keyword_rank", "text"}, and "cited" when
 * cited != NULL: what `mote rag search --json` and the server print. */
int mote_rag_hits_json(const mote_rag_results *res, const bool *cited, char **out);

/* --- answering -------------------------------------------------------------- */

/* The user message that asks a question over numbered passages ([1] ...),
 * malloc'd into *out: what `mote rag ask` and a served RAG model send. */
int mote_rag_prompt(const char *question, const mote_rag_hit *hits, int32_t n, char **out);

typedef struct {
    const char *chat_model;   /* GGUF chat model */
    const char *chat_template;/* NULL: the model's own (a name or Jinja text) */
    int32_t k;                /* passages (0: 5) */
    mote_rag_mode mode;
    int32_t multi_query;      /* >0: the model writes this many rewrites of the question, each searched */
    mote_sampler_params sampling;
    int32_t n_predict;        /* -1: until the end of the turn */
    int32_t n_ctx;            /* 0: min(model's, 4096) */
    int32_t n_threads;
    /* Optional callbacks (NULL: none): the rewrites, the formatted prompt
     * (the chat template's text), the answer as it streams. */
    void (*on_rewrite)(int32_t i, const char *query, void *user);
    void (*on_prompt)(const char *text, size_t len, void *user);
    void (*on_text)(const char *text, size_t len, void *user);
    void *user;
} mote_rag_ask_params;

mote_rag_ask_params mote_rag_ask_default_params(void);

typedef struct {
    mote_rag_results sources; /* the passages given, in their [n] order */
    bool *cited;              /* cited[i]: the answer mentions [i+1] */
    char *text;               /* the whole answer */
    double load_s;            /* loading the chat model */
    double rewrite_s;         /* writing the rewrites (multi-query) */
    double retrieval_s;       /* embedding and searching (all queries) */
    double generation_s;      /* prompt evaluation and answer */
    int32_t n_prompt, n_eval;
    mote_stop_reason stop;
} mote_rag_answer;

/* Retrieve, answer through the chat model's template, stream the answer. */
int mote_rag_ask(mote_rag *r, const char *question, const mote_rag_ask_params *p, mote_rag_answer *out);
void mote_rag_answer_free(mote_rag_answer *a);

#ifdef __cplusplus
}
#endif
#endif /* MOTE_RAG_H */
