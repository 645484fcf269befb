/*
 * imatrix.c — reading importance matrices written by llama-imatrix or by
 * `mote imatrix` (src/engine/imatrix_collect.c writes the same GGUF format).
 *
 * Two formats, told apart by the GGUF magic:
 *   GGUF (current): general.type = "imatrix"; per weight matrix W two F32
 *     tensors "W.in_sum2" [ne0, n_mat] (sums of squared activations of each
 *     input column, per expert) and "W.counts" [n_mat] (activations seen).
 *     Importance = in_sum2 / count (1 where nothing was seen).
 *   legacy .dat: int32 n_entries, then per entry int32 name length, name,
 *     int32 ncall, int32 nval, nval floats holding mean * ncall.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "quantize/quantize_model.h"

typedef struct {
    char *name;     /* the weight's name, e.g. "blk.0.attn_q.weight" */
    float *values;
    int64_t n;
} imatrix_entry;

struct mote_imatrix {
    imatrix_entry *entries;
    int64_t n;
    char *dataset;          /* the first of imatrix.datasets, or NULL */
    int32_t chunk_count;    /* imatrix.chunk_count, 0 if unknown */
};

void mote_imatrix_free(mote_imatrix *im) {
    if (!im) return;
    for (int64_t i = 0; i < im->n; i++) {
        free(im->entries[i].name);
        free(im->entries[i].values);
    }
    free(im->entries);
    free(im->dataset);
    free(im);
}

const char *mote_imatrix_dataset(const mote_imatrix *im) { return im ? im->dataset : NULL; }

int32_t mote_imatrix_chunk_count(const mote_imatrix *im) { return im ? im->chunk_count : 0; }

int64_t mote_imatrix_count(const mote_imatrix *im) { return im ? im->n : 0; }

const float *mote_imatrix_find(const mote_imatrix *im, const char *tensor, int64_t *n) {
    for (int64_t i = 0; im && i < im->n; i++)
        if (!strcmp(im->entries[i].name, tensor)) {
            if (n) *n = im->entries[i].n;
            return im->entries[i].values;
        }
    return NULL;
}

static int add_entry(mote_imatrix *im, const char *name, size_t name_len, float *values, int64_t n) {
    imatrix_entry *e = realloc(im->entries, (size_t)(im->n + 1) * sizeof *e);
    if (!e) return mote_fail(MOTE_ERR_NOMEM, "out of memory reading the imatrix");
    im->entries = e;
    char *copy = malloc(name_len + 1);
    if (!copy) return mote_fail(MOTE_ERR_NOMEM, "out of memory reading the imatrix");
    memcpy(copy, name, name_len);
    copy[name_len] = 0;
    im->entries[im->n++] = (imatrix_entry){copy, values, n};
    return MOTE_OK;
}

static int check_finite(const char *path, const char *name, const float *v, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        if (!(v[i] >= 0 && v[i] <= 3.4e38f))
            return mote_fail(MOTE_ERR_FORMAT, "%s: importance of %s has a negative or non-finite value", path, name);
    return MOTE_OK;
}

