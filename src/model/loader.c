/*
 * loader.c — reading hyper-parameters and binding weights (see loader.h).
 *
 * Every check happens here, at load time, so the forward pass can trust
 * shapes and kernels and never tests them per token.
 */
#include "model/loader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

const char *mote_arch_key(const mote_model *m, const char *suffix) {
    static _Thread_local char buf[4][128];
    static _Thread_local int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s.%s", m->hp.arch, suffix);
    return buf[k];
}

/* A required positive integer key. */
static int need_int(mote_model *m, const char *suffix, int32_t *out) {
    const char *key = mote_arch_key(m, suffix);
    int64_t i = mote_gguf_find_key(m->gguf, key);
    if (i < 0) return mote_fail(MOTE_ERR_NOT_FOUND, "model has no '%s'", key);
    int32_t v = mote_gguf_get_i32(m->gguf, key, -1);
    if (v <= 0) return mote_fail(MOTE_ERR_FORMAT, "'%s' must be a positive integer", key);
    *out = v;
    return MOTE_OK;
}

/* An optional positive integer key; `def` when absent. */
static int opt_int(mote_model *m, const char *suffix, int32_t def, int32_t *out) {
    const char *key = mote_arch_key(m, suffix);
    if (mote_gguf_find_key(m->gguf, key) < 0) {
        *out = def;
        return MOTE_OK;
    }
    int32_t v = mote_gguf_get_i32(m->gguf, key, -1);
    if (v <= 0) return mote_fail(MOTE_ERR_FORMAT, "'%s' must be a positive integer", key);
    *out = v;
    return MOTE_OK;
}

