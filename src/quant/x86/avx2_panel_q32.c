/*
 * avx2_panel_q32.c — AVX2 panel kernels (types.h, "Panel kernels") for the
 * 32-weight block types: Q4_0, Q5_0, Q8_0, IQ4_NL (Q8_0 activations) and
 * Q4_1, Q5_1 (Q8_1 activations). matmul.c packs 8 weight rows into a panel once per product, then
 * multiplies it with the prompt's tokens 4 at a time.
 *
 * Panel: per weight block, 8 vectors j = 0..7; byte 4r+i of vector j is the
 * weight k = 4j+i of row r. Broadcasting a token's 4 quants k = 4j..4j+3
 * to every 32-bit lane and multiplying bytewise (maddubs) gives, in int16
 * lane 2r and 2r+1, row r's partial sums; the 8 rows never need a
 * horizontal sum. After the vectors, the 8 rows' float scales.
 *
 * Two families, by the sign of the stored weights:
 *  - unsigned (Q4_0: 0..15, Q5_0: 0..31, recentred by 8 or 16): the
 *    activation block carries the recentring term, -8 (or -16) times the
 *    sum of its quants at k = 0,1 mod 4 and at k = 2,3 mod 4, as the two
 *    int16 of a 32-bit word. Broadcast, it starts the int16 sums, so lane
 *    2r ends at sum over its 16 k of (u - 8) * y: at most 16 * 16 * 127 =
 *    32512 in magnitude, and int16 adds wrap, so the in-between values
 *    never matter. The int32 block sums are vec_dot's exactly.
 *  - signed (Q8_0, IQ4_NL levels): maddubs wants one unsigned operand, so
 *    the panel holds |w| and w; the token's bytes take w's sign (sign_epi8).
 *    Each product pair reaches 2 * 128 * 127, so every maddubs is widened
 *    to int32 (madd) before the next is added.
 *  - with a minimum (Q4_1: 0..15, Q5_1: 0..31): as unsigned, plus the
 *    reference's m_w * s_x per block; Q5_1's sums are recentred by 16 in
 *    int16 (31 * 127 * 16 would not fit) and 16 * sum(y) added back in int32.
 *
 * Activation block (panel_act): the reference Q8_0 quants and f16-rounded
 * scale (from mote_avx2_q8_0_from_float, which matches the reference), the
 * scale as a float and the recentring word; panel_act1 likewise from the
 * Q8_1 quantizer, with its s = d * sum.
 */
#if defined(__x86_64__)

#include <stddef.h>
#include <string.h>

#include "quant/blocks.h"
#include "quant/types.h"
#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx2_unpack.h"
#include "quant/x86/avx2_util.h"

typedef struct {
    int8_t qs[32];
    float d;     /* the f16-rounded scale, as a float */
    int32_t off; /* int16 pair: -K * sum(qs[k], k%4 in {0,1}), -K * sum(k%4 in {2,3}); 0 if unused */
} panel_act;

_Static_assert(sizeof(panel_act) == 40, "panel_act layout");

/* Activation block of the types with a minimum (Q4_1, Q5_1; Q8_1 activations). */
typedef struct {
    int8_t qs[32];
    float d;      /* the f16-rounded scale, as a float */
    float s;      /* the reference's f16 d * sum(qs), as a float */
    int32_t off;  /* int16 pair as in panel_act (0 for Q4_1) */
    int32_t back; /* K * sum(qs): added to the int32 sum to undo the recentring */
} panel_act1;

_Static_assert(sizeof(panel_act1) == 48, "panel_act1 layout");

/* Bytes of one panel block: unsigned family (8 vectors + 8 scales), signed
 * (16 vectors + 8 scales), with minimum (8 vectors + 8 scales + 8 minimums). */
#define UBLOCK (8 * 32 + 32)
#define SBLOCK (16 * 32 + 32)
#define MBLOCK (8 * 32 + 64)

static size_t act_row_bytes(int64_t n) { return (size_t)(n / 32) * sizeof(panel_act); }

