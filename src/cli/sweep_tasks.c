/*
 * sweep_tasks.c — the scores `mote sweep --tasks` adds to a variant besides
 * perplexity: the KL divergence of its next-token distributions from the
 * base model's over --text (llama-perplexity's method, through
 * src/eval/kld.c: the base's log-probabilities are saved once in
 * DIR/kld-base.bin, each variant is compared with them), and the eval
 * tasks (mmlu:N, ifeval:N) through the eval library, scored as `mote eval`
 * scores them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/sweep.h"
#include "eval/eval.h"
#include "eval/kld.h"
#include "mote.h"

/* What the base file depends on: if any of it changes, it is made again. */
static void kld_base_key(const sweep_opts *o, char *buf, size_t size) {
    struct stat st;
    long long model_size = stat(o->model, &st) == 0 ? (long long)st.st_size : -1;
    long long text_size = stat(o->text, &st) == 0 ? (long long)st.st_size : -1;
    snprintf(buf, size, "mote %s; base %s (%lld bytes); text %s (%lld bytes); ctx %d; chunks %d\n", mote_version(),
             o->model, model_size, o->text, text_size, o->n_ctx, o->n_chunks);
}

/* A context for scoring chunks of n_ctx tokens with every position's logits. */
static int scoring_context(mote_model *m, const sweep_opts *o, int32_t n_ctx, mote_context **c) {
    mote_context_params cp = mote_context_default_params();
    cp.n_ctx = n_ctx;
    cp.n_batch = n_ctx;
    cp.n_threads = o->threads;
    cp.all_logits = true;
    return mote_context_new(m, &cp, c);
}

int sweep_make_kld_base(const sweep_opts *o, char *err, size_t err_size) {
    char key[2600], key_path[1200], tmp[1200];
    kld_base_key(o, key, sizeof key);
    snprintf(key_path, sizeof key_path, "%s.key", o->kld_base);
    char *old = cli_read_file(key_path, NULL);
    bool same = old && !strcmp(old, key) && access(o->kld_base, R_OK) == 0;
    free(old);
    if (same) return 0;
    remove(key_path);

    mote_model *m = NULL;
    mote_vocab *v = NULL;
    mote_context *c = NULL;
    int32_t *tokens = NULL;
    size_t n_tokens = 0;
    int rc = 1;
    if (cli_load_model_and_text("sweep", o->model, o->text, &m, &v, &tokens, &n_tokens)) {
        snprintf(err, err_size, "the KLD base: cannot load the base model or the text");
        goto done;
    }
    if (n_tokens < 2 * (size_t)o->n_ctx) {
        snprintf(err, err_size, "KLD: a context of %d needs a text of at least %d tokens; '%s' has only %zu", o->n_ctx,
                 2 * o->n_ctx, o->text, n_tokens);
        goto done;
    }
    if (o->n_chunks > 0 && (size_t)o->n_chunks * (size_t)o->n_ctx < n_tokens)
        n_tokens = (size_t)o->n_chunks * (size_t)o->n_ctx;
    if (scoring_context(m, o, o->n_ctx, &c)) {
        snprintf(err, err_size, "the KLD base: %s", mote_last_error());
        goto done;
    }
    const int32_t bos = mote_vocab_adds_bos(v) ? mote_vocab_bos(v) : -1;
    double ppl, ppl_err;
    snprintf(tmp, sizeof tmp, "%s.tmp", o->kld_base);
    char why[1024];
    if (kld_save_base(m, c, tokens, (int64_t)n_tokens, bos, tmp, NULL, &ppl, &ppl_err, why, sizeof why)) {
        snprintf(err, err_size, "the KLD base: %s", why);
        remove(tmp);
        goto done;
    }
    FILE *f = NULL;
    if (rename(tmp, o->kld_base) || !(f = fopen(key_path, "w")) || fputs(key, f) < 0) {
        snprintf(err, err_size, "cannot write %s: %s", o->kld_base, strerror(errno));
        if (f) fclose(f);
        goto done;
    }
    if (fclose(f)) goto done;
    rc = 0;
done:
    mote_context_free(c);
    free(tokens);
    mote_vocab_free(v);
    mote_model_free(m);
    return rc;
}

/* The variant's KL divergence from the base file. */
static int kld_of(const sweep_opts *o, const char *path, sweep_cell *out, char *err, size_t err_size) {
    char why[1024];
    int32_t n_ctx;
    if (kld_base_n_ctx(o->kld_base, &n_ctx, why, sizeof why)) {
        snprintf(err, err_size, "KLD: %s", why);
        return 1;
    }
    mote_model *m = NULL;
    mote_vocab *v = NULL;
    mote_context *c = NULL;
    int rc = 1;
    if (mote_model_load(path, &m) || mote_vocab_load(mote_model_gguf(m), &v) || scoring_context(m, o, n_ctx, &c)) {
        snprintf(err, err_size, "KLD: %s", mote_last_error());
        goto done;
    }
    kld_result r;
    const int32_t bos = mote_vocab_adds_bos(v) ? mote_vocab_bos(v) : -1;
    if (kld_compare(m, c, bos, o->kld_base, 0, NULL, &r, why, sizeof why)) {
        snprintf(err, err_size, "KLD: %s", why);
        goto done;
    }
    out->has_kld = true;
    out->kld = r.kld_mean, out->kld_p99 = r.kld_p99, out->same_top = r.same_top;
    rc = 0;
done:
    mote_context_free(c);
    mote_vocab_free(v);
    mote_model_free(m);
    return rc;
}

/* One eval task's headline score. */
static int eval_of(const sweep_opts *o, const char *path, const char *task, int limit, double *score, long *items,
                   char *err, size_t err_size) {
    eval_options e;
    eval_options_default(&e);
    e.task = task;
    e.model_path = path;
    e.data = o->eval_data;
    e.limit = limit;
    e.n_threads = o->threads;
    e.chat_template = o->chat_template;
    e.quiet = true;
    if (o->max_tokens > 0) e.max_tokens = o->max_tokens;
    char why[1024];
    if (eval_headline(&e, score, items, why, sizeof why)) {
        snprintf(err, err_size, "%s: %s", task, why);
        return 1;
    }
    return 0;
}

int sweep_score_tasks(const sweep_opts *o, const char *path, sweep_cell *out, char *err, size_t err_size) {
    if (o->task_kld && kld_of(o, path, out, err, err_size)) return 1;
    if (o->mmlu_n > 0) {
        if (eval_of(o, path, "mmlu", o->mmlu_n, &out->mmlu_acc, &out->mmlu_items, err, err_size)) return 1;
        out->has_mmlu = true;
    }
    if (o->ifeval_n > 0) {
        if (eval_of(o, path, "ifeval", o->ifeval_n, &out->ifeval_acc, &out->ifeval_items, err, err_size)) return 1;
        out->has_ifeval = true;
    }
    return 0;
}
