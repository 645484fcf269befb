/*
 * matmul.c — see matmul.h. Two parallel sections per product: converting
 * the activations (skipped for one token, where it is cheaper on the
 * caller than a hand-off), then the dot products. Each thread takes a
 * contiguous range of output rows, in whole groups of ROW_ALIGN rows so
 * neighbouring threads never write into the same cache line of y, and
 * keeps each weight row hot across all tokens of the batch (for a prompt
 * the weights are the larger stream).
 *
 * Types with panel kernels (types.h) take a faster road for a batch of
 * PANEL_MIN_TOKENS or more: each thread repacks pk->rows weight rows at a
 * time into its own panel (in scratch, after the activations) and
 * multiplies every group of pk->cols tokens with it. The repacking
 * is paid once per product and row, however many tokens there are.
 * Matrices repacked at load (w->stored) take that road for any batch, one
 * token included, straight from their stored panels.
 */
#include "engine/matmul.h"

#include <stdint.h>

#include "quant/stored_repack.h"

#define ROW_ALIGN 16 /* floats in a 64-byte line */
/* Matrices without stored panels repack every product. Measured first on
 * prompts (AVX2, 1 thread, llama3.2-1b): from 3 tokens the panel road beat
 * the one-row kernels for Q4_0, Q8_0 and Q5_0. But batched generation (a
 * few sequences, one token each, every step) repacks the whole matrix per
 * step for a handful of tokens: the tied output head (128k rows of
 * llama3.2-1b) and every k-quant matrix. Measured 2026-12-04 (AVX-512
 * Zen, 2 threads, llama3.2-1b, `bench --parallel`): aggregate generation
 * at S=4 sequences 31.8 -> 53.7 t/s (q4_k_m) and 80.1 -> 96.7 t/s (q4_0)
 * with the threshold at 12 instead of 3; S=16 unchanged (67 -> 68 t/s).
 * Short batches also get exactly the numbers of single tokens.
 * Since then Q8_0, Q4_K, Q5_K and Q6_K have stored panels too (AVX2,
 * quant/x86/avx2_stored_*.c), tied heads included (model/repack.c), so on
 * those files every matrix takes the stored road and this threshold only
 * matters for the other types. On the avx512 set those AVX2 layouts were
 * outranked, so a batch of 12+ tokens repacked every stored matrix at every
 * step (S = 16 sequences: q4_k_m aggregate generation fell below S = 8);
 * Q4_K/Q5_K/Q6_K now have AVX-512 products of the same layout
 * (quant/x86/avx512_stored_kquants.c), not outranked, and repack only past
 * their own crossover (quant/stored_repack.c), i.e. for prompts. And the
 * avx512 set stores Q5_0 too (quant/x86/avx512_panel_q32.c): smollm2's
 * 576-wide q4_k_m matrices are mostly Q5_0, and a step of 8 sequences,
 * below this threshold, ran them through the one-row kernels (2026-12-04:
 * aggregate generation at S = 8 barely above S = 4's). */
#define PANEL_MIN_TOKENS 12

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

/* A stored matrix repacked from its rows into the type's panels for this
 * batch: its layout is outranked by a higher kernel set's panels
 * (quant/types.h) and the batch is long, or it is a layout made for
 * generation and the batch long enough to pay for the repacking
 * (quant/stored_repack.h). */
static bool repanel_stored(const mote_weight *w, int32_t n_tokens) {
    if (!w->stored) return false;
    if (mote_stored_panel_outranked(w->type)) return n_tokens >= PANEL_MIN_TOKENS;
    const int32_t from = mote_stored_panel_repack_from(w->type);
    return from > 0 && n_tokens >= from;
}

/* The panel kernels this product uses, or NULL. */
static const mote_panel_kernels *panel_for(const mote_weight *w, int32_t n_tokens) {
    if (w->stored && !repanel_stored(w, n_tokens)) return w->stored;
    return n_tokens >= PANEL_MIN_TOKENS ? mote_panel(w->type) : NULL;
}

/* Per-thread bytes besides the panel: the GGUF rows unpacked from a stored
 * layout before they are repacked (repanel_stored). */
