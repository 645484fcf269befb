/*
 * avx512_panel_q32.c — AVX-512 VNNI panel kernels (types.h, "Panel
 * kernels") of the 32-weight block types with Q8_0 activations: Q4_0, Q5_0,
 * Q8_0, IQ4_NL; and the stored Q4_0 layout the model loader repacks into.
 * 16 weight rows x 8 tokens.
 *
 * Panel: per weight block, 8 vectors j = 0..7 of 64 bytes; bytes 4r..4r+3
 * of vector j are the codes of weights 4j..4j+3 of row r, unsigned: Q4_0
 * 0..15, Q5_0 0..31, Q8_0 w + 128, IQ4_NL its level + 128. After them the
 * 16 rows' float scales. One vpdpbusd per vector and token (the token's 4
 * quants broadcast to every lane) adds 4 products into each row's int32
 * lane; the lane starts at the token block's `off`, -K * sum of its quants
 * with K the codes' offset (8, 16, 128), so it ends at the reference
 * vec_dot's integer block sum exactly: sum over k of (u - K) * y.
 *
 * Stored Q4_0 (16 rows, 288 bytes per block: the 16 GGUF blocks it
 * replaces): the 16 fp16 scales, then 4 vectors v of 64 bytes, whose bytes
 * 4r..4r+3 are row r's quant bytes qs[4v..4v+3] (low nibbles weights
 * 4v..4v+3, high nibbles 16+4v..16+4v+3); gemm unmasks the 8 code vectors
 * and goes on as above. Missing rows of a last group are zero (scale 0).
 *
 * Stored Q5_0 (16 rows, 352 bytes per block: the 16 GGUF blocks it
 * replaces): the 16 fp16 scales, the 4 nibble vectors of stored Q4_0, then
 * one vector of fifth bits, byte 4r+k holding in bit j the fifth bit of
 * code vector j's byte 4r+k (bit 4j+k of row r's qh); gemm moves bit j to
 * bit 4 with one shift. Made at load so that a few sequences generating
 * together (too few tokens to pay for repacking into panels at every step)
 * still get the panel products.
 *
 * Activation block (act_block): the reference Q8_0 quants (from the AVX2
 * quantizer, which matches the reference), the f16-rounded scale as a float
 * and off. Only the float order of summation differs from vec_dot.
 */
#if defined(__x86_64__)

#include <stddef.h>
#include <string.h>

#include "quant/blocks.h"
#include "quant/kernels.h"
#include "quant/types.h"
#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx512_kernels.h"
#include "quant/x86/avx512_util.h"

#define R MOTE_AVX512_PANEL_ROWS
#define C MOTE_AVX512_PANEL_COLS

typedef struct {
    float d;       /* the q8_0 block's fp16 scale, widened */
    int32_t off;   /* -K * sum of qs */
    int8_t qs[32];
} act_block;

_Static_assert(sizeof(act_block) == 40, "act_block layout");

static size_t act_row_bytes(int64_t n) { return (size_t)(n / 32) * sizeof(act_block); }

/* One activation row in act_blocks, the codes' offset K taken off: each
 * block quantized in 512-bit registers straight into its act_block, the
 * same IEEE steps as the AVX2 quantizer (mote_avx2_q8_0_from_float, which
 * matches the reference): |x| maximum with NaNs skipped, d = amax / 127
 * rounded to fp16, mul = 127 / amax (mote_q8_multiplier), rintf(x * mul)
 * saturated to int8. Its quant sum comes from the bytes themselves (sum of
 * q + 128 by vpsadbw), so even a NaN's -128 counts as the dot product
 * sees it. Was a quarter of the time of the products it feeds when it
 * went through an AVX2 block buffer, a second pass and a copy. */
