/*
 * chunk.h — cutting a document into overlapping pieces of at most N tokens,
 * along paragraph and sentence boundaries, for embedding and search.
 *
 * The text is first split into units: sentences (ended by . ! ? and the
 * CJK 。！？, with closing quotes or brackets, before white space), list
 * items and headings, each marked when it begins a paragraph (after a blank
 * line, or a Markdown heading). A unit longer than the limit is cut at the
 * last word boundary that fits, or, in a run without spaces, at the last
 * whole UTF-8 character that fits. Units are then packed greedily into
 * chunks; a chunk ends early at a paragraph boundary once it is half full.
 * Each chunk after the first repeats the trailing units of the one before
 * that fit within the overlap. Byte ranges never split a UTF-8 character.
 */
#ifndef MOTE_RAG_CHUNK_H
#define MOTE_RAG_CHUNK_H

#include <stddef.h>
#include <stdint.h>

/* Tokens in text[0..len) (the embedding model's tokenizer, or a test's counter). */
typedef int32_t (*rag_count_fn)(const char *text, size_t len, void *user);

typedef struct {
    size_t start, end;  /* bytes of the document, white space trimmed */
    int32_t n_tokens;   /* the sum of its units' counts */
} rag_chunk;

/* Cut text into chunks of at most max_tokens (> 0) tokens, overlapping by up
 * to overlap tokens (0 <= overlap < max_tokens). *out is malloc'd (NULL and
 * 0 chunks for a text of white space only). Returns 0, or -1 when memory ran out. */
int rag_chunk_text(const char *text, size_t len, int32_t max_tokens, int32_t overlap, rag_count_fn count,
                   void *user, rag_chunk **out, size_t *n_out);

#endif
