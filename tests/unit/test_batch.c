/*
 * test_batch.c — many sequences in one context give each sequence what it
 * gets alone.
 *
 * For every architecture fixture (f32 and a quantized file), S = 1..8
 * sequences with prompts of different lengths and contents are started at
 * staggered steps, so most batches mix prompt tokens of some sequences with
 * one-token generation steps of others; each sequence's greedy tokens and
 * logits are compared with the same sequence decoded alone in a context of
 * its own. Then the cache operations: truncate and re-decode, copy a prefix
 * into another sequence and continue both, and the context shift, whose
 * re-rotated f16 keys are compared with a fresh evaluation of the kept
 * tokens under a measured tolerance (printed).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/context.h"
#include "testutil.h"

/* Deviation of the next logits after a shift on stories260K, as a fraction
 * of their range (measured value printed by test_shift). */
#define SHIFT_TOLERANCE_TRAINED 0.15 /* measured 7.5e-2 */
/* Quantized files: logits of a sequence in a batch vs alone, as a fraction
 * of the logits' range (see test_sequences_match_alone). */
/* Quantized files: the most two candidate tokens' logits may differ (as a
 * fraction of the range) where the batch may choose the other one. */
#define TIE_GAP 0.02
#define QUANT_BATCH_TOLERANCE 0.03 /* measured up to 1.9e-2 (phi3 q4_k_m) */

#define MAX_S 8
#define N_GEN 6
#define MAX_PROMPT 24
#define SEQ_CELLS 48

static const char *const fixtures[] = {
    "models/llama-tiny-f32.gguf",  "models/llama-tiny-q4_k_m.gguf", "models/qwen3-tiny-f32.gguf",
    "models/qwen3-tiny-q4_0.gguf", "models/gemma3-tiny-f32.gguf",   "models/gemma3-tiny-q8_0.gguf",
    "models/phi3-tiny-f32.gguf",   "models/phi3-tiny-q4_k_m.gguf",  "real/stories260K-f32.gguf",
    "models/qwen2-tiny-f32.gguf",  "models/gpt2-tiny-f32.gguf",     "models/bitnet-tiny-tq2_0.gguf",
};

/* The prompt of sequence s: its own length and its own tokens. */
static int prompt_of(int s, int32_t *out, int n_vocab) {
    const int len = 3 + (s * 7) % (MAX_PROMPT - 3);
    for (int i = 0; i < len; i++) out[i] = (int32_t)((1 + s * 131 + i * 17) % n_vocab);
    return len;
}

static int argmax(const float *x, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[best]) best = i;
    return best;
}

/* Greedy decoding of one prompt alone: tokens and the logits of each. */
static void alone(mote_model *m, const int32_t *prompt, int n, int32_t *gen, float *logits_out) {
    const int n_vocab = mote_model_n_vocab(m);
    mote_context_params p = mote_context_default_params();
    p.n_ctx = SEQ_CELLS;
    mote_context *c;
    assert_int_equal(mote_context_new(m, &p, &c), MOTE_OK);
    const float *lg;
    assert_int_equal(mote_decode(c, prompt, n, false, &lg), MOTE_OK);
    for (int g = 0; g < N_GEN; g++) {
        memcpy(logits_out + (size_t)g * n_vocab, lg, sizeof(float) * n_vocab);
        gen[g] = argmax(lg, n_vocab);
        if (g + 1 < N_GEN) assert_int_equal(mote_decode(c, &gen[g], 1, false, &lg), MOTE_OK);
    }
    mote_context_free(c);
}

/* Largest magnitude among n logits. */
static double ref_range(const float *x, int n) {
    double r = 0;
    for (int i = 0; i < n; i++) r = fmax(r, fabs(x[i]));
    return r;
}

static double max_diff(const float *a, const float *b, int n) {
    double d = 0;
    for (int i = 0; i < n; i++) d = fmax(d, fabs((double)a[i] - b[i]));
    return d;
}

/* S sequences; sequence s starts its prompt at step s and feeds it in
 * pieces of 5 tokens, so prompts and generation share batches. */
