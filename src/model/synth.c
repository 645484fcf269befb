/*
 * synth.c — write a random-weight model of a known shape (`mote synth`).
 *
 * The file is what llama.cpp's converter and llama-quantize would produce
 * for the real model, minus the trained values: the same architecture
 * metadata, tensor names and shapes, the same per-tensor weight types for a
 * preset (Q4_K_M keeps some attention V and FFN down matrices at Q6_K, the
 * output head at Q6_K, norms at F32 ...), and a synthetic SentencePiece-style
 * vocabulary of the right size (or a real one copied from another file). Both mote and llama.cpp can load it, so the
 * two can be benchmarked on identical bytes.
 *
 * Values follow a trained model's scale so nothing overflows: matrices are
 * near-normal with standard deviation 0.02, norm weights near 1 (the form in
 * which llama.cpp stores Gemma's norms too).
 *
 * Tensors are streamed through the GGUF writer one at a time: floats are made
 * a few rows at a time and quantized into one tensor-sized buffer, so memory
 * stays near the size of the largest quantized tensor.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "model/loader.h"
#include "model/synth.h"
#include "model/tensor_names.h"
#include "quant/types.h"
#include "mote.h"

/* ---- presets: llama.cpp's file types and their per-tensor choices --------- */

typedef struct {
    const char *name;  /* as llama-quantize spells it, lower case */
    const char *long_name; /* as llama.cpp describes the file type */
    int ftype;         /* general.file_type (llama.cpp's LLAMA_FTYPE_* number) */
    int base;          /* the type of most matrices */
    int more_bits;     /* k-quant _M presets: type of attn_v / ffn_down in the layers that get more bits; -1 none */
} synth_preset;

static const synth_preset presets[] = {
    {"f32", "all F32", 0, MOTE_TYPE_F32, -1},
    {"f16", "F16", 1, MOTE_TYPE_F16, -1},
    {"bf16", "BF16", 32, MOTE_TYPE_BF16, -1},
    {"q8_0", "Q8_0", 7, MOTE_TYPE_Q8_0, -1},
    {"q4_0", "Q4_0", 2, MOTE_TYPE_Q4_0, -1},
    {"q4_1", "Q4_1", 3, MOTE_TYPE_Q4_1, -1},
    {"q5_0", "Q5_0", 8, MOTE_TYPE_Q5_0, -1},
    {"q5_1", "Q5_1", 9, MOTE_TYPE_Q5_1, -1},
    {"q6_k", "Q6_K", 18, MOTE_TYPE_Q6_K, -1},
    {"q4_k_m", "Q4_K - Medium", 15, MOTE_TYPE_Q4_K, MOTE_TYPE_Q6_K},
    {"q5_k_m", "Q5_K - Medium", 17, MOTE_TYPE_Q5_K, MOTE_TYPE_Q6_K},
    {NULL, NULL, 0, 0, 0},
};

const char *mote_ftype_name(int ftype) {
    for (const synth_preset *p = presets; p->name; p++)
        if (p->ftype == ftype) return p->long_name;
    return NULL;
}

static const synth_preset *preset_find(const char *name) {
    for (const synth_preset *p = presets; p->name; p++)
        if (!strcasecmp(p->name, name)) return p;
    return NULL;
}

/* What a tensor is, for the type choice and for its values: norm weights
 * (f32, near 1), biases and row tables (f32, near 0: llama-quantize keeps
 * position_embd and token_types in f32), matrices (the preset's types). */
typedef enum { R_NORM, R_BIAS, R_TABLE, R_TOKEN_EMBD, R_OUTPUT, R_ATTN_V, R_FFN_DOWN, R_MATRIX } tensor_role;

/* llama-quantize's "use more bits" layers: the first and last eighth and every third one between. */
static int more_bits_layer(int il, int n_layer) {
    return il < n_layer / 8 || il >= 7 * n_layer / 8 || (il - n_layer / 8) % 3 == 2;
}

