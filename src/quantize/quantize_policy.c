/*
 * quantize_policy.c — which type each tensor of a model gets.
 *
 * The presets follow llama.cpp's llama-quantize so that a "Q4_K_M" from mote
 * is the Q4_K_M users know: 1-D tensors, norms and a few small special
 * tensors are copied as they are; the output head (and a tied token
 * embedding) goes to Q6_K; attention V, FFN down and attention output get
 * more bits in the layers where the preset asks for it; a tensor whose rows
 * are not a whole number of blocks falls back to a 32-block type, or F16.
 */
#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "quant/quantize.h"
#include "quantize/quantize_model.h"
#include "quant/types.h"

/* llama.cpp file type numbers (general.file_type). */
enum {
    FT_F16 = 1, FT_Q4_0 = 2, FT_Q4_1 = 3, FT_Q8_0 = 7, FT_Q5_0 = 8, FT_Q5_1 = 9, FT_Q2_K = 10,
    FT_Q3_K_S = 11, FT_Q3_K_M = 12, FT_Q3_K_L = 13, FT_Q4_K_S = 14, FT_Q4_K_M = 15, FT_Q5_K_S = 16,
    FT_Q5_K_M = 17, FT_Q6_K = 18, FT_IQ4_NL = 25, FT_IQ4_XS = 30, FT_BF16 = 32, FT_TQ1_0 = 36, FT_TQ2_0 = 37,
};

static const mote_quant_preset presets[] = {
    {"F16", FT_F16, MOTE_TYPE_F16},          {"BF16", FT_BF16, MOTE_TYPE_BF16},
    {"Q8_0", FT_Q8_0, MOTE_TYPE_Q8_0},       {"Q4_0", FT_Q4_0, MOTE_TYPE_Q4_0},
    {"Q4_1", FT_Q4_1, MOTE_TYPE_Q4_1},       {"Q5_0", FT_Q5_0, MOTE_TYPE_Q5_0},
    {"Q5_1", FT_Q5_1, MOTE_TYPE_Q5_1},       {"Q2_K", FT_Q2_K, MOTE_TYPE_Q2_K},
    {"Q3_K_S", FT_Q3_K_S, MOTE_TYPE_Q3_K},   {"Q3_K_M", FT_Q3_K_M, MOTE_TYPE_Q3_K},
    {"Q3_K_L", FT_Q3_K_L, MOTE_TYPE_Q3_K},   {"Q4_K_S", FT_Q4_K_S, MOTE_TYPE_Q4_K},
    {"Q4_K_M", FT_Q4_K_M, MOTE_TYPE_Q4_K},   {"Q5_K_S", FT_Q5_K_S, MOTE_TYPE_Q5_K},
    {"Q5_K_M", FT_Q5_K_M, MOTE_TYPE_Q5_K},   {"Q6_K", FT_Q6_K, MOTE_TYPE_Q6_K},
    {"IQ4_NL", FT_IQ4_NL, MOTE_TYPE_IQ4_NL}, {"IQ4_XS", FT_IQ4_XS, MOTE_TYPE_IQ4_XS},
    {"TQ1_0", FT_TQ1_0, MOTE_TYPE_TQ1_0},    {"TQ2_0", FT_TQ2_0, MOTE_TYPE_TQ2_0},
    {NULL, 0, 0},
};

const mote_quant_preset *mote_quant_presets(void) { return presets; }

const mote_quant_preset *mote_quant_preset_find(const char *name) {
    if (!name) return NULL;
    /* The short k-quant names mean their _M preset, as in llama-quantize. */
    static const char *aliases[][2] = {{"Q3_K", "Q3_K_M"}, {"Q4_K", "Q4_K_M"}, {"Q5_K", "Q5_K_M"}};
    for (size_t a = 0; a < sizeof aliases / sizeof *aliases; a++)
        if (!strcasecmp(name, aliases[a][0])) name = aliases[a][1];
    for (const mote_quant_preset *p = presets; p->name; p++)
        if (!strcasecmp(name, p->name)) return p;
    return NULL;
}