static size_t round64(size_t n) { return (n + 63) & ~(size_t)63; }
static size_t panel_bytes_u(int64_t n) { return round64((size_t)(n / 32) * UBLOCK); }
static size_t panel_bytes_s(int64_t n) { return round64((size_t)(n / 32) * SBLOCK); }
static size_t panel_bytes_m(int64_t n) { return round64((size_t)(n / 32) * MBLOCK); }
static size_t act1_row_bytes(int64_t n) { return (size_t)(n / 32) * sizeof(panel_act1); }

/* The int16 pair word that starts a block's sums recentred by k. */
static int32_t offset_word(const int8_t *qs, int k) {
    int32_t lo = 0, hi = 0;
    for (int q = 0; q < 32; q += 4) {
        lo += qs[q] + qs[q + 1];
        hi += qs[q + 2] + qs[q + 3];
    }
    return (int32_t)((uint32_t)(uint16_t)(int16_t)(-k * lo) | (uint32_t)(uint16_t)(int16_t)(-k * hi) << 16);
}

/* One activation row in panel_act blocks; k is the recentring weight offset (0: none). */
static void act_from_float_k(const float *x, void *dst, int64_t n, int k) {
    panel_act *a = dst;
    const int64_t nb = n / 32;
    block_q8_0 tmp[4];
    for (int64_t i = 0; i < nb; i += 4) {
        const int64_t m = nb - i < 4 ? nb - i : 4;
        mote_avx2_q8_0_from_float(x + i * 32, tmp, m * 32);
        for (int64_t t = 0; t < m; t++) {
            panel_act *b = &a[i + t];
            memcpy(b->qs, tmp[t].qs, 32);
            b->d = avx2_h2f(tmp[t].d);
            b->off = offset_word(tmp[t].qs, k);
        }
    }
}
static void act_plain(const float *x, void *dst, int64_t n) { act_from_float_k(x, dst, n, 0); }
static void act_off8(const float *x, void *dst, int64_t n) { act_from_float_k(x, dst, n, 8); }
static void act_off16(const float *x, void *dst, int64_t n) { act_from_float_k(x, dst, n, 16); }

/* One activation row in panel_act1 blocks (reference Q8_1 quants, d and s); k as above. */
static void act1_from_float_k(const float *x, void *dst, int64_t n, int k) {
    panel_act1 *a = dst;
    const int64_t nb = n / 32;
    block_q8_1 tmp[4];
    for (int64_t i = 0; i < nb; i += 4) {
        const int64_t m = nb - i < 4 ? nb - i : 4;
        mote_avx2_q8_1_from_float(x + i * 32, tmp, m * 32);
        for (int64_t t = 0; t < m; t++) {
            panel_act1 *b = &a[i + t];
            memcpy(b->qs, tmp[t].qs, 32);
            b->d = avx2_h2f(tmp[t].d);
            b->s = avx2_h2f(tmp[t].s);
            b->off = offset_word(tmp[t].qs, k);
            int32_t sum = 0;
            for (int q = 0; q < 32; q++) sum += tmp[t].qs[q];
            b->back = k * sum;
        }
    }
}
static void act1_plain(const float *x, void *dst, int64_t n) { act1_from_float_k(x, dst, n, 0); }
static void act1_off16(const float *x, void *dst, int64_t n) { act1_from_float_k(x, dst, n, 16); }

/* Transpose 8 rows of 8 int32 (r[i] lane j) into out[j] lane i, stored at out. */
static inline void store_transposed(__m256i r[8], __m256i *out) {
    const __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]);
    const __m256i t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]);
    const __m256i t4 = _mm256_unpacklo_epi32(r[4], r[5]), t5 = _mm256_unpackhi_epi32(r[4], r[5]);
    const __m256i t6 = _mm256_unpacklo_epi32(r[6], r[7]), t7 = _mm256_unpackhi_epi32(r[6], r[7]);
    /* u0: rows 0-3 of lanes 0 | 4; u1: lanes 1 | 5; u2: 2 | 6; u3: 3 | 7; u4..u7 the same for rows 4-7 */
    const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
    const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
    const __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
    const __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
    _mm256_store_si256(out + 0, _mm256_permute2x128_si256(u0, u4, 0x20));
    _mm256_store_si256(out + 1, _mm256_permute2x128_si256(u1, u5, 0x20));
    _mm256_store_si256(out + 2, _mm256_permute2x128_si256(u2, u6, 0x20));
    _mm256_store_si256(out + 3, _mm256_permute2x128_si256(u3, u7, 0x20));
    _mm256_store_si256(out + 4, _mm256_permute2x128_si256(u0, u4, 0x31));
    _mm256_store_si256(out + 5, _mm256_permute2x128_si256(u1, u5, 0x31));
    _mm256_store_si256(out + 6, _mm256_permute2x128_si256(u2, u6, 0x31));
    _mm256_store_si256(out + 7, _mm256_permute2x128_si256(u3, u7, 0x31));
}

