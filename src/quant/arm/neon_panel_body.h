/*
 * neon_panel_body.h — NEON panel kernels (types.h, "Panel kernels") for
 * Q4_0 and Q8_0, and stored Q4_0 and Q8_0 panel layouts; included twice like
 * neon_body.h: by neon_panel.c (every NEON CPU, AArch64 and ARMv7) and by
 * neon_dotprod_panel.c (AArch64 with the dot-product extension). The
 * includer defines
 *   NEON_DOT_LANE(acc, w, x, lane)  acc (int32x4) + in lane r the dot of
 *       w's bytes 4r..4r+3 with x's bytes 4*lane..4*lane+3 (lane a literal
 *       0..3): vdotq_laneq_s32 itself, or its widening equivalent;
 *   NEON_NAME(x)  the prefix of the exported kernel descriptions;
 *   NEON_STORED_Q8_0 (optional)  also describe the stored Q8_0 layout.
 *
 * Geometry: 8 weight rows x NEON_PANEL_COLS tokens (the includer may set
 * it; else 4 on AArch64 with its 32 vector registers, 2 on ARMv7 with 16). One 16-byte vector holds 4
 * consecutive weights of each of 4 rows, byte 4r+i = weight k = 4j+i of row
 * r; a token's 4 quants at k = 4j..4j+3 are taken as a 32-bit lane of its
 * quant vector, so every row's sum builds up in its own lane and no
 * horizontal sum is needed.
 *
 * Panels (scratch, repacked once per product), per block of 32 weights:
 * 16 vectors (k group j = 0..7, rows 0-3 then rows 4-7), then the 8 rows'
 * scales as floats: 288 bytes. Q8_0 keeps its signed weights; Q4_0 keeps
 * its unsigned nibbles 0..15 and the activation block carries -8 * sum of
 * its quants, where each block's int32 sum starts (so the sums equal the
 * reference's (q - 8) * x sums exactly).
 *
 * Stored Q4_0 layout (kept for the model's life, the same 144 bytes per
 * block and 8 rows as the GGUF blocks it replaces, and the same layout as
 * x86/avx2_stored_q4_0.c): 16 bytes of the 8 rows' fp16 scales, then 4 x
 * 32 bytes: vector v holds, for row r at bytes 4r..4r+3 (rows 0-3 in the
 * first 16 bytes, rows 4-7 in the next), the GGUF quant bytes qs[4v..4v+3]
 * of that row: low nibbles are weights 4v..4v+3 (k group v), high nibbles
 * weights 16+4v.. (k group 4+v).
 *
 * Stored Q8_0 layout (likewise kept for the model's life, 272 bytes per
 * block and 8 rows, the size of the GGUF blocks it replaces): 16 bytes of
 * the 8 rows' fp16 scales, then the unpacked panel's 16 vectors. One token
 * then reads 8 rows per weight pass with one activation load per k group,
 * where the one-row vec_dot reloads the activations and converts two fp16
 * scales per row and block (generation's cost on the Pi 5, counted under
 * qemu: bench/RESULTS.md, "ARM whole-model proxy").
 *
 * Integer sums equal vec_dot's; only the float order of summation differs
 * (the simd.h contract). Activations: the installed Q8_0 quantizer's quants
 * (equal to the reference's), the f16-rounded scale as a float.
 */
#include <stddef.h>
#include <string.h>

#include "quant/blocks.h"
#include "quant/types.h"

#if !defined(NEON_PANEL_COLS) && defined(__aarch64__)
#define NEON_PANEL_COLS 4
#elif !defined(NEON_PANEL_COLS)
#define NEON_PANEL_COLS 2
#endif
#define NEON_PANEL_ROWS 8
#define UNPACKED_BLOCK (16 * 16 + 8 * 4)           /* 288 bytes */
#define STORED_BLOCK (NEON_PANEL_ROWS * sizeof(block_q4_0)) /* 144 bytes */
#define STORED_Q8_BLOCK (NEON_PANEL_ROWS * sizeof(block_q8_0)) /* 272 bytes */

/* The weight layouts panel_gemm_cols reads. */
enum { LAYOUT_UNPACKED, LAYOUT_STORED_Q4_0, LAYOUT_STORED_Q8_0 };

typedef struct {
    int8_t qs[32];
    float d;     /* the f16-rounded Q8_0 scale, as a float */
    int32_t neg_off; /* -8 * sum(qs) for unsigned-nibble panels, else 0: a block's
                        sums start from it (one ld1r, no negation per block) */
} neon_panel_act;

