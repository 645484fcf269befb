/*
 * fuzz_gguf.c — libFuzzer harness for the GGUF reader.
 *
 * Every input is opened with mote_gguf_open_memory. A rejected input must
 * leave a message; an accepted one is walked completely through the public
 * query API (every key, value, array element and tensor byte range), then
 * summarized and copied into a writer, so that anything the reader accepts
 * is also safe to use — sanitizers catch what the assertions below do not.
 * Built by tests/fuzz/CMakeLists.txt with -DMOTE_FUZZ=ON and CC=clang.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mote.h"

/* Fail loudly (libFuzzer reports the input) when an invariant breaks. */
#define CHECK(cond)                       \
    do {                                  \
        if (!(cond)) __builtin_trap();    \
    } while (0)

static size_t elem_size(mote_gguf_type t) {
    switch (t) {
    case MOTE_GGUF_UINT8: case MOTE_GGUF_INT8: case MOTE_GGUF_BOOL: return 1;
    case MOTE_GGUF_UINT16: case MOTE_GGUF_INT16: return 2;
    case MOTE_GGUF_UINT32: case MOTE_GGUF_INT32: case MOTE_GGUF_FLOAT32: return 4;
    case MOTE_GGUF_UINT64: case MOTE_GGUF_INT64: case MOTE_GGUF_FLOAT64: return 8;
    default: return 0;
    }
}

/* Read the first and last byte of [p, p+n): the input is one allocation, so
 * if both ends are inside it ASan would also accept every byte between
 * (reading them all would slow fuzzing by orders of magnitude on weights). */
static volatile uint8_t sink;
static void touch(const void *p, size_t n) {
    const volatile uint8_t *b = p;
    if (n) sink = (uint8_t)(b[0] ^ b[n - 1]);
}

static void walk_kvs(const mote_gguf *g, mote_gguf_writer *w) {
    for (int64_t i = 0; i < mote_gguf_n_kv(g); i++) {
        const char *key = mote_gguf_key(g, i);
        CHECK(key != NULL);
        CHECK(mote_gguf_find_key(g, key) == i); /* duplicates were rejected */
        mote_gguf_type t = mote_gguf_kv_type(g, i);
        CHECK((unsigned)t < MOTE_GGUF_TYPE_COUNT);
        if (t == MOTE_GGUF_STRING) {
            size_t len;
            const char *s = mote_gguf_val_str(g, i, &len);
            CHECK(s != NULL);
            touch(s, len + 1);
        } else if (t == MOTE_GGUF_ARRAY) {
            mote_gguf_type et = mote_gguf_arr_type(g, i);
            uint64_t n = mote_gguf_arr_n(g, i);
            if (et == MOTE_GGUF_STRING) {
                for (uint64_t j = 0; j < n; j++) {
                    size_t len;
                    const char *s = mote_gguf_arr_str(g, i, j, &len);
                    CHECK(s != NULL);
                    touch(s, len + 1);
                }
                CHECK(mote_gguf_arr_str(g, i, n, NULL) == NULL);
            } else {
                CHECK(elem_size(et) > 0);
                if (n) touch(mote_gguf_arr_data(g, i), (size_t)n * elem_size(et));
            }
        } else {
            (void)mote_gguf_val_u64(g, i);
            (void)mote_gguf_val_i64(g, i);
            (void)mote_gguf_val_f64(g, i);
        }
        (void)mote_gguf_get_u32(g, key, 0);
        (void)mote_gguf_get_i32(g, key, 0);
        (void)mote_gguf_get_f32(g, key, 0);
        (void)mote_gguf_get_str(g, key, NULL);
        CHECK(mote_gguf_writer_copy_kv(w, g, i) == MOTE_OK);
    }
}

static void walk_tensors(const mote_gguf *g, mote_gguf_writer *w) {
    size_t data_size = mote_gguf_file_size(g) - mote_gguf_data_offset(g);
    for (int64_t i = 0; i < mote_gguf_n_tensors(g); i++) {
        const mote_tensor_info *t = mote_gguf_tensor(g, i);
        CHECK(t != NULL && t->name != NULL);
        CHECK(mote_gguf_find_tensor(g, t->name) == t);
        CHECK(mote_type_is_known(t->type));
        CHECK(t->n_dims >= 0 && t->n_dims <= MOTE_MAX_DIMS);
        CHECK(t->offset % mote_gguf_alignment(g) == 0);
        CHECK(t->offset <= data_size && t->size <= data_size - t->offset);
        int64_t ne = mote_tensor_nelements(t);
        CHECK(ne >= 0);
        CHECK((uint64_t)ne / (uint64_t)mote_type_block_size(t->type) * mote_type_block_bytes(t->type) == t->size);
        if (t->size) touch(t->data, t->size);
        CHECK(mote_gguf_writer_add_tensor(w, t->name, t->type, t->n_dims, t->ne, t->data) == MOTE_OK);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* A private copy of exactly `size` bytes, so reads past the end are caught. */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) return 0;
    if (size) memcpy(copy, data, size);
    mote_gguf *g = NULL;
    int rc = mote_gguf_open_memory(copy, size, &g);
    if (rc != MOTE_OK) {
        CHECK(rc < 0 && g == NULL);
        CHECK(mote_last_error()[0] != '\0');
        free(copy);
        return 0;
    }
    CHECK(mote_gguf_data_offset(g) <= mote_gguf_file_size(g));
    mote_gguf_writer *w = mote_gguf_writer_new();
    CHECK(w != NULL);
    walk_kvs(g, w);
    walk_tensors(g, w);
    mote_model_summary s;
    mote_gguf_summarize(g, &s);
    CHECK(s.tensor_bytes <= size);
    mote_gguf_writer_free(w);
    mote_gguf_close(g);
    free(copy);
    return 0;
}
