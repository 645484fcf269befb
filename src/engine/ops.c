/*
 * ops.c — see ops.h.
 */
#include "engine/ops.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "quant/fp16.h"
#include "quant/simd.h"

void mote_rmsnorm(float *out, const float *x, const float *w, int64_t n, float eps) {
    /* squares in float, summed in double: GGML's order, which the Q8
     * rounding of the next matmul can tell apart from an all-double sum */
    double ss = 0.0;
    for (int64_t i = 0; i < n; i++) ss += (double)(x[i] * x[i]);
    const float scale = 1.0f / sqrtf((float)(ss / (double)n) + eps);
    if (w)
        for (int64_t i = 0; i < n; i++) out[i] = x[i] * scale * w[i];
    else
        for (int64_t i = 0; i < n; i++) out[i] = x[i] * scale;
}

void mote_rope_angles(float *cs, int32_t n_rot, int32_t pos, const mote_rope *rope) {
    /* GGML builds theta_i by multiplying theta_0 = pos by base^(-2/n_rot)
     * i times; doing the same keeps long positions bit-compatible. */
    const float step = powf(rope->base, -2.0f / (float)n_rot);
    float theta = (float)pos;
    for (int32_t i = 0; i < n_rot / 2; i++) {
        float t = theta;
        if (rope->freq_factors) t /= rope->freq_factors[i];
        t *= rope->freq_scale;
        cs[2 * i] = cosf(t) * rope->attn_factor;
        cs[2 * i + 1] = sinf(t) * rope->attn_factor;
        theta *= step;
    }
}

void mote_rope_apply(float *x, int32_t n_heads, int32_t head_dim, int32_t n_rot, const float *cs,
                     mote_rope_mode mode) {
    /* the kernel set's version (quant/simd.h: the same bits) where it has one */
    const mote_kernel_set *k = mote_kernels_active();
    if (k->rope) k->rope(x, n_heads, head_dim, n_rot, cs, mode == MOTE_ROPE_NEOX);
    else mote_rope_apply_portable(x, n_heads, head_dim, n_rot, cs, mode);
}

void mote_rope_apply_portable(float *x, int32_t n_heads, int32_t head_dim, int32_t n_rot, const float *cs,
                              mote_rope_mode mode) {
    const int32_t half = n_rot / 2;
    for (int32_t h = 0; h < n_heads; h++) {
        float *v = x + (int64_t)h * head_dim;
        for (int32_t i = 0; i < half; i++) {
            /* NORMAL pairs neighbours; NEOX pairs dimension i with i + n_rot/2. */
            const int32_t a = mode == MOTE_ROPE_NORMAL ? 2 * i : i;
            const int32_t b = mode == MOTE_ROPE_NORMAL ? 2 * i + 1 : i + half;
            const float c = cs[2 * i], s = cs[2 * i + 1];
            const float x0 = v[a], x1 = v[b];
            /* Rounded as GGML's x86 build computes it (the compiler fuses the
             * first product into an FMA): bit-identical rotated q and k keep
             * the f16 cache and the 8-bit activation rounding downstream
             * from flipping where llama.cpp's do not. */
            v[a] = fmaf(x0, c, -(x1 * s));
            v[b] = fmaf(x0, s, x1 * c);
        }
    }
}

/* The largest value first, in ARGMAX_LANES running maxima the compiler keeps
 * in registers (vectorised where it can), then its first index. One chain of
 * compares against x[best] waits on each load: ~5 ns a value, 0.6 ms a step
 * over llama3.2-1b's 128k-token vocabulary (measured 2026-12-04), while the
 * pool's workers wait for the next forward pass. */
