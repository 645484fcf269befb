/*
 * gguf_read.c — parse and validate a GGUF file (versions 2 and 3).
 *
 * The format, as read here (all little-endian):
 *   1. magic "GGUF" (4 bytes)
 *   2. u32 version (2 or 3; version 1 used 32-bit counts and is not read)
 *   3. u64 n_tensors, u64 n_kv
 *   4. n_kv metadata pairs: string key, u32 value type, value
 *        string = u64 length + bytes (no terminator)
 *        array  = u32 element type + u64 count + elements
 *   5. n_tensors tensor infos: string name, u32 n_dims, i64 ne[n_dims],
 *        u32 type, u64 offset (relative to the data section, aligned)
 *   6. padding up to `general.alignment` (u32, default 32)
 *   7. the data section: tensor bytes at their offsets
 *
 * The file is mapped read-only (or, with mote_gguf_open_read, read once into
 * anonymous memory) and tensors point into it: weights are never copied. Metadata keys and strings are copied (NUL-terminated)
 * because callers want C strings; that is bounded by the file's size.
 *
 * Hostile input is the normal case here. Every count, length and offset is
 * checked against the bytes that remain before it is used, and nothing is
 * allocated at a size the file merely claims: a count is first bounded by
 * the smallest number of bytes its elements could occupy.
 *
 * Which error a short file gets: a count or length that the remaining bytes
 * cannot hold is MOTE_ERR_TRUNCATED when it is plausible (below 2^32, as
 * every real count is: the file was cut short) and MOTE_ERR_COUNT when it is
 * absurd (2^60 tensors: the file is corrupt or hostile). Tensor data lying
 * beyond the end is MOTE_ERR_RANGE. Messages name the key or tensor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "gguf/gguf_internal.h"

/* ---- a bounds-checked cursor over the file ------------------------------ */

typedef struct {
    const uint8_t *p;
    size_t size;
    size_t pos;
} cursor;

static size_t remaining(const cursor *c) { return c->size - c->pos; }

static int take(cursor *c, void *dst, size_t n, const char *what) {
    if (n > remaining(c))
        return mote_fail(MOTE_ERR_TRUNCATED, "file ends at byte %zu while reading %s at offset %zu (%zu bytes needed)",
                         c->size, what, c->pos, n);
    memcpy(dst, c->p + c->pos, n);
    c->pos += n;
    return MOTE_OK;
}

static int take_u32(cursor *c, uint32_t *v, const char *what) { return take(c, v, 4, what); }
static int take_u64(cursor *c, uint64_t *v, const char *what) { return take(c, v, 8, what); }

/* Counts at or above this are not from any real file (GGUF v1 counted in 32 bits). */
#define ABSURD_COUNT ((uint64_t)1 << 32)

/* Check that `n` items of at least `min_bytes` each fit in what remains of
 * the file; `what` names them ("the tensor count", "key 'x': array"). */
static int check_fits(const cursor *c, uint64_t n, size_t min_bytes, const char *what) {
    if (n <= remaining(c) / min_bytes) return MOTE_OK;
    if (n >= ABSURD_COUNT)
        return mote_fail(MOTE_ERR_COUNT, "%s: %llu cannot fit in a file of %zu bytes (offset %zu)", what,
                         (unsigned long long)n, c->size, c->pos);
    return mote_fail(MOTE_ERR_TRUNCATED, "%s: %llu runs past the end of the file at byte %zu (offset %zu; truncated?)", what,
                     (unsigned long long)n, c->size, c->pos);
}

/* Read a string into a fresh NUL-terminated copy. */
static int take_string(cursor *c, char **out, size_t *out_len, const char *what) {
    uint64_t len = 0;
    size_t at = c->pos;
    int rc = take_u64(c, &len, what);
    if (rc) return rc;
    char desc[320];
    snprintf(desc, sizeof desc, "%s at offset %zu: string length", what, at);
    if ((rc = check_fits(c, len, 1, desc))) return rc;
    char *s = malloc((size_t)len + 1);
    if (!s) return mote_fail(MOTE_ERR_NOMEM, "out of memory reading %s", what);
    memcpy(s, c->p + c->pos, (size_t)len);
    s[len] = '\0';
    c->pos += (size_t)len;
    *out = s;
    if (out_len) *out_len = (size_t)len;
    return MOTE_OK;
}