/* Pack `rows` rows of blocks of BSIZE bytes, weights by UNPACK, rows after them zero.
 * SIGNED panels get |w| vectors, then w vectors, then scales; unsigned ones w, then scales. */
#define PACK_BODY(BSIZE, UNPACK, SIGNED)                                                            \
    const int64_t nb = n / 32;                                                                      \
    __m256i *out = panel;                                                                           \
    for (int64_t b = 0; b < nb; b++) {                                                              \
        __m256i r[8];                                                                               \
        float d[8];                                                                                 \
        for (int i = 0; i < 8; i++) {                                                               \
            if (i < rows) {                                                                         \
                r[i] = UNPACK((const uint8_t *)w + (size_t)i * w_stride + (size_t)b * (BSIZE), &d[i]); \
            } else {                                                                                \
                r[i] = _mm256_setzero_si256();                                                      \
                d[i] = 0.0f;                                                                        \
            }                                                                                       \
        }                                                                                           \
        if (SIGNED) {                                                                               \
            __m256i a[8];                                                                           \
            for (int i = 0; i < 8; i++) a[i] = _mm256_sign_epi8(r[i], r[i]);                        \
            store_transposed(a, out);                                                               \
            out += 8;                                                                               \
        }                                                                                           \
        store_transposed(r, out);                                                                   \
        out += 8;                                                                                   \
        _mm256_store_ps((float *)out, _mm256_loadu_ps(d));                                          \
        out += 1;                                                                                   \
    }

static void pack_q4_0(int64_t n, const void *w, size_t w_stride, int rows, void *panel) {
    PACK_BODY(sizeof(block_q4_0), q4_0_unsigned, 0)
}
static void pack_q5_0(int64_t n, const void *w, size_t w_stride, int rows, void *panel) {
    PACK_BODY(sizeof(block_q5_0), q5_0_unsigned, 0)
}
static void pack_q8_0(int64_t n, const void *w, size_t w_stride, int rows, void *panel) {
    PACK_BODY(sizeof(block_q8_0), q8_0_signed, 1)
}
static void pack_iq4_nl(int64_t n, const void *w, size_t w_stride, int rows, void *panel) {
    PACK_BODY(sizeof(block_iq4_nl), iq4_nl_signed, 1)
}

/* Panels of types with a minimum: w vectors, scales, minimums. */
#define PACK_MIN_BODY(BSIZE, UNPACK)                                                                \
    const int64_t nb = n / 32;                                                                      \
    __m256i *out = panel;                                                                           \
    for (int64_t b = 0; b < nb; b++) {                                                              \
        __m256i r[8];                                                                               \
        float d[8], m[8];                                                                           \
        for (int i = 0; i < 8; i++) {                                                               \
            if (i < rows) {                                                                         \
                r[i] = UNPACK((const uint8_t *)w + (size_t)i * w_stride + (size_t)b * (BSIZE), &d[i], &m[i]); \
            } else {                                                                                \
                r[i] = _mm256_setzero_si256();                                                      \
                d[i] = m[i] = 0.0f;                                                                 \
            }                                                                                       \
        }                                                                                           \
        store_transposed(r, out);                                                                   \
        _mm256_store_ps((float *)(out + 8), _mm256_loadu_ps(d));                                    \
        _mm256_store_ps((float *)(out + 9), _mm256_loadu_ps(m));                                    \
        out += 10;                                                                                  \
    }

static void pack_q4_1(int64_t n, const void *w, size_t w_stride, int rows, void *panel) {
    PACK_MIN_BODY(sizeof(block_q4_1), q4_1_unsigned)
}
static void pack_q5_1(int64_t n, const void *w, size_t w_stride, int rows, void *panel) {
    PACK_MIN_BODY(sizeof(block_q5_1), q5_1_unsigned)
}

