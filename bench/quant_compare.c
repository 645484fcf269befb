/*
 * quant_compare.c — quantization error of a quantized GGUF file against the
 * F32 file it was made from: RMSE per tensor type over all tensors of that
 * type, and, given an importance matrix, the importance-weighted RMSE.
 * Used by bench/quant-results.sh; built by it against build/libmote.a.
 *
 *   quant_compare F32.gguf QUANT.gguf [IMATRIX]
 * prints one line per type: "<type> <n_weights> <rmse> <weighted_rmse or ->"
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mote.h"
#include "quantize/quantize_model.h"
#include "quant/types.h"

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: quant_compare F32.gguf QUANT.gguf [IMATRIX]\n");
        return 2;
    }
    mote_gguf *f = NULL, *q = NULL;
    mote_imatrix *im = NULL;
    if (mote_gguf_open(argv[1], &f) || mote_gguf_open(argv[2], &q) || (argc > 3 && mote_imatrix_load(argv[3], &im))) {
        fprintf(stderr, "quant_compare: %s\n", mote_last_error());
        return 1;
    }
    double err[MOTE_TYPE_COUNT] = {0}, werr[MOTE_TYPE_COUNT] = {0}, wsum[MOTE_TYPE_COUNT] = {0}, cnt[MOTE_TYPE_COUNT] = {0};
    for (int64_t i = 0; i < mote_gguf_n_tensors(q); i++) {
        const mote_tensor_info *tq = mote_gguf_tensor(q, i);
        const mote_type_traits *tr = mote_traits(tq->type);
        if (!tr->quantized) continue;
        const mote_tensor_info *tf = mote_gguf_find_tensor(f, tq->name);
        if (!tf || tf->type != MOTE_TYPE_F32 || !tr->to_float) {
            fprintf(stderr, "quant_compare: cannot compare %s\n", tq->name);
            return 1;
        }
        const int64_t n = mote_tensor_nelements(tf), ne0 = tf->ne[0];
        float *y = malloc((size_t)n * sizeof *y);
        tr->to_float(tq->data, y, n);
        int64_t nimp = 0;
        const float *imp = im ? mote_imatrix_find(im, tq->name, &nimp) : NULL;
        if (imp && nimp != ne0) imp = NULL;
        const float *x = tf->data;
        for (int64_t j = 0; j < n; j++) {
            const double d = (double)x[j] - y[j];
            err[tq->type] += d * d;
            if (imp) {
                werr[tq->type] += imp[j % ne0] * d * d;
                wsum[tq->type] += imp[j % ne0];
            }
        }
        cnt[tq->type] += (double)n;
        free(y);
    }
    for (int t = 0; t < MOTE_TYPE_COUNT; t++) {
        if (cnt[t] == 0) continue;
        printf("%s %.0f %.7f ", mote_type_name(t), cnt[t], sqrt(err[t] / cnt[t]));
        if (wsum[t] > 0) printf("%.7f\n", sqrt(werr[t] / wsum[t]));
        else printf("-\n");
    }
    mote_imatrix_free(im);
    mote_gguf_close(f);
    mote_gguf_close(q);
    return 0;
}