/* Read a key or tensor name: a string that must not contain a NUL byte,
 * since it is looked up as a C string. */
static int take_name(cursor *c, char **out, const char *what) {
    size_t len, at = c->pos;
    int rc = take_string(c, out, &len, what);
    if (rc) return rc;
    if (strlen(*out) != len)
        return mote_fail(MOTE_ERR_FORMAT, "%s at offset %zu: '%s' contains a NUL byte", what, at, *out);
    return MOTE_OK;
}

/* ---- value types ---------------------------------------------------------- */

static const size_t scalar_size[MOTE_GGUF_TYPE_COUNT] = {
    [MOTE_GGUF_UINT8] = 1, [MOTE_GGUF_INT8] = 1,   [MOTE_GGUF_UINT16] = 2, [MOTE_GGUF_INT16] = 2,
    [MOTE_GGUF_UINT32] = 4, [MOTE_GGUF_INT32] = 4, [MOTE_GGUF_FLOAT32] = 4, [MOTE_GGUF_BOOL] = 1,
    [MOTE_GGUF_UINT64] = 8, [MOTE_GGUF_INT64] = 8, [MOTE_GGUF_FLOAT64] = 8,
};

const char *mote_gguf_type_name(mote_gguf_type t) {
    static const char *names[MOTE_GGUF_TYPE_COUNT] = {"u8",  "i8",     "u16",   "i16", "u32", "i32", "f32",
                                                      "bool", "string", "array", "u64", "i64", "f64"};
    return (unsigned)t < MOTE_GGUF_TYPE_COUNT ? names[t] : "unknown";
}

/* Decode a scalar of type t at p into the kv's value union. */
static void decode_scalar(mote_gguf_kv *kv, const uint8_t *p) {
    switch (kv->type) {
    case MOTE_GGUF_UINT8: kv->val.u = p[0]; break;
    case MOTE_GGUF_BOOL: kv->val.u = p[0] != 0; break;
    case MOTE_GGUF_INT8: kv->val.i = (int8_t)p[0]; break;
    case MOTE_GGUF_UINT16: { uint16_t v; memcpy(&v, p, 2); kv->val.u = v; break; }
    case MOTE_GGUF_INT16: { int16_t v; memcpy(&v, p, 2); kv->val.i = v; break; }
    case MOTE_GGUF_UINT32: { uint32_t v; memcpy(&v, p, 4); kv->val.u = v; break; }
    case MOTE_GGUF_INT32: { int32_t v; memcpy(&v, p, 4); kv->val.i = v; break; }
    case MOTE_GGUF_UINT64: { uint64_t v; memcpy(&v, p, 8); kv->val.u = v; break; }
    case MOTE_GGUF_INT64: { int64_t v; memcpy(&v, p, 8); kv->val.i = v; break; }
    case MOTE_GGUF_FLOAT32: { float v; memcpy(&v, p, 4); kv->val.f = v; break; }
    case MOTE_GGUF_FLOAT64: { double v; memcpy(&v, p, 8); kv->val.f = v; break; }
    default: break;
    }
}

/* Arrays of strings: one buffer of NUL-terminated strings plus n+1 offsets.
 * A first pass over the lengths validates them and sizes the buffer, so the
 * allocation is bounded by the bytes actually present. */
static int take_string_array(cursor *c, mote_gguf_kv *kv) {
    size_t start = c->pos, total = 0;
    for (uint64_t j = 0; j < kv->n; j++) {
        uint64_t len;
        if (remaining(c) < 8)
            return mote_fail(MOTE_ERR_TRUNCATED, "key '%s': file ends inside string %llu of %llu (offset %zu)", kv->key,
                             (unsigned long long)j, (unsigned long long)kv->n, c->pos);
        memcpy(&len, c->p + c->pos, 8);
        c->pos += 8;
        char desc[320];
        snprintf(desc, sizeof desc, "key '%.200s': string %llu length", kv->key, (unsigned long long)j);
        int rc = check_fits(c, len, 1, desc);
        if (rc) return rc;
        c->pos += (size_t)len;
        total += (size_t)len + 1;
    }
    kv->str_off = malloc((size_t)(kv->n + 1) * sizeof(uint64_t));
    kv->strbuf = malloc(total ? total : 1);
    if (!kv->str_off || !kv->strbuf) return mote_fail(MOTE_ERR_NOMEM, "out of memory reading key '%s'", kv->key);
    c->pos = start;
    size_t at = 0;
    for (uint64_t j = 0; j < kv->n; j++) {
        uint64_t len;
        memcpy(&len, c->p + c->pos, 8);
        c->pos += 8;
        kv->str_off[j] = at;
        memcpy(kv->strbuf + at, c->p + c->pos, (size_t)len);
        kv->strbuf[at + len] = '\0';
        at += (size_t)len + 1;
        c->pos += (size_t)len;
    }
    kv->str_off[kv->n] = at;
    return MOTE_OK;
}