/* The 4 quants k = 4j..4j+3 of a token's block in every 32-bit lane. */
static inline __m256i bcast4(const void *act, int j) {
    return avx2_bcast4((const int8_t *)act + 4 * j); /* qs opens both activation blocks */
}

/* Token c's block b and its panel_act fields (c < cols, a constant after inlining). */
#define XB(c) ((const panel_act *)((const uint8_t *)x + (size_t)(c) * x_stride) + b)

/* Ask for the tokens' blocks a few ahead: 4 activation streams and the
 * panel outrun the hardware prefetcher (measured: loads of the token scale
 * were the hottest instructions). */
#define PREFETCH_AHEAD 8
#define PREFETCH_ACT(XBLK, cols)                                                          \
    do {                                                                                  \
        _mm_prefetch((const char *)(XBLK(0) + PREFETCH_AHEAD), _MM_HINT_T0);              \
        if (cols > 1) _mm_prefetch((const char *)(XBLK(1) + PREFETCH_AHEAD), _MM_HINT_T0); \
        if (cols > 2) _mm_prefetch((const char *)(XBLK(2) + PREFETCH_AHEAD), _MM_HINT_T0); \
        if (cols > 3) _mm_prefetch((const char *)(XBLK(3) + PREFETCH_AHEAD), _MM_HINT_T0); \
    } while (0)

/* The int16 chains of the unsigned panels: s[c] += sum over the block's 8
 * vectors of maddubs(weights, token c's 4 quants), for cols (a constant
 * after inlining) tokens whose quants start at q[c]. */
static inline __attribute__((always_inline)) void chain_u(const __m256i *p, const int8_t *const q[4], int cols,
                                                          __m256i *s0, __m256i *s1, __m256i *s2, __m256i *s3) {
    for (int j = 0; j < 8; j++) {
        const __m256i wv = _mm256_load_si256(p + j);
        *s0 = avx2_pin(avx2_dot_run(*s0, wv, bcast4(q[0], j)));
        if (cols > 1) *s1 = avx2_pin(avx2_dot_run(*s1, wv, bcast4(q[1], j)));
        if (cols > 2) *s2 = avx2_pin(avx2_dot_run(*s2, wv, bcast4(q[2], j)));
        if (cols > 3) *s3 = avx2_pin(avx2_dot_run(*s3, wv, bcast4(q[3], j)));
    }
}

/* The cols accumulators (8 rows each) into y, one token every y_stride. */
static inline __attribute__((always_inline)) void store_cols(float *y, size_t y_stride, int cols, __m256 a0, __m256 a1,
                                                             __m256 a2, __m256 a3) {
    _mm256_storeu_ps(y, a0);
    if (cols > 1) _mm256_storeu_ps(y + y_stride, a1);
    if (cols > 2) _mm256_storeu_ps(y + 2 * y_stride, a2);
    if (cols > 3) _mm256_storeu_ps(y + 3 * y_stride, a3);
}

/* Unsigned panels: cols (a constant after inlining) tokens. */
static inline __attribute__((always_inline)) void gemm_u(int64_t n, const void *panel, const void *x,
                                                         size_t x_stride, int cols, float *y, size_t y_stride) {
    const int64_t nb = n / 32;
    const __m256i *p = panel;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    for (int64_t b = 0; b < nb; b++, p += 9) {
        PREFETCH_ACT(XB, cols);
        __m256i s0 = avx2_dot_run_start(XB(0)->off), s1 = s0, s2 = s0, s3 = s0;
        if (cols > 1) s1 = avx2_dot_run_start(XB(1)->off);
        if (cols > 2) s2 = avx2_dot_run_start(XB(2)->off);
        if (cols > 3) s3 = avx2_dot_run_start(XB(3)->off);
        const int8_t *const q[4] = {XB(0)->qs, cols > 1 ? XB(1)->qs : NULL, cols > 2 ? XB(2)->qs : NULL,
                                    cols > 3 ? XB(3)->qs : NULL};
        chain_u(p, q, cols, &s0, &s1, &s2, &s3);
        const __m256 dw = _mm256_load_ps((const float *)(p + 8));
#define FINISH(c, s, acc) \
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(avx2_dot_run_widen(s)), \
                              _mm256_mul_ps(dw, _mm256_broadcast_ss(&XB(c)->d)), acc)
        FINISH(0, s0, acc0);
        if (cols > 1) FINISH(1, s1, acc1);
        if (cols > 2) FINISH(2, s2, acc2);
        if (cols > 3) FINISH(3, s3, acc3);
    }
    store_cols(y, y_stride, cols, acc0, acc1, acc2, acc3);
}

