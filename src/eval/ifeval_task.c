/*
 * ifeval_task.c — the `ifeval` task: each prompt answered by the model
 * (greedy, in its chat template, as lm-eval's ifeval task generates) or
 * taken from --responses, then checked strictly and loosely; the four
 * accuracies of the paper and per-instruction-group accuracies.
 */
#include <stdlib.h>
#include <string.h>

#include "eval/ifeval.h"
#include "eval/tasks.h"
#include "eval/text.h"

/* The response for a prompt in the responses file, or NULL. */
static const char *find_response(const jsonl_file *f, const char *prompt) {
    for (size_t i = 0; i < f->n; i++) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(f->rows[i], "prompt");
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(f->rows[i], "response");
        if (cJSON_IsString(p) && cJSON_IsString(r) && !strcmp(p->valuestring, prompt)) return r->valuestring;
    }
    return NULL;
}

/* The model's answer to one prompt as a single user turn of its chat template. */
static int generate(eval_task_ctx *t, const char *prompt, char **out) {
    eval_lm *lm = t->lm;
    const char *fmt;
    if (mote_chat_template_for_model(mote_model_gguf(lm->model), t->opt->chat_template, &fmt)) {
        snprintf(t->err, sizeof t->err, "%s", mote_last_error());
        return -1;
    }
    mote_chat_options co = mote_chat_options_default();
    mote_chat_options_from_gguf(mote_model_gguf(lm->model), &co);
    co.enable_thinking = false;
    mote_chat_message m = {"user", prompt};
    char *text = NULL;
    if (mote_chat_format(fmt, &m, 1, true, &co, &text)) {
        snprintf(t->err, sizeof t->err, "%s", mote_last_error());
        return -1;
    }
    /* the vocabulary adds BOS itself: skip the template's copy */
    const char *body = text;
    if (mote_vocab_adds_bos(lm->vocab) && co.bos_token && co.bos_token[0] &&
        !strncmp(body, co.bos_token, strlen(co.bos_token)))
        body += strlen(co.bos_token);
    int32_t *toks = NULL;
    size_t n = 0;
    int rc = eval_lm_tokenize(lm, body, true, true, &toks, &n);
    free(text);
    if (!rc) rc = eval_lm_generate(lm, toks, n, t->opt->max_tokens, NULL, out);
    free(toks);
    if (rc) snprintf(t->err, sizeof t->err, "generation failed: %s", mote_last_error());
    return rc ? -1 : 0;
}

/* Per-group totals ("keywords", "detectable_format", ...). */
typedef struct {
    char name[48];
    size_t n, strict, loose;
} group_total;

static void add_group(group_total *g, size_t *n_groups, const char *id, bool strict, bool loose) {
    const char *colon = strchr(id, ':');
    size_t len = colon ? (size_t)(colon - id) : strlen(id);
    if (len >= sizeof g[0].name) len = sizeof g[0].name - 1;
    size_t i = 0;
    while (i < *n_groups && (strlen(g[i].name) != len || strncmp(g[i].name, id, len))) i++;
    if (i == *n_groups) {
        memcpy(g[i].name, id, len);
        g[i].name[len] = '\0';
        (*n_groups)++;
    }
    g[i].n++;
    g[i].strict += strict;
    g[i].loose += loose;
}

