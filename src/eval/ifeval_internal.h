/*
 * ifeval_internal.h — what the IFEval checker files share: the checker
 * signature, keyword-argument readers, and the text measures that stand in
 * for the reference's nltk and langdetect calls.
 *
 * The checkers re-implement, in C, the rules of google-research's
 * instruction_following_eval/instructions.py (read as a reference, not
 * copied); each file holds one group of instruction ids.
 */
#ifndef MOTE_EVAL_IFEVAL_INTERNAL_H
#define MOTE_EVAL_IFEVAL_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* Check one response against one instruction. kwargs is the instruction's
 * object from the data; prompt is the item's prompt. Returns 1 (followed),
 * 0 (not followed) or -1 with a one-line reason in err (bad arguments). */
typedef int (*ifeval_check_fn)(const cJSON *kwargs, const char *prompt, const char *resp, size_t len, char *err,
                               size_t err_size);

typedef struct {
    const char *id;
    ifeval_check_fn check;
} ifeval_checker;

/* The groups' tables, each ending with {NULL, NULL}. */
extern const ifeval_checker ifeval_format_checkers[];  /* detectable_format, detectable_content, startend, combination */
extern const ifeval_checker ifeval_length_checkers[];  /* length_constraints */
extern const ifeval_checker ifeval_words_checkers[];   /* keywords, punctuation */
extern const ifeval_checker ifeval_case_checkers[];    /* change_case, language */

/* Keyword arguments: 0 when present with the right type, else -1 with err set. */
int ifeval_kw_int(const cJSON *kw, const char *name, long *out, char *err, size_t err_size);
int ifeval_kw_str(const cJSON *kw, const char *name, const char **out, char *err, size_t err_size);
/* "less than" -> 0, "at least" -> 1, else -1 with err set. */
int ifeval_kw_relation(const cJSON *kw, const char *name, char *err, size_t err_size);

/* Sentences as nltk's English punkt tokenizer counts them (an approximation:
 * punkt's learned abbreviation and capitalisation tables are replaced by
 * short word lists; see docs/eval.md). */
size_t ifeval_count_sentences(const char *s, size_t len);
/* Words of nltk.word_tokenize that are all upper case (str.isupper), by an
 * approximation of its Treebank splitting rules. */
size_t ifeval_count_capital_words(const char *s, size_t len);
/* The language of a text as an ISO 639-1 code ("en"), via libexttextcat
 * (the reference uses langdetect). NULL when the text has too few letters
 * to say, which the reference counts as "followed"; "und" (undetermined)
 * when no language model stands out, which follows no language instruction. */
const char *ifeval_detect_language(const char *s, size_t len);

#endif
