/*
 * mmlu.c — the `mmlu` task (Hendrycks et al., "Measuring Massive Multitask
 * Language Understanding"), scored as lm-evaluation-harness's default mmlu
 * task: the prompt
 *
 *   The following are multiple choice questions (with answers) about {subject}.
 *
 *   [K examples from the dev split, each ending "Answer: X\n\n"]
 *   {question}
 *   A. {choice}
 *   ...
 *   Answer:
 *
 * and the choice whose continuation " A" / " B" / " C" / " D" is most likely
 * is the answer. Accuracy per subject, per lm-eval group (stem, humanities,
 * social sciences, other) and over all questions, each weighted by subject
 * size as lm-eval aggregates them.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "eval/csv.h"
#include "eval/tasks.h"
#include "eval/text.h"

static const char *const letters[4] = {"A", "B", "C", "D"};

/* lm-eval's groups of the 57 subjects (its mmlu task's "category" of each). */
static const char *const groups[4] = {"mmlu_stem", "mmlu_humanities", "mmlu_social_sciences", "mmlu_other"};
static const char *const group_subjects[4][20] = {
    {"abstract_algebra", "anatomy", "astronomy", "college_biology", "college_chemistry", "college_computer_science",
     "college_mathematics", "college_physics", "computer_security", "conceptual_physics", "electrical_engineering",
     "elementary_mathematics", "high_school_biology", "high_school_chemistry", "high_school_computer_science",
     "high_school_mathematics", "high_school_physics", "high_school_statistics", "machine_learning", NULL},
    {"formal_logic", "high_school_european_history", "high_school_us_history", "high_school_world_history",
     "international_law", "jurisprudence", "logical_fallacies", "moral_disputes", "moral_scenarios", "philosophy",
     "prehistory", "professional_law", "world_religions", NULL},
    {"econometrics", "high_school_geography", "high_school_government_and_politics", "high_school_macroeconomics",
     "high_school_microeconomics", "high_school_psychology", "human_sexuality", "professional_psychology",
     "public_relations", "security_studies", "sociology", "us_foreign_policy", NULL},
    {"business_ethics", "clinical_knowledge", "college_medicine", "global_facts", "human_aging", "management",
     "marketing", "medical_genetics", "miscellaneous", "nutrition", "professional_accounting", "professional_medicine",
     "virology", NULL},
};

/* The group of a subject, or -1 for a subject lm-eval does not have. */
static int group_of(const char *subject) {
    for (int g = 0; g < 4; g++)
        for (const char *const *s = group_subjects[g]; *s; s++)
            if (!strcmp(*s, subject)) return g;
    return -1;
}

/* Check a row has question, four choices and an answer letter A-D. */
static int check_row(const char *path, const csv_row *r, char *err, size_t es) {
    if (r->n_fields != 6) {
        snprintf(err, es, "%s:%zu: %zu columns, expected 6 (question,A,B,C,D,answer)", path, r->line, r->n_fields);
        return -1;
    }
    const char *a = r->fields[5];
    size_t b, e;
    text_py_strip(a, strlen(a), &b, &e);
    if (e - b != 1 || a[b] < 'A' || a[b] > 'D') {
        snprintf(err, es, "%s:%zu: answer '%s' is not one of A, B, C, D", path, r->line, a);
        return -1;
    }
    return 0;
}

static int answer_index(const csv_row *r) {
    const char *a = r->fields[5];
    while (*a == ' ') a++;
    return *a - 'A';
}