/* The 32-block type llama-quantize falls back to when rows do not fit a 256-block type. */
static int fallback_type(int type, int64_t ncols) {
    if (ncols % mote_type_block_size(type) == 0) return type;
    int t = type;
    if (type == MOTE_TYPE_Q4_K) t = MOTE_TYPE_Q5_0;
    else if (type == MOTE_TYPE_Q5_K) t = MOTE_TYPE_Q5_1;
    else if (type == MOTE_TYPE_Q6_K) t = MOTE_TYPE_Q8_0;
    else if (type == MOTE_TYPE_Q2_K || type == MOTE_TYPE_Q3_K) t = MOTE_TYPE_Q4_0;
    return ncols % mote_type_block_size(t) == 0 ? t : MOTE_TYPE_F16;
}

/* The type a tensor gets under a preset, as llama-quantize decides it. */
static int tensor_type(const synth_preset *p, tensor_role role, int il, int n_layer, int64_t ncols, bool tied) {
    if (role == R_NORM || role == R_BIAS || role == R_TABLE) return MOTE_TYPE_F32;
    const mote_type_traits *base = mote_traits(p->base);
    if (!base->quantized) return p->base;
    int t = p->base;
    if (role == R_OUTPUT || (role == R_TOKEN_EMBD && tied)) {
        /* The output head is the most sensitive matrix: Q6_K unless the preset is already 8-bit. */
        if (ncols % base->block_size != 0) t = MOTE_TYPE_Q8_0;
        else if (p->base != MOTE_TYPE_Q8_0) t = MOTE_TYPE_Q6_K;
    } else if ((role == R_ATTN_V || role == R_FFN_DOWN) && p->more_bits >= 0 && more_bits_layer(il, n_layer)) {
        t = p->more_bits;
    }
    return fallback_type(t, ncols);
}

/* ---- the tensors of each architecture ---------------------------------------- */

typedef struct {
    char name[48];
    int64_t ne[2];
    int n_dims;
    tensor_role role;
    int layer;  /* -1 outside the blocks */
    int type;
} synth_tensor;

typedef struct {
    synth_tensor *t;
    int n, cap;
} tensor_list;

static int add(tensor_list *l, mote_tensor_id id, const char *kind, int layer, tensor_role role, int64_t ne0,
               int64_t ne1) {
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 64;
        synth_tensor *t = realloc(l->t, (size_t)cap * sizeof *t);
        if (!t) return mote_fail(MOTE_ERR_NOMEM, "out of memory listing tensors");
        l->t = t;
        l->cap = cap;
    }
    synth_tensor *t = &l->t[l->n++];
    memset(t, 0, sizeof *t);
    mote_tensor_name(t->name, sizeof t->name, id, layer, kind);
    t->ne[0] = ne0;
    t->ne[1] = ne1;
    t->n_dims = ne1 > 1 ? 2 : 1;
    t->role = role;
    t->layer = layer;
    return MOTE_OK;
}

/* A matrix n_in -> n_out and, when the declaration requires one, its bias. */
static int add_linear(tensor_list *l, const mote_arch *a, unsigned bias_bit, mote_tensor_id id, int il,
                      tensor_role role, int64_t n_in, int64_t n_out) {
    int rc = add(l, id, "weight", il, role, n_in, n_out);
    if (!rc && (a->bias & bias_bit)) rc = add(l, id, "bias", il, R_BIAS, n_out, 1);
    return rc;
}

/* A norm's weight and, for LayerNorm, its bias. */
static int add_norm(tensor_list *l, const mote_arch *a, mote_tensor_id id, int il, int64_t n) {
    int rc = add(l, id, "weight", il, R_NORM, n, 1);
    if (!rc && a->norm == MOTE_NORM_LAYER) rc = add(l, id, "bias", il, R_BIAS, n, 1);
    return rc;
}

/* The tensors the architecture's declaration implies (the loader binds
 * exactly these), with their shapes (ne[0] = row length). */
