/*
 * matmul.c — see matmul.h. Two parallel sections per product: converting
 * the activations (skipped for one token, where it is cheaper on the
 * caller than a hand-off), then the dot products. Each thread takes a
 * contiguous range of output rows, in whole groups of ROW_ALIGN rows so
 * neighbouring threads never write into the same cache line of y, and
 * keeps each weight row hot across all tokens of the batch (for a prompt
 * the weights are the larger stream). With 4 or more tokens, types that
 * have a vec_dot_multi kernel take the tokens four at a time, so each
 * weight block is unpacked once per four tokens.
 */
#include "engine/matmul.h"

#include <stdint.h>

#define ROW_ALIGN 16 /* floats in a 64-byte line */

size_t mote_matmul_scratch_bytes(const mote_weight *w, int32_t n_tokens) {
    if (w->traits->vec_dot_type == MOTE_TYPE_F32) return 0; /* activations are used as they are */
    return mote_row_size(w->traits->vec_dot_type, w->n_in) * (size_t)n_tokens;
}

/* Thread-local so that one thread collecting statistics never sees another's products. */
static _Thread_local mote_matmul_observer observer;
static _Thread_local void *observer_user;

void mote_matmul_set_observer(mote_matmul_observer fn, void *user) {
    observer = fn;
    observer_user = user;
}

typedef struct {
    const mote_weight *w;
    const float *x;
    float *y;
    int32_t n_tokens;
    const void *act;     /* activations in vec_dot_type */
    void *scratch;
    size_t act_row;      /* bytes per converted activation row */
} matmul_job;

/* Convert this thread's share of the token rows to vec_dot_type. */
static void convert_part(void *p, int ith, int nth) {
    matmul_job *j = p;
    const mote_type_traits *at = mote_traits(j->w->traits->vec_dot_type);
    long t0, t1;
    mote_split_range(j->n_tokens, ith, nth, &t0, &t1);
    for (long t = t0; t < t1; t++)
        at->from_float(j->x + t * j->w->n_in, (uint8_t *)j->scratch + (size_t)t * j->act_row, j->w->n_in);
}

/* Dot products for this thread's range of output rows, every token. */
static void dot_part(void *p, int ith, int nth) {
    matmul_job *j = p;
    const mote_weight *w = j->w;
    const mote_vec_dot_fn dot = w->traits->vec_dot;
    long g0, g1;
    mote_split_range((w->n_out + ROW_ALIGN - 1) / ROW_ALIGN, ith, nth, &g0, &g1);
    int64_t r0 = g0 * ROW_ALIGN, r1 = g1 * ROW_ALIGN < w->n_out ? g1 * ROW_ALIGN : w->n_out;
    const mote_vec_dot_multi_fn multi = j->n_tokens >= MOTE_DOT_COLS ? mote_vec_dot_multi(w->type) : NULL;
    const uint8_t *rows = w->data;
    const uint8_t *act = j->act;
    for (int64_t r = r0; r < r1; r++) {
        const void *wr = rows + (size_t)r * w->row_bytes;
        int32_t t = 0;
        if (multi)
            for (; t + MOTE_DOT_COLS <= j->n_tokens; t += MOTE_DOT_COLS)
                multi(w->n_in, wr, act + (size_t)t * j->act_row, j->act_row, j->y + (int64_t)t * w->n_out + r,
                      (size_t)w->n_out);
        for (; t < j->n_tokens; t++) j->y[(int64_t)t * w->n_out + r] = dot(w->n_in, wr, act + (size_t)t * j->act_row);
    }
}

void mote_matmul(mote_threadpool *tp, const mote_weight *w, const float *x, float *y, int32_t n_tokens,
                 void *scratch) {
    if (observer) observer(w, x, n_tokens, observer_user);
    const mote_type_traits *tr = w->traits;
    matmul_job j = {w, x, y, n_tokens, x, scratch, (size_t)w->n_in * sizeof(float)};
    if (tr->vec_dot_type != MOTE_TYPE_F32) {
        j.act_row = mote_row_size(tr->vec_dot_type, w->n_in);
        j.act = scratch;
        if (n_tokens == 1) convert_part(&j, 0, 1);
        else mote_threadpool_run(tp, convert_part, &j);
    }
    mote_threadpool_run(tp, dot_part, &j);
}