static size_t unpacked_rows_bytes(const mote_weight *w, const mote_panel_kernels *pk) {
    return align64((size_t)pk->rows * w->row_bytes);
}

size_t mote_matmul_scratch_bytes(const mote_weight *w, int32_t n_tokens, int n_threads) {
    size_t plain = 0;
    if (w->traits->vec_dot_type != MOTE_TYPE_F32) /* else activations are used as they are */
        plain = mote_row_size(w->traits->vec_dot_type, w->n_in) * (size_t)n_tokens;
    const mote_panel_kernels *pk = panel_for(w, n_tokens);
    if (!pk) return plain;
    size_t own = pk == w->stored ? 0 : align64(pk->panel_bytes(w->n_in));
    if (own && w->stored) own += unpacked_rows_bytes(w, pk);
    const size_t panels = own * (size_t)(n_threads > 0 ? n_threads : 1);
    const size_t panel = align64(pk->act_row_bytes(w->n_in) * (size_t)n_tokens) + panels;
    return panel > plain ? panel : plain;
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
    const mote_panel_kernels *pk; /* non-NULL: the panel road */
    uint8_t *panels;     /* one panel per thread, after the activations */
} matmul_job;

/* Convert this thread's share of the token rows to vec_dot_type. */
static void convert_part(void *p, int ith, int nth) {
    matmul_job *j = p;
    const mote_from_float_fn from_float =
        j->pk ? j->pk->act_from_float : mote_traits(j->w->traits->vec_dot_type)->from_float;
    long t0, t1;
    mote_split_range(j->n_tokens, ith, nth, &t0, &t1);
    for (long t = t0; t < t1; t++)
        from_float(j->x + t * j->w->n_in, (uint8_t *)j->scratch + (size_t)t * j->act_row, j->w->n_in);
}

/* The panel road: this thread's range of panels, each packed once (or
 * stored packed) and multiplied with all tokens. A last, partial panel goes
 * through a small buffer so that rows past n_out are never written. */
static void panel_part(matmul_job *j, int ith, int nth) {
    const mote_weight *w = j->w;
    const mote_panel_kernels *pk = j->pk;
    const int64_t R = pk->rows, C = pk->cols;
    const size_t pb = pk->panel_bytes(w->n_in);
    const bool in_place = pk == w->stored;
    size_t own_bytes = align64(pb);
    if (!in_place && w->stored) own_bytes += unpacked_rows_bytes(w, pk);
    void *own = in_place ? NULL : j->panels + (size_t)ith * own_bytes;
    uint8_t *rows_buf = in_place || !w->stored ? NULL : (uint8_t *)own + align64(pb);
    long g0, g1; /* in pairs of panels: a thread's rows start on a 64-byte line of y (R >= 8) */
    mote_split_range((w->n_out + 2 * R - 1) / (2 * R), ith, nth, &g0, &g1);
    const int64_t r_end = g1 * 2 * R < w->n_out ? g1 * 2 * R : w->n_out;
    const uint8_t *act = j->act;
    for (int64_t r = g0 * 2 * R; r < r_end; r += R) {
        const int rows = (int)(r_end - r < R ? r_end - r : R);
        const void *panel = own;
        if (in_place) panel = (const uint8_t *)w->data + (size_t)(r / R) * pb;
        else if (rows_buf) {
            /* the stored layout's rows back in GGUF bytes, then the higher set's panel */
            const mote_panel_kernels *sk = w->stored;
            const size_t sb = sk->panel_bytes(w->n_in);
            for (int i = 0; i < rows; i++) {
                const int64_t row = r + i;
                sk->unpack(w->n_in, (const uint8_t *)w->data + (size_t)(row / sk->rows) * sb, (int)(row % sk->rows),
                           rows_buf + (size_t)i * w->row_bytes);
            }
            pk->pack(w->n_in, rows_buf, w->row_bytes, rows, own);
        } else pk->pack(w->n_in, (const uint8_t *)w->data + (size_t)r * w->row_bytes, w->row_bytes, rows, own);
        for (int32_t t = 0; t < j->n_tokens; t += C) {
            const int cols = (int)(j->n_tokens - t < C ? j->n_tokens - t : C);
            const void *x = act + (size_t)t * j->act_row;
            if (rows == R) {
                pk->gemm(w->n_in, panel, x, j->act_row, cols, j->y + (int64_t)t * w->n_out + r, (size_t)w->n_out);
            } else {
                float part[MOTE_PANEL_MAX_COLS * MOTE_PANEL_MAX_ROWS];
                pk->gemm(w->n_in, panel, x, j->act_row, cols, part, (size_t)R);
                for (int c = 0; c < cols; c++)
                    for (int i = 0; i < rows; i++) j->y[(int64_t)(t + c) * w->n_out + r + i] = part[c * R + i];
            }
        }
    }
}

