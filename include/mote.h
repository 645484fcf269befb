/*
 * mote.h — the public interface of libmote.
 *
 * mote runs small language models stored as GGUF files on small machines.
 * This header is everything an embedder needs; it is plain C11 and can be
 * read top to bottom:
 *
 *   1. Errors      every fallible call returns a mote_status (0 = ok) and
 *                  leaves a one-line message in mote_last_error().
 *   2. Types       the GGML weight types (ids as stored in GGUF files).
 *   3. GGUF        read a model file (mapped, weights used in place) and
 *                  write one (metadata + tensors, aligned).
 *   6. Models      load a model, evaluate tokens in a context (KV cache),
 *                  generate text, measure perplexity.
 *
 * Later sections (tokenizer, model, sampling, ...) follow the same pattern:
 * opaque handles, one verb per function, explicit ownership.
 *
 * Lifetimes and threads. Every handle is made by a _new/_open/_load call and
 * ended by the matching _free/_close; a handle that refers to another (a
 * context to its model, a scheduler to its context and vocabulary) needs
 * the other to outlive it. Process-wide state (CPU features, kernel
 * tables, worker pools) is set up once, safely, whichever thread comes
 * first. Per handle:
 *
 *   mote_gguf          read-only once open: any number of threads may read it.
 *   mote_gguf_writer   one thread at a time.
 *   mote_vocab         read-only once loaded: any threads may tokenize with it.
 *   mote_detok         one thread at a time (it holds a partial character).
 *   mote_sampler       one thread at a time (history and random state).
 *   mote_model         read-only once loaded: shared by any number of contexts
 *                      on any threads; free it after all of them.
 *   mote_context       one thread at a time; different contexts may run at the
 *                      same time on different threads (see section 6).
 *   mote_sched         one thread at a time, with its context; the callbacks
 *                      run on that thread.
 *   mote_stopper       one thread at a time.
 *   mote_chat_conv     a plain struct: the caller's to guard.
 *   mote_last_error()  per thread: each thread sees its own last message.
 */
#ifndef MOTE_H
#define MOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================== */
/* 1. Errors                                                                */
/* ======================================================================== */

typedef enum {
    MOTE_OK = 0,
    MOTE_ERR_IO = -1,          /* a file could not be opened, read or written */
    MOTE_ERR_NOMEM = -2,       /* an allocation failed */
    MOTE_ERR_INVALID_ARG = -3, /* the caller passed something meaningless */
    MOTE_ERR_NOT_FOUND = -4,   /* a key, tensor or file that was asked for is absent */
    MOTE_ERR_UNSUPPORTED = -5, /* valid, but mote cannot do it (yet) */
    /* GGUF file problems: each names one way a file can be broken. */
    MOTE_ERR_TRUNCATED = -10,  /* the file ends before what it declares */
    MOTE_ERR_MAGIC = -11,      /* not a GGUF file */
    MOTE_ERR_VERSION = -12,    /* a GGUF version mote does not read */
    MOTE_ERR_COUNT = -13,      /* a count or length that cannot fit in the file */
    MOTE_ERR_TYPE = -14,       /* an unknown value type or tensor type id */
    MOTE_ERR_DUPLICATE = -15,  /* a key or tensor name that appears twice */
    MOTE_ERR_RANGE = -16,      /* tensor data outside the file, or overlapping */
    MOTE_ERR_ALIGN = -17,      /* a misaligned tensor offset or a bad alignment */
    MOTE_ERR_SHAPE = -18,      /* bad dimensions (too many, negative, overflow, not a whole block) */
    MOTE_ERR_FORMAT = -19,     /* any other inconsistency in a file */
} mote_status;

/* The message of the last failed call on this thread ("" if none). */
const char *mote_last_error(void);
/* A short constant name for a status ("truncated", "bad magic", ...). */
const char *mote_status_name(int status);
/* The library's version string, e.g. "0.1.0". */
const char *mote_version(void);
/* The kernel set in use ("avx512", "avxvnni", "avx2", "neon-dotprod", "neon" or "ref"):
 * the best this CPU runs, or the one MOTE_KERNELS names; chosen once. */
const char *mote_kernel_set_name(void);

/* ======================================================================== */
/* 2. Weight types                                                          */
/* ======================================================================== */

/* Tensor element types, numbered exactly as GGML numbers them in GGUF files. */
typedef enum {
    MOTE_TYPE_F32 = 0,
    MOTE_TYPE_F16 = 1,
    MOTE_TYPE_Q4_0 = 2,
    MOTE_TYPE_Q4_1 = 3,
    MOTE_TYPE_Q5_0 = 6,
    MOTE_TYPE_Q5_1 = 7,
    MOTE_TYPE_Q8_0 = 8,
    MOTE_TYPE_Q8_1 = 9,
    MOTE_TYPE_Q2_K = 10,
    MOTE_TYPE_Q3_K = 11,
    MOTE_TYPE_Q4_K = 12,
    MOTE_TYPE_Q5_K = 13,
    MOTE_TYPE_Q6_K = 14,
    MOTE_TYPE_Q8_K = 15,
    MOTE_TYPE_IQ2_XXS = 16,
    MOTE_TYPE_IQ2_XS = 17,
    MOTE_TYPE_IQ3_XXS = 18,
    MOTE_TYPE_IQ1_S = 19,
    MOTE_TYPE_IQ4_NL = 20,
    MOTE_TYPE_IQ3_S = 21,
    MOTE_TYPE_IQ2_S = 22,
    MOTE_TYPE_IQ4_XS = 23,
    MOTE_TYPE_I8 = 24,
    MOTE_TYPE_I16 = 25,
    MOTE_TYPE_I32 = 26,
    MOTE_TYPE_I64 = 27,
    MOTE_TYPE_F64 = 28,
    MOTE_TYPE_IQ1_M = 29,
    MOTE_TYPE_BF16 = 30,
    MOTE_TYPE_TQ1_0 = 34,
    MOTE_TYPE_TQ2_0 = 35,
    MOTE_TYPE_MXFP4 = 39,
    MOTE_TYPE_NVFP4 = 40,
    MOTE_TYPE_Q1_0 = 41,
    MOTE_TYPE_Q2_0 = 42,
    MOTE_TYPE_COUNT = 43
} mote_type;

/* True if `type` is an id mote knows (it may still be unable to compute with it). */
bool mote_type_is_known(int type);
/* Lower-case name as llama.cpp prints it ("q4_K", "f16"), or NULL if unknown. */
const char *mote_type_name(int type);
/* Look a type up by name, case-insensitively; -1 if there is none. */
int mote_type_from_name(const char *name);
/* Elements per block (1 for plain types, 32 or 256 for quantized ones). */
int64_t mote_type_block_size(int type);
/* Bytes per block. */
size_t mote_type_block_bytes(int type);
/* Bytes of one row of `n` elements; 0 if n is not a whole number of blocks. */
size_t mote_row_size(int type, int64_t n);

/* ======================================================================== */
/* 3. GGUF files                                                            */
/* ======================================================================== */

/* Metadata value types, as numbered in the GGUF format. */
typedef enum {
    MOTE_GGUF_UINT8 = 0,
    MOTE_GGUF_INT8 = 1,
    MOTE_GGUF_UINT16 = 2,
    MOTE_GGUF_INT16 = 3,
    MOTE_GGUF_UINT32 = 4,
    MOTE_GGUF_INT32 = 5,
    MOTE_GGUF_FLOAT32 = 6,
    MOTE_GGUF_BOOL = 7,
    MOTE_GGUF_STRING = 8,
    MOTE_GGUF_ARRAY = 9,
    MOTE_GGUF_UINT64 = 10,
    MOTE_GGUF_INT64 = 11,
    MOTE_GGUF_FLOAT64 = 12,
    MOTE_GGUF_TYPE_COUNT = 13
} mote_gguf_type;

#define MOTE_GGUF_DEFAULT_ALIGNMENT 32
#define MOTE_MAX_DIMS 4

typedef struct mote_gguf mote_gguf;

/* One tensor as described by the file. `data` points into the mapping. */
typedef struct {
    const char *name;
    int type;                     /* mote_type */
    int n_dims;
    int64_t ne[MOTE_MAX_DIMS];    /* elements per dimension, ne[0] = row length; unused dims are 1 */
    uint64_t offset;              /* from the start of the data section */
    size_t size;                  /* bytes */
    const void *data;
} mote_tensor_info;

/* Open and validate a GGUF file, mapping it read-only. Every count, length and
 * offset is checked against the file before it is used. */