static int load_gguf(const char *path, mote_imatrix *im) {
    mote_gguf *g = NULL;
    int st = mote_gguf_open(path, &g);
    if (st) return st;
    static const char suffix[] = ".in_sum2";
    for (int64_t i = 0; i < mote_gguf_n_tensors(g) && st == MOTE_OK; i++) {
        const mote_tensor_info *s = mote_gguf_tensor(g, i);
        size_t len = strlen(s->name);
        if (len <= sizeof suffix - 1 || strcmp(s->name + len - (sizeof suffix - 1), suffix) != 0) continue;
        size_t base = len - (sizeof suffix - 1);
        char cname[512];
        if (base + 8 >= sizeof cname) {
            st = mote_fail(MOTE_ERR_FORMAT, "%s: tensor name too long: %s", path, s->name);
            break;
        }
        memcpy(cname, s->name, base);
        strcpy(cname + base, ".counts");
        const mote_tensor_info *c = mote_gguf_find_tensor(g, cname);
        const int64_t ne0 = s->ne[0], nmat = s->ne[1] * s->ne[2] * s->ne[3];
        if (!c || s->type != MOTE_TYPE_F32 || c->type != MOTE_TYPE_F32 || mote_tensor_nelements(c) != nmat) {
            st = mote_fail(MOTE_ERR_FORMAT, "%s: %s has no matching F32 counts tensor", path, s->name);
            break;
        }
        float *v = malloc((size_t)(ne0 * nmat) * sizeof *v);
        if (!v) {
            st = mote_fail(MOTE_ERR_NOMEM, "out of memory reading %s", path);
            break;
        }
        const float *sums = s->data, *counts = c->data;
        for (int64_t m = 0; m < nmat; m++) {
            float cnt;
            memcpy(&cnt, &counts[m], sizeof cnt);
            for (int64_t j = 0; j < ne0; j++) {
                float sum;
                memcpy(&sum, &sums[m * ne0 + j], sizeof sum); /* tensor data is only 32-byte aligned in the file */
                v[m * ne0 + j] = cnt > 0 ? sum / cnt : 1.0f;
            }
        }
        st = check_finite(path, cname, v, ne0 * nmat);
        if (st == MOTE_OK) st = add_entry(im, s->name, base, v, ne0 * nmat);
        if (st) free(v);
    }
    /* What llama-quantize records in the quantized model (quantize.imatrix.*). */
    mote_gguf_type et;
    uint64_t n_sets = 0;
    int64_t sets = mote_gguf_get_arr(g, "imatrix.datasets", &et, &n_sets);
    if (st == MOTE_OK && sets >= 0 && et == MOTE_GGUF_STRING && n_sets > 0) {
        const char *d = mote_gguf_arr_str(g, sets, 0, NULL);
        if (d && !(im->dataset = strdup(d))) st = mote_fail(MOTE_ERR_NOMEM, "out of memory reading %s", path);
    }
    im->chunk_count = (int32_t)mote_gguf_get_u32(g, "imatrix.chunk_count", 0);
    mote_gguf_close(g);
    if (st == MOTE_OK && im->n == 0) st = mote_fail(MOTE_ERR_FORMAT, "%s: no importance data (no *.in_sum2 tensors)", path);
    return st;
}

static int read_i32(FILE *f, int32_t *v) { return fread(v, 4, 1, f) == 1 ? 0 : -1; }

static int load_legacy(const char *path, mote_imatrix *im) {
    FILE *f = fopen(path, "rb");
    if (!f) return mote_fail(MOTE_ERR_IO, "cannot open %s", path);
    int32_t n_entries;
    int st = MOTE_OK;
    if (read_i32(f, &n_entries) || n_entries < 1 || n_entries > 1000000)
        st = mote_fail(MOTE_ERR_FORMAT, "%s: not an imatrix file (neither GGUF nor the legacy format)", path);
    for (int32_t e = 0; e < n_entries && st == MOTE_OK; e++) {
        int32_t len, ncall, nval;
        char name[512];
        if (read_i32(f, &len) || len < 1 || len >= (int32_t)sizeof name || fread(name, 1, (size_t)len, f) != (size_t)len ||
            read_i32(f, &ncall) || read_i32(f, &nval) || nval < 1 || nval > (1 << 28)) {
            st = mote_fail(MOTE_ERR_FORMAT, "%s: entry %d is truncated or malformed", path, e);
            break;
        }
        float *v = malloc((size_t)nval * sizeof *v);
        if (!v) {
            st = mote_fail(MOTE_ERR_NOMEM, "out of memory reading %s", path);
            break;
        }
        if (fread(v, sizeof *v, (size_t)nval, f) != (size_t)nval) {
            free(v);
            st = mote_fail(MOTE_ERR_TRUNCATED, "%s: entry %.*s is truncated", path, (int)len, name);
            break;
        }
        if (ncall > 0)
            for (int32_t j = 0; j < nval; j++) v[j] /= (float)ncall;
        name[len] = 0;
        st = check_finite(path, name, v, nval);
        if (st == MOTE_OK) st = add_entry(im, name, (size_t)len, v, nval);
        if (st) free(v);
    }
    fclose(f);
    return st;
}

int mote_imatrix_load(const char *path, mote_imatrix **out) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return mote_fail(MOTE_ERR_IO, "cannot open imatrix file %s", path);
    char magic[4] = {0};
    size_t got = fread(magic, 1, 4, f);
    fclose(f);
    mote_imatrix *im = calloc(1, sizeof *im);
    if (!im) return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    int st = got == 4 && !memcmp(magic, "GGUF", 4) ? load_gguf(path, im) : load_legacy(path, im);
    if (st) {
        mote_imatrix_free(im);
        return st;
    }
    *out = im;
    return MOTE_OK;
}
