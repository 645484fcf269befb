/*
 * metrics.h — text-similarity metrics for generated answers, computed as the
 * Python packages lm-evaluation-harness uses compute them:
 *   BLEU as sacrebleu (tokenizers 13a, intl, none; smoothing exp, floor,
 *   add-k, none; effective order optional), ROUGE-1/2/L/Lsum as Google's
 *   rouge_score (its default tokenizer, no stemming).
 */
#ifndef MOTE_EVAL_METRICS_H
#define MOTE_EVAL_METRICS_H

#include <stdbool.h>
#include <stddef.h>

/* ---- BLEU ---------------------------------------------------------------- */
typedef enum { BLEU_TOK_13A, BLEU_TOK_INTL, BLEU_TOK_NONE } bleu_tokenizer;
typedef enum { BLEU_SMOOTH_EXP, BLEU_SMOOTH_FLOOR, BLEU_SMOOTH_ADD_K, BLEU_SMOOTH_NONE } bleu_smooth;

/* Sufficient statistics of a corpus: clipped n-gram matches and totals for
 * n = 1..4, hypothesis and (closest) reference lengths. */
typedef struct {
    double correct[4], total[4];
    double sys_len, ref_len;
} bleu_stats;

/* The tokens of a segment as sacrebleu's tokenizer writes them (space
 * separated), malloc'd; NULL on no memory. */
char *bleu_tokenize(const char *text, bleu_tokenizer tok);
/* Add one hypothesis with its n_refs references to the statistics. */
int bleu_add(bleu_stats *st, const char *hyp, const char *const *refs, size_t n_refs, bleu_tokenizer tok);
/* The BLEU score (0..100) of the statistics. smooth_value < 0: the method's
 * default (floor 0.1, add-k 1). */
double bleu_score(const bleu_stats *st, bleu_smooth smooth, double smooth_value, bool effective_order);
/* lm-eval's truthfulqa BLEU of one answer against one reference:
 * sacrebleu.corpus_bleu with tokenize "intl", smoothing exp, no effective order. */
double bleu_sentence_lm_eval(const char *hyp, const char *ref);

/* ---- ROUGE --------------------------------------------------------------- */
typedef struct {
    double precision, recall, fmeasure;
} rouge_score;

/* ROUGE-N (n = 1, 2, ...) of a prediction against a target. */
rouge_score rouge_n(const char *target, const char *prediction, int n);
/* ROUGE-L (longest common subsequence over the whole text). */
rouge_score rouge_l(const char *target, const char *prediction);
/* ROUGE-Lsum (union LCS over the lines of each text). */
rouge_score rouge_lsum(const char *target, const char *prediction);

#endif