int mote_gguf_open(const char *path, mote_gguf **out);
/* Same, from a buffer the caller keeps alive for the life of the handle. */
int mote_gguf_open_memory(const void *data, size_t size, mote_gguf **out);
/* Same as mote_gguf_open, but the file is read (read(2)) into anonymous
 * memory instead of being mapped: the file may then change or go away
 * (llama.cpp's --no-mmap). */
int mote_gguf_open_read(const char *path, mote_gguf **out);
/* Keep the handle's bytes in RAM (mlock, pages locked as they are first
 * touched, so ranges never read again are not brought back). MOTE_OK, or
 * the error with errno's reason (RLIMIT_MEMLOCK: `ulimit -l`). */
int mote_gguf_lock(const mote_gguf *g);
void mote_gguf_close(mote_gguf *g);

uint32_t mote_gguf_version(const mote_gguf *g);
size_t mote_gguf_file_size(const mote_gguf *g);
size_t mote_gguf_alignment(const mote_gguf *g);
/* Byte offset of the data section from the start of the file. */
size_t mote_gguf_data_offset(const mote_gguf *g);

/* --- single-file executables (`mote pack`) ---------------------------------
 * A packed file is a program with a GGUF model appended at an offset that is
 * a multiple of 64 KiB (every page size), then default arguments (strings,
 * each NUL-terminated), then a 56-byte trailer ending in "MOTEPACK".
 * mote_gguf_open() opens such a file as its embedded model: only the model's
 * bytes are mapped, in place, never copied. */
#define MOTE_PACK_ALIGN 65536
typedef struct {
    uint64_t exe_size;                /* the program's bytes, from offset 0 */
    uint64_t model_offset, model_size;
    uint64_t args_offset, args_size;  /* NUL-terminated strings back to back */
} mote_pack_info;

/* MOTE_OK and *out when the file ends in a valid trailer; MOTE_ERR_NOT_FOUND
 * when it has none (not packed); another error for a damaged one. */
int mote_pack_read(const char *path, mote_pack_info *out);
/* The default arguments of a packed file, as a NULL-terminated array in one
 * malloc'd block (free() it); their count in *argc. */
int mote_pack_args(const char *path, const mote_pack_info *info, char ***argv, int *argc);
/* Write out_path (mode 0755, under a temporary name then renamed): the
 * program of exe_path (only its program part if it is packed itself), the
 * model of model_path (a GGUF file, or the model embedded in a packed file),
 * then the n_args default arguments and the trailer. */
int mote_pack_write(const char *exe_path, const char *model_path, const char *const *args, int n_args,
                    const char *out_path);
/* Open the GGUF model stored at [offset, offset + size) of a file, mapping
 * only that range; offset must be a multiple of the page size. */
int mote_gguf_open_range(const char *path, uint64_t offset, uint64_t size, mote_gguf **out);

/* --- metadata ------------------------------------------------------------ */
int64_t mote_gguf_n_kv(const mote_gguf *g);
const char *mote_gguf_key(const mote_gguf *g, int64_t i);
/* Index of `key`, or -1. */
int64_t mote_gguf_find_key(const mote_gguf *g, const char *key);
mote_gguf_type mote_gguf_kv_type(const mote_gguf *g, int64_t i);
/* For arrays: the element type and the number of elements. */
mote_gguf_type mote_gguf_arr_type(const mote_gguf *g, int64_t i);
uint64_t mote_gguf_arr_n(const mote_gguf *g, int64_t i);
/* Raw pointer to the elements of a numeric array (little-endian, packed), or NULL.
 * It points into the file and may be unaligned: read elements with memcpy. */
const void *mote_gguf_arr_data(const mote_gguf *g, int64_t i);
/* Element j of an array of strings (NUL-terminated; *len gets its byte length if len != NULL). */
const char *mote_gguf_arr_str(const mote_gguf *g, int64_t i, uint64_t j, size_t *len);
/* Scalar values by index. The caller checks the type first. */
uint64_t mote_gguf_val_u64(const mote_gguf *g, int64_t i);  /* any unsigned/bool type */
int64_t mote_gguf_val_i64(const mote_gguf *g, int64_t i);   /* any integer type */
double mote_gguf_val_f64(const mote_gguf *g, int64_t i);    /* any numeric type */
const char *mote_gguf_val_str(const mote_gguf *g, int64_t i, size_t *len);

/* Typed getters by key with a default: an integer getter accepts any integer
 * type whose value fits, a float getter any numeric type. When the key is
 * missing or does not fit, `def` is returned. */
uint32_t mote_gguf_get_u32(const mote_gguf *g, const char *key, uint32_t def);
int32_t mote_gguf_get_i32(const mote_gguf *g, const char *key, int32_t def);
uint64_t mote_gguf_get_u64(const mote_gguf *g, const char *key, uint64_t def);
float mote_gguf_get_f32(const mote_gguf *g, const char *key, float def);
bool mote_gguf_get_bool(const mote_gguf *g, const char *key, bool def);
const char *mote_gguf_get_str(const mote_gguf *g, const char *key, const char *def);
/* Array by key: returns its index and fills *n (and *elem_type), or -1 if absent or not an array. */
int64_t mote_gguf_get_arr(const mote_gguf *g, const char *key, mote_gguf_type *elem_type, uint64_t *n);

/* A printable name for a value type ("u32", "string", ...). */
const char *mote_gguf_type_name(mote_gguf_type t);

/* --- tensors -------------------------------------------------------------- */
int64_t mote_gguf_n_tensors(const mote_gguf *g);
const mote_tensor_info *mote_gguf_tensor(const mote_gguf *g, int64_t i);
/* Tensor by name, or NULL. */
const mote_tensor_info *mote_gguf_find_tensor(const mote_gguf *g, const char *name);
/* Number of elements of a tensor. */
int64_t mote_tensor_nelements(const mote_tensor_info *t);

/* --- writing -------------------------------------------------------------- */
/* A writer collects metadata and tensor descriptions, then streams the file:
 * header, metadata, tensor infos, padding, then each tensor's bytes (aligned).
 * Tensor bytes are supplied either up front (`data` kept alive by the caller)
 * or later in the same order through mote_gguf_writer_write_tensor_data, so a
 * quantizer can stream one tensor at a time. */
typedef struct mote_gguf_writer mote_gguf_writer;

mote_gguf_writer *mote_gguf_writer_new(void);
void mote_gguf_writer_free(mote_gguf_writer *w);
/* Each setter replaces an existing key of the same name. */
int mote_gguf_writer_set_u8(mote_gguf_writer *w, const char *key, uint8_t v);
int mote_gguf_writer_set_i8(mote_gguf_writer *w, const char *key, int8_t v);
int mote_gguf_writer_set_u16(mote_gguf_writer *w, const char *key, uint16_t v);
int mote_gguf_writer_set_i16(mote_gguf_writer *w, const char *key, int16_t v);
int mote_gguf_writer_set_u32(mote_gguf_writer *w, const char *key, uint32_t v);
int mote_gguf_writer_set_i32(mote_gguf_writer *w, const char *key, int32_t v);
int mote_gguf_writer_set_u64(mote_gguf_writer *w, const char *key, uint64_t v);
int mote_gguf_writer_set_i64(mote_gguf_writer *w, const char *key, int64_t v);
int mote_gguf_writer_set_f32(mote_gguf_writer *w, const char *key, float v);
int mote_gguf_writer_set_f64(mote_gguf_writer *w, const char *key, double v);
int mote_gguf_writer_set_bool(mote_gguf_writer *w, const char *key, bool v);
int mote_gguf_writer_set_str(mote_gguf_writer *w, const char *key, const char *v);
/* Numeric array: `n` packed little-endian elements of `elem_type`. */
int mote_gguf_writer_set_arr(mote_gguf_writer *w, const char *key, mote_gguf_type elem_type,
                             const void *data, uint64_t n);
int mote_gguf_writer_set_arr_str(mote_gguf_writer *w, const char *key, const char *const *strs,
                                 uint64_t n);
/* Copy key i of a reader (any type, arrays included). */
int mote_gguf_writer_copy_kv(mote_gguf_writer *w, const mote_gguf *src, int64_t i);
int mote_gguf_writer_remove_key(mote_gguf_writer *w, const char *key);

/* Describe a tensor. `data` may be NULL when the bytes are streamed later. */
int mote_gguf_writer_add_tensor(mote_gguf_writer *w, const char *name, int type, int n_dims,
                                const int64_t *ne, const void *data);

/* Write the whole file at once (all tensors must have data). The file is
 * written to a temporary name and renamed, so a failure leaves nothing behind. */