_Static_assert(sizeof(neon_panel_act) == 40, "neon_panel_act layout");

static size_t panel_act_row_bytes(int64_t n) { return (size_t)(n / 32) * sizeof(neon_panel_act); }

/* One activation row: quants through the installed Q8_0 quantizer, a chunk
 * at a time; `k` is the weights' offset (8 for Q4_0 nibbles, 0 for Q8_0). */
static void panel_act_from_float_k(const float *x, void *dst, int64_t n, int k) {
    const mote_from_float_fn q8 = mote_traits(MOTE_TYPE_Q8_0)->from_float;
    neon_panel_act *out = dst;
    enum { CHUNK = 32 };
    block_q8_0 tmp[CHUNK];
    for (int64_t b0 = 0; b0 < n / 32; b0 += CHUNK) {
        const int64_t nb = n / 32 - b0 < CHUNK ? n / 32 - b0 : CHUNK;
        q8(x + b0 * 32, tmp, nb * 32);
        for (int64_t b = 0; b < nb; b++) {
            neon_panel_act *a = &out[b0 + b];
            memcpy(a->qs, tmp[b].qs, 32);
            a->d = neon_h2f(tmp[b].d);
            int32_t sum = 0;
            for (int q = 0; q < 32; q++) sum += tmp[b].qs[q];
            a->neg_off = -k * sum;
        }
    }
}
static void panel_act_plain(const float *x, void *dst, int64_t n) { panel_act_from_float_k(x, dst, n, 0); }
static void panel_act_off8(const float *x, void *dst, int64_t n) { panel_act_from_float_k(x, dst, n, 8); }

static size_t unpacked_panel_bytes(int64_t n) { return ((size_t)(n / 32) * UNPACKED_BLOCK + 63) & ~(size_t)63; }
static size_t stored_panel_bytes(int64_t n) { return (size_t)(n / 32) * STORED_BLOCK; }

/* Write the 16 vectors of 32 weights of 8 rows, wk[row][k]. */
static void put_vectors(uint8_t *out, const int8_t wk[NEON_PANEL_ROWS][32]) {
    for (int j = 0; j < 8; j++)
        for (int r = 0; r < NEON_PANEL_ROWS; r++)
            memcpy(out + 16 * (2 * j + r / 4) + 4 * (r % 4), &wk[r][4 * j], 4);
}

/* Write one block's 16 vectors from wk[row][k] (rows beyond `rows` zero) and the scales. */
static void put_unpacked_block(uint8_t *out, const int8_t wk[NEON_PANEL_ROWS][32], const float d[NEON_PANEL_ROWS]) {
    put_vectors(out, wk);
    memcpy(out + 256, d, 8 * sizeof(float));
}

static void pack_q4_0(int64_t n, const void *w, size_t w_stride, int rows, void *panel) {
    uint8_t *out = panel;
    for (int64_t b = 0; b < n / 32; b++, out += UNPACKED_BLOCK) {
        int8_t wk[NEON_PANEL_ROWS][32] = {{0}};
        float d[NEON_PANEL_ROWS] = {0};
        for (int r = 0; r < rows; r++) {
            const block_q4_0 *blk = (const block_q4_0 *)((const uint8_t *)w + (size_t)r * w_stride) + b;
            d[r] = neon_h2f(blk->d);
            for (int i = 0; i < 16; i++) {
                wk[r][i] = (int8_t)(blk->qs[i] & 0x0F);
                wk[r][i + 16] = (int8_t)(blk->qs[i] >> 4);
            }
        }
        put_unpacked_block(out, (const int8_t(*)[32])wk, d);
    }
}

static void pack_q8_0(int64_t n, const void *w, size_t w_stride, int rows, void *panel) {
    uint8_t *out = panel;
    for (int64_t b = 0; b < n / 32; b++, out += UNPACKED_BLOCK) {
        int8_t wk[NEON_PANEL_ROWS][32] = {{0}};
        float d[NEON_PANEL_ROWS] = {0};
        for (int r = 0; r < rows; r++) {
            const block_q8_0 *blk = (const block_q8_0 *)((const uint8_t *)w + (size_t)r * w_stride) + b;
            d[r] = neon_h2f(blk->d);
            memcpy(wk[r], blk->qs, 32);
        }
        put_unpacked_block(out, (const int8_t(*)[32])wk, d);
    }
}

