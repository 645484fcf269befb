/*
 * test_gguf_bad.c — the GGUF reader on hostile input.
 *
 * Broken files are built in memory with a small byte builder (the GGUF
 * layout is documented at the top of src/gguf/gguf_read.c) and opened with
 * mote_gguf_open_memory. Each case asserts its specific status code and that
 * the message names the key, tensor or count concerned. Under the ASan/UBSan
 * build these also prove that nothing reads out of bounds or overflows.
 * The typed getters (defaults, type mismatches, ranges) are tested here too.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ---- a byte builder ------------------------------------------------------ */

typedef struct {
    uint8_t *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *src, size_t n) {
    if (n == 0) return; /* memcpy from a NULL source is undefined even for 0 bytes */
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}
static void u32(buf *b, uint32_t v) { put(b, &v, 4); }
static void u64(buf *b, uint64_t v) { put(b, &v, 8); }
static void str(buf *b, const char *s) {
    u64(b, strlen(s));
    put(b, s, strlen(s));
}
static void header(buf *b, uint32_t version, uint64_t n_tensors, uint64_t n_kv) {
    put(b, "GGUF", 4);
    u32(b, version);
    u64(b, n_tensors);
    u64(b, n_kv);
}
static void kv_u32(buf *b, const char *key, uint32_t v) {
    str(b, key);
    u32(b, MOTE_GGUF_UINT32);
    u32(b, v);
}
static void kv_str(buf *b, const char *key, const char *v) {
    str(b, key);
    u32(b, MOTE_GGUF_STRING);
    str(b, v);
}
/* A tensor info with n_dims dims from ne. */
static void tensor(buf *b, const char *name, uint32_t n_dims, const int64_t *ne, uint32_t type, uint64_t offset) {
    str(b, name);
    u32(b, n_dims);
    put(b, ne, 8 * (size_t)n_dims);
    u32(b, type);
    u64(b, offset);
}
static void pad(buf *b, size_t align) {
    while (b->n % align) put(b, "", 1);
}
static void zeros(buf *b, size_t n) {
    for (size_t i = 0; i < n; i++) put(b, "", 1);
}

/* Open b's bytes; assert the status and that the message contains `needle`. */
static void expect(buf *b, int status, const char *needle) {
    mote_gguf *g = (mote_gguf *)0x1;
    int rc = mote_gguf_open_memory(b->p, b->n, &g);
    if (rc != status) fail_msg("expected %s, got %s: %s", mote_status_name(status), mote_status_name(rc), mote_last_error());
    if (rc == MOTE_OK) {
        assert_non_null(g);
        mote_gguf_close(g);
    } else {
        assert_null(g);
    }
    if (needle && !strstr(mote_last_error(), needle)) fail_msg("message '%s' does not mention '%s'", mote_last_error(), needle);
    free(b->p);
    *b = (buf){0};
}

/* A small valid file: two kvs, two f32 tensors [8] and [8,2], the given alignment key if nonzero. */
static void valid_file(buf *b) {
    const int64_t ne_a[] = {8}, ne_b[] = {8, 2};
    header(b, 3, 2, 2);
    kv_str(b, "general.architecture", "llama");
    kv_u32(b, "llama.block_count", 2);
    tensor(b, "a", 1, ne_a, MOTE_TYPE_F32, 0);
    tensor(b, "b", 2, ne_b, MOTE_TYPE_F32, 32);
    pad(b, 32);
    zeros(b, 32 + 64);
}

static void test_valid_baseline(void **state) {
    (void)state;
    buf b = {0};
    valid_file(&b);
    mote_gguf *g = NULL;
    assert_int_equal(mote_gguf_open_memory(b.p, b.n, &g), MOTE_OK);
    assert_int_equal(mote_gguf_n_tensors(g), 2);
    assert_int_equal(mote_gguf_find_tensor(g, "b")->size, 64);
    mote_gguf_close(g);
    free(b.p);
    b = (buf){0};
    /* An empty file and a version-2 file. */
    assert_int_equal(mote_gguf_open_memory(NULL, 0, &g), MOTE_ERR_TRUNCATED);
    header(&b, 2, 0, 1);
    kv_u32(&b, "x", 1);
    expect(&b, MOTE_OK, NULL);
}