static void act_from_float_k(const float *x, void *dst, int64_t n, int k) {
    act_block *a = dst;
    for (int64_t b = 0; b < n / 32; b++, x += 32) {
        const __m512 x0 = _mm512_loadu_ps(x), x1 = _mm512_loadu_ps(x + 16);
        /* max_ps keeps its second operand when the first is NaN */
        const __m512 m = _mm512_max_ps(_mm512_abs_ps(x1), _mm512_max_ps(_mm512_abs_ps(x0), _mm512_setzero_ps()));
        const float amax = _mm512_reduce_max_ps(m);
        const float mul = mote_q8_multiplier(amax);
        const __m512 vm = _mm512_set1_ps(mul);
        const __m128i q0 = _mm512_cvtsepi32_epi8(_mm512_cvtps_epi32(_mm512_mul_ps(x0, vm)));
        const __m128i q1 = _mm512_cvtsepi32_epi8(_mm512_cvtps_epi32(_mm512_mul_ps(x1, vm)));
        const __m256i q = _mm256_inserti128_si256(_mm256_castsi128_si256(q0), q1, 1);
        const __m256i sad = _mm256_sad_epu8(_mm256_xor_si256(q, _mm256_set1_epi8((char)0x80)), _mm256_setzero_si256());
        const __m128i s2 = _mm_add_epi64(_mm256_castsi256_si128(sad), _mm256_extracti128_si256(sad, 1));
        const int32_t sum = (int32_t)(_mm_cvtsi128_si64(s2) + _mm_extract_epi64(s2, 1)) - 32 * 128;
        a[b].off = -k * sum;
        a[b].d = _cvtsh_ss(_cvtss_sh(amax / 127.0f, _MM_FROUND_TO_NEAREST_INT));
        _mm256_storeu_si256((__m256i *)a[b].qs, q);
    }
}
static void act_off8(const float *x, void *dst, int64_t n) { act_from_float_k(x, dst, n, 8); }
static void act_off16(const float *x, void *dst, int64_t n) { act_from_float_k(x, dst, n, 16); }
static void act_off128(const float *x, void *dst, int64_t n) { act_from_float_k(x, dst, n, 128); }

/* ---- packing ------------------------------------------------------------------ */

#define BLOCK_BYTES (8 * 64 + 64)

static size_t panel_bytes(int64_t n) { return (size_t)(n / 32) * BLOCK_BYTES; }

/* A block's 32 codes, unsigned as the panel wants them, and its scale. */
static inline __m256i codes_q4_0(const void *blk, float *d) { return q4_0_unsigned(blk, d); }
static inline __m256i codes_q5_0(const void *blk, float *d) { return q5_0_unsigned(blk, d); }
static inline __m256i codes_q8_0(const void *blk, float *d) {
    return _mm256_xor_si256(q8_0_signed(blk, d), _mm256_set1_epi8((char)0x80));
}
static inline __m256i codes_iq4_nl(const void *blk, float *d) {
    return _mm256_xor_si256(iq4_nl_signed(blk, d), _mm256_set1_epi8((char)0x80));
}

#define PACK(name, block_t)                                                                          \
    static void pack_##name(int64_t n, const void *w, size_t w_stride, int rows, void *panel) {     \
        __m512i *out = panel;                                                                        \
        for (int64_t b = 0; b < n / 32; b++, out += 9) {                                             \
            __m256i r[R];                                                                            \
            float d[R] __attribute__((aligned(64)));                                                 \
            for (int i = 0; i < R; i++) {                                                            \
                if (i < rows) {                                                                      \
                    r[i] = codes_##name((const block_t *)((const uint8_t *)w + (size_t)i * w_stride) + b, &d[i]); \
                } else {                                                                             \
                    r[i] = _mm256_setzero_si256();                                                   \
                    d[i] = 0.0f;                                                                     \
                }                                                                                    \
            }                                                                                        \
            avx512_transpose16(r, out);                                                              \
            _mm512_store_ps(out + 8, _mm512_load_ps(d));                                             \
        }                                                                                            \
    }
PACK(q4_0, block_q4_0)
PACK(q5_0, block_q5_0)
PACK(q8_0, block_q8_0)
PACK(iq4_nl, block_iq4_nl)

/* ---- multiplying ---------------------------------------------------------------- */

/* Token c's block b. */
#define XB(c) ((const act_block *)((const uint8_t *)x + (size_t)(c) * x_stride) + b)

/* One block of the 16 rows (codes W[0..7], scales dw) times NC tokens
 * (a constant after inlining), into acc. */