static double together(mote_model *m, int S, int32_t ref_gen[][N_GEN], float *ref_logits, bool quantized) {
    const int n_vocab = mote_model_n_vocab(m);
    mote_context_params p = mote_context_default_params();
    p.n_ctx = SEQ_CELLS * S;
    p.n_seq = S;
    mote_context *c;
    assert_int_equal(mote_context_new(m, &p, &c), MOTE_OK);
    int32_t prompt[MAX_S][MAX_PROMPT], gen[MAX_S][N_GEN];
    int len[MAX_S], fed[MAX_S] = {0}, n_gen[MAX_S] = {0};
    for (int s = 0; s < S; s++) len[s] = prompt_of(s, prompt[s], n_vocab);
    double worst = 0;
    for (int step = 0;; step++) {
        mote_batch_token b[MAX_S * 5];
        int owner[MAX_S * 5], n = 0;
        for (int s = 0; s < S; s++) {
            if (step < s) continue;
            if (fed[s] < len[s]) {
                for (int k = 0; k < 5 && fed[s] < len[s]; k++, fed[s]++) {
                    owner[n] = s;
                    b[n++] = (mote_batch_token){prompt[s][fed[s]], s, fed[s], fed[s] + 1 == len[s]};
                }
            } else if (n_gen[s] > 0 && n_gen[s] < N_GEN) {
                owner[n] = s;
                b[n++] = (mote_batch_token){gen[s][n_gen[s] - 1], s, -1, true};
            }
        }
        if (n == 0) break;
        const float *lg;
        assert_int_equal(mote_decode_batch(c, b, n, &lg), MOTE_OK);
        int row = 0;
        for (int t = 0; t < n; t++) {
            if (!b[t].logits) continue;
            const int s = owner[t];
            const float *r = lg + (size_t)row++ * n_vocab;
            const float *want = ref_logits + ((size_t)s * N_GEN + n_gen[s]) * n_vocab;
            worst = fmax(worst, max_diff(r, want, n_vocab));
            gen[s][n_gen[s]] = argmax(r, n_vocab);
            if (gen[s][n_gen[s]] != ref_gen[s][n_gen[s]]) {
                /* quantized weights only (see test_sequences_match_alone): a
                 * near-tie of the two best tokens may go either way; the
                 * sequence then goes on with the reference's token */
                assert_true(quantized);
                const double gap = fabs((double)want[ref_gen[s][n_gen[s]]] - want[gen[s][n_gen[s]]]);
                printf("  S=%d sequence %d token %d: a near-tie (gap %.3g) chosen the other way\n", S, s, n_gen[s], gap);
                assert_true(gap < TIE_GAP * ref_range(want, n_vocab));
                gen[s][n_gen[s]] = ref_gen[s][n_gen[s]];
            }
            n_gen[s]++;
        }
    }
    for (int s = 0; s < S; s++) {
        assert_int_equal(n_gen[s], N_GEN);
        assert_int_equal(mote_seq_len(c, s), len[s] + N_GEN - 1);
    }
    mote_context_free(c);
    return worst;
}

static void test_sequences_match_alone(void **state) {
    (void)state;
    require_fixtures();
    for (size_t f = 0; f < sizeof fixtures / sizeof fixtures[0]; f++) {
        mote_model *m;
        assert_int_equal(mote_model_load(fixture_path(fixtures[f]), &m), MOTE_OK);
        const int n_vocab = mote_model_n_vocab(m);
        int32_t ref_gen[MAX_S][N_GEN];
        float *ref = malloc(sizeof(float) * MAX_S * N_GEN * (size_t)n_vocab);
        assert_non_null(ref);
        for (int s = 0; s < MAX_S; s++) {
            int32_t prompt[MAX_PROMPT];
            int n = prompt_of(s, prompt, n_vocab);
            alone(m, prompt, n, ref_gen[s], ref + (size_t)s * N_GEN * n_vocab);
        }
        double worst = 0;
        for (int S = 1; S <= MAX_S; S++) worst = fmax(worst, together(m, S, ref_gen, ref, !strstr(fixtures[f], "f32")));
        printf("  %-32s S=1..8: same greedy tokens, logits max |diff| %.3g of range %.3g%s\n", fixtures[f], worst,
               ref_range(ref, MAX_S * N_GEN * n_vocab), worst == 0 ? " (bit-identical)" : "");
        worst /= ref_range(ref, MAX_S * N_GEN * n_vocab);
        /* Float weights: every token row gets the same arithmetic whatever
         * the batch holds, so the numbers are the same bit for bit.
         * Quantized weights: a one-token step multiplies with the one-row
         * dot products, 3 or more tokens with the panel kernels, which add
         * the same integer products in another order of float sums; so a
         * sequence's logits move by the rounding of those sums depending on
         * how many tokens share its step (greedy tokens stay the same). */
        if (strstr(fixtures[f], "f32")) assert_true(worst == 0);
        else assert_true(worst < QUANT_BATCH_TOLERANCE);
        free(ref);
        mote_model_free(m);
    }
}

