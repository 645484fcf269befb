/*
 * vocab_internal.h — the inside of a mote_vocab, shared by the files of
 * src/tokenizer/:
 *
 *   vocab.c    load tokenizer.ggml.* from GGUF, special ids, flags, pieces
 *   special.c  split text around special tokens written in it
 *   spm.c      SentencePiece BPE (merge by score, byte fallback)
 *   pretok.c   pre-tokenizer regexes (PCRE2) named by tokenizer.ggml.pre
 *   bpe.c      byte-level / raw BPE (merge by rank)
 *   wpm.c      WordPiece with BERT normalization (utf8proc)
 *   tokenize.c the public mote_tokenize: special split, then one family
 *   detok.c    pieces back to text, streaming
 *
 * The semantics follow llama.cpp's llama-vocab.cpp (so that ids match the
 * reference exactly); the code is our own.
 */
#ifndef MOTE_TOKENIZER_VOCAB_INTERNAL_H
#define MOTE_TOKENIZER_VOCAB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hashmap.h"
#include "mote.h"

/* Token attributes (bits), from tokenizer.ggml.token_type plus adjustments. */
enum {
    TOK_NORMAL = 1 << 0,
    TOK_UNKNOWN = 1 << 1,
    TOK_CONTROL = 1 << 2,
    TOK_USER_DEFINED = 1 << 3,
    TOK_UNUSED = 1 << 4,
    TOK_BYTE = 1 << 5,
    TOK_LSTRIP = 1 << 6, /* swallow whitespace before it when split out of text */
    TOK_RSTRIP = 1 << 7, /* ... and after it */
};

/* Pre-tokenizer: up to four regexes applied one after the other, each to the
 * pieces the previous one left (matches and the gaps between them). */
#define PRETOK_MAX_REGEX 4

/* Receives one piece of text (a word) of a larger one. */
typedef int (*pretok_fn)(const char *word, size_t len, void *ctx);

typedef struct growbuf_i32 {
    int32_t *v;
    size_t n, cap;
} growbuf_i32;

struct mote_vocab {
    mote_vocab_type type;
    int32_t n_tokens;

    /* Token text and pieces live in one arena; offsets index it. */
    char *arena;
    uint32_t *text_off, *text_len;   /* as stored in the file */
    char *piece_arena;
    uint32_t *piece_off, *piece_len; /* the bytes it stands for, in piece_arena */
    float *scores;
    uint8_t *attr;
    size_t max_token_len;

    mote_strmap text_to_id;
    mote_u64map merges;     /* (left id << 32 | right id) -> (rank << 32 | result id) */
    int32_t byte_tok[256];  /* token of each raw byte (byte fallback / byte-level), or -1 */
    int32_t ascii_tok[128]; /* token spelled by each ASCII character, or -1 (a fast path) */

    int32_t bos, eos, eot, eom, unk, pad, sep, mask;
    bool add_bos, add_eos, add_sep;
    bool add_space_prefix;  /* SPM: a space before the text and after each special token */
    bool escape_ws;         /* BPE gemma4: spaces are written as U+2581 */
    bool byte_encode;       /* BPE: GPT-2 byte-to-unicode mapping (false for gemma4) */
    bool ignore_merges;     /* BPE llama3: a pre-token that is a whole token is taken as is */
    bool newline_words;     /* BPE gemma4: a run of newlines that is a token is taken as is */
    bool lowercase, strip_accents; /* WPM normalization */
    bool space_splits;      /* SPM / gemma4: text may be cut before space runs (spacecut.c) */
    int32_t *crossing;      /* the tokens that span such a cut */
    size_t n_crossing;
    bool merge_without_token; /* BPE: some merge makes text that is not a token */

    uint8_t *eog; /* per token: ends generation */

    /* Special tokens matched in text, longest first; and a byte trie over them. */
    int32_t *special;
    size_t n_special;
    int32_t *special_rank;  /* rank in `special` per token id, or -1 */
    mote_u64map trie;       /* (node << 8 | byte) -> child node */
    int32_t trie_root[256]; /* children of the root, without a hash probe (most bytes: -1) */
    int32_t *trie_tok;      /* token ending at each node, or -1 */
    size_t trie_nodes;

    void *re[PRETOK_MAX_REGEX]; /* pcre2_code* */
    int n_re;
};

/* --- growable int32 buffer (token output) -------------------------------- */
int growbuf_push(growbuf_i32 *b, int32_t x);

/* --- word cache (wordcache.c): ids of words already tokenized ------------- */
typedef struct {
    mote_strmap map; /* word bytes (in the caller's text) -> entry */
    growbuf_i32 toks;
    uint32_t *start, *count;
    size_t n, cap;
} wordcache;
int wordcache_init(wordcache *c);
void wordcache_free(wordcache *c);
/* If word is cached, append its ids to out and return true (*rc: push status). */
bool wordcache_get(const wordcache *c, const char *word, size_t len, growbuf_i32 *out, int *rc);
/* Remember ids for word (silently skipped when too long, full or out of memory). */
void wordcache_put(wordcache *c, const char *word, size_t len, const int32_t *ids, size_t n);

/* --- cutting at spaces (spacecut.c) ------------------------------------- */
int spacecut_build(mote_vocab *v);
/* Call fn on each independent word of escaped text (the whole text if v cannot be cut). */
int spacecut_split(const mote_vocab *v, const char *s, size_t n, pretok_fn fn, void *ctx);

/* --- per-family tokenizers: append ids for one piece of plain text --------- */
int spm_tokenize(const mote_vocab *v, const char *text, size_t len, growbuf_i32 *out);
/* cache may be NULL. */
int bpe_tokenize(const mote_vocab *v, const char *text, size_t len, wordcache *cache, growbuf_i32 *out);
int wpm_tokenize(const mote_vocab *v, const char *text, size_t len, growbuf_i32 *out);

/* --- pre-tokenizer (pretok.c) --------------------------------------------- */
/* Configure v's regexes and BPE flags for a tokenizer.ggml.pre name. */
int pretok_setup(mote_vocab *v, const char *model, const char *pre);
void pretok_free(mote_vocab *v);
/* Split text into pre-tokens; calls fn(start, len, ctx) for each in order. */
int pretok_split(const mote_vocab *v, const char *text, size_t len, pretok_fn fn, void *ctx);

/* --- special tokens (special.c) ------------------------------------------- */
int special_build(mote_vocab *v);
/* One fragment of text: either raw text [off, off+len) or a token. */
typedef struct {
    int32_t token; /* -1 for text */
    size_t off, len;
} text_fragment;
/* Split text around special tokens; *frags is malloc'ed. */
int special_partition(const mote_vocab *v, const char *text, size_t len, bool parse_special, text_fragment **frags,
                      size_t *n_frags);

/* The GPT-2 byte-level alphabet: the code point that stands for raw byte b. */
uint32_t bpe_byte_to_cp(unsigned b);

/* --- pieces (detok.c) ----------------------------------------------------- */
int pieces_build(mote_vocab *v);

#endif