static int list_tensors(const mote_model_shape *s, tensor_list *l) {
    const mote_arch *a = mote_arch_find(s->arch);
    if (!a) return mote_fail(MOTE_ERR_UNSUPPORTED, "shape %s: architecture '%s' is unknown", s->name, s->arch);
    const int64_t e = s->n_embd, q = (int64_t)s->n_head * s->head_dim, kv = (int64_t)s->n_head_kv * s->head_dim;
    const int64_t ff = s->n_ff, hd = s->head_dim;
    const bool fused_qkv = a->qkv == MOTE_QKV_FUSED || (a->qkv == MOTE_QKV_EITHER && s->fused);
    const bool tied = a->head == MOTE_HEAD_TIED || (a->head == MOTE_HEAD_EITHER && s->tied_embd);
    int rc = add(l, MOTE_TN_TOKEN_EMBD, "weight", -1, R_TOKEN_EMBD, e, s->n_vocab);
    if (!rc && a->token_types) rc = add(l, MOTE_TN_TOKEN_TYPES, "weight", -1, R_TABLE, e, 2);
    if (!rc && a->pos == MOTE_POS_LEARNED) rc = add(l, MOTE_TN_POS_EMBD, "weight", -1, R_TABLE, e, s->n_ctx_train);
    if (!rc && a->embd_norm) rc = add_norm(l, a, MOTE_TN_TOKEN_EMBD_NORM, -1, e);
    if (!rc && a->head != MOTE_HEAD_NONE) rc = add_norm(l, a, MOTE_TN_OUTPUT_NORM, -1, e);
    if (!rc && a->head != MOTE_HEAD_NONE && !tied)
        rc = add_linear(l, a, MOTE_BIAS_OUTPUT, MOTE_TN_OUTPUT, -1, R_OUTPUT, e, s->n_vocab);
    for (int il = 0; il < s->n_layer && !rc; il++) {
        if (!a->post_norm) rc = add_norm(l, a, MOTE_TN_ATTN_NORM, il, e);
        if (fused_qkv) {
            if (!rc) rc = add_linear(l, a, MOTE_BIAS_QKV, MOTE_TN_ATTN_QKV, il, R_ATTN_V, e, q + 2 * kv);
        } else {
            if (!rc) rc = add_linear(l, a, MOTE_BIAS_Q, MOTE_TN_ATTN_Q, il, R_MATRIX, e, q);
            if (!rc) rc = add_linear(l, a, MOTE_BIAS_K, MOTE_TN_ATTN_K, il, R_MATRIX, e, kv);
            if (!rc) rc = add_linear(l, a, MOTE_BIAS_V, MOTE_TN_ATTN_V, il, R_ATTN_V, e, kv);
        }
        if (a->qk_norm) {
            if (!rc) rc = add(l, MOTE_TN_ATTN_Q_NORM, "weight", il, R_NORM, hd, 1);
            if (!rc) rc = add(l, MOTE_TN_ATTN_K_NORM, "weight", il, R_NORM, hd, 1);
        }
        if (a->sub_norms && !rc) rc = add(l, MOTE_TN_ATTN_SUB_NORM, "weight", il, R_NORM, q, 1);
        if (!rc) rc = add_linear(l, a, MOTE_BIAS_O, MOTE_TN_ATTN_OUT, il, R_MATRIX, q, e);
        if (a->post_norms && !rc) rc = add(l, MOTE_TN_ATTN_POST_NORM, "weight", il, R_NORM, e, 1);
        if (a->post_norm && !rc) rc = add_norm(l, a, MOTE_TN_ATTN_OUT_NORM, il, e);
        if (!a->post_norm && !rc) rc = add_norm(l, a, MOTE_TN_FFN_NORM, il, e);
        if (a->ffn == MOTE_FFN_GATED && !rc) rc = add_linear(l, a, MOTE_BIAS_GATE, MOTE_TN_FFN_GATE, il, R_MATRIX, e, ff);
        if (!rc) /* gated and fused: gate and up halves */
            rc = add_linear(l, a, MOTE_BIAS_UP, MOTE_TN_FFN_UP, il, R_MATRIX, e, a->ffn == MOTE_FFN_GATED_FUSED ? 2 * ff : ff);
        if (a->sub_norms && !rc) rc = add(l, MOTE_TN_FFN_SUB_NORM, "weight", il, R_NORM, ff, 1);
        if (!rc) rc = add_linear(l, a, MOTE_BIAS_DOWN, MOTE_TN_FFN_DOWN, il, R_FFN_DOWN, ff, e);
        if (a->post_norms && !rc) rc = add(l, MOTE_TN_FFN_POST_NORM, "weight", il, R_NORM, e, 1);
        if (a->post_norm && !rc) rc = add_norm(l, a, MOTE_TN_LAYER_OUT_NORM, il, e);
    }
    return rc;
}

