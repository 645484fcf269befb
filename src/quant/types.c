/*
 * types.c — the traits table (see types.h) and the public type queries.
 *
 * Geometry comes from the GGML block layouts (documented beside each
 * type's kernels in src/quant/). Kernels are attached here by name.
 */
#include "quant/types.h"

#include <ctype.h>
#include <string.h>

#include "quant/kernels.h"
#include "quant/quantize.h"

#define QK_K 256

/* Designated initializers by type id keep the table readable and make a
 * missing id an all-zero entry (name == NULL: unknown). The kernels listed
 * are the portable references; the table is writable only so that
 * mote_kernels_init() (dispatch.c) can install faster equivalents for this
 * CPU, once, before anyone reads it. */
static mote_type_traits traits[MOTE_TYPE_COUNT] = {
    [MOTE_TYPE_F32] = {"f32", 1, 4, false, mote_f32_to_float, mote_f32_from_float, MOTE_TYPE_F32, mote_vec_dot_f32},
    [MOTE_TYPE_F16] = {"f16", 1, 2, false, mote_f16_to_float, mote_f16_from_float, MOTE_TYPE_F16, mote_vec_dot_f16_f16},
    [MOTE_TYPE_BF16] = {"bf16", 1, 2, false, mote_bf16_to_float, mote_bf16_from_float, MOTE_TYPE_BF16, mote_vec_dot_bf16_bf16},
    [MOTE_TYPE_Q4_0] = {"q4_0", 32, 18, true, mote_q4_0_to_float, mote_q4_0_from_float, MOTE_TYPE_Q8_0, mote_vec_dot_q4_0_q8_0},
    [MOTE_TYPE_Q4_1] = {"q4_1", 32, 20, true, mote_q4_1_to_float, mote_q4_1_from_float, MOTE_TYPE_Q8_1, mote_vec_dot_q4_1_q8_1},
    [MOTE_TYPE_Q5_0] = {"q5_0", 32, 22, true, mote_q5_0_to_float, mote_q5_0_from_float, MOTE_TYPE_Q8_0, mote_vec_dot_q5_0_q8_0},
    [MOTE_TYPE_Q5_1] = {"q5_1", 32, 24, true, mote_q5_1_to_float, mote_q5_1_from_float, MOTE_TYPE_Q8_1, mote_vec_dot_q5_1_q8_1},
    [MOTE_TYPE_Q8_0] = {"q8_0", 32, 34, true, mote_q8_0_to_float, mote_q8_0_from_float, MOTE_TYPE_Q8_0, mote_vec_dot_q8_0_q8_0},
    [MOTE_TYPE_Q8_1] = {"q8_1", 32, 36, true, mote_q8_1_to_float, mote_q8_1_from_float, MOTE_TYPE_Q8_1, NULL},
    [MOTE_TYPE_Q2_K] = {"q2_K", QK_K, 84, true, mote_q2_K_to_float, mote_q2_K_from_float, MOTE_TYPE_Q8_K, mote_vec_dot_q2_K_q8_K},
    [MOTE_TYPE_Q3_K] = {"q3_K", QK_K, 110, true, mote_q3_K_to_float, mote_q3_K_from_float, MOTE_TYPE_Q8_K, mote_vec_dot_q3_K_q8_K},
    [MOTE_TYPE_Q4_K] = {"q4_K", QK_K, 144, true, mote_q4_K_to_float, mote_q4_K_from_float, MOTE_TYPE_Q8_K, mote_vec_dot_q4_K_q8_K},
    [MOTE_TYPE_Q5_K] = {"q5_K", QK_K, 176, true, mote_q5_K_to_float, mote_q5_K_from_float, MOTE_TYPE_Q8_K, mote_vec_dot_q5_K_q8_K},
    [MOTE_TYPE_Q6_K] = {"q6_K", QK_K, 210, true, mote_q6_K_to_float, mote_q6_K_from_float, MOTE_TYPE_Q8_K, mote_vec_dot_q6_K_q8_K},
    [MOTE_TYPE_Q8_K] = {"q8_K", QK_K, 292, true, mote_q8_K_to_float, mote_q8_K_from_float, MOTE_TYPE_Q8_K, NULL},
    [MOTE_TYPE_IQ2_XXS] = {"iq2_xxs", QK_K, 66, true, NULL, NULL, MOTE_TYPE_Q8_K, NULL},
    [MOTE_TYPE_IQ2_XS] = {"iq2_xs", QK_K, 74, true, NULL, NULL, MOTE_TYPE_Q8_K, NULL},
    [MOTE_TYPE_IQ3_XXS] = {"iq3_xxs", QK_K, 98, true, NULL, NULL, MOTE_TYPE_Q8_K, NULL},
    [MOTE_TYPE_IQ1_S] = {"iq1_s", QK_K, 50, true, NULL, NULL, MOTE_TYPE_Q8_K, NULL},
    [MOTE_TYPE_IQ4_NL] = {"iq4_nl", 32, 18, true, mote_iq4_nl_to_float, mote_iq4_nl_from_float, MOTE_TYPE_Q8_0, mote_vec_dot_iq4_nl_q8_0},
    [MOTE_TYPE_IQ3_S] = {"iq3_s", QK_K, 110, true, NULL, NULL, MOTE_TYPE_Q8_K, NULL},
    [MOTE_TYPE_IQ2_S] = {"iq2_s", QK_K, 82, true, NULL, NULL, MOTE_TYPE_Q8_K, NULL},
    [MOTE_TYPE_IQ4_XS] = {"iq4_xs", QK_K, 136, true, mote_iq4_xs_to_float, mote_iq4_xs_from_float, MOTE_TYPE_Q8_K, mote_vec_dot_iq4_xs_q8_K},
    [MOTE_TYPE_I8] = {"i8", 1, 1, false, NULL, NULL, MOTE_TYPE_I8, NULL},
    [MOTE_TYPE_I16] = {"i16", 1, 2, false, NULL, NULL, MOTE_TYPE_I16, NULL},
    [MOTE_TYPE_I32] = {"i32", 1, 4, false, NULL, NULL, MOTE_TYPE_I32, NULL},
    [MOTE_TYPE_I64] = {"i64", 1, 8, false, NULL, NULL, MOTE_TYPE_I64, NULL},
    [MOTE_TYPE_F64] = {"f64", 1, 8, false, NULL, NULL, MOTE_TYPE_F64, NULL},
    [MOTE_TYPE_IQ1_M] = {"iq1_m", QK_K, 56, true, NULL, NULL, MOTE_TYPE_Q8_K, NULL},
    [MOTE_TYPE_TQ1_0] = {"tq1_0", QK_K, 54, true, mote_tq1_0_to_float, mote_tq1_0_from_float, MOTE_TYPE_Q8_K, mote_vec_dot_tq1_0_q8_K},
    [MOTE_TYPE_TQ2_0] = {"tq2_0", QK_K, 66, true, mote_tq2_0_to_float, mote_tq2_0_from_float, MOTE_TYPE_Q8_K, mote_vec_dot_tq2_0_q8_K},
    [MOTE_TYPE_MXFP4] = {"mxfp4", 32, 17, true, NULL, NULL, MOTE_TYPE_Q8_0, NULL},
    [MOTE_TYPE_NVFP4] = {"nvfp4", 64, 36, true, NULL, NULL, MOTE_TYPE_Q8_0, NULL},
    [MOTE_TYPE_Q1_0] = {"q1_0", 128, 18, true, NULL, NULL, MOTE_TYPE_Q8_0, NULL},
    [MOTE_TYPE_Q2_0] = {"q2_0", 64, 18, true, NULL, NULL, MOTE_TYPE_Q8_0, NULL},
};