int mote_gguf_writer_write_file(mote_gguf_writer *w, const char *path);

/* Streaming: begin writes header, metadata and tensor infos; then call
 * write_tensor_data once per tensor in the order they were added; finish
 * renames the temporary file into place. abort removes it. */
int mote_gguf_writer_begin(mote_gguf_writer *w, const char *path);
int mote_gguf_writer_write_tensor_data(mote_gguf_writer *w, const void *data, size_t size);
int mote_gguf_writer_finish(mote_gguf_writer *w);
void mote_gguf_writer_abort(mote_gguf_writer *w);

/* ======================================================================== */
/* 3b. Model summary (what `mote info` shows)                               */
/* ======================================================================== */

/* A special token named by tokenizer.ggml.<role>_token_id (unk, sep and pad
 * are spelled unknown_, seperator_ [sic] and padding_ in the keys). An id of
 * -1 (or 0xffffffff) means "none" and is left out. */
typedef struct {
    const char *role;   /* "bos", "eos", "eot", "eom", "unk", "sep", "pad", "cls", "mask" */
    int64_t id;
    const char *text;   /* its text in tokenizer.ggml.tokens, or NULL if the id is out of range */
} mote_special_token;

#define MOTE_MAX_SPECIAL_TOKENS 9

/* Facts about a model file, computed from its metadata and tensor table.
 * Strings point into the mote_gguf and live as long as it does. Numbers
 * that the file does not state are 0 (strings NULL). */
typedef struct {
    const char *architecture;      /* general.architecture */
    const char *name;              /* general.name */
    size_t file_size;
    int64_t n_tensors;
    uint64_t n_params;             /* sum of the tensors' element counts */
    uint64_t tensor_bytes;         /* sum of the tensors' sizes */
    double bits_per_weight;        /* 8 * tensor_bytes / n_params (0 without tensors) */
    int64_t type_count[MOTE_TYPE_COUNT];   /* tensors of each type */
    uint64_t type_bytes[MOTE_TYPE_COUNT];  /* their bytes */
    /* {arch}.* hyper-parameters */
    uint64_t context_length, embedding_length, block_count, feed_forward_length;
    uint64_t head_count, head_count_kv;
    const char *vocab_model;       /* tokenizer.ggml.model ("llama", "gpt2", ...) */
    uint64_t vocab_size;           /* tokens in tokenizer.ggml.tokens, else {arch}.vocab_size */
    int n_special;
    mote_special_token special[MOTE_MAX_SPECIAL_TOKENS];
    bool has_chat_template;        /* tokenizer.chat_template is a non-empty string */
} mote_model_summary;

/* Fill *out from an open file. Never fails on a file the reader accepted. */
void mote_gguf_summarize(const mote_gguf *g, mote_model_summary *out);

/* ======================================================================== */
/* 4. Sampling                                                              */
/* ======================================================================== */

/* Sampling parameters, with llama.cpp's meanings. mote_sampler_default()
 * fills llama.cpp's defaults (temp 0.8, top_k 40, top_p 0.95, min_p 0.05,
 * repeat_penalty 1.0 over the last 64 tokens, no presence/frequency penalty). */
typedef struct {
    float temp;               /* <= 0: greedy (argmax) */
    int32_t top_k;            /* <= 0: off */
    float top_p;              /* >= 1: off */
    float min_p;              /* <= 0: off */
    float repeat_penalty;     /* 1: off */
    int32_t repeat_last_n;    /* tokens of history the penalties look at; 0 off, -1 whole history */
    float presence_penalty;   /* 0: off */
    float frequency_penalty;  /* 0: off */
    uint64_t seed;            /* MOTE_SEED_RANDOM: seed from the clock */
} mote_sampler_params;

#define MOTE_SEED_RANDOM UINT64_MAX

typedef struct mote_sampler mote_sampler;

mote_sampler_params mote_sampler_default(void);
/* A sampler for a vocabulary of n_vocab tokens; NULL (with mote_last_error) on bad parameters. */
mote_sampler *mote_sampler_new(const mote_sampler_params *p, int32_t n_vocab);
void mote_sampler_free(mote_sampler *s);
/* Choose the next token from raw logits (n_vocab floats; they may be modified). */
int32_t mote_sampler_sample(mote_sampler *s, float *logits);
/* Record a token in the history the penalties see (prompt tokens and generated ones). */
void mote_sampler_accept(mote_sampler *s, int32_t token);
/* Forget the history and re-seed with the same seed, so the sequence repeats. */
void mote_sampler_reset(mote_sampler *s);
/* The seed in use (the one drawn from the clock when MOTE_SEED_RANDOM was asked). */
uint64_t mote_sampler_seed(const mote_sampler *s);

/* ======================================================================== */
/* 4b. Grammars: constrained sampling, JSON mode, JSON Schema               */
/* ======================================================================== */

/* A grammar in GBNF, the format llama.cpp reads (its .gbnf files work as
 * they are):
 *     root ::= "yes" | "no" | item+     # comment
 *     item ::= [a-z0-9_-]{1,8} ("," [ ]?)? | "(" root ")"
 * Literals "..." and classes [...] / [^...] take \n \t \r \\ \" \] \xHH
 * \uHHHH \UHHHHHHHH escapes; `.` is any character; * + ? {m} {m,} {m,n}
 * repeat the item before them. A parsed grammar is immutable: any number of
 * samplers and threads may use one at the same time. */
typedef struct mote_grammar mote_grammar;

/* Parse `len` bytes of GBNF starting at rule `root` (NULL: "root"). Errors
 * name the line and column ("grammar: line 3, column 9: ..."), an undefined
 * or left-recursive rule. */
int mote_grammar_parse(const char *gbnf, size_t len, const char *root, mote_grammar **out);
void mote_grammar_free(mote_grammar *g);
/* The GBNF text the grammar was parsed from (owned by g). */
const char *mote_grammar_text(const mote_grammar *g);
/* True if the whole of `text` is a complete match of the grammar. */
bool mote_grammar_matches(const mote_grammar *g, const char *text, size_t len);

/* JSON mode: any JSON object (what Ollama's format "json" and OpenAI's
 * response_format json_object ask for), with optional whitespace. */
int mote_grammar_json(mote_grammar **out);
/* A JSON Schema (draft 2020-12 / 07 keywords: type (or a list of types),
 * properties, required, additionalProperties, enum, const, items,
 * prefixItems, minItems, maxItems, minLength, maxLength, pattern (a regular
 * expression without lookaround or backreferences), anyOf, oneOf, allOf of
 * one schema, $ref to "#", "#/$defs/..." or "#/definitions/...", format
 * date/time/date-time/uuid) as GBNF text in *gbnf (malloc'd, the caller
 * frees). Properties come in the schema's order; optional ones may be left
 * out. Keywords that would need arithmetic (minimum, maximum, multipleOf,
 * minProperties, ...) are refused with an error naming them, rather than
 * ignored, so that what the grammar allows always validates. */
int mote_json_schema_to_gbnf(const char *schema, size_t len, char **gbnf);
/* The same, parsed. */
int mote_grammar_from_json_schema(const char *schema, size_t len, mote_grammar **out);

/* A vocabulary prepared for grammar matching: every token's bytes and a trie
 * of them, built once per vocabulary (about 0.2 s for 150k tokens)
 * and then shared read-only by any number of samplers and threads. It copies
 * what it needs: the mote_vocab may be freed afterwards. */
typedef struct mote_grammar_vocab mote_grammar_vocab;
typedef struct mote_vocab mote_vocab; /* section 5 */

int mote_grammar_vocab_new(const mote_vocab *v, mote_grammar_vocab **out);
void mote_grammar_vocab_free(mote_grammar_vocab *gv);

/* Constrain a sampler with a grammar (NULL: remove it). From then on
 * mote_sampler_sample returns only tokens that continue a match of the
 * grammar: an end-of-generation token only once the text is a complete
 * match, and nothing but one after a match that cannot go on. Control tokens
 * that are not end-of-generation are never chosen. mote_sampler_accept
 * advances the grammar with a token only if it is the one the last
 * mote_sampler_sample returned (prompt tokens go to the penalty history
 * alone). -1 is returned when no token can continue (a grammar needing a
 * character the vocabulary cannot spell). g and gv must outlive the sampler
 * or stay until the grammar is removed; the sampler keeps the grammar's
 * running state (one thread at a time, like the sampler itself). */
int mote_sampler_set_grammar(mote_sampler *s, const mote_grammar *g, const mote_grammar_vocab *gv);
/* Start the grammar again (a new answer); mote_sampler_reset does it too. */
void mote_sampler_grammar_restart(mote_sampler *s);
/* True if the tokens accepted so far are a complete match (so the answer may
 * end here), or if no grammar is attached. A generation that stopped at its
 * token limit while this is false was cut short. */
