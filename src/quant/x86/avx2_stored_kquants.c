/*
 * avx2_stored_kquants.c — Q4_K, Q5_K and Q6_K matrices in a stored panel
 * layout (types.h, "stored panels"), repacked once at load so that a batch
 * of a few sequences (one token each per step) reads every weight once for
 * all of them, without the per-product repacking of the unpacked panels of
 * avx2_panel_kquants.c (one byte per weight, too big to keep).
 *
 * Layout: the GGUF bytes of 8 rows, regrouped by field, no larger than the
 * 8 blocks they replace (so the model stays one copy of its weights). Per
 * super-block of 256 weights, each field of the 8 rows in turn, interleaved
 * in units: a field of unit 4 becomes vectors of 32 bytes whose bytes
 * 4r..4r+3 are 4 bytes of row r (vector v: the row's bytes 4v..4v+3); unit 1
 * puts byte k of row r at 8k + r; unit 2 (the fp16 scales) at 16k + 2r.
 *   Q4_K (1152 bytes): qs (128, unit 4), scales (12, unit 1), d, dmin.
 *   Q5_K (1408 bytes): qs, qh (32, unit 4), scales, d, dmin.
 *   Q6_K (1680 bytes): ql (128, unit 4), qh (64, unit 4), scales (16, unit 1), d.
 * Missing rows of a last, partial group are zero bytes (scales 0).
 *
 * Why these units: a quant byte of Q4_K holds weight l (low nibble) and
 * l + 32 (high nibble) of a 64-weight chunk, so masking or shifting a code
 * vector gives 4 consecutive weights of each of the 8 rows, the same 4 for
 * all rows; a token's 4 matching activation bytes are broadcast to every
 * 32-bit lane and multiplied bytewise (maddubs): the 8 rows' sums build up
 * in their own lanes, no horizontal sums, and one code vector serves every
 * token of the batch. The 6-bit scales and mins of 8 rows are decoded with
 * a few vector operations per super-block (the same bit moves as
 * kquants.c mote_k4_scales, on 8 rows at once).
 *
 * Sums: as in avx2_panel_kquants.c, int16 groups of maddubs no larger than
 * the int16 range allows (Q4_K: 8 vectors, 15 * 128 * 2 * 8 = 30720; Q5_K:
 * 4, 31 * 128 * 2 * 4 = 31744; Q6_K: 2, 63 * 128 * 2 * 2 = 32256), then
 * madd with the sub-block scale into int32 per row; mins (Q4_K/Q5_K) and
 * Q6_K's offset of 32 against Q8_K's bsums. The integer sums are the
 * reference vec_dot's (kquants.c); only the float order differs.
 */
#if defined(__x86_64__)

#include <stddef.h>
#include <string.h>

#include "quant/blocks.h"
#include "quant/types.h"
#include "quant/x86/avx2_kernels.h"
#include "quant/x86/avx2_util.h"

#define ROWS 8

/* ---- layout ----------------------------------------------------------------------- */

/* One field of a GGUF block: where it is, how long, in what unit it is interleaved. */
typedef struct {
    int offset, bytes, unit;
} field;

typedef struct {
    size_t block_bytes; /* one GGUF super-block */
    int n_fields;
    field f[5];
} layout;

static const layout q4_K_layout = {sizeof(block_q4_K), 4, {{16, 128, 4}, {4, 12, 1}, {0, 2, 2}, {2, 2, 2}}};
static const layout q5_K_layout = {sizeof(block_q5_K), 5,
                                   {{48, 128, 4}, {16, 32, 4}, {4, 12, 1}, {0, 2, 2}, {2, 2, 2}}};
static const layout q6_K_layout = {sizeof(block_q6_K), 4, {{0, 128, 4}, {128, 64, 4}, {192, 16, 1}, {208, 2, 2}}};

/* Copy between row r's GGUF block and its place in a stored super-block group,
 * either way (to_group: pack; else unpack). */
