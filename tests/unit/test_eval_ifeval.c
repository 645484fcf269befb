/*
 * test_eval_ifeval.c — the IFEval checkers one by one on small responses
 * whose verdict follows from the reference rules (instructions.py of
 * google-research's instruction_following_eval), including the corner
 * cases those rules have: keywords are regular expressions, highlights
 * need text inside, paragraph counts allow empty pieces only at the ends,
 * the loose check drops the first/last line and '*', blank responses never
 * follow; and the measures behind them (sentences, capital words, words,
 * language).
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "eval/ifeval.h"
#include "eval/ifeval_internal.h"

/* Strict (and, in *loose, loose) verdict of one instruction on a response. */
static int verdict(const char *id, const char *kwargs, const char *prompt, const char *response, int *loose) {
    cJSON *kw = cJSON_Parse(kwargs);
    assert_non_null(kw);
    const cJSON *kws[1] = {kw};
    const char *ids[1] = {id};
    ifeval_item it = {.key = 1, .prompt = prompt, .n = 1, .ids = ids, .kwargs = kws};
    bool s, l;
    char err[256];
    int rc = ifeval_check(&it, response, &s, &l, err, sizeof err);
    cJSON_Delete(kw);
    assert_int_equal(rc, 0);
    if (loose) *loose = l;
    return s;
}
#define STRICT(id, kw, resp) verdict(id, kw, "", resp, NULL)

static void test_all_ids_known(void **state) {
    const char *const *ids = ifeval_instruction_ids();
    size_t n = 0;
    while (ids[n]) n++;
    assert_int_equal(n, 25); /* every instruction type of the paper */
    assert_false(ifeval_knows("keywords:nonsense"));
}

static void test_format(void **state) {
    assert_true(STRICT("detectable_format:constrained_response", "{}", "  My answer is maybe.  "));
    assert_false(STRICT("detectable_format:constrained_response", "{}", "Maybe."));
    assert_true(STRICT("detectable_format:json_format", "{}", "```json\n{\"a\": [1, 2]}\n```"));
    assert_false(STRICT("detectable_format:json_format", "{}", "{\"a\": 1} and more"));
    assert_true(STRICT("detectable_format:multiple_sections", "{\"section_spliter\": \"Section\", \"num_sections\": 2}",
                       "Section 1\nfoo\nSection 2\nbar"));
    assert_false(STRICT("detectable_format:multiple_sections", "{\"section_spliter\": \"SECTION\", \"num_sections\": 2}",
                        "Section 1\nfoo\nSection 2\nbar")); /* case matters */
    assert_true(STRICT("detectable_format:number_bullet_lists", "{\"num_bullets\": 3}", "* a\n* b\n- c\n**bold**"));
    assert_false(STRICT("detectable_format:number_bullet_lists", "{\"num_bullets\": 2}", "* a\n* b\n* c"));
    assert_true(STRICT("detectable_format:number_highlighted_sections", "{\"num_highlights\": 2}",
                       "*one* and **two** and ** **"));
    assert_false(STRICT("detectable_format:number_highlighted_sections", "{\"num_highlights\": 2}", "*one* and * *"));
    assert_true(STRICT("detectable_format:title", "{}", "<<Poem of joy>>\ntext"));
    assert_false(STRICT("detectable_format:title", "{}", "<< >> and <<\nno>>"));
    assert_true(STRICT("detectable_content:number_placeholders", "{\"num_placeholders\": 2}", "[name] at [address]"));
    assert_false(STRICT("detectable_content:number_placeholders", "{\"num_placeholders\": 3}", "[name] at [address]"));
    assert_true(STRICT("detectable_content:postscript", "{\"postscript_marker\": \"P.S.\"}", "Hi.\n\np.s. bye"));
    assert_true(STRICT("detectable_content:postscript", "{\"postscript_marker\": \"P.P.S\"}", "Hi.\nP. P. S. bye"));
    assert_false(STRICT("detectable_content:postscript", "{\"postscript_marker\": \"P.S.\"}", "Hi. PS bye"));
    assert_true(STRICT("startend:end_checker", "{\"end_phrase\": \"Any other questions?\"}",
                       "Text.\nany other questions?\" "));
    assert_false(STRICT("startend:end_checker", "{\"end_phrase\": \"Any other questions?\"}",
                        "Any other questions? Yes."));
    assert_true(STRICT("startend:quotation", "{}", " \"quoted\" "));
    assert_false(STRICT("startend:quotation", "{}", "\""));
    assert_true(STRICT("combination:two_responses", "{}", "one\n******\ntwo"));
    assert_false(STRICT("combination:two_responses", "{}", "same\n******\nsame"));
    assert_false(STRICT("combination:two_responses", "{}", "a\n******\n\n******\nb"));
    assert_true(STRICT("combination:repeat_prompt", "{\"prompt_to_repeat\": \"Write a poem.\"}",
                       "  write a POEM. Roses are red."));
    assert_false(STRICT("combination:repeat_prompt", "{\"prompt_to_repeat\": \"Write a poem.\"}", "Sure! Write a poem."));
}