bool mote_sampler_grammar_complete(const mote_sampler *s);

/* ======================================================================== */
/* 7. Chat                                                                  */
/* ======================================================================== */

/* A conversation is an array of messages. Roles are "system", "user" and
 * "assistant" (Qwen 3 also reads "tool"). Formatting turns it into the exact
 * text the model was trained on, the same bytes its Jinja chat template
 * (tokenizer.chat_template) renders, by a built-in formatter per family:
 *
 *   llama3     Llama 3.2 (system header with "Today Date: <today>")
 *   llama3.1   Llama 3.1 / 3.3 (the same header dated "26 Jul 2024")
 *   gemma      Gemma 3 and 2 (a system prompt opens the first user turn)
 *   qwen3      Qwen 3 (ChatML with <think> blocks)
 *   chatml     plain ChatML (SmolLM, OpenHermes, ...)
 *   smollm2    SmolLM2 (ChatML with its default system prompt)
 *   phi3       Phi-3 / Phi-3.5
 *   phi4-mini  Phi-4-mini
 *   zephyr     TinyLlama / Zephyr
 *
 * The text starts with the BOS text when the template prints it (llama3,
 * gemma): a caller whose tokenizer also adds BOS should skip that prefix,
 * as llama.cpp does. */
typedef struct {
    const char *role;
    const char *content;
} mote_chat_message;

typedef struct {
    const char *bos_token;  /* BOS text the template prints ("<|begin_of_text|>", "<bos>"); NULL: "" */
    const char *eos_token;  /* EOS text (Zephyr closes turns with it, Phi ends a finished chat with it) */
    const char *date;       /* llama3 "Today Date", e.g. "09 Mar 2025"; NULL: today (llama3.1: 26 Jul 2024) */
    bool enable_thinking;   /* qwen3: false adds an empty <think></think> to the generation prompt */
} mote_chat_options;

/* Defaults: no BOS/EOS text, today's date, thinking on. */
mote_chat_options mote_chat_options_default(void);
/* The BOS and EOS texts of a model's vocabulary (pointers into g; unchanged if absent). */
void mote_chat_options_from_gguf(const mote_gguf *g, mote_chat_options *opt);

/* The built-in formats' names, NULL-terminated. */
const char *const *mote_chat_template_names(void);
/* The family a Jinja chat template belongs to, or NULL if mote has no formatter for it. */
const char *mote_chat_template_detect(const char *jinja);
/* A format chosen by name (case-insensitive; aliases such as "gemma3",
 * "tinyllama", "llama3.2") or by Jinja text; an error naming the options if
 * neither works. *name is a constant from mote_chat_template_names(). */
int mote_chat_template_resolve(const char *name_or_jinja, const char **name);
/* The format for a model: `override` (a name or Jinja text) when not NULL,
 * else the model's tokenizer.chat_template; an error naming the options if
 * the model has none or an unknown one. */
int mote_chat_template_for_model(const mote_gguf *g, const char *override, const char **name);
/* The strings that end a turn in this format (for stop detection), NULL-terminated. */
const char *const *mote_chat_template_stops(const char *name);

/* A conversation whose messages own their text: what a chat session keeps,
 * saves and loads. Zero-initialise it ({0}); mote_chat_conv_free empties it. */
typedef struct {
    mote_chat_message *msgs;
    size_t n, cap;
} mote_chat_conv;

/* Append a copy of role and content. */
int mote_chat_conv_add(mote_chat_conv *c, const char *role, const char *content);
/* Remove `count` messages starting at `from` (clamped to the conversation). */
void mote_chat_conv_remove(mote_chat_conv *c, size_t from, size_t count);
void mote_chat_conv_free(mote_chat_conv *c);
/* Append the messages of an OpenAI-style JSON array of {"role", "content"}
 * objects (content a string, or an array of {"type": "text", "text"} parts).
 * On error nothing is appended and the message names the problem. */
int mote_chat_conv_parse_json(mote_chat_conv *c, const char *json, size_t len);
int mote_chat_conv_load_json(mote_chat_conv *c, const char *path);
/* Write the conversation as such a JSON array (via a temporary file and a rename). */
int mote_chat_conv_save_json(const mote_chat_conv *c, const char *path);

/* Format n messages; *out gets a malloc'd NUL-terminated string (the caller
 * frees it). add_generation_prompt appends the opening of an assistant turn.
 * opt may be NULL (defaults). Fails, as the template does, on a conversation
 * the family refuses (Gemma: roles that do not alternate). */
int mote_chat_format(const char *name, const mote_chat_message *msgs, size_t n, bool add_generation_prompt,
                     const mote_chat_options *opt, char **out);

/* Any chat template, run: a Jinja interpreter for what chat templates use,
 * rendering the same bytes as Python's jinja2 in the environment Hugging
 * Face transformers sets up (trim_blocks, lstrip_blocks, tojson,
 * raise_exception, strftime_now). mote_chat_format's built-in families are
 * a fast path; a template none of them matches renders through this. */
typedef struct mote_chat_jinja mote_chat_jinja;

/* Parse Jinja source; errors name the construct and the line
 * ("chat template line 12: unknown filter 'foo'"). */
int mote_chat_jinja_parse(const char *source, mote_chat_jinja **out);
void mote_chat_jinja_free(mote_chat_jinja *t);

/* More input for a render (zero-initialise; every field optional). */
typedef struct {
    const char *messages_json; /* the conversation as an OpenAI-style JSON array (tool_calls, tool results,
                                  reasoning_content ...); used instead of msgs when set */
    const char *tools_json;    /* JSON array of tool definitions for `tools` (NULL: tools = none) */
    const char *extra_json;    /* JSON object of more variables, e.g. {"reasoning_effort": "low"} */
    int64_t now;               /* strftime_now's time, seconds since the epoch in UTC; 0: the local clock */
} mote_chat_jinja_input;

/* Render a conversation: the template sees messages, add_generation_prompt,
 * bos_token and eos_token (from opt; NULL: ""), enable_thinking (opt; NULL
 * opt: true) and tools (none unless in->tools_json). *out is malloc'd. */
int mote_chat_jinja_render(const mote_chat_jinja *t, const mote_chat_message *msgs, size_t n,
                           bool add_generation_prompt, const mote_chat_options *opt,
                           const mote_chat_jinja_input *in, char **out);
/* Render with exactly the variables of a JSON object (tests, servers). */
int mote_chat_jinja_render_vars(const mote_chat_jinja *t, const char *vars_json, int64_t now, char **out);

/* Split a generated answer into its reasoning (the text of a leading
 * <think>...</think> block, or everything before a lone </think> when the
 * template opened the block in the prompt) and the answer after it, both
 * without surrounding whitespace. Spans point into `text`; reasoning is
 * {text, 0} when there is none. An unclosed <think> is all reasoning. */
typedef struct {
    const char *reasoning;
    size_t reasoning_len;
    const char *answer;
    size_t answer_len;
} mote_chat_reasoning;
mote_chat_reasoning mote_chat_split_reasoning(const char *text);
/* --- tool calls ------------------------------------------------------------- */
/* Function calls a model wrote, read from its answer in the syntax of its
 * family. Formats: "hermes" (Qwen 2.5 / 3 and Hermes: <tool_call>{"name",
 * "arguments"}</tool_call>), "llama3" (Llama 3.1 / 3.2 / 3.3: {"name",
 * "parameters"} as the whole answer, or after <|python_tag|>, also a
 * built-in tool's name.call(key="value")), "phi4-mini" (<|tool_call|>[...]
 * <|/tool_call|>), "mistral" ([TOOL_CALLS][...] or [TOOL_CALLS]name[ARGS]{...});
 * the chat formats' names are accepted as aliases (qwen3, chatml, llama3.1, ...). */
typedef struct {
    char *name;
    char *arguments;  /* a JSON object, compact ("{}" when the model gave none) */
    char *id;         /* the call's id when the model wrote one (Mistral), else NULL */
} mote_tool_call;

typedef struct {
    char *content;          /* the answer's text outside the calls, trimmed ("" if none) */
    mote_tool_call *calls;
    size_t n_calls;
} mote_tool_calls;

/* Split `len` bytes of an answer into content and calls. Text that looks
 * like a call but does not parse stays in the content. *out is emptied
 * first; free it with mote_tool_calls_free. */