/* Decode `n` tokens into sequence s one batch at a time; logits of the last. */
static const float *feed(mote_context *c, int s, const int32_t *tok, int n) {
    mote_batch_token b[64];
    assert_true(n <= 64);
    for (int i = 0; i < n; i++) b[i] = (mote_batch_token){tok[i], s, -1, i == n - 1};
    const float *lg;
    assert_int_equal(mote_decode_batch(c, b, n, &lg), MOTE_OK);
    return lg;
}

static void test_truncate_and_copy(void **state) {
    (void)state;
    require_fixtures();
    mote_model *m;
    assert_int_equal(mote_model_load(fixture_path("models/qwen3-tiny-f32.gguf"), &m), MOTE_OK);
    const int n_vocab = mote_model_n_vocab(m);
    int32_t tok[32];
    for (int i = 0; i < 32; i++) tok[i] = (i * 37 + 5) % n_vocab;
    mote_context_params p = mote_context_default_params();
    p.n_ctx = 128;
    p.n_seq = 2;
    mote_context *c;
    assert_int_equal(mote_context_new(m, &p, &c), MOTE_OK);
    float *want = malloc(sizeof(float) * n_vocab);
    memcpy(want, feed(c, 0, tok, 20), sizeof(float) * n_vocab);

    /* truncate to 10 and decode the same 10 again: the same logits */
    assert_int_equal(mote_seq_truncate(c, 0, 10), MOTE_OK);
    assert_int_equal(mote_seq_len(c, 0), 10);
    assert_true(max_diff(feed(c, 0, tok + 10, 10), want, n_vocab) == 0);

    /* copy 12 tokens to sequence 1, continue it: as if decoded from scratch */
    assert_int_equal(mote_seq_copy(c, 0, 1, 12), MOTE_OK);
    assert_int_equal(mote_seq_len(c, 1), 12);
    assert_true(max_diff(feed(c, 1, tok + 12, 8), want, n_vocab) == 0);
    /* an explicit position truncates first: rewrite sequence 1 from 12 on */
    mote_batch_token b[8];
    for (int i = 0; i < 8; i++) b[i] = (mote_batch_token){tok[12 + i], 1, i == 0 ? 12 : -1, i == 7};
    const float *lg;
    assert_int_equal(mote_decode_batch(c, b, 8, &lg), MOTE_OK);
    assert_true(max_diff(lg, want, n_vocab) == 0);

    /* refused, changing nothing */
    assert_int_equal(mote_seq_truncate(c, 0, 21), MOTE_ERR_INVALID_ARG);
    assert_int_equal(mote_seq_copy(c, 0, 2, 1), MOTE_ERR_INVALID_ARG);
    assert_int_equal(mote_seq_shift(c, 0, 10, 11), MOTE_ERR_INVALID_ARG);
    b[0] = (mote_batch_token){tok[0], 0, 25, true}; /* a gap */
    assert_int_equal(mote_decode_batch(c, b, 1, &lg), MOTE_ERR_INVALID_ARG);
    b[0] = (mote_batch_token){tok[0], 3, -1, true}; /* no such sequence */
    assert_int_equal(mote_decode_batch(c, b, 1, &lg), MOTE_ERR_INVALID_ARG);
    b[0] = (mote_batch_token){tok[0], 0, -1, true};
    b[1] = (mote_batch_token){tok[1], 0, 3, true}; /* positions must follow each other */
    assert_int_equal(mote_decode_batch(c, b, 2, &lg), MOTE_ERR_INVALID_ARG);
    b[0] = (mote_batch_token){tok[0], 0, -1, true};
    b[1] = (mote_batch_token){tok[1], 1, -1, true};
    b[2] = (mote_batch_token){tok[2], 0, -1, true}; /* 3 logit rows, room for 2 */
    assert_int_equal(mote_decode_batch(c, b, 3, &lg), MOTE_ERR_INVALID_ARG);
    assert_int_equal(mote_seq_len(c, 0), 20);
    assert_int_equal(mote_seq_len(c, 1), 20);
    /* full: 64 cells per sequence */
    int32_t many[64];
    for (int i = 0; i < 64; i++) many[i] = tok[i % 32];
    mote_batch_token big[45];
    for (int i = 0; i < 45; i++) big[i] = (mote_batch_token){many[i], 0, -1, false};
    assert_int_equal(mote_decode_batch(c, big, 45, &lg), MOTE_ERR_INVALID_ARG);
    assert_int_equal(mote_seq_len(c, 0), 20);
    free(want);
    mote_context_free(c);
    mote_model_free(m);
}