#define ARGMAX_LANES 16
int32_t mote_argmax(const float *x, int32_t n) {
    float best = x[0];
    int32_t i = 0;
    if (n >= ARGMAX_LANES) {
        /* lanes start at -inf, not at x[0..16): a NaN there would stay in its
         * lane (nothing compares above it) and hide that lane's largest */
        float lane[ARGMAX_LANES];
        for (int k = 0; k < ARGMAX_LANES; k++) lane[k] = -INFINITY;
        for (i = 0; i + ARGMAX_LANES <= n; i += ARGMAX_LANES)
            for (int k = 0; k < ARGMAX_LANES; k++) lane[k] = x[i + k] > lane[k] ? x[i + k] : lane[k];
        for (int k = 0; k < ARGMAX_LANES; k++)
            if (lane[k] > best) best = lane[k];
    }
    for (; i < n; i++)
        if (x[i] > best) best = x[i];
    for (int32_t j = 0; j < n; j++)
        if (x[j] == best) return j;
    return 0; /* x[0] is a NaN: nothing compares above it */
}

void mote_softmax(float *x, int64_t n) {
    float max = -INFINITY;
    for (int64_t i = 0; i < n; i++)
        if (x[i] > max) max = x[i];
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        x[i] = expf(x[i] - max);
        sum += x[i];
    }
    const float inv = (float)(1.0 / sum);
    for (int64_t i = 0; i < n; i++) x[i] *= inv;
}

static float from_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint32_t to_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* e^x as GGML's x86 build computes it inside SiLU (a vector routine, not
 * libm's expf): x = n ln2 + b with n rounded by the 1.5*2^23 shifter and ln2
 * split in two; e^b by a degree-5 polynomial in b evaluated in two halves
 * of b^2; the result scaled by 2^n built in the exponent bits, with a
 * two-step scaling when |n| > 126 so that over- and underflow come out as
 * inf and 0. Every step is one IEEE operation or one fused multiply-add, so
 * the scalar form gives the vector's bits. The SiLU of the feed-forward
 * block feeds the 8-bit (Q8_K: float scale) rounding of the down
 * projection's input, which keeps last-bit differences; llama.cpp's logits
 * are matched bit for bit only with this exp. */