uint64_t mote_synth_count_params(const mote_model_shape *s) {
    tensor_list l = {0};
    uint64_t n = 0;
    if (list_tensors(s, &l) == MOTE_OK)
        for (int i = 0; i < l.n; i++) n += (uint64_t)l.t[i].ne[0] * (uint64_t)l.t[i].ne[1];
    free(l.t);
    return n;
}

/* ---- random values --------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* n values of mean `mean` and standard deviation `sd`. The sum of four
 * uniforms (Irwin-Hall) is close enough to normal for weights that only
 * need a realistic spread, and costs one random number per value. */
static void fill_normal(uint64_t *state, float *dst, int64_t n, float mean, float sd) {
    /* Four 16-bit uniforms sum to [0, 4 * 65535]: mean 2 * 65535, variance 4 * 65536^2 / 12. */
    const float scale = sd / (65536.0f * sqrtf(4.0f / 12.0f));
    for (int64_t i = 0; i < n; i++) {
        uint64_t r = splitmix64(state);
        float sum = (float)((r & 0xffff) + ((r >> 16) & 0xffff) + ((r >> 32) & 0xffff) + (r >> 48));
        dst[i] = mean + (sum - 2.0f * 65535.0f) * scale;
    }
}

/* ---- vocabulary ------------------------------------------------------------ */

/* A SentencePiece ("llama") vocabulary of n tokens: <unk>, <s>, </s>, the 256
 * byte tokens, then plain pieces. llama.cpp accepts it (it needs the byte
 * token of '\n'), and a benchmark never tokenizes text anyway. */
/* The family's control tokens, at the end of the vocabulary as in the real
 * models. llama.cpp looks some up by text (a model named "phi3" must have
 * <|endoftext|>), and chat code finds its markers. */
static const char *const *control_tokens(const char *arch, int *n) {
    static const char *const qwen3[] = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
    static const char *const gemma3[] = {"<start_of_turn>", "<end_of_turn>"};
    static const char *const phi3[] = {"<|endoftext|>", "<|end|>", "<|user|>", "<|assistant|>", "<|system|>"};
    static const char *const gpt2[] = {"<|endoftext|>"};
    if (!strcmp(arch, "qwen3") || !strcmp(arch, "qwen2")) return *n = 3, qwen3;
    if (!strcmp(arch, "gpt2")) return *n = 1, gpt2;
    if (!strcmp(arch, "gemma3") || !strcmp(arch, "gemma2")) return *n = 2, gemma3;
    if (!strcmp(arch, "phi3")) return *n = 5, phi3;
    return *n = 0, NULL;
}