static void move_row(const layout *L, uint8_t *group, uint8_t *block, int r, int to_group) {
    size_t at = 0;
    for (int i = 0; i < L->n_fields; i++) {
        const field *f = &L->f[i];
        /* constant-size copies per unit, so they compile to plain loads and stores (the
         * whole model passes through here at load) */
        uint8_t *g = group + at + (size_t)r * f->unit, *b = block + f->offset;
        const int step = ROWS * f->unit;
        for (int k = 0; k < f->bytes / f->unit; k++, g += step, b += f->unit) {
            uint8_t *to = to_group ? g : b;
            const uint8_t *from = to_group ? b : g;
            if (f->unit == 4) memcpy(to, from, 4);
            else if (f->unit == 2) memcpy(to, from, 2);
            else *to = *from;
        }
        at += (size_t)f->bytes * ROWS;
    }
}

static void pack_layout(const layout *L, int64_t n, const void *w, size_t w_stride, int rows, void *panel) {
    const size_t gb = L->block_bytes * ROWS;
    memset(panel, 0, (size_t)(n / QK_K) * gb);
    for (int64_t b = 0; b < n / QK_K; b++)
        for (int r = 0; r < rows; r++)
            move_row(L, (uint8_t *)panel + (size_t)b * gb,
                     (uint8_t *)w + (size_t)r * w_stride + (size_t)b * L->block_bytes, r, 1);
}

static void unpack_layout(const layout *L, int64_t n, const void *panel, int r, void *row) {
    const size_t gb = L->block_bytes * ROWS;
    for (int64_t b = 0; b < n / QK_K; b++)
        move_row(L, (uint8_t *)panel + (size_t)b * gb, (uint8_t *)row + (size_t)b * L->block_bytes, r, 0);
}

/* ---- multiplying --------------------------------------------------------------------- */

static inline __m256i load32(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }

/* 8 bytes (one per row) as int16 pairs: lanes 2r and 2r+1 both hold byte r, unsigned. */
static inline __m256i pairs_u8(const uint8_t *p) {
    const __m256i x = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p));
    return _mm256_or_si256(x, _mm256_slli_epi32(x, 16));
}

/* Lane 2r = signed byte r of a, lane 2r+1 = signed byte r of b, as int16. */
static inline __m256i pairs_i8(const int8_t *a, const int8_t *b) {
    const __m256i x = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)a));
    const __m256i z = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)b));
    return _mm256_blend_epi16(x, _mm256_slli_epi32(z, 16), 0xAA);
}