int eval_task_ifeval(eval_task_ctx *t) {
    ifeval_data d;
    jsonl_file responses = {0};
    size_t *order = NULL;
    int rc = -1;
    if (ifeval_load(t->data, &d, t->err, sizeof t->err)) return -1;
    if (t->opt->responses) {
        if (jsonl_read(t->opt->responses, &responses, t->err, sizeof t->err)) goto done;
        for (size_t i = 0; i < responses.n; i++)
            if (!jsonl_str(&responses, i, t->opt->responses, "prompt", t->err, sizeof t->err) ||
                !jsonl_str(&responses, i, t->opt->responses, "response", t->err, sizeof t->err))
                goto done;
    }
    size_t n = d.n;
    if (t->opt->limit > 0 && (size_t)t->opt->limit < n) n = (size_t)t->opt->limit;
    order = eval_item_order(d.n, t->opt->seed);
    if (!order) {
        snprintf(t->err, sizeof t->err, "out of memory");
        goto done;
    }
    ifeval_totals tot = {0};
    group_total groups[16] = {0};
    size_t n_groups = 0;
    eval_progress p;
    eval_progress_start(&p, "ifeval", n, t->opt->quiet);
    for (size_t k = 0; k < n; k++) {
        const ifeval_item *it = &d.items[order[k]];
        char *generated = NULL;
        const char *response;
        if (t->opt->responses) {
            response = find_response(&responses, it->prompt);
            if (!response) {
                snprintf(t->err, sizeof t->err, "%s: no response for the prompt of key %ld (%s line %zu)",
                         t->opt->responses, it->key, t->data, it->line);
                goto done;
            }
        } else {
            if (generate(t, it->prompt, &generated)) goto done;
            response = generated;
        }
        bool strict[64], loose[64];
        if (it->n > 64) {
            snprintf(t->err, sizeof t->err, "%s:%zu: more than 64 instructions", t->data, it->line);
            free(generated);
            goto done;
        }
        char why[512];
        if (ifeval_check(it, response, strict, loose, why, sizeof why)) {
            snprintf(t->err, sizeof t->err, "%s:%zu: %s", t->data, it->line, why);
            free(generated);
            goto done;
        }
        ifeval_totals_add(&tot, it->n, strict, loose);
        for (size_t i = 0; i < it->n && n_groups < 16; i++) add_group(groups, &n_groups, it->ids[i], strict[i], loose[i]);
        if (t->output) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "key", (double)it->key);
            cJSON_AddStringToObject(o, "prompt", it->prompt);
            cJSON_AddStringToObject(o, "response", response);
            cJSON *ids = cJSON_AddArrayToObject(o, "instruction_id_list");
            cJSON *fs = cJSON_AddArrayToObject(o, "follow_instruction_list_strict");
            cJSON *fl = cJSON_AddArrayToObject(o, "follow_instruction_list_loose");
            bool all_s = true, all_l = true;
            for (size_t i = 0; i < it->n; i++) {
                cJSON_AddItemToArray(ids, cJSON_CreateString(it->ids[i]));
                cJSON_AddItemToArray(fs, cJSON_CreateBool(strict[i]));
                cJSON_AddItemToArray(fl, cJSON_CreateBool(loose[i]));
                all_s = all_s && strict[i];
                all_l = all_l && loose[i];
            }
            cJSON_AddBoolToObject(o, "follow_all_instructions_strict", all_s);
            cJSON_AddBoolToObject(o, "follow_all_instructions_loose", all_l);
            if (eval_output_item(t->output, o)) {
                snprintf(t->err, sizeof t->err, "cannot write the --output file");
                free(generated);
                goto done;
            }
        }
        free(generated);
        eval_progress_step(&p, "strict prompt acc", (double)tot.strict_prompts / (double)tot.prompts);
    }
    eval_progress_end(&p);
    eval_results_add(t->results, "", "prompt_level_strict_acc", (double)tot.strict_prompts / (double)tot.prompts,
                     (long)tot.prompts);
    eval_results_add(t->results, "", "inst_level_strict_acc",
                     (double)tot.strict_instructions / (double)tot.instructions, (long)tot.instructions);
    eval_results_add(t->results, "", "prompt_level_loose_acc", (double)tot.loose_prompts / (double)tot.prompts,
                     (long)tot.prompts);
    eval_results_add(t->results, "", "inst_level_loose_acc", (double)tot.loose_instructions / (double)tot.instructions,
                     (long)tot.instructions);
    for (size_t g = 0; g < n_groups; g++) {
        eval_results_add(t->results, groups[g].name, "inst_level_strict_acc",
                         (double)groups[g].strict / (double)groups[g].n, (long)groups[g].n);
        eval_results_add(t->results, groups[g].name, "inst_level_loose_acc",
                         (double)groups[g].loose / (double)groups[g].n, (long)groups[g].n);
    }
    rc = 0;
done:
    free(order);
    jsonl_free(&responses);
    ifeval_free(&d);
    return rc;
}