static float exp_ggml_x86(float x) {
    const float shifter = 0x1.8p23f;
    const float z = fmaf(x, 0x1.715476p+0f, shifter);
    const float n = z - shifter;
    const float b = fmaf(-n, 0x1.7f7d1cp-20f, fmaf(-n, 0x1.62e4p-1f, x));
    const uint32_t e = to_bits(z) << 23;
    const float k = from_bits(e + to_bits(1.0f));
    const float u = b * b;
    const float j = fmaf(fmaf(fmaf(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u, fmaf(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)), u,
                         0x1.ffffecp-1f * b);
    if (!(fabsf(n) > 126.0f)) return fmaf(k, j, k);
    const uint32_t g = n <= 0.0f ? 0x82000000u : 0u;
    const float s1 = from_bits(g + 0x7f000000u), s2 = from_bits(e - g);
    if (fabsf(n) > 192.0f) return s1 * s1;
    return fmaf(s2, j, s2) * s1;
}

static float silu(float x) { return x / (1.0f + exp_ggml_x86(0.0f - x)); }

/* GELU, tanh approximation, as GGML's CPU backend computes it: through a
 * table indexed by the f16 input holding f16 outputs, i.e. input and output
 * rounded to f16 inside (-10, 10), identity/zero outside. Reproducing that
 * rounding keeps Gemma's logits within 1e-3 of llama.cpp's (exact GELU
 * drifts to ~1.2e-3 over six layers). */
static float gelu_of_f16(float h) {
    const float sqrt_2_over_pi = 0.79788456080286535588f;
    const float g = 0.5f * h * (1.0f + tanhf(sqrt_2_over_pi * h * (1.0f + 0.044715f * h * h)));
    return mote_fp16_to_f32(mote_f32_to_fp16(g));
}

/* The same table, built once: gelu of every f16 input (tanhf per element
 * was a fifth of Gemma's prompt time). */
static float gelu_table[1 << 16];
static pthread_once_t gelu_once = PTHREAD_ONCE_INIT;

static void fill_gelu_table(void) {
    for (uint32_t h = 0; h < (1u << 16); h++) gelu_table[h] = gelu_of_f16(mote_fp16_to_f32((mote_fp16)h));
}

static inline float gelu_tanh(float x) {
    if (x <= -10.0f) return 0.0f;
    if (x >= 10.0f) return x;
    return gelu_table[mote_f32_to_fp16(x)];
}

static inline float relu_sqr(float x) { return x > 0.0f ? x * x : 0.0f; }

void mote_glu_portable(float *out, const float *gate, const float *up, int64_t n, mote_activation act) {
    if (act == MOTE_ACT_RELU_SQR) {
        for (int64_t i = 0; i < n; i++) out[i] = relu_sqr(gate[i]) * up[i];
    } else if (act == MOTE_ACT_GELU_TANH) {
        pthread_once(&gelu_once, fill_gelu_table);
        for (int64_t i = 0; i < n; i++) out[i] = gelu_tanh(gate[i]) * up[i];
    } else
        for (int64_t i = 0; i < n; i++) out[i] = silu(gate[i]) * up[i];
}

/* The kernel set's versions (quant/simd.h, e.g. quant/x86/
 * avx2_activation.c: the same bits), where it has them. */
void mote_glu(float *out, const float *gate, const float *up, int64_t n, mote_activation act) {
    const mote_kernel_set *k = mote_kernels_active();
    if (act == MOTE_ACT_GELU_TANH && k->glu_gelu_table) {
        pthread_once(&gelu_once, fill_gelu_table);
        k->glu_gelu_table(out, gate, up, n, gelu_table);
    } else if (act == MOTE_ACT_SILU && k->glu_silu) {
        k->glu_silu(out, gate, up, n);
    } else {
        mote_glu_portable(out, gate, up, n, act);
    }
}

void mote_activate(float *out, const float *x, int64_t n, mote_activation act) {
    const mote_kernel_set *k = mote_kernels_active();
    /* the gated kernels without a gate (up == NULL): the same bits */
    if (act == MOTE_ACT_GELU_TANH && k->glu_gelu_table) {
        pthread_once(&gelu_once, fill_gelu_table);
        k->glu_gelu_table(out, x, NULL, n, gelu_table);
    } else if (act == MOTE_ACT_SILU && k->glu_silu) {
        k->glu_silu(out, x, NULL, n);
    } else {
        mote_activate_portable(out, x, n, act);
    }
}

void mote_activate_portable(float *out, const float *x, int64_t n, mote_activation act) {
    if (act == MOTE_ACT_GELU_TANH) {
        pthread_once(&gelu_once, fill_gelu_table);
        for (int64_t i = 0; i < n; i++) out[i] = gelu_tanh(x[i]);
    } else if (act == MOTE_ACT_RELU_SQR) {
        for (int64_t i = 0; i < n; i++) out[i] = relu_sqr(x[i]);
    } else {
        for (int64_t i = 0; i < n; i++) out[i] = silu(x[i]);
    }
}

void mote_layernorm(float *out, const float *x, const float *w, const float *b, int64_t n, float eps) {
    /* GGML's order: the mean from a double sum rounded to float; the
     * squared deviations summed per 8 in float (its AVX2 lane order), the
     * groups in double; then scale, weight and bias as separate roundings. */
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)x[i];
    const float mean = (float)sum / (float)n;
    double sq = 0.0;
    int64_t i = 0;
    for (; i + 7 < n; i += 8) {
        float v[8];
        for (int k = 0; k < 8; k++) {
            const float d = x[i + k] - mean;
            v[k] = d * d;
        }
        sq += (double)(((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7])));
    }
    for (; i < n; i++) {
        const float d = x[i] - mean;
        sq += (double)(d * d);
    }
    const float variance = (float)(sq / (double)n);
    const float scale = 1.0f / sqrtf(variance + eps);
    for (int64_t j = 0; j < n; j++) {
        float y = (x[j] - mean) * scale;
        if (w) y = y * w[j];
        if (b) y = y + b[j];
        out[j] = y;
    }
}

void mote_norm(float *out, const float *x, const float *w, const float *b, int64_t n, const mote_hparams *hp) {
    if (hp->norm == MOTE_NORM_LAYER) mote_layernorm(out, x, w, b, n, hp->norm_eps);
    else mote_rmsnorm(out, x, w, n, hp->norm_eps);
}

void mote_softcap(float *x, int64_t n, float cap) {
    for (int64_t i = 0; i < n; i++) x[i] = cap * tanhf(x[i] / cap);
}