/* Signed panels: |w| and w vectors; every product pair widened to int32. */
static inline __attribute__((always_inline)) void gemm_s(int64_t n, const void *panel, const void *x,
                                                         size_t x_stride, int cols, float *y, size_t y_stride) {
    const int64_t nb = n / 32;
    const __m256i *p = panel;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    for (int64_t b = 0; b < nb; b++, p += 17) {
        PREFETCH_ACT(XB, cols);
        __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
        for (int j = 0; j < 8; j++) {
            const __m256i av = _mm256_load_si256(p + j), wv = _mm256_load_si256(p + 8 + j);
#define SDOT(c, s) \
            s = avx2_dot_u8_i8_acc(s, av, _mm256_sign_epi8(bcast4(XB(c), j), wv))
            SDOT(0, s0);
            if (cols > 1) SDOT(1, s1);
            if (cols > 2) SDOT(2, s2);
            if (cols > 3) SDOT(3, s3);
            s0 = avx2_pin(s0);
            if (cols > 1) s1 = avx2_pin(s1);
            if (cols > 2) s2 = avx2_pin(s2);
            if (cols > 3) s3 = avx2_pin(s3);
        }
        const __m256 dw = _mm256_load_ps((const float *)(p + 16));
#define SFINISH(c, s, acc) \
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(dw, _mm256_broadcast_ss(&XB(c)->d)), acc)
        SFINISH(0, s0, acc0);
        if (cols > 1) SFINISH(1, s1, acc1);
        if (cols > 2) SFINISH(2, s2, acc2);
        if (cols > 3) SFINISH(3, s3, acc3);
    }
    store_cols(y, y_stride, cols, acc0, acc1, acc2, acc3);
}

/* Token c's block b of panel_act1. */
#define XB1(c) ((const panel_act1 *)((const uint8_t *)x + (size_t)(c) * x_stride) + b)

/* Panels with a minimum: int16 sums (recentred when `recentre`, undone in
 * int32), then per block d_w*d_x*sum + m_w*s_x as the reference. */
static inline __attribute__((always_inline)) void gemm_m(int64_t n, const void *panel, const void *x,
                                                         size_t x_stride, int cols, float *y, size_t y_stride,
                                                         int recentre) {
    const int64_t nb = n / 32;
    const __m256i *p = panel;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    for (int64_t b = 0; b < nb; b++, p += 10) {
        PREFETCH_ACT(XB1, cols);
        __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
        if (recentre) {
            s0 = avx2_dot_run_start(XB1(0)->off);
            if (cols > 1) s1 = avx2_dot_run_start(XB1(1)->off);
            if (cols > 2) s2 = avx2_dot_run_start(XB1(2)->off);
            if (cols > 3) s3 = avx2_dot_run_start(XB1(3)->off);
        }
        const int8_t *const q[4] = {XB1(0)->qs, cols > 1 ? XB1(1)->qs : NULL, cols > 2 ? XB1(2)->qs : NULL,
                                    cols > 3 ? XB1(3)->qs : NULL};
        chain_u(p, q, cols, &s0, &s1, &s2, &s3);
        const __m256 dw = _mm256_load_ps((const float *)(p + 8)), mw = _mm256_load_ps((const float *)(p + 9));
#define MFINISH(c, sum, acc)                                                                              \
        do {                                                                                            \
            __m256i i32 = avx2_dot_run_widen(sum);                                                        \
            if (recentre) i32 = _mm256_add_epi32(i32, _mm256_set1_epi32(XB1(c)->back));                 \
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i32), _mm256_mul_ps(dw, _mm256_broadcast_ss(&XB1(c)->d)), acc); \
            acc = _mm256_fmadd_ps(mw, _mm256_broadcast_ss(&XB1(c)->s), acc);                            \
        } while (0)
        MFINISH(0, s0, acc0);
        if (cols > 1) MFINISH(1, s1, acc1);
        if (cols > 2) MFINISH(2, s2, acc2);
        if (cols > 3) MFINISH(3, s3, acc3);
    }
    store_cols(y, y_stride, cols, acc0, acc1, acc2, acc3);
}