int mote_load_common_hparams(mote_model *m, const mote_arch *a) {
    mote_hparams *hp = &m->hp;
    int rc;
    if ((rc = need_int(m, "embedding_length", &hp->n_embd)) || (rc = need_int(m, "block_count", &hp->n_layer)) ||
        (rc = need_int(m, "attention.head_count", &hp->n_head)) ||
        (rc = need_int(m, "feed_forward_length", &hp->n_ff)) ||
        (rc = opt_int(m, "context_length", 2048, &hp->n_ctx_train)) ||
        (rc = opt_int(m, "attention.head_count_kv", hp->n_head, &hp->n_head_kv)) ||
        (rc = opt_int(m, "attention.key_length", hp->n_embd / hp->n_head, &hp->head_dim)))
        return rc;
    int32_t head_dim_v = 0;
    if ((rc = opt_int(m, "attention.value_length", hp->head_dim, &head_dim_v)) ||
        (rc = opt_int(m, "rope.dimension_count", hp->head_dim, &hp->n_rot)))
        return rc;
    if (hp->n_layer > 4096 || hp->n_head > 4096 || hp->n_embd > (1 << 20) || hp->n_ff > (1 << 22))
        return mote_fail(MOTE_ERR_FORMAT, "implausible model dimensions (n_embd %d, layers %d, heads %d, ffn %d)",
                         hp->n_embd, hp->n_layer, hp->n_head, hp->n_ff);
    if (hp->n_head % hp->n_head_kv)
        return mote_fail(MOTE_ERR_FORMAT, "%d attention heads are not a multiple of %d key/value heads", hp->n_head,
                         hp->n_head_kv);
    if (head_dim_v != hp->head_dim)
        return mote_fail(MOTE_ERR_UNSUPPORTED, "key length %d differs from value length %d", hp->head_dim, head_dim_v);
    if (hp->n_rot > hp->head_dim || hp->n_rot % 2)
        return mote_fail(MOTE_ERR_FORMAT, "rope dimension count %d does not fit a head of %d", hp->n_rot,
                         hp->head_dim);

    if (a->pos == MOTE_POS_ROPE && a->rope_whole_head && hp->n_rot != hp->head_dim)
        return mote_fail(MOTE_ERR_FORMAT, "%s rotates whole heads, but rope dimension count %d != head size %d",
                         a->name, hp->n_rot, hp->head_dim);

    hp->norm = a->norm;
    hp->norm_eps = mote_gguf_get_f32(m->gguf,
                                     mote_arch_key(m, a->norm == MOTE_NORM_RMS ? "attention.layer_norm_rms_epsilon"
                                                                               : "attention.layer_norm_epsilon"),
                                     a->norm == MOTE_NORM_RMS ? 1e-5f : 1e-12f);
    hp->post_norm = a->post_norm;
    hp->ffn = a->ffn;
    hp->act = a->act;
    hp->pos = a->pos;
    hp->rope_mode = a->rope_mode;
    hp->causal = mote_gguf_get_bool(m->gguf, mote_arch_key(m, "attention.causal"), a->causal);
    hp->pooling = MOTE_POOL_NONE;
    if (a->head == MOTE_HEAD_NONE) {
        uint32_t pt = mote_gguf_get_u32(m->gguf, mote_arch_key(m, "pooling_type"), (uint32_t)a->pooling);
        if (pt > MOTE_POOL_LAST)
            return mote_fail(MOTE_ERR_UNSUPPORTED, "'%s' %u is not a pooling mote knows (mean 1, cls 2, last 3)",
                             mote_arch_key(m, "pooling_type"), pt);
        hp->pooling = pt == MOTE_POOL_NONE ? a->pooling : (mote_pool_kind)pt;
    }
    hp->embd_scale = 1.0f;
    hp->attn_scale = 1.0f / sqrtf((float)hp->head_dim);
    hp->logit_softcap = mote_gguf_get_f32(m->gguf, mote_arch_key(m, "final_logit_softcapping"), 0.0f);

    /* Rope scaling: linear (a factor on positions) is exact arithmetic we
     * support; YaRN and friends change the formula and are refused. */
    const char *scaling = mote_gguf_get_str(m->gguf, mote_arch_key(m, "rope.scaling.type"), "linear");
    if (strcmp(scaling, "linear") && strcmp(scaling, "none") && strcmp(scaling, "longrope"))
        return mote_fail(MOTE_ERR_UNSUPPORTED, "rope scaling '%s' is not supported (only linear)", scaling);
    float factor = mote_gguf_get_f32(m->gguf, mote_arch_key(m, "rope.scaling.factor"), 0.0f);
    if (factor == 0.0f) factor = mote_gguf_get_f32(m->gguf, mote_arch_key(m, "rope.scale_linear"), 0.0f);
    if (!strcmp(scaling, "none") || !strcmp(scaling, "longrope") || !(factor > 0.0f)) factor = 1.0f;
    hp->rope.base = mote_gguf_get_f32(m->gguf, mote_arch_key(m, "rope.freq_base"), 10000.0f);
    hp->rope.freq_scale = 1.0f / factor;
    hp->rope.attn_factor = mote_gguf_get_f32(m->gguf, mote_arch_key(m, "rope.scaling.attn_factor"), 1.0f);
    hp->rope.freq_factors = NULL;
    hp->rope_swa = hp->rope;
    hp->n_swa = 0;
    return MOTE_OK;
}

/* Find a tensor by formatted name; NULL if absent. `name` receives the
 * name. A tensor found is marked bound. */
static const mote_tensor_info *find(mote_model *m, const char *fmt, int il, char *name, size_t cap) {
    snprintf(name, cap, fmt, il);
    const mote_tensor_info *t = mote_gguf_find_tensor(m->gguf, name);
    if (t && m->bound) m->bound[t - mote_gguf_tensor(m->gguf, 0)] = 1;
    return t;
}

static int bind_matrix_info(mote_weight *w, const mote_tensor_info *t, int64_t n_in, int64_t n_out) {
    if (t->ne[0] != n_in || t->ne[1] != n_out || t->ne[2] != 1 || t->ne[3] != 1)
        return mote_fail(MOTE_ERR_SHAPE, "tensor '%s' is [%lld, %lld, %lld], expected [%lld, %lld]", t->name,
                         (long long)t->ne[0], (long long)t->ne[1], (long long)t->ne[2], (long long)n_in,
                         (long long)n_out);
    const mote_type_traits *tr = mote_traits(t->type);
    const mote_type_traits *act = tr ? mote_traits(tr->vec_dot_type) : NULL;
    bool act_ok = act && (tr->vec_dot_type == MOTE_TYPE_F32 || act->from_float);
    if (!tr || !tr->vec_dot || !tr->to_float || !act_ok)
        return mote_fail(MOTE_ERR_UNSUPPORTED, "tensor '%s' has type %s, which mote cannot compute with (yet)",
                         t->name, tr ? tr->name : "unknown");
    w->name = t->name;
    w->data = t->data;
    w->type = t->type;
    w->traits = tr;
    w->n_in = n_in;
    w->n_out = n_out;
    w->row_bytes = mote_row_size(t->type, n_in);
    return MOTE_OK;
}