static void test_magic_and_version(void **state) {
    (void)state;
    buf b = {0};
    put(&b, "GGML", 4);
    u32(&b, 3);
    u64(&b, 0);
    u64(&b, 0);
    expect(&b, MOTE_ERR_MAGIC, "magic");
    put(&b, "GG", 2);
    expect(&b, MOTE_ERR_TRUNCATED, "magic");
    header(&b, 1, 0, 0);
    expect(&b, MOTE_ERR_VERSION, "version 1");
    header(&b, 4, 0, 0);
    expect(&b, MOTE_ERR_VERSION, "version 4");
    header(&b, 0x03000000u, 0, 0); /* version 3 written big-endian */
    expect(&b, MOTE_ERR_VERSION, "byte-swapped");
    header(&b, 0, 0, 0);
    expect(&b, MOTE_ERR_VERSION, "version 0");
}

static void test_huge_counts(void **state) {
    (void)state;
    buf b = {0};
    header(&b, 3, (uint64_t)1 << 60, 0);
    zeros(&b, 100);
    expect(&b, MOTE_ERR_COUNT, "tensor count");
    header(&b, 3, 0, (uint64_t)1 << 60);
    zeros(&b, 100);
    expect(&b, MOTE_ERR_COUNT, "metadata count");
    header(&b, 3, UINT64_MAX, UINT64_MAX);
    expect(&b, MOTE_ERR_COUNT, "count");
    /* 2^60 elements in an array, of numbers and of strings. */
    header(&b, 3, 0, 1);
    str(&b, "tokenizer.ggml.scores");
    u32(&b, MOTE_GGUF_ARRAY);
    u32(&b, MOTE_GGUF_FLOAT32);
    u64(&b, (uint64_t)1 << 60);
    zeros(&b, 64);
    expect(&b, MOTE_ERR_COUNT, "tokenizer.ggml.scores");
    header(&b, 3, 0, 1);
    str(&b, "tokenizer.ggml.tokens");
    u32(&b, MOTE_GGUF_ARRAY);
    u32(&b, MOTE_GGUF_STRING);
    u64(&b, (uint64_t)1 << 60);
    zeros(&b, 64);
    expect(&b, MOTE_ERR_COUNT, "tokenizer.ggml.tokens");
    /* A plausible count the file is merely too short for: truncated. */
    header(&b, 3, 5, 0);
    expect(&b, MOTE_ERR_TRUNCATED, "tensor count");
}

static void test_string_past_end(void **state) {
    (void)state;
    buf b = {0};
    header(&b, 3, 0, 1);
    u64(&b, 1000); /* key length */
    put(&b, "abc", 3);
    zeros(&b, 20);
    expect(&b, MOTE_ERR_TRUNCATED, "metadata key #0");
    header(&b, 3, 0, 1);
    u64(&b, (uint64_t)1 << 60);
    zeros(&b, 20);
    expect(&b, MOTE_ERR_COUNT, "string length");
    header(&b, 3, 0, 1);
    str(&b, "general.name");
    u32(&b, MOTE_GGUF_STRING);
    u64(&b, 50);
    put(&b, "short", 5);
    expect(&b, MOTE_ERR_TRUNCATED, "general.name");
    /* A string inside an array of strings. */
    header(&b, 3, 0, 1);
    str(&b, "tokenizer.ggml.tokens");
    u32(&b, MOTE_GGUF_ARRAY);
    u32(&b, MOTE_GGUF_STRING);
    u64(&b, 2);
    str(&b, "a");
    u64(&b, 99);
    put(&b, "b", 1);
    expect(&b, MOTE_ERR_TRUNCATED, "tokenizer.ggml.tokens");
    /* A numeric array running past the end. */
    header(&b, 3, 0, 1);
    str(&b, "tokenizer.ggml.scores");
    u32(&b, MOTE_GGUF_ARRAY);
    u32(&b, MOTE_GGUF_FLOAT32);
    u64(&b, 10);
    zeros(&b, 12);
    expect(&b, MOTE_ERR_TRUNCATED, "tokenizer.ggml.scores");
    /* A scalar cut in the middle. */
    header(&b, 3, 0, 1);
    str(&b, "llama.block_count");
    u32(&b, MOTE_GGUF_UINT64);
    zeros(&b, 3);
    expect(&b, MOTE_ERR_TRUNCATED, "llama.block_count");
    /* A tensor name cut short. */
    header(&b, 3, 1, 0);
    u64(&b, 40);
    put(&b, "blk.0.attn_q.weight", 19);
    zeros(&b, 8);
    expect(&b, MOTE_ERR_TRUNCATED, "tensor #0");
}