/* Q4_1: nibbles times quants stay within int16 (16 * 15 * 127); Q5_1's 31s need the recentring. */
static void gemm_q4_1(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y,
                      size_t y_stride) {
    switch (cols) {
    case 4: gemm_m(n, panel, x, x_stride, 4, y, y_stride, 0); break;
    case 3: gemm_m(n, panel, x, x_stride, 3, y, y_stride, 0); break;
    case 2: gemm_m(n, panel, x, x_stride, 2, y, y_stride, 0); break;
    default: gemm_m(n, panel, x, x_stride, 1, y, y_stride, 0); break;
    }
}
static void gemm_q5_1(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y,
                      size_t y_stride) {
    switch (cols) {
    case 4: gemm_m(n, panel, x, x_stride, 4, y, y_stride, 1); break;
    case 3: gemm_m(n, panel, x, x_stride, 3, y, y_stride, 1); break;
    case 2: gemm_m(n, panel, x, x_stride, 2, y, y_stride, 1); break;
    default: gemm_m(n, panel, x, x_stride, 1, y, y_stride, 1); break;
    }
}

static void gemm_unsigned(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y,
                          size_t y_stride) {
    switch (cols) {
    case 4: gemm_u(n, panel, x, x_stride, 4, y, y_stride); break;
    case 3: gemm_u(n, panel, x, x_stride, 3, y, y_stride); break;
    case 2: gemm_u(n, panel, x, x_stride, 2, y, y_stride); break;
    default: gemm_u(n, panel, x, x_stride, 1, y, y_stride); break;
    }
}
static void gemm_signed(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y,
                        size_t y_stride) {
    switch (cols) {
    case 4: gemm_s(n, panel, x, x_stride, 4, y, y_stride); break;
    case 3: gemm_s(n, panel, x, x_stride, 3, y, y_stride); break;
    case 2: gemm_s(n, panel, x, x_stride, 2, y, y_stride); break;
    default: gemm_s(n, panel, x, x_stride, 1, y, y_stride); break;
    }
}

const mote_panel_kernels mote_avx2_panel_q4_0 = {act_row_bytes, act_off8, panel_bytes_u, pack_q4_0, gemm_unsigned,
    MOTE_AVX2_PANEL_ROWS, MOTE_AVX2_PANEL_COLS, NULL};
const mote_panel_kernels mote_avx2_panel_q5_0 = {act_row_bytes, act_off16, panel_bytes_u, pack_q5_0, gemm_unsigned,
    MOTE_AVX2_PANEL_ROWS, MOTE_AVX2_PANEL_COLS, NULL};
const mote_panel_kernels mote_avx2_panel_q8_0 = {act_row_bytes, act_plain, panel_bytes_s, pack_q8_0, gemm_signed,
    MOTE_AVX2_PANEL_ROWS, MOTE_AVX2_PANEL_COLS, NULL};
const mote_panel_kernels mote_avx2_panel_iq4_nl = {act_row_bytes, act_plain, panel_bytes_s, pack_iq4_nl,
                                                   gemm_signed,
    MOTE_AVX2_PANEL_ROWS, MOTE_AVX2_PANEL_COLS, NULL};
const mote_panel_kernels mote_avx2_panel_q4_1 = {act1_row_bytes, act1_plain, panel_bytes_m, pack_q4_1, gemm_q4_1,
    MOTE_AVX2_PANEL_ROWS, MOTE_AVX2_PANEL_COLS, NULL};
const mote_panel_kernels mote_avx2_panel_q5_1 = {act1_row_bytes, act1_off16, panel_bytes_m, pack_q5_1, gemm_q5_1,
    MOTE_AVX2_PANEL_ROWS, MOTE_AVX2_PANEL_COLS, NULL};

#else
typedef int mote_avx2_panel_q32_unused; /* not an x86-64 build */
#endif