int mote_bind_matrix_opt(mote_model *m, mote_weight *w, int64_t n_in, int64_t n_out, const char *fmt, int il,
                         bool *found) {
    char name[96];
    const mote_tensor_info *t = find(m, fmt, il, name, sizeof name);
    memset(w, 0, sizeof *w);
    *found = t != NULL;
    return t ? bind_matrix_info(w, t, n_in, n_out) : MOTE_OK;
}

int mote_bind_matrix(mote_model *m, mote_weight *w, int64_t n_in, int64_t n_out, const char *fmt, int il) {
    char name[96];
    const mote_tensor_info *t = find(m, fmt, il, name, sizeof name);
    if (!t) return mote_fail(MOTE_ERR_NOT_FOUND, "%s model has no tensor '%s'", m->hp.arch, name);
    return bind_matrix_info(w, t, n_in, n_out);
}

/* Room for n more floats among the copies of the vectors, sized on the
 * first call for every tensor of the file that could be bound as a vector
 * (f32, one row); NULL without memory, or if one is bound twice and the
 * room is spent (then the mapping is read, as before copies). */
static float *vector_room(mote_model *m, int64_t n) {
    if (!m->vectors) {
        size_t cap = 0;
        for (int64_t i = 0; i < mote_gguf_n_tensors(m->gguf); i++) {
            const mote_tensor_info *t = mote_gguf_tensor(m->gguf, i);
            if (t->type == MOTE_TYPE_F32 && mote_tensor_nelements(t) == t->ne[0]) cap += (size_t)t->ne[0];
        }
        if (!(m->vectors = malloc((cap ? cap : 1) * sizeof *m->vectors))) return NULL;
        m->n_vectors_cap = cap;
    }
    if (m->n_vectors_used + (size_t)n > m->n_vectors_cap) return NULL;
    float *at = m->vectors + m->n_vectors_used;
    m->n_vectors_used += (size_t)n;
    return at;
}

/* Vectors are copied out of the mapping: they are read every step, and
 * on a kernel that maps a file's large folios whole (2 MiB and more),
 * touching a norm's page maps back the neighbouring matrices that the
 * repacker handed back (model/repack.c): measured, up to 1.4 x the file
 * in resident memory, where the copies cost a few KiB per layer. */
static int bind_vector_info(mote_model *m, const float **v, const mote_tensor_info *t, int64_t n) {
    if (mote_tensor_nelements(t) != n || t->ne[0] != n)
        return mote_fail(MOTE_ERR_SHAPE, "tensor '%s' has %lld elements, expected %lld", t->name,
                         (long long)mote_tensor_nelements(t), (long long)n);
    if (t->type != MOTE_TYPE_F32)
        return mote_fail(MOTE_ERR_UNSUPPORTED, "tensor '%s' has type %s; mote reads vectors only as f32", t->name,
                         mote_type_name(t->type) ? mote_type_name(t->type) : "unknown");
    float *copy = vector_room(m, n);
    if (copy) memcpy(copy, t->data, (size_t)n * sizeof *copy);
    else m->vector_in_file = true; /* its pages must stay (file_pages.c) */
    *v = copy ? copy : t->data;
    return MOTE_OK;
}

int mote_bind_vector(mote_model *m, const float **v, int64_t n, const char *fmt, int il) {
    char name[96];
    const mote_tensor_info *t = find(m, fmt, il, name, sizeof name);
    if (!t) return mote_fail(MOTE_ERR_NOT_FOUND, "%s model has no tensor '%s'", m->hp.arch, name);
    return bind_vector_info(m, v, t, n);
}

int mote_bind_vector_opt(mote_model *m, const float **v, int64_t n, const char *fmt, int il) {
    char name[96];
    const mote_tensor_info *t = find(m, fmt, il, name, sizeof name);
    *v = NULL;
    return t ? bind_vector_info(m, v, t, n) : MOTE_OK;
}