/* Dot products for this thread's range of output rows, every token. */
static void dot_part(void *p, int ith, int nth) {
    matmul_job *j = p;
    if (j->pk) {
        panel_part(j, ith, nth);
        return;
    }
    const mote_weight *w = j->w;
    const mote_vec_dot_fn dot = w->traits->vec_dot;
    long g0, g1;
    mote_split_range((w->n_out + ROW_ALIGN - 1) / ROW_ALIGN, ith, nth, &g0, &g1);
    int64_t r0 = g0 * ROW_ALIGN, r1 = g1 * ROW_ALIGN < w->n_out ? g1 * ROW_ALIGN : w->n_out;
    const uint8_t *rows = w->data;
    const uint8_t *act = j->act;
    for (int64_t r = r0; r < r1; r++) {
        const void *wr = rows + (size_t)r * w->row_bytes;
        for (int32_t t = 0; t < j->n_tokens; t++) j->y[(int64_t)t * w->n_out + r] = dot(w->n_in, wr, act + (size_t)t * j->act_row);
    }
}

/* The last conversion on this thread (mote_matmul_same_input). */
typedef struct {
    mote_from_float_fn from_float;
    const float *x;
    const void *scratch;
    int64_t n_in;
    int32_t n_tokens;
} converted_input;

static _Thread_local converted_input last_converted;

/* Converts x into the scratch (converted rows at its start), unless
 * `reuse` and the last conversion on this thread made exactly these rows. */
static void convert_input(mote_threadpool *tp, matmul_job *j, bool reuse) {
    const mote_from_float_fn fn =
        j->pk ? j->pk->act_from_float : mote_traits(j->w->traits->vec_dot_type)->from_float;
    const converted_input now = {fn, j->x, j->scratch, j->w->n_in, j->n_tokens};
    const converted_input *l = &last_converted;
    if (reuse && l->from_float == fn && l->x == j->x && l->scratch == j->scratch && l->n_in == j->w->n_in &&
        l->n_tokens == j->n_tokens)
        return;
    if (j->n_tokens == 1) convert_part(j, 0, 1);
    else mote_threadpool_run(tp, convert_part, j);
    last_converted = now;
}

static void matmul(mote_threadpool *tp, const mote_weight *w, const float *x, float *y, int32_t n_tokens,
                   void *scratch, bool reuse) {
    if (observer) observer(w, x, n_tokens, observer_user);
    const mote_type_traits *tr = w->traits;
    matmul_job j = {w, x, y, n_tokens, x, scratch, (size_t)w->n_in * sizeof(float), panel_for(w, n_tokens), NULL};
    if (j.pk) {
        j.act_row = j.pk->act_row_bytes(w->n_in);
        j.act = scratch;
        j.panels = (uint8_t *)scratch + align64(j.act_row * (size_t)n_tokens);
        convert_input(tp, &j, reuse);
    } else if (tr->vec_dot_type != MOTE_TYPE_F32) {
        j.act_row = mote_row_size(tr->vec_dot_type, w->n_in);
        j.act = scratch;
        convert_input(tp, &j, reuse);
    }
    mote_threadpool_run(tp, dot_part, &j);
}

void mote_matmul(mote_threadpool *tp, const mote_weight *w, const float *x, float *y, int32_t n_tokens,
                 void *scratch) {
    matmul(tp, w, x, y, n_tokens, scratch, false);
}

void mote_matmul_same_input(mote_threadpool *tp, const mote_weight *w, const float *x, float *y, int32_t n_tokens,
                            void *scratch) {
    matmul(tp, w, x, y, n_tokens, scratch, true);
}