static int set_vocab(mote_gguf_writer *w, int32_t n, const char *arch) {
    int n_ctl;
    const char *const *ctl = control_tokens(arch, &n_ctl);
    if (n < 3 + 256 + n_ctl)
        return mote_fail(MOTE_ERR_INVALID_ARG, "a %s vocabulary needs at least %d tokens, not %d", arch, 3 + 256 + n_ctl, n);
    char **text = calloc((size_t)n, sizeof *text);
    float *score = malloc((size_t)n * sizeof *score);
    int32_t *kind = malloc((size_t)n * sizeof *kind);
    char *pool = malloc((size_t)n * 16);
    int rc = MOTE_OK;
    if (!text || !score || !kind || !pool) rc = mote_fail(MOTE_ERR_NOMEM, "out of memory for %d tokens", n);
    for (int32_t i = 0; i < n && !rc; i++) {
        char *s = pool + (size_t)i * 16;
        if (i == 0) strcpy(s, "<unk>");
        else if (i == 1) strcpy(s, "<s>");
        else if (i == 2) strcpy(s, "</s>");
        else if (i < 3 + 256) snprintf(s, 16, "<0x%02X>", i - 3);
        else snprintf(s, 16, "\xe2\x96\x81t%d", i); /* "▁t<i>": a word piece */
        bool control = i >= n - n_ctl;
        text[i] = control ? (char *)ctl[i - (n - n_ctl)] : s;
        score[i] = i < 3 + 256 || control ? 0.0f : -(float)(i - 3 - 256);
        kind[i] = i == 0 ? 2 : i < 3 || control ? 3 : i < 3 + 256 ? 6 : 1; /* unknown, control, byte, normal */
    }
    if (!rc) rc = mote_gguf_writer_set_str(w, "tokenizer.ggml.model", "llama");
    if (!rc) rc = mote_gguf_writer_set_str(w, "tokenizer.ggml.pre", "default");
    if (!rc) rc = mote_gguf_writer_set_arr_str(w, "tokenizer.ggml.tokens", (const char *const *)text, (uint64_t)n);
    if (!rc) rc = mote_gguf_writer_set_arr(w, "tokenizer.ggml.scores", MOTE_GGUF_FLOAT32, score, (uint64_t)n);
    if (!rc) rc = mote_gguf_writer_set_arr(w, "tokenizer.ggml.token_type", MOTE_GGUF_INT32, kind, (uint64_t)n);
    if (!rc) rc = mote_gguf_writer_set_u32(w, "tokenizer.ggml.bos_token_id", 1);
    if (!rc) rc = mote_gguf_writer_set_u32(w, "tokenizer.ggml.eos_token_id", 2);
    if (!rc) rc = mote_gguf_writer_set_u32(w, "tokenizer.ggml.unknown_token_id", 0);
    if (!rc) rc = mote_gguf_writer_set_bool(w, "tokenizer.ggml.add_bos_token", true);
    if (!rc) rc = mote_gguf_writer_set_bool(w, "tokenizer.ggml.add_eos_token", false);
    free(text);
    free(score);
    free(kind);
    free(pool);
    return rc;
}

/* The tokenizer.* keys of the GGUF at path instead of the synthetic
 * vocabulary: a real one, so text is cut into tokens as the real model cuts
 * it (chunk sizes, sequence lengths). Its token count must be n. */
static int copy_vocab(mote_gguf_writer *w, int32_t n, const char *path) {
    mote_gguf *g;
    int rc = mote_gguf_open(path, &g);
    if (rc) return rc;
    int64_t tokens = mote_gguf_find_key(g, "tokenizer.ggml.tokens");
    uint64_t have = tokens >= 0 ? mote_gguf_arr_n(g, tokens) : 0;
    if (have != (uint64_t)n)
        rc = mote_fail(MOTE_ERR_INVALID_ARG, "'%s' holds a vocabulary of %llu tokens; this shape has %d", path,
                       (unsigned long long)have, n);
    for (int64_t i = 0; !rc && i < mote_gguf_n_kv(g); i++)
        if (!strncmp(mote_gguf_key(g, i), "tokenizer.", 10)) rc = mote_gguf_writer_copy_kv(w, g, i);
    mote_gguf_close(g);
    return rc;
}

/* ---- metadata ---------------------------------------------------------------- */

