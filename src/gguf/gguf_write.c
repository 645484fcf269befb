/*
 * gguf_write.c — build and write a GGUF file (version 3).
 *
 * A writer is a list of metadata pairs and a list of tensor descriptions.
 * Each metadata value is kept already encoded exactly as it will appear in
 * the file (the bytes after the key and value type), so writing is a copy and
 * a round trip cannot reinterpret anything. The layout written is the one
 * gguf_read.c documents:
 *
 *   header | metadata | tensor infos | zeros to the alignment | data section
 *
 * where each tensor's bytes start at an offset that is a multiple of the
 * alignment (`general.alignment` if set, else 32) and are followed by zeros
 * up to the next multiple — the last tensor too, as llama.cpp does.
 *
 * Files are written to a temporary name beside the target and renamed into
 * place only when every byte has been written and synced: a crash, a full
 * disk or an error never leaves a half-written model under the real name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "gguf/gguf_internal.h"

#define GGUF_WRITE_VERSION 3

typedef struct {
    char *key;
    mote_gguf_type type;
    uint8_t *val;      /* encoded value: scalar bytes, string (u64 len + bytes), or array (u32 type, u64 n, elements) */
    size_t val_len;
} wkv;

typedef struct {
    char *name;
    int type;
    int n_dims;
    int64_t ne[MOTE_MAX_DIMS];
    size_t size;       /* bytes */
    uint64_t offset;   /* in the data section, set when writing begins */
    const void *data;  /* caller's bytes, or NULL when streamed */
} wtensor;

struct mote_gguf_writer {
    wkv *kvs;
    int64_t n_kv, cap_kv;
    wtensor *tensors;
    int64_t n_tensors, cap_tensors;
    /* Streaming state, between begin and finish/abort. */
    FILE *f;
    char *path;        /* final name */
    char *tmp;         /* temporary name, removed on failure */
    size_t alignment;
    int64_t next;      /* next tensor whose data is expected */
};

/* Same table as the reader's: bytes of one scalar of each value type (0 for string/array). */
static const size_t scalar_size[MOTE_GGUF_TYPE_COUNT] = {
    [MOTE_GGUF_UINT8] = 1, [MOTE_GGUF_INT8] = 1,   [MOTE_GGUF_UINT16] = 2, [MOTE_GGUF_INT16] = 2,
    [MOTE_GGUF_UINT32] = 4, [MOTE_GGUF_INT32] = 4, [MOTE_GGUF_FLOAT32] = 4, [MOTE_GGUF_BOOL] = 1,
    [MOTE_GGUF_UINT64] = 8, [MOTE_GGUF_INT64] = 8, [MOTE_GGUF_FLOAT64] = 8,
};

/* ---- life cycle ------------------------------------------------------------ */

/* A new, empty writer; NULL if out of memory. */
mote_gguf_writer *mote_gguf_writer_new(void) { return calloc(1, sizeof(mote_gguf_writer)); }

/* Free a writer, aborting an unfinished streamed file. */
void mote_gguf_writer_free(mote_gguf_writer *w) {
    if (!w) return;
    mote_gguf_writer_abort(w);
    for (int64_t i = 0; i < w->n_kv; i++) {
        free(w->kvs[i].key);
        free(w->kvs[i].val);
    }
    for (int64_t i = 0; i < w->n_tensors; i++) free(w->tensors[i].name);
    free(w->kvs);
    free(w->tensors);
    free(w);
}

/* Grow an array of `elem` bytes to hold one more item; false if out of memory. */
static bool grow(void **arr, int64_t n, int64_t *cap, size_t elem) {
    if (n < *cap) return true;
    int64_t nc = *cap ? *cap * 2 : 16;
    void *p = realloc(*arr, (size_t)nc * elem);
    if (!p) return false;
    *arr = p;
    *cap = nc;
    return true;
}

/* ---- metadata ---------------------------------------------------------------- */

static int64_t find_kv(const mote_gguf_writer *w, const char *key) {
    for (int64_t i = 0; i < w->n_kv; i++)
        if (!strcmp(w->kvs[i].key, key)) return i;
    return -1;
}

/* Store `key` with an encoded value, taking ownership of `val`. An existing
 * key keeps its place in the order and gets the new value. */