static inline __attribute__((always_inline)) void block_times_tokens(const __m512i W[8], __m512 dw, const void *x,
                                                                     size_t x_stride, int64_t b, __m512 *acc,
                                                                     const int NC) {
    __m512i s[C];
#pragma GCC unroll 8
    for (int c = 0; c < NC; c++) {
        _mm_prefetch((const char *)(XB(c) + 8), _MM_HINT_T0);
        s[c] = _mm512_set1_epi32(XB(c)->off);
    }
    if (NC <= 2) {
        /* One or two tokens (generation): 8 vpdpbusd in one chain would wait
         * on each other's latency; two chains per token, summed after (the
         * integer sum is the same). */
        __m512i t[2];
#pragma GCC unroll 2
        for (int c = 0; c < NC; c++) t[c] = _mm512_setzero_si512();
#pragma GCC unroll 4
        for (int j = 0; j < 8; j += 2)
#pragma GCC unroll 2
            for (int c = 0; c < NC; c++) {
                s[c] = avx512_dot_u8_i8(s[c], W[j], avx512_bcast4(XB(c)->qs + 4 * j));
                t[c] = avx512_dot_u8_i8(t[c], W[j + 1], avx512_bcast4(XB(c)->qs + 4 * j + 4));
            }
#pragma GCC unroll 2
        for (int c = 0; c < NC; c++) s[c] = _mm512_add_epi32(s[c], t[c]);
    } else {
#pragma GCC unroll 8
        for (int j = 0; j < 8; j++)
#pragma GCC unroll 8
            for (int c = 0; c < NC; c++) s[c] = avx512_dot_u8_i8(s[c], W[j], avx512_bcast4(XB(c)->qs + 4 * j));
    }
#pragma GCC unroll 8
    for (int c = 0; c < NC; c++)
        acc[c] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s[c]), _mm512_mul_ps(dw, _mm512_set1_ps(XB(c)->d)), acc[c]);
}

static inline __attribute__((always_inline)) void store_rows(float *y, size_t y_stride, const __m512 *acc,
                                                             const int NC) {
#pragma GCC unroll 8
    for (int c = 0; c < NC; c++) _mm512_storeu_ps(y + (size_t)c * y_stride, acc[c]);
}

static inline __attribute__((always_inline)) void gemm_panel(int64_t n, const void *panel, const void *x,
                                                             size_t x_stride, float *y, size_t y_stride,
                                                             const int NC) {
    const __m512i *p = panel;
    __m512 acc[C];
    for (int c = 0; c < NC; c++) acc[c] = _mm512_setzero_ps();
    for (int64_t b = 0; b < n / 32; b++, p += 9) {
        __m512i W[8];
        for (int j = 0; j < 8; j++) W[j] = _mm512_load_si512(p + j);
        block_times_tokens(W, _mm512_load_ps(p + 8), x, x_stride, b, acc, NC);
    }
    store_rows(y, y_stride, acc, NC);
}

/* Stored Q4_0 groups: 16 fp16 scales, then 4 vectors of packed nibbles. */
#define STORED_BLOCK_BYTES (R * sizeof(block_q4_0)) /* 288 */

/* Several tokens (NC >= 2, a constant after inlining; one token is left as
 * it was) make each block's products long enough that its first loads
 * waited on memory (perf at 8 sequences, llama3.2-1b q4_0: the scale load
 * and the first dot were the hottest instructions). So each block asks for
 * the one PREFETCH_BLOCKS blocks on, line by line; past the end of a
 * group this touches the next group (or nothing: prefetches never fault). */
#define PREFETCH_BLOCKS 4
static inline __attribute__((always_inline)) void prefetch_block(const uint8_t *g, size_t block_bytes, const int NC) {
    if (NC >= 2) avx512_prefetch_lines(g + PREFETCH_BLOCKS * block_bytes, block_bytes);
}