static int set_hparams(mote_gguf_writer *w, const mote_model_shape *s, const synth_preset *p, int32_t n_ctx) {
    char key[96];
    const char *a = s->arch;
    char name[96];
    snprintf(name, sizeof name, "%s (random weights, mote synth)", s->name);
    int rc = mote_gguf_writer_set_str(w, "general.architecture", a);
    if (!rc) rc = mote_gguf_writer_set_str(w, "general.name", name);
    if (!rc) rc = mote_gguf_writer_set_u32(w, "general.file_type", (uint32_t)p->ftype);
    if (!rc) rc = mote_gguf_writer_set_u32(w, "general.quantization_version", 2);
#define SET_U32(suffix, v) \
    if (!rc) (snprintf(key, sizeof key, "%s." suffix, a), rc = mote_gguf_writer_set_u32(w, key, (uint32_t)(v)))
#define SET_F32(suffix, v) \
    if (!rc) (snprintf(key, sizeof key, "%s." suffix, a), rc = mote_gguf_writer_set_f32(w, key, (v)))
    SET_U32("context_length", n_ctx);
    SET_U32("embedding_length", s->n_embd);
    SET_U32("block_count", s->n_layer);
    SET_U32("feed_forward_length", s->n_ff);
    SET_U32("attention.head_count", s->n_head);
    SET_U32("attention.head_count_kv", s->n_head_kv);
    SET_U32("attention.key_length", s->head_dim);
    SET_U32("attention.value_length", s->head_dim);
    SET_U32("vocab_size", s->n_vocab);
    const mote_arch *arch = mote_arch_find(a);
    if (arch && arch->norm == MOTE_NORM_LAYER) {
        SET_F32("attention.layer_norm_epsilon", s->norm_eps);
    } else {
        SET_F32("attention.layer_norm_rms_epsilon", s->norm_eps);
    }
    if (arch && arch->pos == MOTE_POS_ROPE) {
        SET_U32("rope.dimension_count", s->n_rot);
        SET_F32("rope.freq_base", s->rope_base);
    }
    if (arch && !arch->causal && !rc)
        (snprintf(key, sizeof key, "%s.attention.causal", a), rc = mote_gguf_writer_set_bool(w, key, false));
    if (arch && arch->head == MOTE_HEAD_NONE) {
        SET_U32("pooling_type", s->pooling > 0 ? s->pooling : (int)arch->pooling);
    }
    if (arch && arch->token_types && !rc) rc = mote_gguf_writer_set_u32(w, "tokenizer.ggml.token_type_count", 2);
    if (s->sliding_window > 0) {
        SET_U32("attention.sliding_window", s->sliding_window);
        SET_F32("rope.freq_base_swa", s->rope_base_swa);
    }
    if (s->fused && arch && arch->pos == MOTE_POS_ROPE)
        SET_U32("rope.scaling.original_context_length", n_ctx < 4096 ? n_ctx : 4096);
#undef SET_U32
#undef SET_F32
    return rc;
}

/* ---- writing ------------------------------------------------------------------- */

mote_synth_params mote_synth_default_params(void) {
    mote_synth_params p = {"q8_0", 42, 0, NULL, NULL, NULL};
    return p;
}

/* Make and quantize one tensor's values into buf (its whole size). */
static int make_tensor(const synth_tensor *t, uint64_t seed, int index, float *rows, int64_t rows_cap, uint8_t *buf) {
    const mote_type_traits *tr = mote_traits(t->type);
    const size_t row_bytes = mote_row_size(t->type, t->ne[0]);
    uint64_t state = seed ^ (0x51ED27A3ull * (uint64_t)(index + 1));
    const float mean = t->role == R_NORM ? 1.0f : 0.0f;
    for (int64_t r = 0; r < t->ne[1]; r += rows_cap) {
        int64_t nr = t->ne[1] - r < rows_cap ? t->ne[1] - r : rows_cap;
        fill_normal(&state, rows, nr * t->ne[0], mean, 0.02f);
        tr->from_float(rows, buf + (size_t)r * row_bytes, nr * t->ne[0]);
    }
    return MOTE_OK;
}