/* ---- tensor roles ------------------------------------------------------------ */

typedef enum { ROLE_OTHER, ROLE_TOKEN_EMBD, ROLE_OUTPUT, ROLE_ATTN_V, ROLE_ATTN_K, ROLE_ATTN_Q,
               ROLE_ATTN_OUTPUT, ROLE_FFN_UP, ROLE_FFN_GATE, ROLE_FFN_DOWN } tensor_role;

static bool has(const char *name, const char *part) { return strstr(name, part) != NULL; }

static tensor_role role_of(const char *name) {
    if (!strcmp(name, "output.weight")) return ROLE_OUTPUT;
    if (!strcmp(name, "token_embd.weight") || !strcmp(name, "per_layer_token_embd.weight")) return ROLE_TOKEN_EMBD;
    /* Fused QKV and MLA's kv_b carry V, the most sensitive projection. */
    if (has(name, "attn_qkv.weight") || has(name, "attn_kv_b.weight") || has(name, "attn_v.weight")) return ROLE_ATTN_V;
    if (has(name, "attn_k.weight")) return ROLE_ATTN_K;
    if (has(name, "attn_q.weight")) return ROLE_ATTN_Q;
    if (has(name, "attn_output.weight")) return ROLE_ATTN_OUTPUT;
    if (has(name, "ffn_up")) return ROLE_FFN_UP;
    if (has(name, "ffn_gate")) return ROLE_FFN_GATE;
    if (has(name, "ffn_down")) return ROLE_FFN_DOWN;
    return ROLE_OTHER;
}

/* Tensors that are never quantized: 1-D ones, norms, and small special
 * matrices whose precision matters more than their size. */
static bool may_quantize(const mote_tensor_info *t) {
    if (t->n_dims < 2) return false;
    const char *n = t->name;
    size_t len = strlen(n);
    if (len < 6 || strcmp(n + len - 6, "weight") != 0) return false;
    static const char *keep[] = {"_norm.weight", "ffn_gate_inp.weight", "altup", "laurel", "per_layer_model_proj",
                                 "ssm_conv1d", "shortconv.conv.weight", "time_mix_", "attn_rel_b.weight",
                                 "position_embd", "token_types.weight", ".rel_pos", ".patch_embd", ".patch_merger"};
    for (size_t i = 0; i < sizeof keep / sizeof *keep; i++)
        if (has(n, keep[i])) return false;
    return true;
}

/* ---- model facts the rules depend on -------------------------------------------- */

typedef struct {
    const char *arch;
    int n_layer;       /* <arch>.block_count */
    int n_gqa;         /* query heads per KV head */
    int n_expert;
    bool tied_embd;    /* no output.weight: token_embd doubles as the head */
    bool has_imatrix;
    int n_attn_v;      /* tensors with the attention-V role */
    int i_attn_v, i_ffn_down;  /* how many of each were seen so far */
} model_facts;

static uint32_t arch_u32(const mote_gguf *g, const char *arch, const char *key, uint32_t def) {
    char k[256];
    snprintf(k, sizeof k, "%s.%s", arch, key);
    uint64_t n;
    mote_gguf_type et;
    int64_t i = mote_gguf_get_arr(g, k, &et, &n);
    if (i >= 0 && n > 0 && (et == MOTE_GGUF_UINT32 || et == MOTE_GGUF_INT32)) {
        uint32_t v;
        memcpy(&v, mote_gguf_arr_data(g, i), 4); /* per-layer arrays: the first layer's value */
        return v;
    }
    return mote_gguf_get_u32(g, k, def);
}