/* Append one question in lm-eval's layout (without the answer). */
static void add_question(text_buf *b, const csv_row *r) {
    size_t qb, qe;
    text_py_strip(r->fields[0], strlen(r->fields[0]), &qb, &qe);
    text_buf_add(b, r->fields[0] + qb, qe - qb);
    for (int k = 0; k < 4; k++) text_buf_printf(b, "\n%s. %s", letters[k], r->fields[1 + k]);
    text_buf_adds(b, "\nAnswer:");
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* The subjects: names of test/<subject>_test.csv, sorted. */
static char **list_subjects(const char *dir, size_t *n, char *err, size_t es) {
    char path[4200];
    snprintf(path, sizeof path, "%s/test", dir);
    DIR *d = opendir(path);
    if (!d) {
        snprintf(err, es, "cannot read '%s'", path);
        return NULL;
    }
    char **names = NULL;
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l <= 9 || strcmp(e->d_name + l - 9, "_test.csv")) continue;
        char **bigger = realloc(names, (count + 1) * sizeof *names);
        if (!bigger) break;
        names = bigger;
        names[count++] = text_dup(e->d_name, l - 9);
    }
    closedir(d);
    if (!count) {
        snprintf(err, es, "'%s' holds no SUBJECT_test.csv files", path);
        free(names);
        return NULL;
    }
    qsort(names, count, sizeof *names, cmp_str);
    *n = count;
    return names;
}

/* Score one subject; adds to *correct / *total and a row to the results. */
static int run_subject(eval_task_ctx *t, const char *subject, eval_progress *p, size_t *all_correct,
                       size_t *all_total, size_t *subject_correct, size_t *subject_total) {
    char path[4400], dev_path[4400];
    snprintf(path, sizeof path, "%s/test/%s_test.csv", t->data, subject);
    snprintf(dev_path, sizeof dev_path, "%s/dev/%s_dev.csv", t->data, subject);
    csv_file test = {0}, dev = {0};
    text_buf head = {0}, prompt = {0};
    size_t *order = NULL;
    int rc = -1;
    if (csv_read(path, &test, t->err, sizeof t->err)) goto done;
    if (!test.n) {
        snprintf(t->err, sizeof t->err, "%s: empty file", path);
        goto done;
    }
    for (size_t i = 0; i < test.n; i++)
        if (check_row(path, &test.rows[i], t->err, sizeof t->err)) goto done;
    /* the description, then the first K dev examples with their answers */
    char *spaced = text_dup(subject, strlen(subject));
    for (char *c = spaced; c && *c; c++)
        if (*c == '_') *c = ' ';
    text_buf_printf(&head, "The following are multiple choice questions (with answers) about %s.\n\n",
                    spaced ? spaced : subject);
    free(spaced);
    if (t->opt->shots > 0) {
        if (csv_read(dev_path, &dev, t->err, sizeof t->err)) goto done;
        if (dev.n < (size_t)t->opt->shots) {
            snprintf(t->err, sizeof t->err, "%s: %zu examples, --shots %ld asks for more", dev_path, dev.n,
                     t->opt->shots);
            goto done;
        }
        for (long k = 0; k < t->opt->shots; k++) {
            if (check_row(dev_path, &dev.rows[k], t->err, sizeof t->err)) goto done;
            add_question(&head, &dev.rows[k]);
            text_buf_printf(&head, " %s\n\n", letters[answer_index(&dev.rows[k])]);
        }
    }
    size_t n = test.n;
    if (t->opt->limit > 0 && (size_t)t->opt->limit < n) n = (size_t)t->opt->limit;
    if (!(order = eval_item_order(test.n, t->opt->seed))) goto nomem;
    size_t correct = 0;
    for (size_t k = 0; k < n; k++) {
        const csv_row *r = &test.rows[order[k]];
        prompt.len = 0;
        text_buf_add(&prompt, head.s, head.len);
        add_question(&prompt, r);
        if (!prompt.s) goto nomem;
        double ll[4];
        int best = 0;
        for (int c = 0; c < 4; c++) {
            char cont[3] = {' ', letters[c][0], 0};
            int32_t *ctx = NULL, *ct = NULL;
            size_t nc = 0, nt = 0;
            int e = eval_lm_encode_pair(t->lm, prompt.s, cont, &ctx, &nc, &ct, &nt);
            if (!e) e = eval_lm_loglik(t->lm, ctx, nc, ct, nt, &ll[c], NULL);
            free(ctx);
            free(ct);
            if (e) {
                snprintf(t->err, sizeof t->err, "%s:%zu: scoring failed: %s", path, r->line, mote_last_error());
                goto done;
            }
            if (ll[c] > ll[best]) best = c;
        }
        int answer = answer_index(r);
        correct += best == answer;
        (*all_correct) += best == answer;
        (*all_total)++;
        if (t->output) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "subject", subject);
            cJSON_AddNumberToObject(o, "line", (double)r->line);
            cJSON_AddStringToObject(o, "prompt", prompt.s);
            cJSON *lls = cJSON_AddArrayToObject(o, "loglikelihoods");
            for (int c = 0; c < 4; c++) cJSON_AddItemToArray(lls, cJSON_CreateNumber(ll[c]));
            cJSON_AddStringToObject(o, "answer", letters[best]);
            cJSON_AddStringToObject(o, "target", letters[answer]);
            cJSON_AddNumberToObject(o, "acc", best == answer);
            if (eval_output_item(t->output, o)) {
                snprintf(t->err, sizeof t->err, "cannot write the --output file");
                goto done;
            }
        }
        eval_progress_step(p, "acc", (double)*all_correct / (double)*all_total);
    }
    eval_results_add(t->results, subject, "acc", (double)correct / (double)n, (long)n);
    *subject_correct = correct;
    *subject_total = n;
    rc = 0;
    goto done;