static int read_kv(cursor *c, mote_gguf_kv *kv, int64_t index) {
    size_t at = c->pos;
    char what[320];
    snprintf(what, sizeof what, "metadata key #%lld", (long long)index);
    int rc = take_name(c, &kv->key, what);
    if (rc) return rc;
    snprintf(what, sizeof what, "key '%.200s'", kv->key);
    uint32_t t = 0;
    if ((rc = take_u32(c, &t, what))) return rc;
    if (t >= MOTE_GGUF_TYPE_COUNT)
        return mote_fail(MOTE_ERR_TYPE, "key '%s' (#%lld at offset %zu): unknown value type %u", kv->key, (long long)index, at, t);
    kv->type = (mote_gguf_type)t;

    if (kv->type == MOTE_GGUF_STRING) return take_string(c, &kv->str, &kv->str_len, what);

    if (kv->type != MOTE_GGUF_ARRAY) {
        uint8_t buf[8];
        if ((rc = take(c, buf, scalar_size[kv->type], what))) return rc;
        decode_scalar(kv, buf);
        return MOTE_OK;
    }

    uint32_t et = 0;
    if ((rc = take_u32(c, &et, what))) return rc;
    if (et >= MOTE_GGUF_TYPE_COUNT)
        return mote_fail(MOTE_ERR_TYPE, "key '%s' (offset %zu): unknown array element type %u", kv->key, at, et);
    if (et == MOTE_GGUF_ARRAY)
        return mote_fail(MOTE_ERR_TYPE, "key '%s': arrays of arrays are not supported", kv->key);
    kv->arr_type = (mote_gguf_type)et;
    if ((rc = take_u64(c, &kv->n, what))) return rc;

    /* The least an element can occupy: its scalar size, or 8 bytes of length for a string. */
    size_t min_elem = kv->arr_type == MOTE_GGUF_STRING ? 8 : scalar_size[kv->arr_type];
    snprintf(what, sizeof what, "key '%.200s': array of %s, element count", kv->key, mote_gguf_type_name(kv->arr_type));
    if ((rc = check_fits(c, kv->n, min_elem, what))) return rc;
    if (kv->arr_type == MOTE_GGUF_STRING) return take_string_array(c, kv);

    size_t bytes = (size_t)kv->n * min_elem;
    kv->arr = c->p + c->pos;
    c->pos += bytes;
    return MOTE_OK;
}

/* ---- tensor infos ----------------------------------------------------------- */

static int read_tensor_info(cursor *c, mote_tensor_info *t, int64_t index) {
    char *name = NULL;
    char what[320];
    snprintf(what, sizeof what, "the name of tensor #%lld", (long long)index);
    int rc = take_name(c, &name, what);
    if (name) t->name = name; /* even if rejected, so close() frees it */
    if (rc) return rc;
    /* An unnamed tensor cannot be asked for, and no writer (ours included) makes one. */
    if (!*name) return mote_fail(MOTE_ERR_FORMAT, "tensor #%lld has an empty name", (long long)index);
    snprintf(what, sizeof what, "tensor '%.200s'", name);
    uint32_t n_dims = 0;
    if ((rc = take_u32(c, &n_dims, what))) return rc;
    if (n_dims > MOTE_MAX_DIMS)
        return mote_fail(MOTE_ERR_SHAPE, "tensor '%s': %u dimensions (at most %d)", name, n_dims, MOTE_MAX_DIMS);
    t->n_dims = (int)n_dims;
    for (int d = 0; d < MOTE_MAX_DIMS; d++) t->ne[d] = 1;
    for (uint32_t d = 0; d < n_dims; d++) {
        if ((rc = take(c, &t->ne[d], 8, what))) return rc;
        if (t->ne[d] < 0)
            return mote_fail(MOTE_ERR_SHAPE, "tensor '%s': negative dimension %lld", name, (long long)t->ne[d]);
    }
    uint32_t type = 0;
    if ((rc = take_u32(c, &type, what))) return rc;
    if (!mote_type_is_known((int)type))
        return mote_fail(MOTE_ERR_TYPE, "tensor '%s': unknown tensor type id %u", name, type);
    t->type = (int)type;
    if ((rc = take_u64(c, &t->offset, what))) return rc;

    /* Element count without overflow, then bytes. */
    int64_t ne = 1;
    for (int d = 0; d < MOTE_MAX_DIMS; d++) {
        if (t->ne[d] != 0 && ne > INT64_MAX / t->ne[d])
            return mote_fail(MOTE_ERR_SHAPE, "tensor '%s': element count overflows", name);
        ne *= t->ne[d];
    }
    int64_t bs = mote_type_block_size(t->type);
    if (t->ne[0] % bs)
        return mote_fail(MOTE_ERR_SHAPE, "tensor '%s': row length %lld is not a multiple of the %s block size %lld", name,
                         (long long)t->ne[0], mote_type_name(t->type), (long long)bs);
    uint64_t blocks = (uint64_t)(ne / bs);
    size_t bb = mote_type_block_bytes(t->type);
    if (blocks > SIZE_MAX / bb) return mote_fail(MOTE_ERR_SHAPE, "tensor '%s': byte size overflows", name);
    t->size = (size_t)blocks * bb;
    return MOTE_OK;
}