static int put_kv(mote_gguf_writer *w, const char *key, mote_gguf_type type, uint8_t *val, size_t val_len) {
    if (!w || !key) {
        free(val);
        return mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: null writer or key");
    }
    if (w->f) {
        free(val);
        return mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: key '%s' set after writing began", key);
    }
    int64_t i = find_kv(w, key);
    if (i >= 0) {
        free(w->kvs[i].val);
        w->kvs[i].type = type;
        w->kvs[i].val = val;
        w->kvs[i].val_len = val_len;
        return MOTE_OK;
    }
    char *k = strdup(key);
    if (!k || !grow((void **)&w->kvs, w->n_kv, &w->cap_kv, sizeof *w->kvs)) {
        free(k);
        free(val);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory setting key '%s'", key);
    }
    w->kvs[w->n_kv++] = (wkv){k, type, val, val_len};
    return MOTE_OK;
}

/* Copy `n` bytes into a fresh buffer (at least one byte is allocated). */
static uint8_t *dup_bytes(const void *src, size_t n) {
    uint8_t *p = malloc(n ? n : 1);
    if (p && n) memcpy(p, src, n);
    return p;
}

static int set_scalar(mote_gguf_writer *w, const char *key, mote_gguf_type type, const void *v) {
    uint8_t *val = dup_bytes(v, scalar_size[type]);
    if (!val) return mote_fail(MOTE_ERR_NOMEM, "out of memory setting key '%s'", key ? key : "?");
    return put_kv(w, key, type, val, scalar_size[type]);
}

/* The GGUF format and the host are both little-endian (mote targets no
 * big-endian machine), so a value's memory bytes are its file bytes. */
int mote_gguf_writer_set_u8(mote_gguf_writer *w, const char *key, uint8_t v) { return set_scalar(w, key, MOTE_GGUF_UINT8, &v); }
int mote_gguf_writer_set_i8(mote_gguf_writer *w, const char *key, int8_t v) { return set_scalar(w, key, MOTE_GGUF_INT8, &v); }
int mote_gguf_writer_set_u16(mote_gguf_writer *w, const char *key, uint16_t v) { return set_scalar(w, key, MOTE_GGUF_UINT16, &v); }
int mote_gguf_writer_set_i16(mote_gguf_writer *w, const char *key, int16_t v) { return set_scalar(w, key, MOTE_GGUF_INT16, &v); }
int mote_gguf_writer_set_u32(mote_gguf_writer *w, const char *key, uint32_t v) { return set_scalar(w, key, MOTE_GGUF_UINT32, &v); }
int mote_gguf_writer_set_i32(mote_gguf_writer *w, const char *key, int32_t v) { return set_scalar(w, key, MOTE_GGUF_INT32, &v); }
int mote_gguf_writer_set_u64(mote_gguf_writer *w, const char *key, uint64_t v) { return set_scalar(w, key, MOTE_GGUF_UINT64, &v); }
int mote_gguf_writer_set_i64(mote_gguf_writer *w, const char *key, int64_t v) { return set_scalar(w, key, MOTE_GGUF_INT64, &v); }
int mote_gguf_writer_set_f32(mote_gguf_writer *w, const char *key, float v) { return set_scalar(w, key, MOTE_GGUF_FLOAT32, &v); }
int mote_gguf_writer_set_f64(mote_gguf_writer *w, const char *key, double v) { return set_scalar(w, key, MOTE_GGUF_FLOAT64, &v); }

int mote_gguf_writer_set_bool(mote_gguf_writer *w, const char *key, bool v) {
    uint8_t b = v ? 1 : 0;
    return set_scalar(w, key, MOTE_GGUF_BOOL, &b);
}

/* Encode a string value (u64 length + bytes) of `len` bytes. */
static int set_str_len(mote_gguf_writer *w, const char *key, const char *s, size_t len) {
    uint8_t *val = malloc(8 + len);
    if (!val) return mote_fail(MOTE_ERR_NOMEM, "out of memory setting key '%s'", key ? key : "?");
    uint64_t n = len;
    memcpy(val, &n, 8);
    if (len) memcpy(val + 8, s, len);
    return put_kv(w, key, MOTE_GGUF_STRING, val, 8 + len);
}

int mote_gguf_writer_set_str(mote_gguf_writer *w, const char *key, const char *v) {
    if (!v) return mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: null string for key '%s'", key ? key : "?");
    return set_str_len(w, key, v, strlen(v));
}