static void read_facts(const mote_gguf *g, bool has_imatrix, model_facts *f) {
    memset(f, 0, sizeof *f);
    f->arch = mote_gguf_get_str(g, "general.architecture", "");
    f->n_layer = (int)arch_u32(g, f->arch, "block_count", 0);
    uint32_t heads = arch_u32(g, f->arch, "attention.head_count", 0);
    uint32_t kv = arch_u32(g, f->arch, "attention.head_count_kv", heads);
    f->n_gqa = kv ? (int)(heads / kv) : 0;
    f->n_expert = (int)arch_u32(g, f->arch, "expert_count", 0);
    f->tied_embd = mote_gguf_find_tensor(g, "output.weight") == NULL;
    f->has_imatrix = has_imatrix;
    for (int64_t i = 0; i < mote_gguf_n_tensors(g); i++)
        if (role_of(mote_gguf_tensor(g, i)->name) == ROLE_ATTN_V) f->n_attn_v++;
}

/* llama.cpp's choice of the layers that get more bits: the first and last
 * eighth, and every third layer in between. */
static bool more_bits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

/* Layer of a tensor: from its name for expert models (whose tensors are not in
 * layer order), else the running count. */
static int layer_of(const char *name, int counted, const model_facts *f) {
    int l;
    if (f->n_expert > 1 && sscanf(name, "blk.%d.", &l) == 1) return l;
    return counted;
}

/* The preset's type for one tensor, before block fallbacks. */
static int preset_type(const mote_quant_preset *p, int type, const mote_tensor_info *t, tensor_role role,
                       model_facts *f) {
    const int ft = p->ftype;
    const bool falcon = !strcmp(f->arch, "falcon");
    if (role == ROLE_OUTPUT || (f->tied_embd && role == ROLE_TOKEN_EMBD)) {
        if (falcon || t->ne[0] % mote_type_block_size(type) != 0) return MOTE_TYPE_Q8_0;
        return type != MOTE_TYPE_Q8_0 ? MOTE_TYPE_Q6_K : type;
    }
    if (role == ROLE_TOKEN_EMBD) return ft == FT_TQ1_0 || ft == FT_TQ2_0 ? MOTE_TYPE_Q4_K : type;
    if (role == ROLE_ATTN_V) {
        const int i = f->i_attn_v++;
        if (ft == FT_Q2_K) type = f->n_gqa >= 4 ? MOTE_TYPE_Q4_K : MOTE_TYPE_Q3_K;
        else if (ft == FT_Q3_K_M) type = i < 2 ? MOTE_TYPE_Q5_K : MOTE_TYPE_Q4_K;
        else if (ft == FT_Q3_K_L) type = MOTE_TYPE_Q5_K;
        else if ((ft == FT_IQ4_NL || ft == FT_IQ4_XS) && f->n_gqa >= 4) type = MOTE_TYPE_Q5_K;
        else if ((ft == FT_Q4_K_M || ft == FT_Q5_K_M) && more_bits(i, f->n_attn_v)) type = MOTE_TYPE_Q6_K;
        else if (ft == FT_Q4_K_S && i < 4) type = MOTE_TYPE_Q5_K;
        if (f->n_expert == 8) type = MOTE_TYPE_Q8_0;
        return type;
    }
    if (role == ROLE_ATTN_K) return f->n_expert == 8 ? MOTE_TYPE_Q8_0 : type;
    if (role == ROLE_FFN_DOWN) {
        const int i = layer_of(t->name, f->i_ffn_down++, f), n = f->n_layer;
        if (ft == FT_Q2_K) return MOTE_TYPE_Q3_K;
        if (ft == FT_Q3_K_M)
            return i < n / 16 ? MOTE_TYPE_Q5_K : !falcon || more_bits(i, n) ? MOTE_TYPE_Q4_K : MOTE_TYPE_Q3_K;
        if (ft == FT_Q3_K_L) return falcon ? MOTE_TYPE_Q4_K : MOTE_TYPE_Q5_K;
        if (ft == FT_Q4_K_M) {
            if (falcon) return i < n / 16 ? MOTE_TYPE_Q6_K : more_bits(i, n) ? MOTE_TYPE_Q5_K : MOTE_TYPE_Q4_K;
            return more_bits(i, n) ? MOTE_TYPE_Q6_K : type;
        }
        if (i < n / 8 && (ft == FT_IQ4_NL || ft == FT_IQ4_XS) && !f->has_imatrix) return MOTE_TYPE_Q5_K;
        if (ft == FT_Q5_K_M) return more_bits(i, n) ? MOTE_TYPE_Q6_K : type;
        if (ft == FT_Q4_K_S && !falcon && i < n / 8) return MOTE_TYPE_Q5_K;
        /* With an imatrix, Q4_0/Q5_0 still misbehave in the first FFN-down layers. */
        if ((ft == FT_Q4_0 || ft == FT_Q5_0) && f->has_imatrix && i < n / 8)
            return ft == FT_Q4_0 ? MOTE_TYPE_Q4_1 : MOTE_TYPE_Q5_1;
        return type;
    }
    if (role == ROLE_ATTN_OUTPUT) {
        if (falcon) return ft == FT_Q3_K_L ? MOTE_TYPE_Q4_K : type;
        if (f->n_expert == 8) {
            static const int ups[] = {FT_Q2_K, FT_Q3_K_S, FT_Q3_K_M, FT_IQ4_NL, FT_Q4_K_S, FT_Q4_K_M, FT_IQ4_XS};
            for (size_t k = 0; k < sizeof ups / sizeof *ups; k++)
                if (ft == ups[k]) return MOTE_TYPE_Q5_K;
            return type;
        }
        if (ft == FT_Q2_K) return MOTE_TYPE_Q3_K;
        if (ft == FT_Q3_K_M) return MOTE_TYPE_Q4_K;
        if (ft == FT_Q3_K_L) return MOTE_TYPE_Q5_K;
    }
    return type;
}