/* ---- name indexes: duplicates and lookup ------------------------------------ */

static int cmp_kv_key(const void *a, const void *b) {
    const mote_gguf_kv *x = *(mote_gguf_kv *const *)a, *y = *(mote_gguf_kv *const *)b;
    return strcmp(x->key, y->key);
}

static int cmp_tensor_name(const void *a, const void *b) {
    const mote_tensor_info *x = *(mote_tensor_info *const *)a, *y = *(mote_tensor_info *const *)b;
    return strcmp(x->name, y->name);
}

static int cmp_tensor_offset(const void *a, const void *b) {
    const mote_tensor_info *x = *(mote_tensor_info *const *)a, *y = *(mote_tensor_info *const *)b;
    /* Ties by size, so a zero-size tensor at the start of another is judged
     * the same way whatever order qsort leaves them in. */
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    return x->size < y->size ? -1 : x->size > y->size;
}

static int build_indexes(mote_gguf *g) {
    g->kv_sorted = malloc((size_t)(g->n_kv ? g->n_kv : 1) * sizeof *g->kv_sorted);
    g->tensor_sorted = malloc((size_t)(g->n_tensors ? g->n_tensors : 1) * sizeof *g->tensor_sorted);
    if (!g->kv_sorted || !g->tensor_sorted) return mote_fail(MOTE_ERR_NOMEM, "out of memory indexing the file");
    for (int64_t i = 0; i < g->n_kv; i++) g->kv_sorted[i] = &g->kvs[i];
    qsort(g->kv_sorted, (size_t)g->n_kv, sizeof *g->kv_sorted, cmp_kv_key);
    for (int64_t i = 1; i < g->n_kv; i++)
        if (!strcmp(g->kv_sorted[i - 1]->key, g->kv_sorted[i]->key))
            return mote_fail(MOTE_ERR_DUPLICATE, "metadata key '%s' appears more than once", g->kv_sorted[i]->key);

    /* Tensor data: every range inside the data section and none overlapping. */
    size_t data_size = g->size - g->data_offset;
    for (int64_t i = 0; i < g->n_tensors; i++) g->tensor_sorted[i] = &g->tensors[i];
    qsort(g->tensor_sorted, (size_t)g->n_tensors, sizeof *g->tensor_sorted, cmp_tensor_offset);
    for (int64_t i = 0; i < g->n_tensors; i++) {
        const mote_tensor_info *t = g->tensor_sorted[i];
        if (t->offset > data_size || t->size > data_size - t->offset)
            return mote_fail(MOTE_ERR_RANGE,
                             "tensor '%s': data at offset %llu (+%zu bytes) lies past the end of the file (%zu bytes of data; truncated?)",
                             t->name, (unsigned long long)t->offset, t->size, data_size);
        if (i > 0) {
            const mote_tensor_info *p = g->tensor_sorted[i - 1];
            if (p->offset + p->size > t->offset)
                return mote_fail(MOTE_ERR_RANGE, "tensors '%s' and '%s' overlap (offsets %llu and %llu)", p->name, t->name,
                                 (unsigned long long)p->offset, (unsigned long long)t->offset);
        }
    }
    qsort(g->tensor_sorted, (size_t)g->n_tensors, sizeof *g->tensor_sorted, cmp_tensor_name);
    for (int64_t i = 1; i < g->n_tensors; i++)
        if (!strcmp(g->tensor_sorted[i - 1]->name, g->tensor_sorted[i]->name))
            return mote_fail(MOTE_ERR_DUPLICATE, "tensor name '%s' appears more than once", g->tensor_sorted[i]->name);
    return MOTE_OK;
}