const mote_type_traits *mote_traits(int type) {
    mote_kernels_init();
    if (type < 0 || type >= MOTE_TYPE_COUNT || traits[type].name == NULL) return NULL;
    return &traits[type];
}

void mote_traits_install(int type, mote_to_float_fn to_float, mote_from_float_fn from_float,
                         mote_vec_dot_fn vec_dot) {
    if (type < 0 || type >= MOTE_TYPE_COUNT || traits[type].name == NULL) return;
    if (to_float) traits[type].to_float = to_float;
    if (from_float) traits[type].from_float = from_float;
    if (vec_dot) traits[type].vec_dot = vec_dot;
}

/* Optional panel kernels, by type id; filled only by dispatch. */
static const mote_panel_kernels *panels[MOTE_TYPE_COUNT];

const mote_panel_kernels *mote_panel(int type) {
    mote_kernels_init();
    return type >= 0 && type < MOTE_TYPE_COUNT ? panels[type] : NULL;
}

/* A geometry the callers' buffers hold (a kernel list that forgot it would
 * otherwise loop forever). */
static bool geometry_ok(const mote_panel_kernels *k) {
    return k->rows > 0 && k->rows <= MOTE_PANEL_MAX_ROWS && k->cols > 0 && k->cols <= MOTE_PANEL_MAX_COLS;
}

void mote_traits_install_panel(int type, const mote_panel_kernels *k) {
    if (type < 0 || type >= MOTE_TYPE_COUNT || traits[type].name == NULL) return;
    if (k && geometry_ok(k)) panels[type] = k;
}

static const mote_panel_kernels *stored_panels[MOTE_TYPE_COUNT];

const mote_panel_kernels *mote_stored_panel(int type) {
    mote_kernels_init();
    return type >= 0 && type < MOTE_TYPE_COUNT ? stored_panels[type] : NULL;
}

void mote_traits_install_stored_panel(int type, const mote_panel_kernels *k) {
    if (type < 0 || type >= MOTE_TYPE_COUNT || traits[type].name == NULL) return;
    if (k && geometry_ok(k)) stored_panels[type] = k;
}

static bool stored_outranked[MOTE_TYPE_COUNT];

bool mote_stored_panel_outranked(int type) {
    mote_kernels_init();
    return type >= 0 && type < MOTE_TYPE_COUNT && stored_outranked[type];
}

void mote_traits_set_stored_outranked(int type, bool outranked) {
    if (type >= 0 && type < MOTE_TYPE_COUNT) stored_outranked[type] = outranked;
}

bool mote_type_is_known(int type) { return mote_traits(type) != NULL; }

const char *mote_type_name(int type) {
    const mote_type_traits *t = mote_traits(type);
    return t ? t->name : NULL;
}

int mote_type_from_name(const char *name) {
    if (!name) return -1;
    for (int i = 0; i < MOTE_TYPE_COUNT; i++) {
        const char *n = traits[i].name;
        if (!n) continue;
        size_t k = 0;
        while (n[k] && name[k] && tolower((unsigned char)n[k]) == tolower((unsigned char)name[k])) k++;
        if (!n[k] && !name[k]) return i;
    }
    return -1;
}

int64_t mote_type_block_size(int type) {
    const mote_type_traits *t = mote_traits(type);
    return t ? t->block_size : 0;
}

size_t mote_type_block_bytes(int type) {
    const mote_type_traits *t = mote_traits(type);
    return t ? t->block_bytes : 0;
}

size_t mote_row_size(int type, int64_t n) {
    const mote_type_traits *t = mote_traits(type);
    if (!t || n < 0 || n % t->block_size) return 0;
    return (size_t)(n / t->block_size) * t->block_bytes;
}