/* The context shift, on every family. Two checks:
 *  - mechanics, exactly: in layer 0 (whose keys and values depend on the
 *    token and its position only) the shifted cache must equal a fresh
 *    evaluation of the kept tokens: values bit for bit, keys within the
 *    rounding of re-rotating f16 numbers (2 f16 ulps);
 *  - the next logits against a fresh evaluation of the kept tokens. These
 *    differ for a reason no re-rotation removes: the kept tokens' deeper
 *    layers were computed while the dropped tokens were still visible
 *    (llama.cpp's shift has the same property). The deviation is printed;
 *    on the trained model it is asserted below a measured bound. */
static void test_shift(void **state) {
    (void)state;
    require_fixtures();
    static const char *const files[] = {"models/llama-tiny-f32.gguf", "models/qwen3-tiny-f32.gguf",
                                        "models/gemma3-tiny-f32.gguf", "models/phi3-tiny-f32.gguf",
                                        "real/stories260K-f32.gguf"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        mote_model *m;
        assert_int_equal(mote_model_load(fixture_path(files[f]), &m), MOTE_OK);
        const int n_vocab = mote_model_n_vocab(m);
        int32_t tok[40], kept[40];
        for (int i = 0; i < 40; i++) tok[i] = (i * 53 + 11) % n_vocab;
        mote_context_params p = mote_context_default_params();
        p.n_ctx = 64;
        mote_context *c, *fresh;
        assert_int_equal(mote_context_new(m, &p, &c), MOTE_OK);
        assert_int_equal(mote_context_new(m, &p, &fresh), MOTE_OK);
        const int keep = 4, discard = 12, len = 32;
        feed(c, 0, tok, len);
        assert_int_equal(mote_seq_shift(c, 0, keep, discard), MOTE_OK);
        assert_int_equal(mote_seq_len(c, 0), len - discard);
        int n = 0;
        for (int i = 0; i < keep; i++) kept[n++] = tok[i];
        for (int i = keep + discard; i < len; i++) kept[n++] = tok[i];
        feed(fresh, 0, kept, n);
        /* layer 0 of both caches: cells 0..n-1 */
        const size_t n_kv = (size_t)m->hp.n_head_kv * m->hp.head_dim;
        double worst_k = 0; /* largest key difference in a cell, relative to that cell's largest key */
        const mote_fp16 *ck = (const mote_fp16 *)c->k_cache, *fk = (const mote_fp16 *)fresh->k_cache; /* f16 caches */
        const mote_fp16 *cv = (const mote_fp16 *)c->v_cache, *fv = (const mote_fp16 *)fresh->v_cache;
        for (size_t cell = 0; cell < (size_t)n; cell++) {
            double diff = 0, mag = 0;
            for (size_t i = cell * n_kv; i < (cell + 1) * n_kv; i++) {
                const float want = mote_fp16_to_f32(fk[i]), got = mote_fp16_to_f32(ck[i]);
                diff = fmax(diff, fabs(got - want));
                mag = fmax(mag, fabs(want));
                assert_true(cv[i] == fv[i]);
            }
            worst_k = fmax(worst_k, diff / mag);
        }
        assert_true(worst_k <= 2.0 / 1024);
        /* the next token's logits */
        float *got = malloc(sizeof(float) * n_vocab);
        memcpy(got, feed(c, 0, tok + len, 1), sizeof(float) * n_vocab);
        const float *want = feed(fresh, 0, tok + len, 1);
        double range = 0;
        for (int i = 0; i < n_vocab; i++) range = fmax(range, fabs(want[i]));
        const double dev = max_diff(got, want, n_vocab) / range;
        printf("  %-30s shift keep %d drop %d: layer-0 keys within %.1e (relative), values exact; next logits "
               "deviate %.2e of their range from a fresh evaluation, argmax %s\n",
               files[f], keep, discard, worst_k, dev, argmax(got, n_vocab) == argmax(want, n_vocab) ? "same" : "differs");
        if (strstr(files[f], "stories260K")) {
            /* measured 2026-12-04: see the printed line; bound with margin */
            assert_true(dev < SHIFT_TOLERANCE_TRAINED);
        }
        free(got);
        mote_context_free(c);
        mote_context_free(fresh);
        mote_model_free(m);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequences_match_alone),
        cmocka_unit_test(test_truncate_and_copy),
        cmocka_unit_test(test_shift),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