/* ---- the whole file ---------------------------------------------------------- */

/* Smallest possible encodings, used to bound claimed counts by the file size. */
#define MIN_KV_BYTES (8 + 4 + 1)               /* empty key, type, one-byte value */
#define MIN_TENSOR_INFO_BYTES (8 + 4 + 4 + 8)  /* empty name, 0 dims, type, offset */

static int parse(mote_gguf *g) {
    cursor c = {g->base, g->size, 0};
    char magic[4] = {0};
    int rc = take(&c, magic, 4, "the magic");
    if (rc) return rc;
    if (memcmp(magic, "GGUF", 4))
        return mote_fail(MOTE_ERR_MAGIC, "not a GGUF file (magic is %02x %02x %02x %02x, expected \"GGUF\")", (uint8_t)magic[0],
                         (uint8_t)magic[1], (uint8_t)magic[2], (uint8_t)magic[3]);
    if ((rc = take_u32(&c, &g->version, "the version"))) return rc;
    if (g->version == 1)
        return mote_fail(MOTE_ERR_VERSION, "GGUF version 1 is not supported (re-convert the model: versions 2 and 3 are read)");
    if (g->version != 2 && g->version != 3) {
        if ((g->version & 0xffff) == 0 && g->version)
            return mote_fail(MOTE_ERR_VERSION, "GGUF version %u looks byte-swapped: big-endian files are not supported",
                             g->version);
        return mote_fail(MOTE_ERR_VERSION, "GGUF version %u is not supported (2 and 3 are)", g->version);
    }
    uint64_t n_tensors = 0, n_kv = 0;
    if ((rc = take_u64(&c, &n_tensors, "the tensor count"))) return rc;
    if ((rc = take_u64(&c, &n_kv, "the metadata count"))) return rc;
    if ((rc = check_fits(&c, n_kv, MIN_KV_BYTES, "the metadata count"))) return rc;
    if ((rc = check_fits(&c, n_tensors, MIN_TENSOR_INFO_BYTES, "the tensor count"))) return rc;

    g->kvs = calloc((size_t)(n_kv ? n_kv : 1), sizeof *g->kvs);
    g->tensors = calloc((size_t)(n_tensors ? n_tensors : 1), sizeof *g->tensors);
    if (!g->kvs || !g->tensors) return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    for (uint64_t i = 0; i < n_kv; i++) {
        g->n_kv = (int64_t)i + 1; /* so close() frees what was read so far */
        if ((rc = read_kv(&c, &g->kvs[i], (int64_t)i))) return rc;
    }

    g->alignment = MOTE_GGUF_DEFAULT_ALIGNMENT;
    int64_t ai = mote_gguf_find_key_linear(g, "general.alignment");
    if (ai >= 0) {
        const mote_gguf_kv *kv = &g->kvs[ai];
        if (kv->type != MOTE_GGUF_UINT32)
            return mote_fail(MOTE_ERR_ALIGN, "general.alignment has type %s (u32 expected)", mote_gguf_type_name(kv->type));
        if (kv->val.u == 0 || (kv->val.u & (kv->val.u - 1)))
            return mote_fail(MOTE_ERR_ALIGN, "general.alignment is %llu, not a power of two", (unsigned long long)kv->val.u);
        g->alignment = (size_t)kv->val.u;
    }

    for (uint64_t i = 0; i < n_tensors; i++) {
        g->n_tensors = (int64_t)i + 1;
        if ((rc = read_tensor_info(&c, &g->tensors[i], (int64_t)i))) return rc;
        if (g->tensors[i].offset % g->alignment)
            return mote_fail(MOTE_ERR_ALIGN, "tensor '%s': offset %llu is not a multiple of the alignment %zu",
                             g->tensors[i].name, (unsigned long long)g->tensors[i].offset, g->alignment);
    }

    size_t pad = (g->alignment - c.pos % g->alignment) % g->alignment;
    g->data_offset = c.pos + pad;
    if (g->data_offset > g->size) {
        if (n_tensors)
            return mote_fail(MOTE_ERR_TRUNCATED, "file ends at byte %zu before its data section (at %zu)", g->size, g->data_offset);
        g->data_offset = g->size; /* a vocabulary-only file may stop right after its header */
    }
    if ((rc = build_indexes(g))) return rc;
    /* Only now that every range is known to lie inside the file (pointer
     * arithmetic past the end of the mapping would be undefined). */
    for (int64_t i = 0; i < g->n_tensors; i++) g->tensors[i].data = g->base + g->data_offset + g->tensors[i].offset;
    return MOTE_OK;
}