static inline __attribute__((always_inline)) void gemm_stored_q4_0(int64_t n, const void *group, const void *x,
                                                                   size_t x_stride, float *y, size_t y_stride,
                                                                   const int NC) {
    const uint8_t *g = group;
    const __m512i mask = _mm512_set1_epi8(0x0F);
    __m512 acc[C];
    for (int c = 0; c < NC; c++) acc[c] = _mm512_setzero_ps();
    for (int64_t b = 0; b < n / 32; b++, g += STORED_BLOCK_BYTES) {
        prefetch_block(g, STORED_BLOCK_BYTES, NC);
        __m512i W[8];
        for (int v = 0; v < 4; v++) {
            const __m512i q = _mm512_loadu_si512(g + 32 + 64 * v);
            W[v] = _mm512_and_si512(q, mask);
            W[v + 4] = _mm512_and_si512(_mm512_srli_epi16(q, 4), mask);
        }
        const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)g));
        block_times_tokens(W, dw, x, x_stride, b, acc, NC);
    }
    store_rows(y, y_stride, acc, NC);
}

/* Stored Q5_0 groups: 16 fp16 scales, 4 vectors of packed nibbles, 1 of fifth bits. */
#define STORED_Q5_BLOCK_BYTES (R * sizeof(block_q5_0)) /* 352 */
#define STORED_Q5_HIGH 288                              /* where the fifth bits start */

static inline __attribute__((always_inline)) void gemm_stored_q5_0(int64_t n, const void *group, const void *x,
                                                                   size_t x_stride, float *y, size_t y_stride,
                                                                   const int NC) {
    const uint8_t *g = group;
    const __m512i mask = _mm512_set1_epi8(0x0F), bit4 = _mm512_set1_epi8(0x10);
    __m512 acc[C];
    for (int c = 0; c < NC; c++) acc[c] = _mm512_setzero_ps();
    for (int64_t b = 0; b < n / 32; b++, g += STORED_Q5_BLOCK_BYTES) {
        prefetch_block(g, STORED_Q5_BLOCK_BYTES, NC);
        const __m512i H = _mm512_loadu_si512(g + STORED_Q5_HIGH);
        __m512i W[8];
        for (int v = 0; v < 4; v++) {
            const __m512i q = _mm512_loadu_si512(g + 32 + 64 * v);
            /* bit v of H to bit 4 (16-bit shifts: bits crossing a byte land below bit 4 or above it) */
            W[v] = _mm512_or_si512(_mm512_and_si512(q, mask), _mm512_and_si512(_mm512_slli_epi16(H, 4 - v), bit4));
            const __m512i h = v == 0 ? H : _mm512_srli_epi16(H, v);
            W[v + 4] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(q, 4), mask), _mm512_and_si512(h, bit4));
        }
        const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)g));
        block_times_tokens(W, dw, x, x_stride, b, acc, NC);
    }
    store_rows(y, y_stride, acc, NC);
}

/* The products for 1..C tokens, each count its own unrolled copy. */
#define GEMM_BY_COLS(name, body)                                                                          \
    static void name(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y,     \
                     size_t y_stride) {                                                                   \
        switch (cols) {                                                                                   \
        case 1: body(n, panel, x, x_stride, y, y_stride, 1); break;                                       \
        case 2: body(n, panel, x, x_stride, y, y_stride, 2); break;                                       \
        case 3: body(n, panel, x, x_stride, y, y_stride, 3); break;                                       \
        case 4: body(n, panel, x, x_stride, y, y_stride, 4); break;                                       \
        case 5: body(n, panel, x, x_stride, y, y_stride, 5); break;                                       \
        case 6: body(n, panel, x, x_stride, y, y_stride, 6); break;                                       \
        case 7: body(n, panel, x, x_stride, y, y_stride, 7); break;                                       \
        default: body(n, panel, x, x_stride, y, y_stride, 8); break;                                      \
        }                                                                                                 \
    }
GEMM_BY_COLS(gemm, gemm_panel)
GEMM_BY_COLS(gemm_stored, gemm_stored_q4_0)
GEMM_BY_COLS(gemm_stored_q5, gemm_stored_q5_0)

static size_t stored_bytes(int64_t n) { return (size_t)(n / 32) * STORED_BLOCK_BYTES; }

static void repack_q4_0(int64_t n, const void *w, size_t w_stride, int rows, void *group) {
    uint8_t *out = group;
    memset(out, 0, stored_bytes(n));
    for (int64_t b = 0; b < n / 32; b++, out += STORED_BLOCK_BYTES)
        for (int r = 0; r < rows; r++) {
            const block_q4_0 *blk = (const block_q4_0 *)((const uint8_t *)w + (size_t)r * w_stride) + b;
            memcpy(out + 2 * r, &blk->d, 2);
            for (int v = 0; v < 4; v++) memcpy(out + 32 + 64 * v + 4 * r, blk->qs + 4 * v, 4);
        }
}

