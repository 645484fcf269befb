/*
 * gguf_query.c — read access to a parsed GGUF file: metadata by index or
 * key (typed getters with defaults) and tensors by index or name.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gguf/gguf_internal.h"

uint32_t mote_gguf_version(const mote_gguf *g) { return g->version; }
size_t mote_gguf_file_size(const mote_gguf *g) { return g->size; }
size_t mote_gguf_alignment(const mote_gguf *g) { return g->alignment; }
size_t mote_gguf_data_offset(const mote_gguf *g) { return g->data_offset; }
int64_t mote_gguf_n_kv(const mote_gguf *g) { return g->n_kv; }
int64_t mote_gguf_n_tensors(const mote_gguf *g) { return g->n_tensors; }

static const mote_gguf_kv *kv_at(const mote_gguf *g, int64_t i) {
    return (i >= 0 && i < g->n_kv) ? &g->kvs[i] : NULL;
}

const char *mote_gguf_key(const mote_gguf *g, int64_t i) {
    const mote_gguf_kv *kv = kv_at(g, i);
    return kv ? kv->key : NULL;
}

int64_t mote_gguf_find_key_linear(const mote_gguf *g, const char *key) {
    for (int64_t i = 0; i < g->n_kv; i++)
        if (g->kvs[i].key && !strcmp(g->kvs[i].key, key)) return i;
    return -1;
}

int64_t mote_gguf_find_key(const mote_gguf *g, const char *key) {
    if (!g || !key) return -1;
    int64_t lo = 0, hi = g->n_kv - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        int c = strcmp(g->kv_sorted[mid]->key, key);
        if (c == 0) return g->kv_sorted[mid] - g->kvs;
        if (c < 0) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
}

mote_gguf_type mote_gguf_kv_type(const mote_gguf *g, int64_t i) {
    const mote_gguf_kv *kv = kv_at(g, i);
    return kv ? kv->type : MOTE_GGUF_TYPE_COUNT;
}

mote_gguf_type mote_gguf_arr_type(const mote_gguf *g, int64_t i) {
    const mote_gguf_kv *kv = kv_at(g, i);
    return kv && kv->type == MOTE_GGUF_ARRAY ? kv->arr_type : MOTE_GGUF_TYPE_COUNT;
}

uint64_t mote_gguf_arr_n(const mote_gguf *g, int64_t i) {
    const mote_gguf_kv *kv = kv_at(g, i);
    return kv && kv->type == MOTE_GGUF_ARRAY ? kv->n : 0;
}

const void *mote_gguf_arr_data(const mote_gguf *g, int64_t i) {
    const mote_gguf_kv *kv = kv_at(g, i);
    return kv && kv->type == MOTE_GGUF_ARRAY ? kv->arr : NULL;
}

const char *mote_gguf_arr_str(const mote_gguf *g, int64_t i, uint64_t j, size_t *len) {
    const mote_gguf_kv *kv = kv_at(g, i);
    if (!kv || kv->type != MOTE_GGUF_ARRAY || kv->arr_type != MOTE_GGUF_STRING || j >= kv->n) return NULL;
    if (len) *len = (size_t)(kv->str_off[j + 1] - kv->str_off[j] - 1);
    return kv->strbuf + kv->str_off[j];
}

static bool is_unsigned(mote_gguf_type t) {
    return t == MOTE_GGUF_UINT8 || t == MOTE_GGUF_UINT16 || t == MOTE_GGUF_UINT32 || t == MOTE_GGUF_UINT64 ||
           t == MOTE_GGUF_BOOL;
}
static bool is_signed(mote_gguf_type t) {
    return t == MOTE_GGUF_INT8 || t == MOTE_GGUF_INT16 || t == MOTE_GGUF_INT32 || t == MOTE_GGUF_INT64;
}
static bool is_float(mote_gguf_type t) { return t == MOTE_GGUF_FLOAT32 || t == MOTE_GGUF_FLOAT64; }

uint64_t mote_gguf_val_u64(const mote_gguf *g, int64_t i) {
    const mote_gguf_kv *kv = kv_at(g, i);
    if (!kv) return 0;
    if (is_unsigned(kv->type)) return kv->val.u;
    if (is_signed(kv->type)) return kv->val.i < 0 ? 0 : (uint64_t)kv->val.i;
    return 0;
}

int64_t mote_gguf_val_i64(const mote_gguf *g, int64_t i) {
    const mote_gguf_kv *kv = kv_at(g, i);
    if (!kv) return 0;
    if (is_signed(kv->type)) return kv->val.i;
    if (is_unsigned(kv->type)) return kv->val.u > INT64_MAX ? INT64_MAX : (int64_t)kv->val.u;
    return 0;
}

double mote_gguf_val_f64(const mote_gguf *g, int64_t i) {
    const mote_gguf_kv *kv = kv_at(g, i);
    if (!kv) return 0;
    if (is_float(kv->type)) return kv->val.f;
    if (is_signed(kv->type)) return (double)kv->val.i;
    if (is_unsigned(kv->type)) return (double)kv->val.u;
    return 0;
}

const char *mote_gguf_val_str(const mote_gguf *g, int64_t i, size_t *len) {
    const mote_gguf_kv *kv = kv_at(g, i);
    if (!kv || kv->type != MOTE_GGUF_STRING) return NULL;
    if (len) *len = kv->str_len;
    return kv->str;
}

/* Integer value of `key` if it is an integer type whose value lies in [lo, hi]. */
static bool get_int(const mote_gguf *g, const char *key, int64_t lo, uint64_t hi, int64_t *out_i, uint64_t *out_u) {
    const mote_gguf_kv *kv = kv_at(g, mote_gguf_find_key(g, key));
    if (!kv || kv->type == MOTE_GGUF_BOOL) return false;
    if (is_unsigned(kv->type)) {
        if (kv->val.u > hi) return false;
        *out_u = kv->val.u;
        *out_i = kv->val.u > INT64_MAX ? INT64_MAX : (int64_t)kv->val.u;
        return true;
    }
    if (is_signed(kv->type)) {
        if (kv->val.i < lo || (kv->val.i > 0 && (uint64_t)kv->val.i > hi)) return false;
        *out_i = kv->val.i;
        *out_u = (uint64_t)kv->val.i;
        return true;
    }
    return false;
}

