/*
 * ifeval.h — IFEval (Zhou et al. 2023, "Instruction-Following Evaluation
 * for Large Language Models"): prompts carrying verifiable instructions,
 * and checkers that say whether a response follows each one, strictly and
 * loosely, as the paper's reference code does.
 */
#ifndef MOTE_EVAL_IFEVAL_H
#define MOTE_EVAL_IFEVAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "eval/jsonl.h"

typedef struct {
    long key;
    const char *prompt;
    size_t n;                 /* instructions */
    const char **ids;         /* "keywords:frequency", ... */
    const cJSON **kwargs;     /* each instruction's arguments (an object) */
    size_t line;              /* in the data file */
} ifeval_item;

typedef struct {
    jsonl_file file;
    ifeval_item *items;
    size_t n;
} ifeval_data;

/* Read input_data.jsonl (lines of key, prompt, instruction_id_list, kwargs).
 * Every instruction id must be one mote checks. Errors name file and line. */
int ifeval_load(const char *path, ifeval_data *out, char *err, size_t err_size);
void ifeval_free(ifeval_data *d);

/* The instruction ids mote checks (all 25 of the paper), NULL-terminated. */
const char *const *ifeval_instruction_ids(void);
/* Is `id` one of them? */
bool ifeval_knows(const char *id);

/* Check a response against every instruction of the item: strict[i] and
 * loose[i] (the paper's loose variant tries the response also without its
 * first and/or last line and without '*'). Returns 0, or -1 with err set
 * when an instruction's arguments are unusable. */
int ifeval_check(const ifeval_item *it, const char *response, bool *strict, bool *loose, char *err, size_t err_size);

/* Running totals for the four accuracies of the paper. */
typedef struct {
    size_t prompts, instructions;
    size_t strict_prompts, strict_instructions;
    size_t loose_prompts, loose_instructions;
} ifeval_totals;

void ifeval_totals_add(ifeval_totals *t, size_t n, const bool *strict, const bool *loose);

#endif