int mote_tool_calls_parse(const char *format, const char *text, size_t len, mote_tool_calls *out);
void mote_tool_calls_free(mote_tool_calls *c);
/* The call syntax a Jinja chat template teaches its model ("hermes",
 * "llama3", "phi4-mini", "mistral"), read from the tags it prints; NULL when
 * the template shows no tools. */
const char *mote_tool_format_detect(const char *jinja);
/* GBNF (malloc'd, the caller frees) that forces one well-formed call in the
 * family's syntax, to the tool named `name` or (NULL) to any of the tools,
 * with arguments valid under the tool's "parameters" JSON Schema. tools_json
 * is an OpenAI / Ollama tools array ([{"type": "function", "function":
 * {"name", "description", "parameters"}}], bare function objects work too).
 * For tool_choice "required" or a named function. */
int mote_tool_call_gbnf(const char *format, const char *tools_json, size_t len, const char *name, char **gbnf);

/* ======================================================================== */
/* 5. Tokenizer                                                             */
/* ======================================================================== */

/* A vocabulary read from a GGUF file's tokenizer.ggml.* keys. Three families:
 *   SPM  "llama"  SentencePiece BPE with byte fallback (Llama 2, TinyLlama,
 *                 stories260K, Phi-3, Gemma 3),
 *   BPE  "gpt2"   byte-level BPE with a pre-tokenizer named by
 *                 tokenizer.ggml.pre (gpt-2, llama-bpe, qwen2, smollm, ...),
 *                 and "gemma4" (BPE on raw UTF-8 with byte fallback),
 *   WPM  "bert"   WordPiece (embedding models).
 * Token ids match llama.cpp's (and so Hugging Face's) exactly. A vocabulary
 * is read-only once loaded: any number of threads may tokenize with it. */
typedef struct mote_vocab mote_vocab;

typedef enum { MOTE_VOCAB_SPM = 1, MOTE_VOCAB_BPE = 2, MOTE_VOCAB_WPM = 3 } mote_vocab_type;

#define MOTE_TOKEN_NONE (-1) /* "no such token" (e.g. a vocabulary without EOT) */

/* Load the vocabulary of an open GGUF file. The result copies what it needs:
 * the file may be closed afterwards. */
int mote_vocab_load(const mote_gguf *g, mote_vocab **out);
void mote_vocab_free(mote_vocab *v);

mote_vocab_type mote_vocab_kind(const mote_vocab *v);
int32_t mote_vocab_n_tokens(const mote_vocab *v);
/* Special ids, or MOTE_TOKEN_NONE. eot is the end-of-turn token of chat
 * models (<|eot_id|>, <|im_end|>, <end_of_turn>, <|end|>), found by key or text. */
int32_t mote_vocab_bos(const mote_vocab *v);
int32_t mote_vocab_eos(const mote_vocab *v);
int32_t mote_vocab_eot(const mote_vocab *v);
int32_t mote_vocab_unk(const mote_vocab *v);
int32_t mote_vocab_pad(const mote_vocab *v);
int32_t mote_vocab_sep(const mote_vocab *v);
/* Whether tokenizing with add_special adds BOS / EOS (from the file's flags). */
bool mote_vocab_adds_bos(const mote_vocab *v);
bool mote_vocab_adds_eos(const mote_vocab *v);
/* True if generating `token` should end the reply: EOS, EOT and the other
 * end-of-turn control tokens of the family. False for out-of-range ids. */
bool mote_vocab_is_eog(const mote_vocab *v, int32_t token);
/* True for control tokens (<s>, <|im_start|>, ...): not text, not shown by default. */
bool mote_vocab_is_control(const mote_vocab *v, int32_t token);
/* The id of a token given its exact stored text ("<|im_start|>"), or MOTE_TOKEN_NONE. */
int32_t mote_vocab_find(const mote_vocab *v, const char *text, size_t len);
/* The token's text as stored in the file ("▁the", "Ġthe", "<0x0A>"), or NULL. */
const char *mote_vocab_text(const mote_vocab *v, int32_t token, size_t *len);

/* Turn `len` bytes of text into token ids.
 *   add_special:   add BOS / EOS (SEP for WPM) as the vocabulary asks.
 *   parse_special: recognise control tokens written in the text
 *                  ("<|im_start|>"); off for user text, on for chat templates.
 *                  (User-defined tokens are always recognised, as in llama.cpp.)
 * Writes up to `capacity` ids and sets *n_tokens to the number produced. If
 * they do not fit, nothing useful is in `tokens`, *n_tokens is the capacity
 * needed and MOTE_ERR_INVALID_ARG is returned. Any bytes are accepted
 * (invalid UTF-8 becomes byte tokens, never a crash). */
int mote_tokenize(const mote_vocab *v, const char *text, size_t len, bool add_special, bool parse_special,
                  int32_t *tokens, size_t capacity, size_t *n_tokens);
/* Same, into a malloc'ed array the caller frees. */
int mote_tokenize_alloc(const mote_vocab *v, const char *text, size_t len, bool add_special, bool parse_special,
                        int32_t **tokens, size_t *n_tokens);

/* The bytes a token stands for ("▁the" -> " the", "<0x0A>" -> "\n", control
 * tokens -> their text). Not NUL-safe: use *len. NULL for out-of-range ids.
 * A piece may be part of a UTF-8 character (byte tokens): use mote_detok to
 * print text. */
const char *mote_token_piece(const mote_vocab *v, int32_t token, size_t *len);

/* Detokenizer options. */
#define MOTE_DETOK_SPECIAL 1u      /* show control tokens' text ("<|im_end|>"); default: nothing */
#define MOTE_DETOK_STRIP_SPACE 2u  /* drop the space SentencePiece adds before the first word
                                    * and after each special token (only for vocabularies that
                                    * add one): use it to get back the exact text given to
                                    * mote_tokenize; leave it off when printing a continuation */

/* Streaming detokenizer: feed generated tokens one at a time and get back
 * only whole UTF-8 characters; a token that ends inside a character (byte
 * tokens, split emoji) is held until the character completes. Bytes that can
 * never form a valid character are passed through as they are. */
typedef struct mote_detok mote_detok;

mote_detok *mote_detok_new(const mote_vocab *v, unsigned flags);
void mote_detok_free(mote_detok *d);
/* Add one token; returns the bytes that are now complete (valid until the
 * next call on d) and sets *len. Unknown ids produce nothing. */
const char *mote_detok_feed(mote_detok *d, int32_t token, size_t *len);
/* Return whatever is held back (an incomplete character at the end of the
 * stream) and reset d for a new stream. */
const char *mote_detok_flush(mote_detok *d, size_t *len);

/* Whole-array detokenization (feed + flush) into a malloc'ed, NUL-terminated
 * string the caller frees; *len excludes the NUL. */
int mote_detokenize(const mote_vocab *v, const int32_t *tokens, size_t n, unsigned flags, char **text, size_t *len);

/* ======================================================================== */
/* 6. Models and generation                                                 */
/* ======================================================================== */

/* A model is a GGUF file mapped read-only plus the hyper-parameters and
 * weight pointers read from it; weights are used in place, never copied.
 * Supported architectures: llama, qwen3, gemma3, phi3, qwen2, gpt2, bitnet, smollm3, gemma2 and
 * the embedding model bert (mote_embed). One model can serve
 * several contexts. */
typedef struct mote_model mote_model;

/* Load a model: check the architecture, every tensor's presence, shape and
 * that mote has kernels for its type. Errors name the missing or unusable
 * tensor (or list the supported architectures). */
int mote_model_load(const char *path, mote_model **out);
void mote_model_free(mote_model *m);

/* How a model is loaded. All false (zeroed) is the default. */
typedef struct {
    bool no_mmap;          /* read the file into RAM (mote_gguf_open_read) instead of mapping it */
    bool mlock;            /* lock the weights in RAM (see mote_model_locked_bytes) */
    bool no_memory_check;  /* load even when the weights clearly do not fit the memory available */
    bool no_repack;        /* keep the file's layout (slower matrix products, no copy made at load):
                              for looking at a model's sizes (mote fit) */
} mote_model_params;

mote_model_params mote_model_default_params(void);
/* mote_model_load with parameters. Unless p->no_memory_check, refuses
 * (MOTE_ERR_NOMEM, before mapping, reading or allocating anything) a model
 * file larger than the memory available to the process (see
 * mote_memory_available), with the numbers in the message. */
int mote_model_load_with(const char *path, const mote_model_params *p, mote_model **out);
/* The parameters mote_model_load uses (process-wide, like the progress
 * callback below: a front end sets them once from its command line). */