int mote_synth_write(const mote_model_shape *s, const mote_synth_params *params, const char *path) {
    mote_synth_params p = params ? *params : mote_synth_default_params();
    if (!s || !path) return mote_fail(MOTE_ERR_INVALID_ARG, "no shape or no output path");
    const synth_preset *pre = preset_find(p.type ? p.type : "");
    if (!pre) {
        char list[256] = "";
        for (const synth_preset *q = presets; q->name; q++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", q->name, q[1].name ? ", " : "");
        return mote_fail(MOTE_ERR_INVALID_ARG, "unknown type '%s' (known: %s)", p.type ? p.type : "", list);
    }
    int32_t n_ctx = p.n_ctx > 0 ? p.n_ctx : s->n_ctx_train;

    tensor_list l = {0};
    int rc = list_tensors(s, &l);
    size_t max_bytes = 0;
    int64_t max_row = 0, total = 0;
    for (int i = 0; i < l.n && !rc; i++) {
        synth_tensor *t = &l.t[i];
        t->type = tensor_type(pre, t->role, t->layer, s->n_layer, t->ne[0], s->tied_embd);
        const mote_type_traits *tr = mote_traits(t->type);
        if (!tr || !tr->from_float) {
            rc = mote_fail(MOTE_ERR_UNSUPPORTED, "mote cannot quantize to %s yet (tensor %s of preset %s)",
                           mote_type_name(t->type), t->name, pre->name);
            break;
        }
        size_t bytes = mote_row_size(t->type, t->ne[0]) * (size_t)t->ne[1];
        if (bytes > max_bytes) max_bytes = bytes;
        if (t->ne[0] > max_row) max_row = t->ne[0];
        total += t->ne[1];
    }

    mote_gguf_writer *w = NULL;
    uint8_t *buf = NULL;
    float *rows = NULL;
    /* Floats are made ~1 MiB at a time, always whole rows. */
    int64_t rows_cap = max_row ? (262144 + max_row - 1) / max_row : 1;
    if (!rc) {
        w = mote_gguf_writer_new();
        buf = malloc(max_bytes ? max_bytes : 1);
        rows = malloc((size_t)(rows_cap * max_row) * sizeof *rows);
        if (!w || !buf || !rows) rc = mote_fail(MOTE_ERR_NOMEM, "out of memory (%zu bytes for the largest tensor)", max_bytes);
    }
    if (!rc) rc = set_hparams(w, s, pre, n_ctx);
    if (!rc) rc = p.vocab_from ? copy_vocab(w, s->n_vocab, p.vocab_from) : set_vocab(w, s->n_vocab, s->arch);
    for (int i = 0; i < l.n && !rc; i++)
        rc = mote_gguf_writer_add_tensor(w, l.t[i].name, l.t[i].type, l.t[i].n_dims, l.t[i].ne, NULL);
    if (!rc) rc = mote_gguf_writer_begin(w, path);
    int64_t done = 0;
    for (int i = 0; i < l.n && !rc; i++) {
        const synth_tensor *t = &l.t[i];
        size_t bytes = mote_row_size(t->type, t->ne[0]) * (size_t)t->ne[1];
        if (p.progress) p.progress(done, total, t->name, p.user);
        rc = make_tensor(t, p.seed, i, rows, rows_cap, buf);
        if (!rc) rc = mote_gguf_writer_write_tensor_data(w, buf, bytes);
        done += t->ne[1];
    }
    if (!rc) rc = mote_gguf_writer_finish(w);
    if (!rc && p.progress) p.progress(total, total, NULL, p.user);
    /* On failure after begin the writer has already removed its temporary file. */
    mote_gguf_writer_free(w);
    free(buf);
    free(rows);
    free(l.t);
    return rc;
}