/* Q4_K / Q5_K (Q5 = 1): C tokens, constants after inlining. */
static inline __attribute__((always_inline)) void gemm_k4(int64_t n, const uint8_t *g, const block_q8_K *const *xb,
                                                          float *y, size_t y_stride, const int C, const int Q5) {
    const size_t gb = ROWS * (Q5 ? sizeof(block_q5_K) : sizeof(block_q4_K));
    const size_t at_qh = 1024, at_sc = Q5 ? 1280 : 1024;
    const __m256i m0f = _mm256_set1_epi8(0x0F), m63 = _mm256_set1_epi8(63), m30 = _mm256_set1_epi8(0x30);
    const __m256i b4 = _mm256_set1_epi8(0x10);
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int64_t b = 0; b < n / QK_K; b++, g += gb) {
        /* scales and mins of the 8 rows: sm[8j + r] = scale j of row r, then the mins */
        _Alignas(32) uint8_t sm[128];
        {
            const __m256i A = load32(g + at_sc), B = load32(g + at_sc + 32), K = load32(g + at_sc + 64);
            _mm256_store_si256((__m256i *)sm, _mm256_and_si256(A, m63));
            _mm256_store_si256((__m256i *)(sm + 32), _mm256_or_si256(_mm256_and_si256(K, m0f),
                                                                      _mm256_and_si256(_mm256_srli_epi16(A, 2), m30)));
            _mm256_store_si256((__m256i *)(sm + 64), _mm256_and_si256(B, m63));
            _mm256_store_si256((__m256i *)(sm + 96), _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(K, 4), m0f),
                                                                      _mm256_and_si256(_mm256_srli_epi16(B, 2), m30)));
        }
        __m256i isum[4], msum[4];
        for (int c = 0; c < C; c++) isum[c] = _mm256_setzero_si256(), msum[c] = _mm256_setzero_si256();
        for (int s = 0; s < 8; s++) {
            const __m256i S = pairs_u8(sm + 8 * s);
            __m256i a16[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                              _mm256_setzero_si256()};
            for (int i = 0; i < 8; i++) {
                const __m256i P = load32(g + 32 * (8 * (s / 2) + i));
                __m256i u = (s & 1) ? _mm256_and_si256(_mm256_srli_epi16(P, 4), m0f) : _mm256_and_si256(P, m0f);
                if (Q5) {
                    const __m256i H = load32(g + at_qh + 32 * i); /* bit s of each byte becomes bit 4 */
                    const __m256i h = s <= 4 ? _mm256_slli_epi16(H, 4 - s) : _mm256_srli_epi16(H, s - 4);
                    u = _mm256_or_si256(u, _mm256_and_si256(h, b4));
                }
                for (int c = 0; c < C; c++) {
                    const __m256i m = _mm256_maddubs_epi16(u, avx2_bcast4(xb[c][b].qs + 32 * s + 4 * i));
                    a16[c] = (Q5 ? i % 4 == 0 : i == 0) ? m : avx2_pin(_mm256_add_epi16(a16[c], m));
                    /* madd + add, not avx2_madd_acc: as vpdpwssd (the avxvnni set) the
                     * chain through isum waits on its latency (measured slower for Q5_K) */
                    if (Q5 ? i % 4 == 3 : i == 7) isum[c] = _mm256_add_epi32(isum[c], _mm256_madd_epi16(a16[c], S));
                }
            }
        }
        for (int j = 0; j < 8; j++) { /* a 32-weight min covers bsums 2j and 2j+1 */
            const __m256i M = pairs_u8(sm + 64 + 8 * j);
            for (int c = 0; c < C; c++)
                msum[c] = avx2_madd_acc(msum[c], M, avx2_bcast4(xb[c][b].bsums + 2 * j));
        }
        const __m256 D = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(g + at_sc + 96)));
        const __m256 DM = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(g + at_sc + 112)));
        for (int c = 0; c < C; c++) {
            const __m256 v = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(msum[c]), DM, _mm256_mul_ps(_mm256_cvtepi32_ps(isum[c]), D));
            acc[c] = _mm256_fmadd_ps(v, _mm256_set1_ps(xb[c][b].d), acc[c]);
        }
    }
    for (int c = 0; c < C; c++) _mm256_storeu_ps(y + (size_t)c * y_stride, acc[c]);
}

/* Q6_K: C tokens. Weight 128h + 32k + l: nibble k/2 of ql byte 64h + 32(k%2) + l,
 * bits 2k..2k+1 of qh byte 32h + l as bits 4..5; q = u - 32, taken off as
 * 32 * sum(scale * bsum) in int32. */
