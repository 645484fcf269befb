/*
 * matmul_proxy.c — one matrix product of a model-like shape by one road,
 * for counting instructions under qemu (bench/arm-insn-proxy.sh): the ARM
 * speed proxy. Built with the cross kernel test (tests/cross/CMakeLists.txt),
 * which compiles the weight-type code alone.
 *
 * usage: matmul_proxy TYPE ROAD N ROWS TOKENS
 *   TYPE    a weight type name (q4_0, q8_0, q4_K, ...)
 *   ROAD    none    set-up only (random weights quantized, stored panels
 *                   repacked as at model load): the baseline to subtract;
 *           row     one-row road: each token converted to vec_dot_type, one
 *                   vec_dot per weight row and token;
 *           panel   panel road (types.h): tokens converted by the panel's
 *                   act_from_float, rows packed `rows` at a time, gemm on
 *                   `cols` tokens at a time;
 *           stored  the stored panel layout, repacked at set-up.
 *   N ROWS  the matrix (ROWS rows of N weights, N whole blocks); TOKENS the
 *           prompt length.
 * The kernels are those dispatch installs (MOTE_KERNELS picks a set).
 * Prints the kernel set and a checksum of the outputs (so no road is
 * optimised away); exits 2 on bad arguments, 3 if the road does not exist
 * for the type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mote.h"
#include "quant/simd.h"
#include "quant/types.h"

static uint32_t rng = 2463534242u;
static float frand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return (float)(rng & 0xFFFFFF) / (float)0x800000 - 1.0f;
}

static void *xalloc(size_t bytes) {
    void *p = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    if (!p) {
        fprintf(stderr, "matmul_proxy: out of memory\n");
        exit(1);
    }
    return p;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: matmul_proxy TYPE none|row|panel|stored N ROWS TOKENS\n");
        return 2;
    }
    const int type = mote_type_from_name(argv[1]);
    const char *road = argv[2];
    const int64_t n = atoll(argv[3]), rows = atoll(argv[4]), tokens = atoll(argv[5]);
    const mote_type_traits *tr = type >= 0 ? mote_traits(type) : NULL;
    if (!tr || !tr->vec_dot || n <= 0 || rows <= 0 || tokens <= 0 || n % tr->block_size ||
        n % mote_traits(tr->vec_dot_type)->block_size) {
        fprintf(stderr, "matmul_proxy: need a quantized type with a vec_dot and N whole blocks of it\n");
        return 2;
    }
    const mote_panel_kernels *pk = mote_panel(type), *sk = mote_stored_panel(type);
    if ((strcmp(road, "panel") == 0 && !pk) || (strcmp(road, "stored") == 0 && !sk)) {
        printf("kernels %s: no %s road for %s\n", mote_kernel_set_name(), road, argv[1]);
        return 3;
    }

    /* set-up: weights, activations, stored panels (load time in mote) */
    const size_t wrow = mote_row_size(type, n);
    uint8_t *w = xalloc(wrow * (size_t)rows);
    float *row = xalloc(sizeof(float) * (size_t)n), *x = xalloc(sizeof(float) * (size_t)(n * tokens));
    /* 16 distinct rows, repeated: the kernels' work does not depend on the
     * values, and quantizing every row (the reference k-quant search) would
     * take minutes under qemu */
    for (int64_t r = 0; r < rows; r++) {
        if (r < 16) {
            for (int64_t i = 0; i < n; i++) row[i] = frand();
            tr->from_float(row, w + r * wrow, n);
        } else {
            memcpy(w + r * wrow, w + (r % 16) * wrow, wrow);
        }
    }
    for (int64_t i = 0; i < n * tokens; i++) x[i] = frand();
    float *y = xalloc(sizeof(float) * (size_t)(rows + MOTE_PANEL_MAX_ROWS) * (size_t)tokens);
    memset(y, 0, sizeof(float) * (size_t)(rows + MOTE_PANEL_MAX_ROWS) * (size_t)tokens);
    uint8_t *stored = NULL;
    if (sk) {
        stored = xalloc(sk->panel_bytes(n) * (size_t)((rows + sk->rows - 1) / sk->rows));
        for (int64_t r = 0; r < rows; r += sk->rows)
            sk->pack(n, w + r * wrow, wrow, (int)(rows - r < sk->rows ? rows - r : sk->rows),
                     stored + sk->panel_bytes(n) * (size_t)(r / sk->rows));
    }

    const size_t ystride = (size_t)(rows + MOTE_PANEL_MAX_ROWS);
    if (strcmp(road, "row") == 0) {
        const mote_type_traits *ta = mote_traits(tr->vec_dot_type);
        uint8_t *xq = xalloc(mote_row_size(tr->vec_dot_type, n));
        for (int64_t t = 0; t < tokens; t++) {
            ta->from_float(x + t * n, xq, n);
            for (int64_t r = 0; r < rows; r++) y[t * ystride + r] = tr->vec_dot(n, w + r * wrow, xq);
        }
        free(xq);
    } else if (strcmp(road, "panel") == 0 || strcmp(road, "stored") == 0) {
        const mote_panel_kernels *k = strcmp(road, "panel") == 0 ? pk : sk;
        const size_t arow = k->act_row_bytes(n), pbytes = k->panel_bytes(n);
        uint8_t *a = xalloc(arow * (size_t)tokens), *panel = k == pk ? xalloc(pbytes) : NULL;
        for (int64_t t = 0; t < tokens; t++) k->act_from_float(x + t * n, a + t * arow, n);
        for (int64_t r = 0; r < rows; r += k->rows) {
            const uint8_t *p;
            if (panel) {
                k->pack(n, w + r * wrow, wrow, (int)(rows - r < k->rows ? rows - r : k->rows), panel);
                p = panel;
            } else {
                p = stored + pbytes * (size_t)(r / k->rows);
            }
            for (int64_t t = 0; t < tokens; t += k->cols) {
                const int cols = (int)(tokens - t < k->cols ? tokens - t : k->cols);
                k->gemm(n, p, a + t * arow, arow, cols, y + t * ystride + r, ystride);
            }
        }
        free(a);
        free(panel);
    } else if (strcmp(road, "none") != 0) {
        fprintf(stderr, "matmul_proxy: unknown road %s\n", road);
        return 2;
    }
    double sum = 0;
    for (int64_t t = 0; t < tokens; t++)
        for (int64_t r = 0; r < rows; r++) sum += y[t * ystride + r];
    printf("kernels %s checksum %.6g\n", mote_kernel_set_name(), sum);
    free(w), free(row), free(x), free(y), free(stored);
    return 0;
}