/* The stored layout's repack (see the head comment); missing rows are zero. */
static void repack_stored_q4_0(int64_t n, const void *w, size_t w_stride, int rows, void *group) {
    uint8_t *out = group;
    memset(out, 0, stored_panel_bytes(n));
    for (int64_t b = 0; b < n / 32; b++, out += STORED_BLOCK)
        for (int r = 0; r < rows; r++) {
            const block_q4_0 *blk = (const block_q4_0 *)((const uint8_t *)w + (size_t)r * w_stride) + b;
            memcpy(out + 2 * r, &blk->d, 2);
            for (int v = 0; v < 4; v++) memcpy(out + 16 + 32 * v + 4 * r, blk->qs + 4 * v, 4);
        }
}

/* Row r of a stored group back in GGUF blocks: the inverse of
 * repack_stored_q4_0 (a tied head stored once serves the embedding). */
static void unpack_stored_q4_0(int64_t n, const void *group, int r, void *row) {
    const uint8_t *g = group;
    block_q4_0 *out = row;
    for (int64_t b = 0; b < n / 32; b++, g += STORED_BLOCK) {
        memcpy(&out[b].d, g + 2 * r, 2);
        for (int v = 0; v < 4; v++) memcpy(out[b].qs + 4 * v, g + 16 + 32 * v + 4 * r, 4);
    }
}

#if defined(NEON_STORED_Q8_0)
static size_t stored_q8_panel_bytes(int64_t n) { return (size_t)(n / 32) * STORED_Q8_BLOCK; }

/* The stored Q8_0 layout's repack (see the head comment); missing rows are zero. */
static void repack_stored_q8_0(int64_t n, const void *w, size_t w_stride, int rows, void *group) {
    uint8_t *out = group;
    memset(out, 0, stored_q8_panel_bytes(n));
    for (int64_t b = 0; b < n / 32; b++, out += STORED_Q8_BLOCK) {
        int8_t wk[NEON_PANEL_ROWS][32] = {{0}};
        for (int r = 0; r < rows; r++) {
            const block_q8_0 *blk = (const block_q8_0 *)((const uint8_t *)w + (size_t)r * w_stride) + b;
            memcpy(out + 2 * r, &blk->d, 2);
            memcpy(wk[r], blk->qs, 32);
        }
        put_vectors(out + 16, (const int8_t(*)[32])wk);
    }
}

/* Row r of a stored Q8_0 group back in GGUF blocks: the inverse of
 * repack_stored_q8_0 (a tied head stored once serves the embedding). */
static void unpack_stored_q8_0(int64_t n, const void *group, int r, void *row) {
    const uint8_t *g = group;
    block_q8_0 *out = row;
    for (int64_t b = 0; b < n / 32; b++, g += STORED_Q8_BLOCK) {
        memcpy(&out[b].d, g + 2 * r, 2);
        for (int j = 0; j < 8; j++) memcpy(out[b].qs + 4 * j, g + 16 + 16 * (2 * j + r / 4) + 4 * (r % 4), 4);
    }
}
#endif

/* The weight vector of k group j (0..7), rows 0-3 (half 0) or 4-7 (half 1). */
static inline __attribute__((always_inline)) int8x16_t unpacked_w(const uint8_t *blk, int j, int half) {
    return vld1q_s8((const int8_t *)(blk + 16 * (2 * j + half)));
}
static inline __attribute__((always_inline)) int8x16_t stored_w(const uint8_t *blk, int j, int half) {
    const uint8x16_t raw = vld1q_u8(blk + 16 + 32 * (j & 3) + 16 * half);
    return vreinterpretq_s8_u8(j < 4 ? vandq_u8(raw, vdupq_n_u8(0x0F)) : vshrq_n_u8(raw, 4));
}
static inline __attribute__((always_inline)) int8x16_t stored_q8_w(const uint8_t *blk, int j, int half) {
    return unpacked_w(blk + 16, j, half);
}

/* A loop over the C tokens of a panel product, unrolled completely so the
 * per-token vectors (quants, sums, accumulators) stay in registers: without
 * it GCC kept the accumulator arrays on the stack (a store and a reload per
 * token and block on neon-dotprod). */
#define FOR_EACH_TOKEN(c) _Pragma("GCC unroll 4") for (int c = 0; c < C; c++)

