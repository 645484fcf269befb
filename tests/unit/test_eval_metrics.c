/*
 * test_eval_metrics.c — BLEU and ROUGE against the scores that the reference
 * implementations' own test suites assert:
 *   - sacrebleu (github.com/mjpost/sacrebleu): test/test_sentence_bleu.py
 *     (a Romanian pair from its issue #98, every smoothing method and the
 *     13a / intl / none tokenizers; the zero-match pair of issue #141) and
 *     test/test_bleu.py (the README corpus with two references per sentence,
 *     n-gram statistics, scoring from statistics, effective order, the floor
 *     offset);
 *   - rouge_score (github.com/google-research/google-research, rouge/):
 *     rouge_scorer_test.py (small cases, and the first two lines of
 *     testdata/target.txt and prediction.txt, whose scores it takes from
 *     the official ROUGE-1.5.5), including ROUGE-Lsum's union LCS.
 * The texts below are those tests' inputs; the expected numbers are theirs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "eval/metrics.h"

static double sentence(const char *hyp, const char *ref, bleu_tokenizer tok, bleu_smooth sm, double value, bool eff) {
    bleu_stats st = {0};
    assert_int_equal(bleu_add(&st, hyp, &ref, 1, tok), 0);
    return bleu_score(&st, sm, value, eff);
}

/* test_sentence_bleu.py: REF/SYS of issue #98, effective order on. */
static void test_sacrebleu_sentence(void **state) {
    const char *ref = "produc\xc5\xa3ia de zah\xc4\x83r brut se exprim\xc4\x83 \xc3\xaen zah\xc4\x83r alb;";
    const char *sys = "Produc\xc8\x9bia de zah\xc4\x83r prim\xc4\x83 va fi exprimat\xc4\x83 \xc3\xaen ceea ce prive\xc8\x99te "
                      "zah\xc4\x83rul alb;";
    assert_true(fabs(sentence(sys, ref, BLEU_TOK_13A, BLEU_SMOOTH_EXP, -1, true) - 8.493) < 1e-3);
    assert_true(fabs(sentence(sys, ref, BLEU_TOK_13A, BLEU_SMOOTH_NONE, -1, true) - 0.0) < 1e-3);
    assert_true(fabs(sentence(sys, ref, BLEU_TOK_13A, BLEU_SMOOTH_FLOOR, -1, true) - 4.51688) < 1e-3);
    assert_true(fabs(sentence(sys, ref, BLEU_TOK_13A, BLEU_SMOOTH_FLOOR, 0.1, true) - 4.51688) < 1e-3);
    assert_true(fabs(sentence(sys, ref, BLEU_TOK_13A, BLEU_SMOOTH_FLOOR, 0.5, true) - 10.10) < 1e-3);
    assert_true(fabs(sentence(sys, ref, BLEU_TOK_13A, BLEU_SMOOTH_ADD_K, -1, true) - 14.882) < 1e-3);
    assert_true(fabs(sentence(sys, ref, BLEU_TOK_13A, BLEU_SMOOTH_ADD_K, 2, true) - 21.389) < 1e-3);
    assert_true(fabs(sentence(sys, ref, BLEU_TOK_NONE, BLEU_SMOOTH_EXP, -1, true) - 7.347) < 1e-3);
    assert_true(fabs(sentence(sys, ref, BLEU_TOK_INTL, BLEU_SMOOTH_EXP, -1, true) - 8.493) < 1e-3);
    /* issue #141: no match at all is 0 whatever the smoothing */
    for (int sm = BLEU_SMOOTH_EXP; sm <= BLEU_SMOOTH_NONE; sm++)
        assert_true(sentence("this is a cat", "okay thanks", BLEU_TOK_13A, (bleu_smooth)sm, -1, true) == 0.0);
}

/* test_bleu.py, test_corpus_bleu_cases: three sentences, two references each. */
static void test_sacrebleu_corpus(void **state) {
    const char *refs[3][2] = {{"The dog bit the man.", "The dog had bit the man."},
                              {"It was not unexpected.", "No one was surprised."},
                              {"The man bit him first.", "The man had bitten the dog."}};
    const char *hyps[3] = {"The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."};
    const struct {
        bleu_tokenizer tok;
        bleu_smooth smooth;
        double want;
    } cases[] = {{BLEU_TOK_13A, BLEU_SMOOTH_EXP, 48.530827},
                 {BLEU_TOK_NONE, BLEU_SMOOTH_EXP, 49.1919566},
                 {BLEU_TOK_INTL, BLEU_SMOOTH_EXP, 43.91623493},
                 {BLEU_TOK_13A, BLEU_SMOOTH_NONE, 48.530827}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        bleu_stats st = {0};
        for (int i = 0; i < 3; i++) assert_int_equal(bleu_add(&st, hyps[i], refs[i], 2, cases[c].tok), 0);
        assert_true(fabs(bleu_score(&st, cases[c].smooth, -1, false) - cases[c].want) < 1e-6);
    }
    /* empty hypotheses are kept and score 0 */
    bleu_stats st = {0};
    for (int i = 0; i < 3; i++) assert_int_equal(bleu_add(&st, "", refs[i], 2, BLEU_TOK_13A), 0);
    assert_true(bleu_score(&st, BLEU_SMOOTH_EXP, -1, false) == 0.0);
}

/* test_bleu.py: statistics, scoring, effective order and the floor offset
 * (raw_corpus_bleu: tokenizer none, floor smoothing, effective order). */
