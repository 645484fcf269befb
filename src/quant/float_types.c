/*
 * float_types.c — reference kernels of the unquantized types F32, F16, BF16.
 * F32 weights take f32 activations; F16 and BF16 weights take activations
 * rounded to their own type (vec_dot_type F16 / BF16, as GGML does, which
 * the reference logits depend on). The *_f32 dots (f16/bf16 weights with
 * f32 activations) remain for tests and benchmarks that call them by name.
 */
#include <string.h>

#include "quant/fp16.h"
#include "quant/kernels.h"

void mote_f32_to_float(const void *src, float *dst, int64_t n) { memcpy(dst, src, (size_t)n * sizeof(float)); }
void mote_f32_from_float(const float *src, void *dst, int64_t n) { memcpy(dst, src, (size_t)n * sizeof(float)); }

void mote_f16_to_float(const void *src, float *dst, int64_t n) {
    const mote_fp16 *s = src;
    for (int64_t i = 0; i < n; i++) dst[i] = mote_fp16_to_f32(s[i]);
}

void mote_f16_from_float(const float *src, void *dst, int64_t n) {
    mote_fp16 *d = dst;
    for (int64_t i = 0; i < n; i++) d[i] = mote_f32_to_fp16(src[i]);
}

void mote_bf16_to_float(const void *src, float *dst, int64_t n) {
    const mote_bf16 *s = src;
    for (int64_t i = 0; i < n; i++) dst[i] = mote_bf16_to_f32(s[i]);
}

void mote_bf16_from_float(const float *src, void *dst, int64_t n) {
    mote_bf16 *d = dst;
    for (int64_t i = 0; i < n; i++) d[i] = mote_f32_to_bf16(src[i]);
}

float mote_vec_dot_f32(int64_t n, const void *w, const void *x) {
    const float *a = w, *b = x;
    float s = 0;
    for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

float mote_vec_dot_f16_f32(int64_t n, const void *w, const void *x) {
    const mote_fp16 *a = w;
    const float *b = x;
    float s = 0;
    for (int64_t i = 0; i < n; i++) s += mote_fp16_to_f32(a[i]) * b[i];
    return s;
}

float mote_vec_dot_bf16_f32(int64_t n, const void *w, const void *x) {
    const mote_bf16 *a = w;
    const float *b = x;
    float s = 0;
    for (int64_t i = 0; i < n; i++) s += mote_bf16_to_f32(a[i]) * b[i];
    return s;
}

/* F16 and BF16 weights meet activations rounded to their own type (their
 * vec_dot_type), as GGML multiplies them; the products are summed in double. */
float mote_vec_dot_f16_f16(int64_t n, const void *w, const void *x) {
    const mote_fp16 *a = w, *b = x;
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += (double)(mote_fp16_to_f32(a[i]) * mote_fp16_to_f32(b[i]));
    return (float)s;
}

float mote_vec_dot_bf16_bf16(int64_t n, const void *w, const void *x) {
    const mote_bf16 *a = w, *b = x;
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += (double)(mote_bf16_to_f32(a[i]) * mote_bf16_to_f32(b[i]));
    return (float)s;
}