static void test_unknown_types(void **state) {
    (void)state;
    buf b = {0};
    header(&b, 3, 0, 1);
    str(&b, "weird.key");
    u32(&b, 13);
    u32(&b, 0);
    expect(&b, MOTE_ERR_TYPE, "weird.key");
    header(&b, 3, 0, 1);
    str(&b, "weird.arr");
    u32(&b, MOTE_GGUF_ARRAY);
    u32(&b, 77);
    u64(&b, 0);
    expect(&b, MOTE_ERR_TYPE, "weird.arr");
    header(&b, 3, 0, 1);
    str(&b, "nested.arr");
    u32(&b, MOTE_GGUF_ARRAY);
    u32(&b, MOTE_GGUF_ARRAY);
    u64(&b, 0);
    expect(&b, MOTE_ERR_TYPE, "nested.arr");
    const int64_t ne[] = {32};
    for (uint32_t bad_type = 4; bad_type <= 100; bad_type += 96) { /* 4 is a removed id, 100 never existed */
        header(&b, 3, 1, 0);
        tensor(&b, "strange.weight", 1, ne, bad_type, 0);
        pad(&b, 32);
        zeros(&b, 256);
        expect(&b, MOTE_ERR_TYPE, "strange.weight");
    }
}

static void test_bad_shapes(void **state) {
    (void)state;
    buf b = {0};
    const int64_t ne5[] = {1, 1, 1, 1, 1};
    header(&b, 3, 1, 0);
    tensor(&b, "five.d", 5, ne5, MOTE_TYPE_F32, 0);
    pad(&b, 32);
    zeros(&b, 32);
    expect(&b, MOTE_ERR_SHAPE, "five.d");
    const int64_t neg[] = {8, -2};
    header(&b, 3, 1, 0);
    tensor(&b, "neg.weight", 2, neg, MOTE_TYPE_F32, 0);
    pad(&b, 32);
    zeros(&b, 64);
    expect(&b, MOTE_ERR_SHAPE, "neg.weight");
    const int64_t row[] = {48, 2};
    header(&b, 3, 1, 0);
    tensor(&b, "row.weight", 2, row, MOTE_TYPE_Q4_K, 0); /* 48 is not a multiple of 256 */
    pad(&b, 32);
    zeros(&b, 1024);
    expect(&b, MOTE_ERR_SHAPE, "row.weight");
    const int64_t big[] = {INT64_MAX / 2, 4};
    header(&b, 3, 1, 0);
    tensor(&b, "overflow.weight", 2, big, MOTE_TYPE_F32, 0);
    pad(&b, 32);
    expect(&b, MOTE_ERR_SHAPE, "overflow.weight");
    const int64_t huge[] = {(int64_t)1 << 61};
    header(&b, 3, 1, 0);
    tensor(&b, "bytes.weight", 1, huge, MOTE_TYPE_F64, 0); /* elements fit int64, bytes do not fit size_t */
    pad(&b, 32);
    expect(&b, MOTE_ERR_SHAPE, "bytes.weight");
}