uint32_t mote_gguf_get_u32(const mote_gguf *g, const char *key, uint32_t def) {
    int64_t i; uint64_t u;
    return get_int(g, key, 0, UINT32_MAX, &i, &u) ? (uint32_t)u : def;
}

int32_t mote_gguf_get_i32(const mote_gguf *g, const char *key, int32_t def) {
    int64_t i; uint64_t u;
    return get_int(g, key, INT32_MIN, INT32_MAX, &i, &u) ? (int32_t)i : def;
}

uint64_t mote_gguf_get_u64(const mote_gguf *g, const char *key, uint64_t def) {
    int64_t i; uint64_t u;
    return get_int(g, key, 0, UINT64_MAX, &i, &u) ? u : def;
}

float mote_gguf_get_f32(const mote_gguf *g, const char *key, float def) {
    const mote_gguf_kv *kv = kv_at(g, mote_gguf_find_key(g, key));
    if (!kv || !(is_float(kv->type) || is_signed(kv->type) || (is_unsigned(kv->type) && kv->type != MOTE_GGUF_BOOL)))
        return def;
    return (float)mote_gguf_val_f64(g, kv - g->kvs);
}

bool mote_gguf_get_bool(const mote_gguf *g, const char *key, bool def) {
    const mote_gguf_kv *kv = kv_at(g, mote_gguf_find_key(g, key));
    return kv && kv->type == MOTE_GGUF_BOOL ? kv->val.u != 0 : def;
}

const char *mote_gguf_get_str(const mote_gguf *g, const char *key, const char *def) {
    const mote_gguf_kv *kv = kv_at(g, mote_gguf_find_key(g, key));
    return kv && kv->type == MOTE_GGUF_STRING ? kv->str : def;
}

int64_t mote_gguf_get_arr(const mote_gguf *g, const char *key, mote_gguf_type *elem_type, uint64_t *n) {
    int64_t i = mote_gguf_find_key(g, key);
    const mote_gguf_kv *kv = kv_at(g, i);
    if (!kv || kv->type != MOTE_GGUF_ARRAY) return -1;
    if (elem_type) *elem_type = kv->arr_type;
    if (n) *n = kv->n;
    return i;
}

const mote_tensor_info *mote_gguf_tensor(const mote_gguf *g, int64_t i) {
    return (g && i >= 0 && i < g->n_tensors) ? &g->tensors[i] : NULL;
}

const mote_tensor_info *mote_gguf_find_tensor(const mote_gguf *g, const char *name) {
    if (!g || !name) return NULL;
    int64_t lo = 0, hi = g->n_tensors - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        int c = strcmp(g->tensor_sorted[mid]->name, name);
        if (c == 0) return g->tensor_sorted[mid];
        if (c < 0) lo = mid + 1; else hi = mid - 1;
    }
    return NULL;
}

int64_t mote_tensor_nelements(const mote_tensor_info *t) {
    int64_t n = 1;
    for (int d = 0; d < MOTE_MAX_DIMS; d++) n *= t->ne[d];
    return n;
}
