/*
 * gguf_internal.h — the in-memory form of a parsed GGUF file, shared by the
 * reader (gguf_read.c), the queries (gguf_query.c) and the writer's copy
 * helper. Nothing outside src/gguf should need it: use mote.h.
 */
#ifndef MOTE_GGUF_INTERNAL_H
#define MOTE_GGUF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mote.h"

typedef struct {
    char *key;                 /* NUL-terminated copy */
    mote_gguf_type type;
    /* scalars */
    union {
        uint64_t u;
        int64_t i;
        double f;
    } val;
    char *str;                 /* STRING: NUL-terminated copy */
    size_t str_len;
    /* arrays */
    mote_gguf_type arr_type;
    uint64_t n;
    const uint8_t *arr;        /* numeric elements, in the file */
    char *strbuf;              /* strings: NUL-terminated, back to back */
    uint64_t *str_off;         /* n+1 offsets into strbuf */
} mote_gguf_kv;

struct mote_gguf {
    const uint8_t *base;
    size_t size;
    bool mapped;
    uint32_t version;
    size_t alignment;
    size_t data_offset;
    int64_t n_kv;
    mote_gguf_kv *kvs;
    mote_gguf_kv **kv_sorted;           /* by key, for binary search */
    int64_t n_tensors;
    mote_tensor_info *tensors;
    mote_tensor_info **tensor_sorted;   /* by name, for binary search */
};

/* Key lookup usable before the sorted index exists (while parsing). */
int64_t mote_gguf_find_key_linear(const mote_gguf *g, const char *key);

/* mote_pack_read on an open file of file_size bytes (gguf_pack.c). */
int mote_pack_read_fd(int fd, uint64_t file_size, mote_pack_info *out);

#endif