/* Row r of a stored group back in GGUF blocks: the inverse of repack_q4_0
 * (a tied head stored once serves the token embedding through it). */
static void unpack_q4_0(int64_t n, const void *group, int r, void *row) {
    const uint8_t *g = group;
    block_q4_0 *out = row;
    for (int64_t b = 0; b < n / 32; b++, g += STORED_BLOCK_BYTES) {
        memcpy(&out[b].d, g + 2 * r, 2);
        for (int v = 0; v < 4; v++) memcpy(out[b].qs + 4 * v, g + 32 + 64 * v + 4 * r, 4);
    }
}

static size_t stored_q5_bytes(int64_t n) { return (size_t)(n / 32) * STORED_Q5_BLOCK_BYTES; }

/* Rows of Q5_0 into a stored group (layout in the head comment); missing rows zero. */
static void repack_q5_0(int64_t n, const void *w, size_t w_stride, int rows, void *group) {
    uint8_t *out = group;
    memset(out, 0, stored_q5_bytes(n));
    for (int64_t b = 0; b < n / 32; b++, out += STORED_Q5_BLOCK_BYTES)
        for (int r = 0; r < rows; r++) {
            const block_q5_0 *blk = (const block_q5_0 *)((const uint8_t *)w + (size_t)r * w_stride) + b;
            uint32_t qh;
            memcpy(&qh, blk->qh, 4);
            memcpy(out + 2 * r, &blk->d, 2);
            for (int v = 0; v < 4; v++) memcpy(out + 32 + 64 * v + 4 * r, blk->qs + 4 * v, 4);
            for (int k = 0; k < 4; k++) {
                uint8_t h = 0;
                for (int j = 0; j < 8; j++) h |= (uint8_t)(((qh >> (4 * j + k)) & 1u) << j);
                out[STORED_Q5_HIGH + 4 * r + k] = h;
            }
        }
}

/* Row r of a stored Q5_0 group back in GGUF blocks: the inverse of repack_q5_0. */
static void unpack_q5_0(int64_t n, const void *group, int r, void *row) {
    const uint8_t *g = group;
    block_q5_0 *out = row;
    for (int64_t b = 0; b < n / 32; b++, g += STORED_Q5_BLOCK_BYTES) {
        uint32_t qh = 0;
        for (int k = 0; k < 4; k++)
            for (int j = 0; j < 8; j++) qh |= (uint32_t)((g[STORED_Q5_HIGH + 4 * r + k] >> j) & 1u) << (4 * j + k);
        memcpy(&out[b].d, g + 2 * r, 2);
        memcpy(out[b].qh, &qh, 4);
        for (int v = 0; v < 4; v++) memcpy(out[b].qs + 4 * v, g + 32 + 64 * v + 4 * r, 4);
    }
}

const mote_panel_kernels mote_avx512_panel_q4_0 = {act_row_bytes, act_off8, panel_bytes, pack_q4_0, gemm, R, C, NULL};
const mote_panel_kernels mote_avx512_panel_q5_0 = {act_row_bytes, act_off16, panel_bytes, pack_q5_0, gemm, R, C, NULL};
const mote_panel_kernels mote_avx512_panel_q8_0 = {act_row_bytes, act_off128, panel_bytes, pack_q8_0, gemm, R, C, NULL};
const mote_panel_kernels mote_avx512_panel_iq4_nl = {act_row_bytes, act_off128, panel_bytes, pack_iq4_nl, gemm, R, C, NULL};
const mote_panel_kernels mote_avx512_stored_q4_0 = {act_row_bytes, act_off8, stored_bytes, repack_q4_0, gemm_stored,
                                                    R, C, unpack_q4_0};
const mote_panel_kernels mote_avx512_stored_q5_0 = {act_row_bytes, act_off16, stored_q5_bytes, repack_q5_0,
                                                    gemm_stored_q5, R, C, unpack_q5_0};

#else
typedef int mote_avx512_panel_q32_unused; /* not an x86-64 build */
#endif