static void test_data_ranges(void **state) {
    (void)state;
    buf b = {0};
    const int64_t ne[] = {8};
    /* Past the end: one byte short. */
    header(&b, 3, 1, 0);
    tensor(&b, "tail.weight", 1, ne, MOTE_TYPE_F32, 0);
    pad(&b, 32);
    zeros(&b, 31);
    expect(&b, MOTE_ERR_RANGE, "tail.weight");
    /* An offset near 2^64 (offset + size would wrap). */
    header(&b, 3, 1, 0);
    tensor(&b, "wrap.weight", 1, ne, MOTE_TYPE_F32, UINT64_MAX - 31);
    pad(&b, 32);
    zeros(&b, 32);
    expect(&b, MOTE_ERR_RANGE, "wrap.weight");
    /* Overlapping tensors: b starts inside a. */
    const int64_t ne16[] = {16};
    header(&b, 3, 2, 0);
    tensor(&b, "first", 1, ne16, MOTE_TYPE_F32, 0);
    tensor(&b, "second", 1, ne, MOTE_TYPE_F32, 32);
    pad(&b, 32);
    zeros(&b, 96);
    expect(&b, MOTE_ERR_RANGE, "overlap");
    header(&b, 3, 2, 0);
    tensor(&b, "same1", 1, ne, MOTE_TYPE_F32, 0);
    tensor(&b, "same2", 1, ne, MOTE_TYPE_F32, 0);
    pad(&b, 32);
    zeros(&b, 64);
    expect(&b, MOTE_ERR_RANGE, "same");
    /* Misaligned offset. */
    header(&b, 3, 1, 0);
    tensor(&b, "odd.weight", 1, ne, MOTE_TYPE_F32, 4);
    pad(&b, 32);
    zeros(&b, 64);
    expect(&b, MOTE_ERR_ALIGN, "odd.weight");
    /* The file ends inside the padding before the data section. */
    header(&b, 3, 1, 0);
    tensor(&b, "t", 1, ne, MOTE_TYPE_F32, 0);
    zeros(&b, 1);
    if (b.n % 32 == 0) zeros(&b, 1);
    expect(&b, MOTE_ERR_TRUNCATED, "data section");
}

static void test_alignment_key(void **state) {
    (void)state;
    buf b = {0};
    const int64_t ne[] = {8};
    for (uint32_t a = 0; a <= 3; a += 3) {
        header(&b, 3, 0, 1);
        kv_u32(&b, "general.alignment", a);
        expect(&b, MOTE_ERR_ALIGN, "general.alignment");
    }
    header(&b, 3, 0, 1);
    kv_str(&b, "general.alignment", "32");
    expect(&b, MOTE_ERR_ALIGN, "general.alignment");
    header(&b, 3, 0, 1);
    str(&b, "general.alignment");
    u32(&b, MOTE_GGUF_UINT64);
    u64(&b, 32);
    expect(&b, MOTE_ERR_ALIGN, "general.alignment");
    /* A valid custom alignment: offsets must be multiples of it. */
    header(&b, 3, 1, 1);
    kv_u32(&b, "general.alignment", 64);
    tensor(&b, "t", 1, ne, MOTE_TYPE_F32, 32);
    pad(&b, 64);
    zeros(&b, 128);
    expect(&b, MOTE_ERR_ALIGN, "alignment 64");
    header(&b, 3, 1, 1);
    kv_u32(&b, "general.alignment", 64);
    tensor(&b, "t", 1, ne, MOTE_TYPE_F32, 64);
    pad(&b, 64);
    zeros(&b, 128);
    expect(&b, MOTE_OK, NULL);
}