nomem:
    snprintf(t->err, sizeof t->err, "out of memory");
done:
    free(order);
    text_buf_free(&head);
    text_buf_free(&prompt);
    csv_free(&test);
    csv_free(&dev);
    return rc;
}

int eval_task_mmlu(eval_task_ctx *t) {
    size_t n_subjects = 0, total_items = 0, correct = 0, total = 0;
    char **subjects = list_subjects(t->data, &n_subjects, t->err, sizeof t->err);
    if (!subjects) return -1;
    int rc = 0;
    /* count the questions first, for the progress line */
    for (size_t s = 0; s < n_subjects && !rc; s++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/test/%s_test.csv", t->data, subjects[s]);
        csv_file f;
        if (csv_read(path, &f, t->err, sizeof t->err)) {
            rc = -1;
            break;
        }
        size_t n = f.n;
        if (t->opt->limit > 0 && (size_t)t->opt->limit < n) n = (size_t)t->opt->limit;
        total_items += n;
        csv_free(&f);
    }
    eval_progress p;
    eval_progress_start(&p, "mmlu", total_items, t->opt->quiet);
    size_t group_correct[4] = {0}, group_total[4] = {0};
    for (size_t s = 0; s < n_subjects && !rc; s++) {
        size_t sc = 0, st = 0;
        rc = run_subject(t, subjects[s], &p, &correct, &total, &sc, &st);
        int g = group_of(subjects[s]);
        if (g >= 0) {
            group_correct[g] += sc;
            group_total[g] += st;
        }
    }
    eval_progress_end(&p);
    /* the overall row and the groups' rows first, then the subjects */
    size_t n_head = 0;
    if (!rc) {
        n_head++;
        eval_results_add(t->results, "", "acc (all subjects)", total ? (double)correct / (double)total : 0,
                         (long)total);
        for (int g = 0; g < 4; g++)
            if (group_total[g]) {
                n_head++;
                eval_results_add(t->results, groups[g], "acc", (double)group_correct[g] / (double)group_total[g],
                                 (long)group_total[g]);
            }
        size_t n_all = t->results->n;
        eval_row *head = malloc(n_head * sizeof *head);
        if (head) {
            memcpy(head, t->results->rows + n_all - n_head, n_head * sizeof *head);
            memmove(t->results->rows + n_head, t->results->rows, (n_all - n_head) * sizeof *head);
            memcpy(t->results->rows, head, n_head * sizeof *head);
            free(head);
        }
    }
    for (size_t s = 0; s < n_subjects; s++) free(subjects[s]);
    free(subjects);
    return rc;
}