/* The nearest type with 32-value blocks for a 256-block type (rows of a
 * length that is a multiple of 32 but not 256). */
static const int block_fallbacks[][2] = {
    {MOTE_TYPE_IQ4_XS, MOTE_TYPE_IQ4_NL}, {MOTE_TYPE_Q2_K, MOTE_TYPE_Q4_0},  {MOTE_TYPE_Q3_K, MOTE_TYPE_Q4_0},
    {MOTE_TYPE_TQ1_0, MOTE_TYPE_Q4_0},    {MOTE_TYPE_TQ2_0, MOTE_TYPE_Q4_0}, {MOTE_TYPE_Q4_K, MOTE_TYPE_Q5_0},
    {MOTE_TYPE_Q5_K, MOTE_TYPE_Q5_1},     {MOTE_TYPE_Q6_K, MOTE_TYPE_Q8_0},
};

static int fit_rows(int type, int64_t ncols, bool *fell_back) {
    if (ncols % mote_type_block_size(type) == 0) return type;
    *fell_back = true;
    for (size_t k = 0; k < sizeof block_fallbacks / sizeof *block_fallbacks; k++)
        if (block_fallbacks[k][0] == type) {
            type = block_fallbacks[k][1];
            break;
        }
    return ncols % mote_type_block_size(type) == 0 ? type : MOTE_TYPE_F16;
}

/* ---- output order ------------------------------------------------------------ */

static int layer_index(const char *name) {
    int l = -1;
    if (sscanf(name, "blk.%d.", &l) != 1) l = -1;
    return l;
}

/* True if tensor a comes before b in llama.cpp's order: non-layer tensors
 * first, then layer by layer, by name within. */
static bool goes_before(const mote_gguf *g, int64_t a, int64_t b) {
    const char *na = mote_gguf_tensor(g, a)->name, *nb = mote_gguf_tensor(g, b)->name;
    int la = layer_index(na), lb = layer_index(nb);
    if (la != lb) return la < lb;
    return strcmp(na, nb) < 0;
}