/* One k group for every token: s_lo/s_hi[c] (rows 0-3 / 4-7) + the dots of
 * the group's weights with token c's quants, lane LANE of vector XV (the
 * Q4_K panel's step, neon_panel_q4_K_body.h). */
#define PANEL_STEP(WFN, J, XV, LANE)                                                     \
    do {                                                                                 \
        const int8x16_t w_lo = WFN(blk, J, 0), w_hi = WFN(blk, J, 1);                    \
        for (int c = 0; c < C; c++) {                                                    \
            s_lo[c] = NEON_DOT_LANE(s_lo[c], w_lo, XV[c], LANE);                         \
            s_hi[c] = NEON_DOT_LANE(s_hi[c], w_hi, XV[c], LANE);                         \
        }                                                                                \
    } while (0)

/* One k group for every token, one half of the rows: s[c] + the dots of
 * the group's weights (rows 0-3 if HALF is 0, 4-7 if 1) with token c's
 * quants, lane LANE of vector XV. */
#define PANEL_HALF_STEP(WFN, J, HALF, XV, LANE)                                              \
    do {                                                                                \
        const int8x16_t w = WFN(blk, J, HALF);                                          \
        FOR_EACH_TOKEN(c) s[c] = NEON_DOT_LANE(s[c], w, XV[c], LANE);         \
    } while (0)

/* The 8 k groups of one block for one half of the rows. */
#define PANEL_BLOCK_HALF(WFN, HALF)                                                     \
    do {                                                                                \
        PANEL_HALF_STEP(WFN, 0, HALF, x0, 0); PANEL_HALF_STEP(WFN, 1, HALF, x0, 1);               \
        PANEL_HALF_STEP(WFN, 2, HALF, x0, 2); PANEL_HALF_STEP(WFN, 3, HALF, x0, 3);               \
        PANEL_HALF_STEP(WFN, 4, HALF, x1, 0); PANEL_HALF_STEP(WFN, 5, HALF, x1, 1);               \
        PANEL_HALF_STEP(WFN, 6, HALF, x1, 2); PANEL_HALF_STEP(WFN, 7, HALF, x1, 3);               \
    } while (0)

/* PANEL_BLOCK_HALF with the weight reader of `layout`. */
#define LAYOUT_BLOCK_HALF(LAYOUT, HALF)                                                 \
    do {                                                                                \
        if ((LAYOUT) == LAYOUT_STORED_Q4_0) PANEL_BLOCK_HALF(stored_w, HALF);           \
        else if ((LAYOUT) == LAYOUT_STORED_Q8_0) PANEL_BLOCK_HALF(stored_q8_w, HALF);   \
        else PANEL_BLOCK_HALF(unpacked_w, HALF);                                        \
    } while (0)

/* The product of one panel with C (a constant after inlining) tokens;
 * `layout` (a constant after inlining) is the weights' layout: unpacked
 * (float scales after the vectors) or stored (fp16 scales first). */
static inline __attribute__((always_inline)) void panel_gemm_cols(int64_t n, const uint8_t *blk, const void *x,
                                                                  size_t x_stride, float *y, size_t y_stride,
                                                                  const int C, const int layout) {
    const neon_panel_act *a[NEON_PANEL_COLS];
    float32x4_t acc_lo[NEON_PANEL_COLS], acc_hi[NEON_PANEL_COLS];
    FOR_EACH_TOKEN(c) {
        a[c] = (const neon_panel_act *)((const uint8_t *)x + (size_t)c * x_stride);
        acc_lo[c] = acc_hi[c] = vdupq_n_f32(0.0f);
    }
    const size_t step = layout == LAYOUT_STORED_Q4_0   ? STORED_BLOCK
                        : layout == LAYOUT_STORED_Q8_0 ? STORED_Q8_BLOCK
                                                       : UNPACKED_BLOCK;
    for (int64_t b = 0; b < n / 32; b++, blk += step) {
        float32x4_t d_lo, d_hi;
        if (layout != LAYOUT_UNPACKED) {
            d_lo = vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16((const uint16_t *)blk)));
            d_hi = vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16((const uint16_t *)blk + 4)));
        } else {
            d_lo = vld1q_f32((const float *)(blk + 256));
            d_hi = vld1q_f32((const float *)(blk + 272));
        }
        int8x16_t x0[NEON_PANEL_COLS], x1[NEON_PANEL_COLS];
        FOR_EACH_TOKEN(c) {
            x0[c] = vld1q_s8(a[c][b].qs);
            x1[c] = vld1q_s8(a[c][b].qs + 16);
        }
        /* Rows 0-3, then rows 4-7: only one half's C sums are live at a
         * time, so 4 tokens' quants, sums and accumulators fit AArch64's 32
         * registers without spilling (both halves at once spilled ~15
         * vectors per block on neon-dotprod). */
        int32x4_t s[NEON_PANEL_COLS];
        FOR_EACH_TOKEN(c) s[c] = vld1q_dup_s32(&a[c][b].neg_off);
        LAYOUT_BLOCK_HALF(layout, 0);
        FOR_EACH_TOKEN(c) acc_lo[c] = neon_madd_f32(acc_lo[c], vcvtq_f32_s32(s[c]), vmulq_n_f32(d_lo, a[c][b].d));
        FOR_EACH_TOKEN(c) s[c] = vld1q_dup_s32(&a[c][b].neg_off);
        LAYOUT_BLOCK_HALF(layout, 1);
        FOR_EACH_TOKEN(c) acc_hi[c] = neon_madd_f32(acc_hi[c], vcvtq_f32_s32(s[c]), vmulq_n_f32(d_hi, a[c][b].d));
    }
    FOR_EACH_TOKEN(c) {
        vst1q_f32(y + (size_t)c * y_stride, acc_lo[c]);
        vst1q_f32(y + (size_t)c * y_stride + 4, acc_hi[c]);
    }
}