/* Start an encoded array value: element type and count; returns the buffer. */
static uint8_t *array_header(mote_gguf_type elem_type, uint64_t n, size_t total) {
    uint8_t *val = malloc(total);
    if (!val) return NULL;
    uint32_t t = (uint32_t)elem_type;
    memcpy(val, &t, 4);
    memcpy(val + 4, &n, 8);
    return val;
}

int mote_gguf_writer_set_arr(mote_gguf_writer *w, const char *key, mote_gguf_type elem_type, const void *data, uint64_t n) {
    if ((unsigned)elem_type >= MOTE_GGUF_TYPE_COUNT || scalar_size[elem_type] == 0)
        return mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: key '%s': %s is not a numeric array element type",
                         key ? key : "?", mote_gguf_type_name(elem_type));
    if (n && !data) return mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: key '%s': null array data", key ? key : "?");
    size_t es = scalar_size[elem_type];
    if (n > (SIZE_MAX - 12) / es) return mote_fail(MOTE_ERR_NOMEM, "gguf writer: key '%s': array too large", key ? key : "?");
    size_t bytes = (size_t)n * es;
    uint8_t *val = array_header(elem_type, n, 12 + bytes);
    if (!val) return mote_fail(MOTE_ERR_NOMEM, "out of memory setting key '%s'", key ? key : "?");
    if (bytes) memcpy(val + 12, data, bytes);
    return put_kv(w, key, MOTE_GGUF_ARRAY, val, 12 + bytes);
}

/* Encode an array of n strings whose i-th is get(ctx, i, &len). */
typedef const char *(*str_getter)(const void *ctx, uint64_t i, size_t *len);

static int set_str_array(mote_gguf_writer *w, const char *key, const void *ctx, str_getter get, uint64_t n) {
    size_t total = 12;
    for (uint64_t i = 0; i < n; i++) {
        size_t len;
        if (!get(ctx, i, &len)) return mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: key '%s': string %llu is null",
                                                 key ? key : "?", (unsigned long long)i);
        if (len > SIZE_MAX - 8 - total) return mote_fail(MOTE_ERR_NOMEM, "gguf writer: key '%s': array too large", key ? key : "?");
        total += 8 + len;
    }
    uint8_t *val = array_header(MOTE_GGUF_STRING, n, total);
    if (!val) return mote_fail(MOTE_ERR_NOMEM, "out of memory setting key '%s'", key ? key : "?");
    size_t at = 12;
    for (uint64_t i = 0; i < n; i++) {
        size_t len;
        const char *s = get(ctx, i, &len);
        uint64_t l = len;
        memcpy(val + at, &l, 8);
        if (len) memcpy(val + at + 8, s, len);
        at += 8 + len;
    }
    return put_kv(w, key, MOTE_GGUF_ARRAY, val, total);
}

static const char *cstr_at(const void *ctx, uint64_t i, size_t *len) {
    const char *s = ((const char *const *)ctx)[i];
    if (s) *len = strlen(s);
    return s;
}

int mote_gguf_writer_set_arr_str(mote_gguf_writer *w, const char *key, const char *const *strs, uint64_t n) {
    if (n && !strs) return mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: key '%s': null string array", key ? key : "?");
    return set_str_array(w, key, strs, cstr_at, n);
}

/* The reader's strings are addressed by (kv index): a small context. */
typedef struct {
    const mote_gguf *g;
    int64_t i;
} reader_arr;

static const char *reader_str_at(const void *ctx, uint64_t j, size_t *len) {
    const reader_arr *r = ctx;
    return mote_gguf_arr_str(r->g, r->i, j, len);
}

int mote_gguf_writer_copy_kv(mote_gguf_writer *w, const mote_gguf *src, int64_t i) {
    if (!src || i < 0 || i >= src->n_kv) return mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: no metadata pair #%lld to copy", (long long)i);
    const mote_gguf_kv *kv = &src->kvs[i];
    switch (kv->type) {
    case MOTE_GGUF_STRING: return set_str_len(w, kv->key, kv->str, kv->str_len);
    case MOTE_GGUF_ARRAY:
        if (kv->arr_type == MOTE_GGUF_STRING) {
            reader_arr r = {src, i};
            return set_str_array(w, kv->key, &r, reader_str_at, kv->n);
        }
        return mote_gguf_writer_set_arr(w, kv->key, kv->arr_type, kv->arr, kv->n);
    default: {
        /* Re-encode the decoded scalar in its own width (little-endian: the low bytes). */
        uint8_t buf[8];
        if (kv->type == MOTE_GGUF_FLOAT32) {
            float f = (float)kv->val.f;
            memcpy(buf, &f, 4);
        } else if (kv->type == MOTE_GGUF_FLOAT64) {
            memcpy(buf, &kv->val.f, 8);
        } else {
            memcpy(buf, &kv->val.u, 8);
        }
        return set_scalar(w, kv->key, kv->type, buf);
    }
    }
}