static void test_sacrebleu_statistics(void **state) {
    const char *hyp = "am I am a character sequence", *ref = "I am a symbol string sequence a a";
    bleu_stats st = {0};
    assert_int_equal(bleu_add(&st, hyp, &ref, 1, BLEU_TOK_NONE), 0);
    const double correct[4] = {4, 2, 1, 0}, total[4] = {6, 5, 4, 3};
    for (int n = 0; n < 4; n++) {
        assert_true(st.correct[n] == correct[n]);
        assert_true(st.total[n] == total[n]);
    }
    assert_true(fabs(bleu_score(&st, BLEU_SMOOTH_FLOOR, 0.1, true) / 100 - 0.1555722182) < 1e-8);
    assert_true(bleu_score(&st, BLEU_SMOOTH_FLOOR, 0.0, true) == 0.0);
    bleu_stats given = {{9, 7, 5, 3}, {10, 8, 6, 4}, 11, 11};
    assert_true(fabs(bleu_score(&given, BLEU_SMOOTH_NONE, -1, false) / 100 - 0.8375922397) < 1e-8);
    assert_true(fabs(sentence("test", "a test", BLEU_TOK_NONE, BLEU_SMOOTH_FLOOR, 0.01, true) / 100 -
                     0.3678794411714425) < 1e-8);
    assert_true(fabs(sentence("a test", "a test", BLEU_TOK_NONE, BLEU_SMOOTH_FLOOR, 0.01, true) / 100 - 1.0) < 1e-8);
    assert_true(fabs(sentence("a little test", "a test", BLEU_TOK_NONE, BLEU_SMOOTH_FLOOR, 0.01, true) / 100 -
                     0.03218297948685433) < 1e-8);
    assert_true(fabs(sentence("this is a fest", "this is a test", BLEU_TOK_NONE, BLEU_SMOOTH_FLOOR, 0.01, true) /
                         100 - 0.223606797749979) < 1e-8);
}

static void test_tokenizers(void **state) {
    char *t = bleu_tokenize("It wasn't surprising, was it? 3.5-4", BLEU_TOK_13A);
    assert_string_equal(t, "It wasn't surprising , was it ? 3.5 - 4");
    free(t);
    t = bleu_tokenize("It wasn't surprising.", BLEU_TOK_INTL);
    assert_string_equal(t, "It wasn ' t surprising .");
    free(t);
}

#define NEAR(a, b, places) assert_true(fabs((a) - (b)) < 0.5 * pow(10, -(places)))

/* rouge_scorer_test.py */
static void test_rouge_small(void **state) {
    rouge_score r = rouge_n("testing one two", "testing", 1);
    NEAR(r.precision, 1, 7);
    NEAR(r.recall, 1.0 / 3, 7);
    NEAR(r.fmeasure, 0.5, 7);
    for (int n = 1; n <= 2; n++) {
        r = rouge_n("testing one two", "", n);
        assert_true(r.precision == 0 && r.recall == 0 && r.fmeasure == 0);
    }
    r = rouge_n("testing one two", "testing one", 2);
    NEAR(r.precision, 1, 7);
    NEAR(r.recall, 0.5, 7);
    NEAR(r.fmeasure, 2.0 / 3, 7);
    r = rouge_l("testing one two", "testing one");
    NEAR(r.precision, 1, 7);
    NEAR(r.recall, 2.0 / 3, 7);
    NEAR(r.fmeasure, 0.8, 7);
    r = rouge_l("testing one two", "testing two");
    NEAR(r.fmeasure, 0.8, 7);
    r = rouge_lsum("w1 w2 w3 w4 w5", "w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5");
    NEAR(r.recall, 0.8, 7);
    NEAR(r.precision, 0.4, 7);
    NEAR(r.fmeasure, 0.5333, 3);
    r = rouge_lsum("w1 w2 w3 w4 w5", "");
    assert_true(r.fmeasure == 0 && r.recall == 0 && r.precision == 0);
    r = rouge_lsum("", "w1");
    assert_true(r.fmeasure == 0);
    r = rouge_lsum("w1 w2 w3 w4 w5", "/");
    assert_true(r.fmeasure == 0);
}

/* rouge_scorer_test.py against ROUGE-1.5.5: the first two lines of
 * rouge/testdata/target.txt and prediction.txt. */
static void test_rouge_against_155(void **state) {
    const char *targets[2] = {
        "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr "
        "q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L\n",
        "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer "
        "HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion "
        "gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN\n"};
    const char *preds[2] = {
        "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi\n",
        "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed "
        "nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD\n"};
    const double r1[2][3] = {{0.40741, 0.68750, 0.51163}, {0.40476, 0.65385, 0.50000}};
    const double r2[2][3] = {{0.30769, 0.53333, 0.39024}, {0.29268, 0.48000, 0.36364}};
    for (int i = 0; i < 2; i++) {
        rouge_score a = rouge_n(targets[i], preds[i], 1), b = rouge_n(targets[i], preds[i], 2),
                    l = rouge_l(targets[i], preds[i]);
        NEAR(a.recall, r1[i][0], 5);
        NEAR(a.precision, r1[i][1], 5);
        NEAR(a.fmeasure, r1[i][2], 5);
        NEAR(b.recall, r2[i][0], 5);
        NEAR(b.precision, r2[i][1], 5);
        NEAR(b.fmeasure, r2[i][2], 5);
        NEAR(l.recall, r1[i][0], 5); /* the test asserts the ROUGE-1 numbers for ROUGE-L too */
        NEAR(l.precision, r1[i][1], 5);
        NEAR(l.fmeasure, r1[i][2], 5);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sacrebleu_sentence), cmocka_unit_test(test_sacrebleu_corpus),
        cmocka_unit_test(test_sacrebleu_statistics), cmocka_unit_test(test_tokenizers),
        cmocka_unit_test(test_rouge_small), cmocka_unit_test(test_rouge_against_155),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