void mote_set_model_params(const mote_model_params *p);
/* Bytes this process can still use: the least of the machine's
 * MemAvailable, its cgroup's memory limit (v2 memory.max, v1
 * memory.limit_in_bytes) less the cgroup's usage, and the address-space
 * limit (`ulimit -v`) less what is mapped. *source (if not NULL) names the
 * one that set it ("MemAvailable", ...). */
uint64_t mote_memory_available(const char **source);

/* Bytes put under mlock (0 without it): the repacked copy, locked at once,
 * and the file's range, whose pages are locked as they are first read (the
 * pages of repacked matrices, never read again, stay out). When locking
 * failed, *why (if why is not NULL) gets the reason, else NULL. */
size_t mote_model_locked_bytes(const mote_model *m, const char **why);
/* Why the weights were not repacked into the kernels' stored layout though
 * they could have been (no memory for the copy: the model then runs from
 * the file's layout, correct but slower), or NULL. */
const char *mote_model_repack_note(const mote_model *m);
/* Progress of mote_model_load's real work (repacking the weights into the
 * kernels' layout), for a front end's progress line: fn(done, total, user)
 * in bytes after each matrix. NULL: none. Process-wide; set before loading. */
typedef void (*mote_load_progress_fn)(int64_t done, int64_t total, void *user);
void mote_set_load_progress(mote_load_progress_fn fn, void *user);

/* "llama, qwen3, gemma3, phi3, qwen2, gpt2, bert, bitnet, smollm3, gemma2" */
const char *mote_model_supported_archs(void);
const char *mote_model_arch(const mote_model *m);       /* general.architecture */
int32_t mote_model_n_vocab(const mote_model *m);        /* rows of the output head */
int32_t mote_model_n_ctx_train(const mote_model *m);    /* {arch}.context_length */
int32_t mote_model_n_embd(const mote_model *m);
int32_t mote_model_n_layer(const mote_model *m);
uint64_t mote_model_n_params(const mote_model *m);      /* elements of all tensors */
size_t mote_model_weight_bytes(const mote_model *m);    /* bytes of all tensors (mapped) */
/* The underlying file, e.g. to build the tokenizer from the same metadata. */
const mote_gguf *mote_model_gguf(const mote_model *m);

/* A context holds the state of up to n_seq sequences (conversations): one
 * KV cache (f16 unless asked otherwise) of n_ctx cells and the activation buffers, all allocated
 * once by mote_context_new.
 *
 * How the cache is shared: the n_ctx cells are split into n_seq equal,
 * fixed regions of n_ctx / n_seq cells, one per sequence (llama-server
 * splits its context among its slots the same way). A sequence is always a
 * gapless run of positions 0..len-1 stored at cells 0..len-1 of its region,
 * so attention reads each sequence's keys as one contiguous block, and the
 * total stays n_ctx cells whatever S is. Copying a prefix from one sequence
 * to another copies cells (evaluated once, stored twice).
 *
 * Threading: a context is one-thread-at-a-time (every call that takes a
 * mote_context, the read-only getters included, must not run on two threads
 * at once). Different contexts may be used on different threads at the same
 * time, also when they share one model. Contexts with the same thread count
 * share one process-wide worker pool (a matrix product of one waits while
 * another's runs), so N contexts never start N x cores threads. */
typedef struct mote_context mote_context;

typedef struct {
    int32_t n_ctx;       /* cells of the KV cache, for all sequences together; 0: min(model's context length, 4096) */
    int32_t n_batch;     /* most tokens per call; 0: 512 (a causal model evaluates them in
                          * forward steps of at most 128: mote_context_n_step) */
    int32_t n_threads;   /* 0: default (the number of physical cores) */
    bool all_logits;     /* room for the logits of every token of a step (perplexity) */
    int32_t n_seq;       /* sequences the cache holds (0: 1); each gets n_ctx / n_seq cells */
    /* How keys and values are cached (llama.cpp's -ctk / -ctv): MOTE_TYPE_F16
     * (the default; 0 also means f16), or MOTE_TYPE_Q8_0 (about half of f16's
     * memory), MOTE_TYPE_Q4_0 (about a quarter), or q4_1, q5_0, q5_1, iq4_nl.
     * A block type needs n_head_kv * head_dim to be a multiple of 32; values
     * are rounded once more where they are read (see bench/RESULTS.md for the
     * perplexity this costs). */
    int32_t type_k;
    int32_t type_v;
} mote_context_params;

mote_context_params mote_context_default_params(void);
/* Fails before allocating anything if the cache and buffers would not fit in
 * the machine's available memory. */
int mote_context_new(mote_model *m, const mote_context_params *p, mote_context **out);
/* What mote_context_new(m, p) would allocate, without allocating it: the KV
 * cache, and everything else (activations, logits, matrix-product scratch,
 * attention's f16 scratch for a quantized cache). Fails as mote_context_new
 * would on bad parameters, but not for lack of memory. */
int mote_context_estimate(const mote_model *m, const mote_context_params *p, size_t *kv_bytes, size_t *other_bytes);
void mote_context_free(mote_context *c);

int32_t mote_context_n_ctx(const mote_context *c);      /* cells of the whole cache */
int32_t mote_context_n_seq(const mote_context *c);
int32_t mote_context_n_threads(const mote_context *c);
int32_t mote_context_n_step(const mote_context *c);    /* most tokens per forward step (see n_batch) */
int32_t mote_context_seq_capacity(const mote_context *c); /* cells per sequence: n_ctx / n_seq */
int32_t mote_context_n_past(const mote_context *c);     /* tokens in sequence 0 */
size_t mote_context_kv_bytes(const mote_context *c);    /* bytes of the KV cache */
int mote_context_type_k(const mote_context *c);         /* how it stores keys (MOTE_TYPE_F16 ...) */
int mote_context_type_v(const mote_context *c);         /* and values */
size_t mote_context_memory(const mote_context *c);      /* bytes of everything the context allocated */
/* Empty every sequence (the next token of each is at position 0). */
void mote_context_reset(mote_context *c);

/* Evaluate `n` tokens of sequence 0 following those already in the cache (a
 * prompt in one call, or one token at a time). *logits receives n_vocab
 * floats for the last token, or, with all_logits, n rows of n_vocab floats,
 * one after each token (this needs a context made with all_logits and
 * n <= n_batch). The logits stay valid until the next call. Fails (leaving
 * the cache as it was) if the tokens do not fit the sequence's cells or a
 * token id is out of range. */
int mote_decode(mote_context *c, const int32_t *tokens, int32_t n, bool all_logits, const float **logits);

/* --- sequences in the KV cache ---------------------------------------------- */
/* Sequence ids are 0..n_seq-1. Each call fails with MOTE_ERR_INVALID_ARG
 * (changing nothing) on an id or a length out of range. */

/* Tokens the sequence holds (its next token goes at this position). */
int32_t mote_seq_len(const mote_context *c, int32_t seq);
/* Forget the sequence. */
int mote_seq_clear(mote_context *c, int32_t seq);
/* Keep only the first n tokens (n <= length). */
int mote_seq_truncate(mote_context *c, int32_t seq, int32_t n);
/* Make dst hold the first n tokens of src (whatever dst held is dropped):
 * a shared prompt prefix evaluated once, used by several sequences. */
int mote_seq_copy(mote_context *c, int32_t src, int32_t dst, int32_t n);
/* Context shift: drop n_discard tokens after the first n_keep, move the rest
 * down and re-rotate their keys to their new positions (as llama.cpp's
 * context shift does; the re-rotation of f16 keys is not exact, see
 * docs/engine.md for the measured difference to a fresh evaluation). */
int mote_seq_shift(mote_context *c, int32_t seq, int32_t n_keep, int32_t n_discard);

/* --- batched decoding -------------------------------------------------------- */
/* One token of a batch: which sequence it extends, at which position, and
 * whether its logits are wanted. pos -1 appends at the sequence's current
 * end; pos in 0..len first truncates the sequence to pos (overwriting what
 * followed), so a sequence never has gaps. Tokens of one sequence are taken
 * in batch order. */
typedef struct {
    int32_t token;
    int32_t seq;
    int32_t pos;
    bool logits;
} mote_batch_token;

/* Evaluate n tokens belonging to any of the context's sequences in one
 * forward pass per step (mote_context_n_step tokens): the matrix products take all the step's
 * tokens together, attention runs per token over its own sequence's cells.
 * Prefill of some sequences and one-token steps of others may be mixed.
 * *logits receives one row of n_vocab floats per token marked `logits`, in
 * batch order; at most n_seq rows (or n_batch with all_logits). Valid until
 * the next call. Checks everything first: on failure nothing was evaluated.
 * Each sequence's numbers do not depend on what else is in the batch (the
 * same as decoding it alone, bit for bit). */