int mote_gguf_writer_remove_key(mote_gguf_writer *w, const char *key) {
    if (!w || !key) return mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: null writer or key");
    int64_t i = find_kv(w, key);
    if (i < 0) return mote_fail(MOTE_ERR_NOT_FOUND, "gguf writer: no key '%s' to remove", key);
    free(w->kvs[i].key);
    free(w->kvs[i].val);
    memmove(&w->kvs[i], &w->kvs[i + 1], (size_t)(w->n_kv - i - 1) * sizeof *w->kvs);
    w->n_kv--;
    return MOTE_OK;
}

/* ---- tensors --------------------------------------------------------------------- */

int mote_gguf_writer_add_tensor(mote_gguf_writer *w, const char *name, int type, int n_dims, const int64_t *ne,
                                const void *data) {
    if (!w || !name || !*name || (n_dims > 0 && !ne))
        return mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: add_tensor needs a writer, a name and dimensions");
    if (w->f) return mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: tensor '%s' added after writing began", name);
    if (!mote_type_is_known(type)) return mote_fail(MOTE_ERR_TYPE, "gguf writer: tensor '%s': unknown type id %d", name, type);
    /* 0 dimensions (a scalar) is legal GGUF, so whatever the reader accepts can be copied. */
    if (n_dims < 0 || n_dims > MOTE_MAX_DIMS)
        return mote_fail(MOTE_ERR_SHAPE, "gguf writer: tensor '%s': %d dimensions (0 to %d)", name, n_dims, MOTE_MAX_DIMS);
    for (int64_t i = 0; i < w->n_tensors; i++)
        if (!strcmp(w->tensors[i].name, name))
            return mote_fail(MOTE_ERR_DUPLICATE, "gguf writer: tensor '%s' added twice", name);
    wtensor t = {.type = type, .n_dims = n_dims, .data = data};
    int64_t n = 1;
    for (int d = 0; d < MOTE_MAX_DIMS; d++) {
        t.ne[d] = d < n_dims ? ne[d] : 1;
        if (t.ne[d] < 0) return mote_fail(MOTE_ERR_SHAPE, "gguf writer: tensor '%s': negative dimension %lld", name, (long long)t.ne[d]);
        if (t.ne[d] && n > INT64_MAX / t.ne[d]) return mote_fail(MOTE_ERR_SHAPE, "gguf writer: tensor '%s': too many elements", name);
        n *= t.ne[d];
    }
    int64_t bs = mote_type_block_size(type);
    if (t.ne[0] % bs)
        return mote_fail(MOTE_ERR_SHAPE, "gguf writer: tensor '%s': row length %lld is not a multiple of the %s block size %lld",
                         name, (long long)t.ne[0], mote_type_name(type), (long long)bs);
    size_t bb = mote_type_block_bytes(type);
    if ((uint64_t)(n / bs) > SIZE_MAX / bb) return mote_fail(MOTE_ERR_SHAPE, "gguf writer: tensor '%s': too large", name);
    t.size = (size_t)(n / bs) * bb;
    t.name = strdup(name);
    if (!t.name || !grow((void **)&w->tensors, w->n_tensors, &w->cap_tensors, sizeof *w->tensors)) {
        free(t.name);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory adding tensor '%s'", name);
    }
    w->tensors[w->n_tensors++] = t;
    return MOTE_OK;
}

/* ---- writing ------------------------------------------------------------------------ */

/* The alignment the file will use: general.alignment if set (it must be a
 * u32 power of two, as the reader demands), else the default. */