/* Put the plan in output order (an insertion sort: qsort has no context
 * argument in C11, and models have at most a few thousand tensors, mostly
 * already in order). */
static void sort_plan(const mote_gguf *g, mote_quant_plan_entry *plan, int64_t n) {
    for (int64_t i = 1; i < n; i++) {
        mote_quant_plan_entry e = plan[i];
        int64_t j = i;
        while (j > 0 && goes_before(g, e.index, plan[j - 1].index)) {
            plan[j] = plan[j - 1];
            j--;
        }
        plan[j] = e;
    }
}

/* ---- the plan ------------------------------------------------------------------- */

int mote_quantize_plan(const mote_gguf *in, const mote_quantize_params *p, mote_quant_plan_entry *plan) {
    if (!p || !p->preset) return mote_fail(MOTE_ERR_INVALID_ARG, "no quantization type given");
    const int64_t n = mote_gguf_n_tensors(in);
    for (int64_t i = 0; i < n; i++) plan[i] = (mote_quant_plan_entry){.index = i, .type = -1};
    sort_plan(in, plan, n);

    regex_t *res = NULL;
    if (p->n_overrides > 0) {
        res = calloc((size_t)p->n_overrides, sizeof *res);
        if (!res) return mote_fail(MOTE_ERR_NOMEM, "out of memory");
        for (int k = 0; k < p->n_overrides; k++) {
            if (regcomp(&res[k], p->overrides[k].pattern, REG_EXTENDED | REG_NOSUB) != 0) {
                for (int j = 0; j < k; j++) regfree(&res[j]);
                free(res);
                return mote_fail(MOTE_ERR_INVALID_ARG, "bad tensor pattern '%s'", p->overrides[k].pattern);
            }
        }
    }

    model_facts facts;
    read_facts(in, p->imatrix != NULL, &facts);
    const int def = p->preset->default_type;
    const bool def_quantized = mote_traits(def)->quantized;
    int status = MOTE_OK;
    for (int64_t k = 0; k < n && status == MOTE_OK; k++) {
        const mote_tensor_info *t = mote_gguf_tensor(in, plan[k].index);
        if (!may_quantize(t)) {
            plan[k].type = plan[k].wanted = t->type;
            continue;
        }
        int type = def;
        bool manual = false;
        for (int o = 0; o < p->n_overrides && !manual; o++) {
            if (regexec(&res[o], t->name, 0, NULL, 0) == 0) {
                type = p->overrides[o].type;
                manual = true;
                plan[k].manual = true;
            }
        }
        /* The layer counters only advance through the preset rules (as in
         * llama.cpp: an overridden attn_v does not count as a layer seen). */
        if (def_quantized && !manual && !p->pure) type = preset_type(p->preset, type, t, role_of(t->name), &facts);
        plan[k].wanted = type;
        if (mote_traits(type)->quantized) type = fit_rows(type, t->ne[0], &plan[k].fallback);
        if (!mote_quantize_can(type)) {
            status = mote_fail(MOTE_ERR_UNSUPPORTED, "tensor %s: mote cannot quantize to %s", t->name,
                               mote_type_name(type));
        } else if (type != t->type && mote_traits(t->type)->quantized && !p->allow_requantize) {
            status = mote_fail(MOTE_ERR_UNSUPPORTED,
                               "tensor %s is already quantized (%s); use --allow-requantize to quantize it again",
                               t->name, mote_type_name(t->type));
        } else if (type != t->type && !mote_traits(t->type)->to_float) {
            status = mote_fail(MOTE_ERR_UNSUPPORTED, "tensor %s: mote cannot read type %s", t->name,
                               mote_type_name(t->type));
        }
        plan[k].type = type;
    }
    for (int o = 0; o < p->n_overrides; o++) regfree(&res[o]);
    free(res);
    return status;
}