static int open_common(mote_gguf *g, mote_gguf **out) {
    mote_clear_error();
    int rc = parse(g);
    if (rc) {
        mote_gguf_close(g);
        *out = NULL;
        return rc;
    }
    *out = g;
    return MOTE_OK;
}

int mote_gguf_open_memory(const void *data, size_t size, mote_gguf **out) {
    if (!out || (!data && size)) return mote_fail(MOTE_ERR_INVALID_ARG, "mote_gguf_open_memory: null argument");
    mote_gguf *g = calloc(1, sizeof *g);
    if (!g) return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    g->base = data;
    g->size = size;
    return open_common(g, out);
}

/* Read size bytes of fd from offset into fresh anonymous pages: unlike a
 * malloc'ed buffer, pages of it can be handed back (madvise) once a part is
 * no longer needed, as the repacker does with the file's mapped pages. */
static int read_whole(int fd, uint64_t offset, size_t size, const char *path, void **out) {
    void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return mote_fail(MOTE_ERR_NOMEM, "cannot allocate %zu bytes to read '%s' into: %s", size, path,
                         strerror(errno));
    for (size_t done = 0; done < size;) {
        ssize_t got = pread(fd, (char *)m + done, size - done > (1u << 30) ? (1u << 30) : size - done,
                            (off_t)(offset + done));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            int rc = mote_fail(MOTE_ERR_IO, "cannot read '%s': %s", path, got < 0 ? strerror(errno) : "it ended early");
            munmap(m, size);
            return rc;
        }
        done += (size_t)got;
    }
    mprotect(m, size, PROT_READ);
    *out = m;
    return MOTE_OK;
}

/* Map (or, with read_it, read into RAM) [offset, offset + size) of the open
 * file fd and parse it; closes fd. Errors name the path. */
static int open_mapped(int fd, const char *path, uint64_t offset, uint64_t size, bool read_it, mote_gguf **out) {
    if (size == 0) {
        close(fd);
        return mote_fail(MOTE_ERR_TRUNCATED, "'%s' is empty", path);
    }
    if (size > SIZE_MAX || offset > (uint64_t)INT64_MAX || (uint64_t)(off_t)offset != offset) {
        close(fd);
        return mote_fail(MOTE_ERR_RANGE, "'%s': a model of %llu bytes at %llu cannot be mapped here", path,
                         (unsigned long long)size, (unsigned long long)offset);
    }
    void *m = MAP_FAILED;
    int rr = read_it ? read_whole(fd, offset, (size_t)size, path, &m) : MOTE_OK;
    if (!read_it) m = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, (off_t)offset);
    close(fd);
    if (rr) return rr;
    if (m == MAP_FAILED) return mote_fail(MOTE_ERR_IO, "cannot map '%s': %s", path, strerror(errno));
#ifdef MADV_NOHUGEPAGE
    /* The mapping is read by parts (the rows of matrices left in the file's
     * layout, an embedding row per token) while the parts the repacker
     * copied are handed back (model/repack.c). Mapped whole, a large folio
     * of the page cache (2 MiB) makes a touch of one part resident for its
     * neighbours too: measured 1.32 x (file + KV) in RSS on a q4_k_m whose
     * q5_0 matrices sit between repacked ones. Pages, not folios, then. */
    if (!read_it) madvise(m, (size_t)size, MADV_NOHUGEPAGE);