int mote_decode_batch(mote_context *c, const mote_batch_token *batch, int32_t n, const float **logits);

/* --- generation ------------------------------------------------------------ */
/* Called with each token chosen by mote_generate, before it is evaluated;
 * return false to stop (e.g. at an end-of-generation token). */
typedef bool (*mote_token_fn)(int32_t token, void *user);

typedef struct {
    int32_t n_prompt;      /* prompt tokens evaluated */
    int64_t prompt_ns;     /* time spent evaluating them */
    int32_t n_eval;        /* tokens generated (sampled) */
    int64_t eval_ns;       /* time spent sampling and evaluating them */
} mote_timings;

/* Evaluate `prompt` (n_prompt > 0 tokens) after what the cache holds, then
 * choose up to n_predict tokens with `sampler` (NULL: greedy), handing each
 * to on_token. Stops early when on_token returns false or the context is
 * full. Prompt tokens are recorded in the sampler's history. */
int mote_generate(mote_context *c, const int32_t *prompt, int32_t n_prompt, int32_t n_predict,
                  mote_sampler *sampler, mote_token_fn on_token, void *user, mote_timings *timings);

/* --- perplexity ------------------------------------------------------------ */
/* Called after each chunk with the running estimate. */
typedef void (*mote_ppl_fn)(int32_t chunk, int32_t n_chunks, double ppl, void *user);

/* llama-perplexity's method: the tokens are cut into chunks of n_ctx tokens
 * (the context's size); each chunk is evaluated from an empty cache with its
 * first token replaced by `bos` (unless bos < 0); the first half is context
 * and the log-likelihood of each token of the second half is scored.
 * The context must have been made with all_logits. Gives PPL = exp(mean NLL)
 * and its standard error. Needs at least n_ctx tokens (one chunk);
 * llama-perplexity's rule of a text of at least 2 * n_ctx tokens is the
 * caller's to apply to the whole text before cutting it to --chunks. */
int mote_perplexity(mote_context *c, const int32_t *tokens, int64_t n_tokens, int32_t bos, mote_ppl_fn on_chunk,
                    void *user, double *ppl, double *ppl_err);

/* ======================================================================== */
/* 6b. Many conversations: the scheduler                                    */
/* ======================================================================== */

/* A scheduler keeps up to n_seq requests going on one context: each step is
 * one mote_decode_batch holding one token of every generating request and
 * as much of the waiting prompts as n_batch leaves room for, then one token
 * is chosen per generating request with its own sampler. A request goes to
 * the free sequence whose cached tokens share the longest prefix with its
 * prompt, and only the rest of the prompt is evaluated (the next turn of a
 * chat evaluates only the new messages).
 *
 * Threading: one thread at a time per scheduler (and its context); the
 * callbacks run on that thread, inside mote_sched_step. */
typedef struct mote_sched mote_sched;

typedef enum {
    MOTE_STOP_NONE = 0,     /* still running */
    MOTE_STOP_EOG,          /* the model ended its turn (an end-of-generation token) */
    MOTE_STOP_CALLER,       /* on_token returned false (a stop string, a disconnect, ...) */
    MOTE_STOP_LENGTH,       /* n_predict tokens were generated */
    MOTE_STOP_CONTEXT,      /* the sequence's cells are full (and no context shift) */
    MOTE_STOP_CANCEL,       /* mote_sched_cancel */
    MOTE_STOP_ERROR,        /* evaluation failed (mote_last_error at the time of on_done) */
} mote_stop_reason;

/* "eos", "stop", "length", "context", "cancel", "error" ("" for NONE). */
const char *mote_stop_reason_name(mote_stop_reason r);

/* Called with each chosen token (it is not part of the prompt); return
 * false to stop the request (MOTE_STOP_CALLER). An end-of-generation token
 * is not passed when stop_at_eog is set. */
typedef bool (*mote_sched_token_fn)(int32_t token, void *user);
/* Called once when the request ends, whatever the reason; timings as in
 * mote_generate (prompt_ns: from admission until the prompt was evaluated;
 * n_prompt counts the tokens evaluated, not those reused from the cache). */
typedef void (*mote_sched_done_fn)(mote_stop_reason why, const mote_timings *t, void *user);

typedef struct {
    const int32_t *prompt;   /* copied by mote_sched_submit; at least one token */
    int32_t n_prompt;
    int32_t n_predict;       /* -1: until the end of the turn or a full context */
    mote_sampler *sampler;   /* NULL: greedy; the caller's, used only inside mote_sched_step */
    bool stop_at_eog;        /* stop at the vocabulary's end-of-generation tokens */
    bool context_shift;      /* when the sequence is full, drop half of what follows n_keep and go on */
    int32_t n_keep;          /* tokens at the start kept by a context shift */
    mote_sched_token_fn on_token;
    mote_sched_done_fn on_done;
    void *user;
} mote_request;

/* A scheduler over the context's n_seq sequences. vocab (for stop_at_eog)
 * may be NULL. The context must outlive the scheduler. */
int mote_sched_new(mote_context *c, const mote_vocab *vocab, mote_sched **out);
void mote_sched_free(mote_sched *s);
/* Admit a request into a free sequence; *id identifies it (for cancel).
 * MOTE_ERR_UNSUPPORTED ("busy") when every sequence is taken;
 * MOTE_ERR_INVALID_ARG when the prompt cannot fit a sequence's cells. */
int mote_sched_submit(mote_sched *s, const mote_request *r, int32_t *id);
/* End a request now (on_done with MOTE_STOP_CANCEL, inside this call). */
int mote_sched_cancel(mote_sched *s, int32_t id);
/* One batched forward pass and the tokens it yields. Returns the number of
 * requests still running afterwards (0: idle), or a negative status. */
int mote_sched_step(mote_sched *s);
/* Requests running; sequences free for new ones. */
int32_t mote_sched_n_active(const mote_sched *s);
int32_t mote_sched_n_free(const mote_sched *s);

/* --- stop strings ------------------------------------------------------------ */
/* Finds stop strings in streamed text, holding back the bytes that could be
 * the start of one, so that no part of a stop string is ever shown. Shared
 * by run, chat and the server. */
typedef struct mote_stopper mote_stopper;

/* Copies the n strings (empty ones are refused with MOTE_ERR_INVALID_ARG). */
int mote_stopper_new(const char *const *stops, size_t n, mote_stopper **out);
void mote_stopper_free(mote_stopper *s);
/* Add text; *out and *out_len get the bytes now safe to show (valid until the
 * next call). Returns true when a stop string has completed: then the text
 * before it has been returned and the rest is dropped. */
bool mote_stopper_feed(mote_stopper *s, const char *text, size_t len, const char **out, size_t *out_len);
/* The bytes held back at the end of a stream (no stop string came); resets. */
const char *mote_stopper_flush(mote_stopper *s, size_t *len);
/* Which stop string ended the text (after feed returned true), else NULL. */
const char *mote_stopper_matched(const mote_stopper *s);

/* ======================================================================== */
/* 6c. Embeddings                                                           */
/* ======================================================================== */

/* How a text's last hidden states (one row of n_embd per token) become one
 * vector; numbered as the GGUF key {arch}.pooling_type. */
typedef enum {
    MOTE_POOLING_DEFAULT = -1, /* the model's: its file's pooling_type (BERT), mean for decoder models */
    MOTE_POOLING_MEAN = 1,     /* the average over every token ([CLS] and [SEP], or BOS, included) */
    MOTE_POOLING_CLS = 2,      /* the first token's row */
    MOTE_POOLING_LAST = 3,     /* the last token's row */
} mote_pooling;

typedef struct {
    mote_pooling pooling;
    bool normalize;            /* scale each vector to unit length (L2) */
} mote_embed_params;

/* MOTE_POOLING_DEFAULT, normalised. */
mote_embed_params mote_embed_default_params(void);
/* True for an embedding model (an encoder without an output head: bert). */
bool mote_model_is_embedding(const mote_model *m);
/* The pooling MOTE_POOLING_DEFAULT stands for with this model. */
mote_pooling mote_model_pooling(const mote_model *m);

/* One vector per token sequence: out receives n rows of n_embd floats, row
 * i for tokens[i] (n_tokens[i] > 0 ids). Each is evaluated as its own
 * sequence from position 0; up to n_seq of them share one forward pass
 * (at most n_batch tokens together), and a vector does not depend on what
 * shared its pass. Every sequence of the context is emptied first and left
 * empty after.
 * The last hidden state is the output of the last layer, after the final
 * norm for decoder models (as llama.cpp and Ollama take it). A model that
 * is not causal sees a whole text at once: each sequence must fit the
 * context's n_batch. On failure nothing useful is in out. */