static inline __attribute__((always_inline)) void gemm_q6(int64_t n, const uint8_t *g, const block_q8_K *const *xb,
                                                          float *y, size_t y_stride, const int C) {
    const size_t gb = ROWS * sizeof(block_q6_K);
    const __m256i m0f = _mm256_set1_epi8(0x0F), m30 = _mm256_set1_epi8(0x30);
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int64_t b = 0; b < n / QK_K; b++, g += gb) {
        const int8_t *sc = (const int8_t *)(g + 1536); /* sc[8t + r]: scale t of row r */
        __m256i isum[4], msum[4];
        for (int c = 0; c < C; c++) isum[c] = _mm256_setzero_si256(), msum[c] = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++)
            for (int k = 0; k < 4; k++) {
                __m256i S = _mm256_setzero_si256(), a16[4] = {S, S, S, S};
                for (int i = 0; i < 8; i++) {
                    if (i % 4 == 0) {
                        const int8_t *st = sc + 8 * (2 * (4 * h + k) + i / 4);
                        S = pairs_i8(st, st);
                    }
                    const __m256i L = load32(g + 32 * (16 * h + 8 * (k % 2) + i));
                    const __m256i H = load32(g + 1024 + 32 * (8 * h + i));
                    const __m256i lo = k < 2 ? _mm256_and_si256(L, m0f) : _mm256_and_si256(_mm256_srli_epi16(L, 4), m0f);
                    const __m256i hi = k == 0 ? _mm256_slli_epi16(H, 4) : k == 1 ? _mm256_slli_epi16(H, 2)
                                                                 : k == 2 ? H : _mm256_srli_epi16(H, 2);
                    const __m256i u = _mm256_or_si256(lo, _mm256_and_si256(hi, m30));
                    for (int c = 0; c < C; c++) {
                        const __m256i m =
                            _mm256_maddubs_epi16(u, avx2_bcast4(xb[c][b].qs + 128 * h + 32 * k + 4 * i));
                        if (i % 2 == 0) {
                            a16[c] = m;
                        } else {
                            a16[c] = avx2_pin(_mm256_add_epi16(a16[c], m));
                            isum[c] = avx2_madd_acc(isum[c], a16[c], S);
                        }
                    }
                }
            }
        for (int p = 0; p < 8; p++) {
            const __m256i M = pairs_i8(sc + 16 * p, sc + 16 * p + 8);
            for (int c = 0; c < C; c++)
                msum[c] = avx2_madd_acc(msum[c], M, avx2_bcast4(xb[c][b].bsums + 2 * p));
        }
        const __m256 D = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(g + 1664)));
        for (int c = 0; c < C; c++) {
            const __m256i t = _mm256_sub_epi32(isum[c], _mm256_slli_epi32(msum[c], 5));
            acc[c] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(t), D), _mm256_set1_ps(xb[c][b].d), acc[c]);
        }
    }
    for (int c = 0; c < C; c++) _mm256_storeu_ps(y + (size_t)c * y_stride, acc[c]);
}

/* ---- the types ------------------------------------------------------------------------- */

static size_t act_row_bytes(int64_t n) { return (size_t)(n / QK_K) * sizeof(block_q8_K); }

#define GEMM_SWITCH(call)                                                                                        \
    const block_q8_K *xb[4];                                                                                     \
    for (int c = 0; c < cols; c++) xb[c] = (const block_q8_K *)((const uint8_t *)x + (size_t)c * x_stride);     \
    switch (cols) {                                                                                              \
    case 1: call(1); break;                                                                                      \
    case 2: call(2); break;                                                                                      \
    case 3: call(3); break;                                                                                      \
    default: call(4); break;                                                                                     \
    }

#define STORED_TYPE(name, block_t, CALL)                                                                           \
    static size_t name##_bytes(int64_t n) { return (size_t)(n / QK_K) * ROWS * sizeof(block_t); }                 \
    static void name##_pack(int64_t n, const void *w, size_t w_stride, int rows, void *panel) {                   \
        pack_layout(&name##_layout, n, w, w_stride, rows, panel);                                                  \
    }                                                                                                              \
    static void name##_unpack(int64_t n, const void *panel, int r, void *row) {                                   \
        unpack_layout(&name##_layout, n, panel, r, row);                                                           \
    }                                                                                                              \
    static void name##_gemm(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y,     \
                            size_t y_stride) {                                                                     \
        GEMM_SWITCH(CALL)                                                                                          \
    }                                                                                                              \
    const mote_panel_kernels mote_avx2_stored_##name = {act_row_bytes, mote_avx2_q8_K_from_float, name##_bytes,    \
                                                        name##_pack, name##_gemm, ROWS, MOTE_AVX2_PANEL_COLS, name##_unpack};

#define CALL_Q4(C) gemm_k4(n, panel, xb, y, y_stride, C, 0)
#define CALL_Q5(C) gemm_k4(n, panel, xb, y, y_stride, C, 1)
#define CALL_Q6(C) gemm_q6(n, panel, xb, y, y_stride, C)

STORED_TYPE(q4_K, block_q4_K, CALL_Q4)
STORED_TYPE(q5_K, block_q5_K, CALL_Q5)
STORED_TYPE(q6_K, block_q6_K, CALL_Q6)

#else
typedef int mote_avx2_stored_kquants_unused; /* not an x86-64 build */
#endif