static void test_duplicates(void **state) {
    (void)state;
    buf b = {0};
    header(&b, 3, 0, 3);
    kv_u32(&b, "llama.block_count", 1);
    kv_str(&b, "general.architecture", "llama");
    kv_u32(&b, "llama.block_count", 2);
    expect(&b, MOTE_ERR_DUPLICATE, "llama.block_count");
    const int64_t ne[] = {8};
    header(&b, 3, 2, 0);
    tensor(&b, "token_embd.weight", 1, ne, MOTE_TYPE_F32, 0);
    tensor(&b, "token_embd.weight", 1, ne, MOTE_TYPE_F32, 32);
    pad(&b, 32);
    zeros(&b, 64);
    expect(&b, MOTE_ERR_DUPLICATE, "token_embd.weight");
    /* A key with a NUL inside would alias a shorter key: rejected. */
    header(&b, 3, 0, 1);
    u64(&b, 5);
    put(&b, "ab\0cd", 5);
    u32(&b, MOTE_GGUF_UINT8);
    put(&b, "x", 1);
    expect(&b, MOTE_ERR_FORMAT, "NUL");
}

/* Found by the fuzzer: a tensor with an empty name was accepted by the
 * reader but could not be copied into a writer. Now the reader rejects it. */
static void test_empty_tensor_name(void **state) {
    (void)state;
    buf b = {0};
    header(&b, 3, 1, 0);
    tensor(&b, "", 0, NULL, MOTE_TYPE_F32, 0);
    pad(&b, 32);
    zeros(&b, 32);
    expect(&b, MOTE_ERR_FORMAT, "tensor #0 has an empty name");
}

/* Every input the fuzzer once crashed on (tests/fuzz/regressions): it must
 * open cleanly or fail with a message, and what opens must be copyable into
 * a writer (the invariants fuzz_gguf.c checks). */
static void test_fuzz_regressions(void **state) {
    (void)state;
    const char *root = getenv("MOTE_ROOT");
    if (!root) {
        fprintf(stderr, "note: MOTE_ROOT unset, fuzz regressions not run\n");
        return;
    }
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/regressions", root);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t size;
        uint8_t *data = read_file(path, &size);
        assert_non_null(data);
        mote_gguf *g = NULL;
        int rc = mote_gguf_open_memory(data, size, &g);
        if (rc == MOTE_OK) {
            mote_gguf_writer *w = mote_gguf_writer_new();
            for (int64_t i = 0; i < mote_gguf_n_kv(g); i++) assert_int_equal(mote_gguf_writer_copy_kv(w, g, i), MOTE_OK);
            for (int64_t i = 0; i < mote_gguf_n_tensors(g); i++) {
                const mote_tensor_info *t = mote_gguf_tensor(g, i);
                if (mote_gguf_writer_add_tensor(w, t->name, t->type, t->n_dims, t->ne, t->data) != MOTE_OK)
                    fail_msg("%s: tensor %lld accepted by the reader, refused by the writer: %s", e->d_name, (long long)i,
                             mote_last_error());
            }
            mote_gguf_writer_free(w);
            mote_gguf_close(g);
        } else {
            assert_true(mote_last_error()[0] != '\0');
        }
        free(data);
        n++;
    }
    closedir(d);
    assert_true(n >= 1);
}

/* Truncating a real file anywhere must fail cleanly: in the header and
 * metadata (every offset) with MOTE_ERR_TRUNCATED, in the data section (a
 * sample of offsets) with MOTE_ERR_RANGE naming a tensor. */
static void test_truncated_fixture(void **state) {
    (void)state;
    size_t size;
    uint8_t *full = read_file(fixture_path("real/stories260K-q4_k_m.gguf"), &size);
    assert_non_null(full);
    mote_gguf *g = NULL;
    assert_int_equal(mote_gguf_open_memory(full, size, &g), MOTE_OK);
    size_t data_off = mote_gguf_data_offset(g);
    mote_gguf_close(g);
    assert_true(data_off > 1000 && data_off < size);
    for (size_t cut = 0; cut < data_off; cut++) {
        /* A fresh allocation of exactly `cut` bytes, so ASan sees any overread. */
        uint8_t *p = malloc(cut ? cut : 1);
        memcpy(p, full, cut);
        int rc = mote_gguf_open_memory(p, cut, &g);
        if (rc != MOTE_ERR_TRUNCATED) fail_msg("cut at %zu: %s (%s)", cut, mote_status_name(rc), mote_last_error());
        free(p);
    }
    for (size_t cut = data_off; cut < size; cut += 997) {
        uint8_t *p = malloc(cut);
        memcpy(p, full, cut);
        int rc = mote_gguf_open_memory(p, cut, &g);
        if (rc != MOTE_ERR_RANGE || !strstr(mote_last_error(), "tensor '"))
            fail_msg("cut at %zu: %s (%s)", cut, mote_status_name(rc), mote_last_error());
        free(p);
    }
    free(full);
}