static void test_length(void **state) {
    assert_true(STRICT("length_constraints:number_paragraphs", "{\"num_paragraphs\": 2}", "***\none\n***\ntwo\n***"));
    assert_false(STRICT("length_constraints:number_paragraphs", "{\"num_paragraphs\": 2}", "one\n***\n***\ntwo"));
    assert_true(STRICT("length_constraints:nth_paragraph_first_word",
                       "{\"num_paragraphs\": 2, \"nth_paragraph\": 2, \"first_word\": \"Second\"}",
                       "First part.\n\n\"Second,\" he said."));
    assert_false(STRICT("length_constraints:nth_paragraph_first_word",
                        "{\"num_paragraphs\": 3, \"nth_paragraph\": 2, \"first_word\": \"second\"}",
                        "First part.\n\nSecond part."));
    assert_false(STRICT("length_constraints:number_words", "{\"num_words\": 4, \"relation\": \"less than\"}",
                        "It's three words")); /* "It", "s", "three", "words" = 4 */
    assert_true(STRICT("length_constraints:number_words", "{\"num_words\": 4, \"relation\": \"at least\"}",
                       "It's three words"));
    assert_true(STRICT("length_constraints:number_sentences", "{\"num_sentences\": 3, \"relation\": \"at least\"}",
                       "One. Two! Three?"));
    assert_false(STRICT("length_constraints:number_sentences", "{\"num_sentences\": 3, \"relation\": \"less than\"}",
                        "One. Two! Three?"));
}

static void test_words_and_case(void **state) {
    assert_true(STRICT("keywords:existence", "{\"keywords\": [\"Dog\", \"ca.\"]}", "The dog and the cat."));
    assert_false(STRICT("keywords:existence", "{\"keywords\": [\"dog\", \"bird\"]}", "The dog and the cat."));
    assert_true(STRICT("keywords:frequency", "{\"keyword\": \"the\", \"frequency\": 3, \"relation\": \"at least\"}",
                       "The cat, the dog, and theirs."));
    assert_false(STRICT("keywords:frequency", "{\"keyword\": \"the\", \"frequency\": 3, \"relation\": \"less than\"}",
                        "The cat, the dog, and theirs."));
    assert_true(STRICT("keywords:forbidden_words", "{\"forbidden_words\": [\"cat\"]}", "Catalog and concatenate."));
    assert_false(STRICT("keywords:forbidden_words", "{\"forbidden_words\": [\"cat\"]}", "A CAT."));
    assert_true(STRICT("keywords:letter_frequency",
                       "{\"letter\": \"A\", \"let_frequency\": 3, \"let_relation\": \"at least\"}", "aAa"));
    assert_false(STRICT("keywords:letter_frequency",
                        "{\"letter\": \"a\", \"let_frequency\": 3, \"let_relation\": \"less than\"}", "banana"));
    assert_true(STRICT("punctuation:no_comma", "{}", "No commas here."));
    assert_false(STRICT("punctuation:no_comma", "{}", "One, two."));
    assert_true(STRICT("change_case:english_capital", "{}",
                       "THIS IS A SHORT ANSWER WRITTEN IN ENGLISH, IN CAPITAL LETTERS ONLY, AS THE USER ASKED."));
    assert_false(STRICT("change_case:english_capital", "{}", "THIS IS NOT all capitals in English."));
    assert_true(STRICT("change_case:english_lowercase", "{}",
                       "this answer is written in english and in lower case letters only, as it was asked."));
    assert_false(STRICT("change_case:english_lowercase", "{}", "This answer has one capital letter in English."));
    assert_true(STRICT("change_case:capital_word_frequency",
                       "{\"capital_frequency\": 3, \"capital_relation\": \"at least\"}", "I DON'T know, OK?"));
    assert_false(STRICT("change_case:capital_word_frequency",
                        "{\"capital_frequency\": 2, \"capital_relation\": \"less than\"}", "NASA and ESA"));
    assert_true(STRICT("language:response_language", "{\"language\": \"de\"}",
                       "Das ist eine kurze Antwort auf Deutsch, die nur aus deutschen W\xc3\xb6rtern besteht."));
    assert_false(STRICT("language:response_language", "{\"language\": \"de\"}",
                        "This is a short answer in English, made only of English words."));
    assert_true(STRICT("language:response_language", "{\"language\": \"te\"}",
                       "\xe0\xb0\xa8\xe0\xb0\xae\xe0\xb0\xb8\xe0\xb1\x8d\xe0\xb0\x95\xe0\xb0\xbe\xe0\xb0\xb0\xe0\xb0\x82"));
}

static void test_blank_and_loose(void **state) {
    int loose;
    /* a blank response follows nothing, not even "no commas" */
    assert_false(verdict("punctuation:no_comma", "{}", "", "   \n ", &loose));
    assert_false(loose);
    /* loose: the first line ("Sure, here it is:") dropped */
    assert_false(verdict("punctuation:no_comma", "{}", "", "Sure, here it is:\nNo commas below.", &loose));
    assert_true(loose);
    /* loose: '*' removed */
    assert_false(verdict("startend:quotation", "{}", "", "*\"quoted\"*", &loose));
    assert_true(loose);
}

static void test_measures(void **state) {
    assert_int_equal(ifeval_count_sentences("", 0), 0);
    const char *t = "Mr. Smith went to Washington. He arrived at 5 p.m. It was late! Was it? Yes.";
    assert_int_equal(ifeval_count_sentences(t, strlen(t)), 5);
    t = "* item one\n* item two\n* item three";
    assert_int_equal(ifeval_count_sentences(t, strlen(t)), 1); /* lines alone do not end sentences */
    t = "1. First step. 2. Second step.";
    assert_int_equal(ifeval_count_sentences(t, strlen(t)), 4);
    t = "He said \"stop.\" Then he left.";
    assert_int_equal(ifeval_count_sentences(t, strlen(t)), 2);
    t = "I DON'T like CANNOT and U.S.A. but not Hello or e.g.";
    assert_int_equal(ifeval_count_capital_words(t, strlen(t)), 6); /* I, DO, N'T, CAN, NOT, U.S.A */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_ids_known), cmocka_unit_test(test_format),
        cmocka_unit_test(test_length),        cmocka_unit_test(test_words_and_case),
        cmocka_unit_test(test_blank_and_loose), cmocka_unit_test(test_measures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