int mote_embed_tokens(mote_context *c, const int32_t *const *tokens, const int32_t *n_tokens, int32_t n,
                      const mote_embed_params *p, float *out);
/* The same for n texts, tokenized with vocabulary v adding the special
 * tokens the vocabulary asks for ([CLS] ... [SEP], or BOS). */
int mote_embed(mote_context *c, const mote_vocab *v, const char *const *texts, int32_t n,
               const mote_embed_params *p, float *out);

/* ======================================================================== */
/* 8. Synthetic models                                                      */
/* ======================================================================== */

/* The exact hyper-parameters of well-known small models, so that a model of
 * the same shape (random weights, right tensor names, sizes and metadata) can
 * be written and benchmarked without downloading anything. */
typedef struct {
    const char *name;        /* "qwen3-0.6b" */
    const char *arch;        /* general.architecture: llama, qwen3, gemma3, phi3, qwen2, gpt2, bert, bitnet, smollm3, gemma2 */
    int32_t n_embd;          /* hidden size */
    int32_t n_layer;
    int32_t n_head;
    int32_t n_head_kv;
    int32_t head_dim;        /* n_head * head_dim may differ from n_embd (qwen3, gemma3) */
    int32_t n_rot;           /* dimensions rotated by RoPE (phi4-mini: 96 of 128); unused without rope */
    int32_t n_ff;            /* feed-forward hidden size */
    int32_t n_vocab;
    int32_t n_ctx_train;     /* context length */
    float rope_base;         /* rope theta (gemma3: of the global layers) */
    float rope_base_swa;     /* gemma3: rope theta of the sliding-window layers; 0 otherwise */
    float norm_eps;          /* norm epsilon (RMSNorm, or LayerNorm for gpt2 and bert) */
    int32_t sliding_window;  /* gemma3: window of the local layers; 0 = none */
    int32_t swa_pattern;     /* gemma3: every swa_pattern-th layer is global */
    bool tied_embd;          /* the output head reuses token_embd (no output.weight) */
    bool qk_norm;            /* per-head RMS norms of q and k (qwen3, gemma3) */
    bool post_norms;         /* norms after attention and after the FFN (gemma3) */
    bool fused;              /* fused attn_qkv and gate+up ffn_up tensors (phi3; gpt2's attn_qkv) */
    uint64_t published_params; /* the model card's parameter count (0 for test shapes) */
    const char *source;      /* where the numbers come from */
    int32_t pooling;         /* embedding models: the pooling_type written (mote_pooling); 0: the architecture's */
} mote_model_shape;

/* All known shapes, ending with an entry whose name is NULL. */
const mote_model_shape *mote_model_shapes(void);
/* The shape called `name` (case-insensitive), or NULL. */
const mote_model_shape *mote_model_shape_find(const char *name);
/* Number of weights of a model of this shape (every tensor synth writes). */
uint64_t mote_model_shape_n_params(const mote_model_shape *s);

/* Options of mote_synth_write. */
typedef struct {
    const char *type;        /* a type or preset name: "f16", "q8_0", "q4_0", "q4_k_m", ... */
    uint64_t seed;           /* of the random weights; the same seed gives the same file */
    int32_t n_ctx;           /* context length to record; 0: the shape's */
    void (*progress)(int64_t done, int64_t total, const char *tensor, void *user); /* NULL: quiet */
    void *user;
    const char *vocab_from;  /* a GGUF whose tokenizer.* keys (a real vocabulary of the shape's n_vocab
                              * tokens) replace the synthetic one, so text tokenizes as with the real
                              * model; NULL: synthetic */
} mote_synth_params;

mote_synth_params mote_synth_default_params(void);
/* Write a GGUF model of the given shape with random weights at the real
 * model's scale, quantized tensor by tensor as the preset says (llama.cpp's
 * per-tensor choices, e.g. Q6_K output head for Q4_K_M), and a synthetic
 * vocabulary of n_vocab tokens (or p->vocab_from's). Memory: about one quantized tensor. The file
 * is written under a temporary name and renamed: a failure leaves nothing. */
int mote_synth_write(const mote_model_shape *s, const mote_synth_params *p, const char *path);


/* ======================================================================== */
/* 9. Metering: time, CPU, memory and energy of a piece of work             */
/* ======================================================================== */

/* A meter measures what happens between mote_meter_start and
 * mote_meter_stop in this process: wall time, CPU time (all threads, from
 * getrusage), page faults, the process's peak RSS, and energy from the best
 * source the machine has, tried in this order:
 *
 *   "rapl"          Linux powercap/RAPL counters (/sys/class/powercap/
 *                   intel-rapl:N/energy_uj, summed over packages, wrap
 *                   handled); readable only by root since Linux 5.10;
 *   "hwmon:NAME"    an ina2xx power monitor (INA219/INA226/INA260 ...):
 *                   energy1_input (uJ), or power1_input (uW) integrated over
 *                   time;
 *   "pi5-pmic"      the Raspberry Pi 5 PMIC (`vcgencmd pmic_read_adc`): the
 *                   sum over rails of current x voltage, integrated;
 *   "declared"      a model given by the user: idle + (busy - idle) x the
 *                   share of the machine's CPUs in use.
 *
 * Power readings are sampled by a background thread every sample_ms while
 * the meter runs. Why each better source was not used is kept as text
 * (mote_meter_notes), so a front end can say it under --verbose. A meter is
 * one-thread-at-a-time; start/stop may be repeated (one interval each). */
typedef struct mote_meter mote_meter;

typedef struct {
    const char *sysfs_root;  /* where /sys is; NULL: $MOTE_SYSFS_ROOT, else "/sys" */
    const char *vcgencmd;    /* the vcgencmd program; NULL: $MOTE_VCGENCMD, else "vcgencmd" (PATH) */
    const char *source;      /* NULL or "auto": the best available; else "rapl", "hwmon",
                              * "pi5-pmic", "declared" or "none" (that one or no energy) */
    double idle_watts;       /* the declared model; busy_watts <= 0: none declared */
    double busy_watts;
    double grid_g_per_kwh;   /* grid carbon intensity for co2_g; <= 0: not reported */
    int32_t sample_ms;       /* sampling period of power sensors; 0: 200; < 0: only at start and stop */
} mote_meter_params;

/* What one interval cost. */
typedef struct {
    double wall_s;           /* elapsed (monotonic clock) */
    double cpu_user_s, cpu_sys_s, cpu_s;  /* CPU time of all the process's threads */
    double cpu_percent;      /* 100 x cpu_s / wall_s (above 100 with several threads busy) */
    uint64_t peak_rss_bytes; /* the process's peak resident set so far (not per interval) */
    int64_t minor_faults, major_faults;   /* page faults in the interval */
    bool has_energy;         /* false: no source (source "none") */
    char source[40];         /* "rapl", "hwmon:ina260", "pi5-pmic", "declared", "none" */
    double joules;           /* energy of the interval */
    double watts;            /* joules / wall_s */
    double co2_g;            /* grams of CO2 at grid_g_per_kwh; < 0 when no intensity was given */
} mote_meter_report;

/* Defaults: automatic source, no declared model, no grid intensity, 200 ms. */
mote_meter_params mote_meter_default_params(void);
/* Probe the energy sources and keep the chosen one open. Fails only on bad
 * parameters (a negative wattage, an unknown source name) or when a source
 * named explicitly is not available (the message says why). */
int mote_meter_new(const mote_meter_params *p, mote_meter **out);
void mote_meter_free(mote_meter *m);
/* The energy source in use ("none" if there is none). */
const char *mote_meter_source(const mote_meter *m);
/* One line per source that was tried and not used, saying why ("" if none). */
const char *mote_meter_notes(const mote_meter *m);
int mote_meter_start(mote_meter *m);
/* End the interval begun by mote_meter_start and describe it in *out. */
int mote_meter_stop(mote_meter *m, mote_meter_report *out);
/* Joules per token of an interval that handled n tokens (0 without energy or tokens). */
double mote_meter_joules_per_token(const mote_meter_report *r, int64_t n_tokens);
/* A one-line summary for people: "wall 1.20 s, cpu 2.31 s (192%), peak RSS
 * 12.4 MiB, faults 310 minor / 0 major, energy 5.1 J at 4.25 W (rapl)". */
void mote_meter_format(const mote_meter_report *r, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif /* MOTE_H */
