/*
 * matmul.c — see matmul.h. Portable and single-threaded for now; the loop
 * keeps a weight row hot across all tokens of the batch, since for a
 * prompt the weights are the larger stream.
 */
#include "engine/matmul.h"

#include <stdint.h>

size_t mote_matmul_scratch_bytes(const mote_weight *w, int32_t n_tokens) {
    if (w->traits->vec_dot_type == MOTE_TYPE_F32) return 0; /* activations are used as they are */
    return mote_row_size(w->traits->vec_dot_type, w->n_in) * (size_t)n_tokens;
}

void mote_matmul(const mote_weight *w, const float *x, float *y, int32_t n_tokens, void *scratch) {
    const mote_type_traits *tr = w->traits;
    const void *act = x;
    size_t act_row = (size_t)w->n_in * sizeof(float);
    if (tr->vec_dot_type != MOTE_TYPE_F32) {
        const mote_type_traits *at = mote_traits(tr->vec_dot_type);
        act_row = mote_row_size(tr->vec_dot_type, w->n_in);
        for (int32_t t = 0; t < n_tokens; t++)
            at->from_float(x + (int64_t)t * w->n_in, (uint8_t *)scratch + (size_t)t * act_row, w->n_in);
        act = scratch;
    }
    const uint8_t *rows = w->data;
    for (int64_t r = 0; r < w->n_out; r++) {
        const void *wr = rows + (size_t)r * w->row_bytes;
        for (int32_t t = 0; t < n_tokens; t++)
            y[(int64_t)t * w->n_out + r] = tr->vec_dot(w->n_in, wr, (const uint8_t *)act + (size_t)t * act_row);
    }
}