/* One gemm per layout: the token count picks panel_gemm_cols' unrolling. */
#if NEON_PANEL_COLS > 2
#define PANEL_GEMM_SWITCH(LAYOUT)                                                          \
    switch (cols) {                                                                        \
    case 4: panel_gemm_cols(n, panel, x, x_stride, y, y_stride, 4, LAYOUT); break;         \
    case 3: panel_gemm_cols(n, panel, x, x_stride, y, y_stride, 3, LAYOUT); break;         \
    case 2: panel_gemm_cols(n, panel, x, x_stride, y, y_stride, 2, LAYOUT); break;         \
    default: panel_gemm_cols(n, panel, x, x_stride, y, y_stride, 1, LAYOUT); break;        \
    }
#else
#define PANEL_GEMM_SWITCH(LAYOUT)                                                          \
    switch (cols) {                                                                        \
    case 2: panel_gemm_cols(n, panel, x, x_stride, y, y_stride, 2, LAYOUT); break;         \
    default: panel_gemm_cols(n, panel, x, x_stride, y, y_stride, 1, LAYOUT); break;        \
    }
#endif

static void unpacked_gemm(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y,
                          size_t y_stride) {
    PANEL_GEMM_SWITCH(LAYOUT_UNPACKED)
}

static void stored_gemm(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y,
                        size_t y_stride) {
    PANEL_GEMM_SWITCH(LAYOUT_STORED_Q4_0)
}

static const mote_panel_kernels NEON_NAME(panel_q4_0) = {panel_act_row_bytes, panel_act_off8, unpacked_panel_bytes,
                                                         pack_q4_0, unpacked_gemm, NEON_PANEL_ROWS, NEON_PANEL_COLS, NULL};
static const mote_panel_kernels NEON_NAME(panel_q8_0) = {panel_act_row_bytes, panel_act_plain, unpacked_panel_bytes,
                                                         pack_q8_0, unpacked_gemm, NEON_PANEL_ROWS, NEON_PANEL_COLS, NULL};
static const mote_panel_kernels NEON_NAME(stored_q4_0) = {panel_act_row_bytes, panel_act_off8, stored_panel_bytes,
                                                          repack_stored_q4_0, stored_gemm, NEON_PANEL_ROWS,
                                                          NEON_PANEL_COLS, unpack_stored_q4_0};
#if defined(NEON_STORED_Q8_0)
static void stored_q8_gemm(int64_t n, const void *panel, const void *x, size_t x_stride, int cols, float *y,
                           size_t y_stride) {
    PANEL_GEMM_SWITCH(LAYOUT_STORED_Q8_0)
}

static const mote_panel_kernels NEON_NAME(stored_q8_0) = {panel_act_row_bytes, panel_act_plain, stored_q8_panel_bytes,
                                                          repack_stored_q8_0, stored_q8_gemm, NEON_PANEL_ROWS,
                                                          NEON_PANEL_COLS, unpack_stored_q8_0};
#endif