static int file_alignment(const mote_gguf_writer *w, size_t *out) {
    *out = MOTE_GGUF_DEFAULT_ALIGNMENT;
    int64_t i = find_kv(w, "general.alignment");
    if (i < 0) return MOTE_OK;
    if (w->kvs[i].type != MOTE_GGUF_UINT32)
        return mote_fail(MOTE_ERR_ALIGN, "gguf writer: general.alignment has type %s (u32 expected)",
                         mote_gguf_type_name(w->kvs[i].type));
    uint32_t a;
    memcpy(&a, w->kvs[i].val, 4);
    if (a == 0 || (a & (a - 1))) return mote_fail(MOTE_ERR_ALIGN, "gguf writer: general.alignment is %u, not a power of two", a);
    *out = a;
    return MOTE_OK;
}

static size_t pad_to(uint64_t n, size_t align) { return (size_t)((align - n % align) % align); }

/* Write n bytes; on failure record the error (naming the final path). */
static int put(mote_gguf_writer *w, const void *p, size_t n) {
    if (n && fwrite(p, 1, n, w->f) != n)
        return mote_fail(MOTE_ERR_IO, "cannot write '%s': %s", w->path, errno ? strerror(errno) : "short write");
    return MOTE_OK;
}

static int put_zeros(mote_gguf_writer *w, size_t n) {
    static const uint8_t zeros[256];
    while (n) {
        size_t k = n < sizeof zeros ? n : sizeof zeros;
        int rc = put(w, zeros, k);
        if (rc) return rc;
        n -= k;
    }
    return MOTE_OK;
}

static int put_u32(mote_gguf_writer *w, uint32_t v) { return put(w, &v, 4); }
static int put_u64(mote_gguf_writer *w, uint64_t v) { return put(w, &v, 8); }
static int put_str(mote_gguf_writer *w, const char *s) {
    int rc = put_u64(w, strlen(s));
    return rc ? rc : put(w, s, strlen(s));
}

/* Header, metadata, tensor infos and the padding before the data section. */
static int write_head(mote_gguf_writer *w) {
    int rc;
    if ((rc = put(w, "GGUF", 4)) || (rc = put_u32(w, GGUF_WRITE_VERSION)) || (rc = put_u64(w, (uint64_t)w->n_tensors)) ||
        (rc = put_u64(w, (uint64_t)w->n_kv)))
        return rc;
    uint64_t pos = 24;
    for (int64_t i = 0; i < w->n_kv; i++) {
        const wkv *kv = &w->kvs[i];
        if ((rc = put_str(w, kv->key)) || (rc = put_u32(w, (uint32_t)kv->type)) || (rc = put(w, kv->val, kv->val_len)))
            return rc;
        pos += 8 + strlen(kv->key) + 4 + kv->val_len;
    }
    uint64_t off = 0;
    for (int64_t i = 0; i < w->n_tensors; i++) {
        wtensor *t = &w->tensors[i];
        t->offset = off;
        off += t->size + pad_to(t->size, w->alignment);
        if ((rc = put_str(w, t->name)) || (rc = put_u32(w, (uint32_t)t->n_dims))) return rc;
        for (int d = 0; d < t->n_dims; d++)
            if ((rc = put(w, &t->ne[d], 8))) return rc;
        if ((rc = put_u32(w, (uint32_t)t->type)) || (rc = put_u64(w, t->offset))) return rc;
        pos += 8 + strlen(t->name) + 4 + 8 * (uint64_t)t->n_dims + 4 + 8;
    }
    return put_zeros(w, pad_to(pos, w->alignment));
}

/* Close the temporary file if open, remove it and forget the paths. */
static void discard(mote_gguf_writer *w) {
    if (w->f) fclose(w->f);
    w->f = NULL;
    if (w->tmp) unlink(w->tmp);
    free(w->tmp);
    free(w->path);
    w->tmp = w->path = NULL;
}

/* Fail the streamed file: remove the temporary and return rc (message kept). */
static int fail_stream(mote_gguf_writer *w, int rc) {
    discard(w);
    return rc;
}

