/*
 * quantize.h — turning float weights into GGUF weight types.
 *
 * Two entry points per type family, both stateless and thread-safe:
 *   - the plain reference quantizers mote_<type>_from_float (no importance
 *     weights), wired into the traits table's from_float column;
 *   - mote_quantize_rows, which quantizes a matrix row by row and, when an
 *     importance vector is given (one value per column, from an imatrix),
 *     weights the rounding error of each column by it.
 * Files: quantize_fit.c (the shared scale searches), quantize_legacy.c
 * (Q4_0..Q8_0), quantize_kquants.c (Q2_K..Q6_K), quantize_iq4.c (IQ4_NL,
 * IQ4_XS), quantize_ternary.c (TQ1_0, TQ2_0), quantize_rows.c (dispatch).
 */
#ifndef MOTE_QUANT_QUANTIZE_H
#define MOTE_QUANT_QUANTIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True if mote_quantize_rows can produce `type` (F32, F16, BF16 included). */
bool mote_quantize_can(int type);

/* Quantize nrows rows of n_per_row floats into dst (nrows * row size bytes).
 * imatrix: NULL or n_per_row non-negative importances, one per column.
 * Several candidate quantizations are made (llama-quantize's among them) and
 * each block keeps the one with the least error (weighted by the importance
 * if given), so the error never exceeds llama-quantize's.
 * Returns the bytes written, or 0 if the type cannot be produced or n_per_row
 * is not a whole number of blocks. */
size_t mote_quantize_rows(int type, const float *src, void *dst, int64_t nrows, int64_t n_per_row,
                          const float *imatrix);

/* The same, but exactly llama-quantize's result (byte for byte): the
 * reference quantizer without importance, its importance-aware one with. */
size_t mote_quantize_rows_compat(int type, const float *src, void *dst, int64_t nrows, int64_t n_per_row,
                                 const float *imatrix);

/* Reference quantizers: n values (a whole number of blocks), no importance.
 * (Q8_0's is the activation quantizer, declared in kernels.h.) */
void mote_q4_0_from_float(const float *src, void *dst, int64_t n);
void mote_q4_1_from_float(const float *src, void *dst, int64_t n);
void mote_q5_0_from_float(const float *src, void *dst, int64_t n);
void mote_q5_1_from_float(const float *src, void *dst, int64_t n);
void mote_q2_K_from_float(const float *src, void *dst, int64_t n);
void mote_q3_K_from_float(const float *src, void *dst, int64_t n);
void mote_q4_K_from_float(const float *src, void *dst, int64_t n);
void mote_q5_K_from_float(const float *src, void *dst, int64_t n);
void mote_q6_K_from_float(const float *src, void *dst, int64_t n);
void mote_iq4_nl_from_float(const float *src, void *dst, int64_t n);
void mote_iq4_xs_from_float(const float *src, void *dst, int64_t n);
void mote_tq1_0_from_float(const float *src, void *dst, int64_t n);
void mote_tq2_0_from_float(const float *src, void *dst, int64_t n);

/* Importance-weighted row quantizers (quant_weights: n_per_row values, or
 * NULL for the same result as the reference quantizer unless noted). Each
 * handles one row of n_per_row values. */
typedef void (*mote_quantize_row_fn)(const float *src, void *dst, int64_t n_per_row, const float *imatrix);
void mote_q4_0_quantize_row(const float *src, void *dst, int64_t n, const float *imatrix);
void mote_q4_1_quantize_row(const float *src, void *dst, int64_t n, const float *imatrix);
void mote_q5_0_quantize_row(const float *src, void *dst, int64_t n, const float *imatrix);
void mote_q5_1_quantize_row(const float *src, void *dst, int64_t n, const float *imatrix);
void mote_q8_0_quantize_row(const float *src, void *dst, int64_t n, const float *imatrix);
void mote_q2_K_quantize_row(const float *src, void *dst, int64_t n, const float *imatrix);
void mote_q3_K_quantize_row(const float *src, void *dst, int64_t n, const float *imatrix);
void mote_q4_K_quantize_row(const float *src, void *dst, int64_t n, const float *imatrix);
void mote_q5_K_quantize_row(const float *src, void *dst, int64_t n, const float *imatrix);
void mote_q6_K_quantize_row(const float *src, void *dst, int64_t n, const float *imatrix);
void mote_iq4_nl_quantize_row(const float *src, void *dst, int64_t n, const float *imatrix);
void mote_iq4_xs_quantize_row(const float *src, void *dst, int64_t n, const float *imatrix);
void mote_tq1_0_quantize_row(const float *src, void *dst, int64_t n, const float *imatrix);
void mote_tq2_0_quantize_row(const float *src, void *dst, int64_t n, const float *imatrix);
/* Searches with the weights as the exact error metric (w: n_per_row values, required). */
void mote_q4_0_quantize_row_direct(const float *src, void *dst, int64_t n, const float *w);
void mote_q4_1_quantize_row_direct(const float *src, void *dst, int64_t n, const float *w);
void mote_q5_0_quantize_row_direct(const float *src, void *dst, int64_t n, const float *w);
void mote_q5_1_quantize_row_direct(const float *src, void *dst, int64_t n, const float *w);
void mote_q8_0_quantize_row_direct(const float *src, void *dst, int64_t n, const float *w);
/* Ternary with a searched scale (llama-quantize uses the largest magnitude). */
void mote_tq1_0_quantize_row_fitted(const float *src, void *dst, int64_t n, const float *imatrix);
void mote_tq2_0_quantize_row_fitted(const float *src, void *dst, int64_t n, const float *imatrix);

#endif