/* Flip single bytes across the header of a real file: any result is
 * acceptable except a crash; an accepted file must be queryable. */
static void test_corrupted_bytes(void **state) {
    (void)state;
    size_t size;
    uint8_t *full = read_file(fixture_path("models/llama-tiny-q4_0.gguf"), &size);
    assert_non_null(full);
    for (size_t at = 4; at < 4096 && at < size; at += 3) {
        uint8_t saved = full[at];
        full[at] ^= 0xA5;
        mote_gguf *g = NULL;
        if (mote_gguf_open_memory(full, size, &g) == MOTE_OK) {
            for (int64_t i = 0; i < mote_gguf_n_kv(g); i++) (void)mote_gguf_find_key(g, mote_gguf_key(g, i));
            mote_gguf_close(g);
        } else {
            assert_true(mote_last_error()[0] != '\0');
        }
        full[at] = saved;
    }
    free(full);
}

/* ---- the typed getters ---------------------------------------------------- */

static void test_typed_getters(void **state) {
    (void)state;
    buf b = {0};
    header(&b, 3, 0, 9);
    kv_u32(&b, "u32.big", 4000000000u);
    str(&b, "i32.neg");
    u32(&b, MOTE_GGUF_INT32);
    u32(&b, (uint32_t)-5);
    str(&b, "u64.huge");
    u32(&b, MOTE_GGUF_UINT64);
    u64(&b, (uint64_t)1 << 40);
    str(&b, "u8.small");
    u32(&b, MOTE_GGUF_UINT8);
    put(&b, "\x07", 1);
    str(&b, "f32.val");
    u32(&b, MOTE_GGUF_FLOAT32);
    float f = 0.25f;
    put(&b, &f, 4);
    str(&b, "bool.val");
    u32(&b, MOTE_GGUF_BOOL);
    put(&b, "\x01", 1);
    kv_str(&b, "str.val", "text");
    str(&b, "arr.val");
    u32(&b, MOTE_GGUF_ARRAY);
    u32(&b, MOTE_GGUF_INT16);
    u64(&b, 2);
    put(&b, "\x01\x00\xff\xff", 4);
    str(&b, "i64.min");
    u32(&b, MOTE_GGUF_INT64);
    u64(&b, (uint64_t)INT64_MIN);

    mote_gguf *g = NULL;
    assert_int_equal(mote_gguf_open_memory(b.p, b.n, &g), MOTE_OK);
    /* Missing keys give the default. */
    assert_int_equal(mote_gguf_get_u32(g, "missing", 42), 42);
    assert_int_equal(mote_gguf_get_i32(g, "missing", -42), -42);
    assert_true(mote_gguf_get_f32(g, "missing", 1.5f) == 1.5f);
    assert_true(mote_gguf_get_bool(g, "missing", true));
    assert_string_equal(mote_gguf_get_str(g, "missing", "dflt"), "dflt");
    assert_int_equal(mote_gguf_get_arr(g, "missing", NULL, NULL), -1);
    /* In range: converted across integer widths. */
    assert_int_equal(mote_gguf_get_u32(g, "u32.big", 0), 4000000000u);
    assert_true(mote_gguf_get_u64(g, "u32.big", 0) == 4000000000u);
    assert_int_equal(mote_gguf_get_i32(g, "u8.small", 0), 7);
    assert_int_equal(mote_gguf_get_u32(g, "u8.small", 0), 7);
    assert_int_equal(mote_gguf_get_i32(g, "i32.neg", 0), -5);
    assert_true(mote_gguf_get_u64(g, "u64.huge", 0) == (uint64_t)1 << 40);
    /* Out of range: the default. */
    assert_int_equal(mote_gguf_get_i32(g, "u32.big", -1), -1);
    assert_int_equal(mote_gguf_get_u32(g, "i32.neg", 9), 9);
    assert_true(mote_gguf_get_u64(g, "i32.neg", 9) == 9);
    assert_int_equal(mote_gguf_get_u32(g, "u64.huge", 9), 9);
    assert_int_equal(mote_gguf_get_i32(g, "i64.min", 9), 9);
    /* Type mismatches: the default. */
    assert_int_equal(mote_gguf_get_u32(g, "str.val", 3), 3);
    assert_int_equal(mote_gguf_get_u32(g, "f32.val", 3), 3);
    assert_int_equal(mote_gguf_get_u32(g, "bool.val", 3), 3);
    assert_int_equal(mote_gguf_get_u32(g, "arr.val", 3), 3);
    assert_true(mote_gguf_get_f32(g, "str.val", 2.0f) == 2.0f);
    assert_true(mote_gguf_get_f32(g, "bool.val", 2.0f) == 2.0f);
    assert_false(mote_gguf_get_bool(g, "u8.small", false));
    assert_string_equal(mote_gguf_get_str(g, "u32.big", "d"), "d");
    assert_int_equal(mote_gguf_get_arr(g, "str.val", NULL, NULL), -1);
    /* Floats accept any number. */
    assert_true(mote_gguf_get_f32(g, "f32.val", 0) == 0.25f);
    assert_true(mote_gguf_get_f32(g, "i32.neg", 0) == -5.0f);
    assert_true(mote_gguf_get_f32(g, "u8.small", 0) == 7.0f);
    assert_true(mote_gguf_get_bool(g, "bool.val", false));
    assert_string_equal(mote_gguf_get_str(g, "str.val", NULL), "text");
    mote_gguf_type et;
    uint64_t n;
    int64_t ai = mote_gguf_get_arr(g, "arr.val", &et, &n);
    assert_true(ai >= 0);
    assert_int_equal(et, MOTE_GGUF_INT16);
    assert_int_equal(n, 2);
    int16_t v[2]; /* the elements sit in the file, unaligned: copy them out */
    memcpy(v, mote_gguf_arr_data(g, ai), sizeof v);
    assert_int_equal(v[0], 1);
    assert_int_equal(v[1], -1);
    /* Index-based accessors outside the range or of the wrong kind. */
    assert_null(mote_gguf_key(g, -1));
    assert_null(mote_gguf_key(g, 9));
    assert_int_equal(mote_gguf_kv_type(g, 100), MOTE_GGUF_TYPE_COUNT);
    assert_null(mote_gguf_arr_str(g, ai, 0, NULL));
    assert_null(mote_gguf_arr_data(g, mote_gguf_find_key(g, "str.val")));
    assert_null(mote_gguf_val_str(g, ai, NULL));
    assert_null(mote_gguf_tensor(g, 0));
    mote_gguf_close(g);
    free(b.p);
}

int main(void) {
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_baseline),   cmocka_unit_test(test_magic_and_version),
        cmocka_unit_test(test_huge_counts),      cmocka_unit_test(test_string_past_end),
        cmocka_unit_test(test_unknown_types),    cmocka_unit_test(test_bad_shapes),
        cmocka_unit_test(test_data_ranges),      cmocka_unit_test(test_alignment_key),
        cmocka_unit_test(test_duplicates),       cmocka_unit_test(test_truncated_fixture),
        cmocka_unit_test(test_corrupted_bytes),  cmocka_unit_test(test_typed_getters),
        cmocka_unit_test(test_empty_tensor_name), cmocka_unit_test(test_fuzz_regressions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