/* Create a fresh temporary file beside `path` (same directory, so rename is atomic). */
static int open_temp(mote_gguf_writer *w, const char *path) {
    /* The final rename would replace whatever the path names: refuse anything
     * but a regular file, or `-o /dev/null` would turn the device into a file. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return mote_fail(MOTE_ERR_IO, "cannot write '%s': it exists and is not a regular file", path);
    size_t n = strlen(path) + 48;
    w->path = strdup(path);
    w->tmp = malloc(n);
    if (!w->path || !w->tmp) return fail_stream(w, mote_fail(MOTE_ERR_NOMEM, "out of memory writing '%s'", path));
    static atomic_uint counter;
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(w->tmp, n, "%s.tmp-%ld-%u", path, (long)getpid(), counter++);
        /* 0666 so the final file gets the usual permissions under the umask. */
        int fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
        if (fd < 0 && errno == EEXIST) continue;
        if (fd < 0) {
            int e = errno;
            free(w->tmp);
            w->tmp = NULL; /* nothing was created */
            return fail_stream(w, mote_fail(MOTE_ERR_IO, "cannot create '%s': %s", path, strerror(e)));
        }
        w->f = fdopen(fd, "wb");
        if (!w->f) {
            close(fd);
            return fail_stream(w, mote_fail(MOTE_ERR_IO, "cannot write '%s': %s", path, strerror(errno)));
        }
        return MOTE_OK;
    }
    return fail_stream(w, mote_fail(MOTE_ERR_IO, "cannot create a temporary file beside '%s'", path));
}

int mote_gguf_writer_begin(mote_gguf_writer *w, const char *path) {
    if (!w || !path) return mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: null writer or path");
    if (w->f) return mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: '%s' is already being written", w->path);
    int rc = file_alignment(w, &w->alignment);
    if (rc) return rc;
    if ((rc = open_temp(w, path))) return rc;
    w->next = 0;
    errno = 0;
    if ((rc = write_head(w))) return fail_stream(w, rc);
    return MOTE_OK;
}

int mote_gguf_writer_write_tensor_data(mote_gguf_writer *w, const void *data, size_t size) {
    if (!w || !w->f) return mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: write_tensor_data without begin");
    if (w->next >= w->n_tensors)
        return fail_stream(w, mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: more tensor data than the %lld tensors of '%s'",
                                        (long long)w->n_tensors, w->path));
    const wtensor *t = &w->tensors[w->next];
    if (size != t->size || (size && !data))
        return fail_stream(w, mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: tensor '%s' has %zu bytes, %zu given", t->name,
                                        t->size, size));
    errno = 0;
    int rc = put(w, data, size);
    if (!rc) rc = put_zeros(w, pad_to(size, w->alignment));
    if (rc) return fail_stream(w, rc);
    w->next++;
    return MOTE_OK;
}

int mote_gguf_writer_finish(mote_gguf_writer *w) {
    if (!w || !w->f) return mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: finish without begin");
    if (w->next != w->n_tensors)
        return fail_stream(w, mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: '%s': data of %lld of %lld tensors written",
                                        w->path, (long long)w->next, (long long)w->n_tensors));
    /* Every step that can reveal a failed write (a full disk shows up at
     * flush, sync or close as often as at fwrite) is checked. */
    errno = 0;
    if (fflush(w->f) != 0 || fsync(fileno(w->f)) != 0) {
        int e = errno;
        return fail_stream(w, mote_fail(MOTE_ERR_IO, "cannot write '%s': %s", w->path, strerror(e)));
    }
    FILE *f = w->f;
    w->f = NULL;
    if (fclose(f) != 0) return fail_stream(w, mote_fail(MOTE_ERR_IO, "cannot write '%s': %s", w->path, strerror(errno)));
    if (rename(w->tmp, w->path) != 0)
        return fail_stream(w, mote_fail(MOTE_ERR_IO, "cannot rename the temporary file to '%s': %s", w->path, strerror(errno)));
    free(w->tmp);
    w->tmp = NULL; /* renamed: nothing to remove */
    discard(w);
    return MOTE_OK;
}

void mote_gguf_writer_abort(mote_gguf_writer *w) {
    if (w) discard(w);
}

int mote_gguf_writer_write_file(mote_gguf_writer *w, const char *path) {
    if (!w || !path) return mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: null writer or path");
    for (int64_t i = 0; i < w->n_tensors; i++)
        if (!w->tensors[i].data && w->tensors[i].size)
            return mote_fail(MOTE_ERR_INVALID_ARG, "gguf writer: tensor '%s' has no data to write to '%s'", w->tensors[i].name, path);
    int rc = mote_gguf_writer_begin(w, path);
    for (int64_t i = 0; !rc && i < w->n_tensors; i++)
        rc = mote_gguf_writer_write_tensor_data(w, w->tensors[i].data, w->tensors[i].size);
    return rc ? rc : mote_gguf_writer_finish(w);
}