#endif
    mote_gguf *g = calloc(1, sizeof *g);
    if (!g) {
        munmap(m, (size_t)size);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    }
    g->base = m;
    g->size = (size_t)size;
    g->mapped = true;
    int rc = open_common(g, out);
    if (rc) {
        /* Prefix the path so the one-line message says which file. */
        char msg[512];
        snprintf(msg, sizeof msg, "%s", mote_last_error());
        mote_fail(rc, "%s: %s", path, msg);
    }
    return rc;
}

/* Open path as a regular file: the descriptor and its size, or an error. */
static int open_regular(const char *path, int *fd, uint64_t *size) {
    *fd = open(path, O_RDONLY);
    if (*fd < 0) return mote_fail(MOTE_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(*fd);
        return mote_fail(MOTE_ERR_IO, "'%s' is not a regular file", path);
    }
    *size = (uint64_t)st.st_size;
    return MOTE_OK;
}

/* mote_gguf_open and mote_gguf_open_read: a GGUF file, or the model inside
 * a packed executable (mote pack), mapped or read into RAM. */
static int open_file(const char *path, bool read_it, mote_gguf **out) {
    if (!path || !out) return mote_fail(MOTE_ERR_INVALID_ARG, "mote_gguf_open: null argument");
    *out = NULL;
    int fd;
    uint64_t size = 0, offset = 0;
    int rc = open_regular(path, &fd, &size);
    if (rc) return rc;
    char magic[4];
    if (pread(fd, magic, 4, 0) == 4 && memcmp(magic, "GGUF", 4) != 0) {
        mote_pack_info pack;
        rc = mote_pack_read_fd(fd, size, &pack);
        if (rc == MOTE_OK) {
            offset = pack.model_offset;
            size = pack.model_size;
        } else if (rc != MOTE_ERR_NOT_FOUND) {
            close(fd);
            char msg[512];
            snprintf(msg, sizeof msg, "%s", mote_last_error());
            return mote_fail(rc, "%s: %s", path, msg);
        }
    }
    return open_mapped(fd, path, offset, size, read_it, out);
}

int mote_gguf_open(const char *path, mote_gguf **out) { return open_file(path, false, out); }
int mote_gguf_open_read(const char *path, mote_gguf **out) { return open_file(path, true, out); }

int mote_gguf_open_range(const char *path, uint64_t offset, uint64_t size, mote_gguf **out) {
    if (!path || !out) return mote_fail(MOTE_ERR_INVALID_ARG, "mote_gguf_open_range: null argument");
    *out = NULL;
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || offset % (uint64_t)page)
        return mote_fail(MOTE_ERR_ALIGN, "'%s': offset %llu is not a multiple of the page size %ld", path,
                         (unsigned long long)offset, page);
    int fd;
    uint64_t file_size = 0;
    int rc = open_regular(path, &fd, &file_size);
    if (rc) return rc;
    if (offset > file_size || size > file_size - offset) {
        close(fd);
        return mote_fail(MOTE_ERR_RANGE, "'%s': %llu bytes at %llu lie beyond its end (%llu bytes)", path,
                         (unsigned long long)size, (unsigned long long)offset, (unsigned long long)file_size);
    }
    return open_mapped(fd, path, offset, size, false, out);
}

int mote_gguf_lock(const mote_gguf *g) {
    if (!g->mapped) return mote_fail(MOTE_ERR_INVALID_ARG, "only a file opened by mote can be locked");
#ifdef SYS_mlock2
    /* mlock2(MLOCK_ONFAULT = 1) through syscall(): glibc declares it only with _GNU_SOURCE */
    if (syscall(SYS_mlock2, g->base, g->size, 1) == 0) return MOTE_OK;
#else
    if (mlock(g->base, g->size) == 0) return MOTE_OK;
#endif
    return mote_fail(MOTE_ERR_IO, "cannot lock %.0f MiB in RAM: %s", g->size / 1048576.0, strerror(errno));
}

void mote_gguf_close(mote_gguf *g) {
    if (!g) return;
    for (int64_t i = 0; i < g->n_kv; i++) {
        free(g->kvs[i].key);
        free(g->kvs[i].str);
        free(g->kvs[i].strbuf);
        free(g->kvs[i].str_off);
    }
    for (int64_t i = 0; i < g->n_tensors; i++) free((char *)g->tensors[i].name);
    free(g->kvs);
    free(g->tensors);
    free(g->kv_sorted);
    free(g->tensor_sorted);
    if (g->mapped) munmap((void *)g->base, g->size);
    free(g);
}
