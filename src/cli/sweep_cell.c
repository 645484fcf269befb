/*
 * sweep_cell.c — one cell of `mote sweep`: every measurement of one
 * quantized variant, and the JSON file that keeps it in DIR/cells/ so an
 * interrupted sweep resumes where it stopped. The speed tests are
 * llama-bench's (ppP: a batch of P tokens from an empty cache; tgN: N
 * single-token steps), after one warm-up run, metered as a whole. The
 * other scores (KLD, eval tasks) are sweep_tasks.c's, llama-bench's
 * numbers sweep_compare.c's.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli_util.h"
#include "cli/sweep.h"
#include "core/clock.h"
#include "mote.h"

void sweep_settings_key(const sweep_opts *o, char *buf, size_t size) {
    struct stat st;
    long long model_size = stat(o->model, &st) == 0 ? (long long)st.st_size : -1;
    snprintf(buf, size,
             "mote %s; model %s (%lld bytes); threads %d; pp %d; tg %d; reps %d; ppl %s; kld %s (ctx %d, chunks %d); "
             "mmlu %d, ifeval %d (data %s, max tokens %ld, template %s); imatrix %s; llama-bench %s",
             mote_version(), o->model, model_size, o->threads, o->n_prompt, o->n_gen, o->reps,
             o->task_ppl ? o->text : "no", o->task_kld ? o->text : "no", o->n_ctx, o->n_chunks, o->mmlu_n, o->ifeval_n,
             o->eval_data ? o->eval_data : "none", o->max_tokens,
             o->chat_template ? o->chat_template : "the model's", o->imatrix ? o->imatrix : "none",
             o->llama_bench ? o->llama_bench : "no");
}

/* One timed repetition of a speed test from an empty cache. */
static int speed_once(mote_context *c, const int32_t *tokens, int n_prompt, int n_gen) {
    const float *logits;
    mote_context_reset(c);
    if (n_prompt > 0) return mote_decode(c, tokens, n_prompt, false, &logits);
    for (int i = 0; i < n_gen; i++) {
        int rc = mote_decode(c, &tokens[i], 1, false, &logits);
        if (rc) return rc;
    }
    return MOTE_OK;
}

/* A speed test: warm-up, then reps metered repetitions; tokens/s and the cost. */
static int speed_test(mote_model *m, mote_meter *meter, const sweep_opts *o, const int32_t *tokens, int n_prompt,
                      int n_gen, double *tps, mote_meter_report *cost) {
    mote_context_params cp = mote_context_default_params();
    int need = n_prompt > n_gen ? n_prompt : n_gen;
    cp.n_ctx = need < 16 ? 16 : need;
    cp.n_batch = n_prompt > 0 ? n_prompt : 1;
    cp.n_threads = o->threads;
    mote_context *c;
    int rc = mote_context_new(m, &cp, &c);
    if (rc) return rc;
    rc = speed_once(c, tokens, n_prompt, n_gen);
    mote_meter_start(meter);
    for (int i = 0; i < o->reps && !rc; i++) rc = speed_once(c, tokens, n_prompt, n_gen);
    mote_meter_stop(meter, cost);
    mote_context_free(c);
    int n = (n_prompt + n_gen) * o->reps;
    *tps = cost->wall_s > 0 ? n / cost->wall_s : 0;
    return rc;
}

static int perplexity_of(mote_model *m, const sweep_opts *o, double *ppl, double *err_out, char *err, size_t err_size) {
    size_t len, n_tokens;
    char *text = cli_read_file(o->text, &len);
    if (!text) {
        snprintf(err, err_size, "cannot read '%s': %s", o->text, strerror(errno));
        return 1;
    }
    mote_vocab *v = NULL;
    int32_t *tokens = NULL;
    mote_context *c = NULL;
    int rc = mote_vocab_load(mote_model_gguf(m), &v);
    if (!rc) rc = mote_tokenize_alloc(v, text, len, true, false, &tokens, &n_tokens);
    free(text);
    if (!rc) {
        mote_context_params cp = mote_context_default_params();
        cp.n_ctx = o->n_ctx;
        cp.n_batch = o->n_ctx;
        cp.n_threads = o->threads;
        cp.all_logits = true;
        rc = mote_context_new(m, &cp, &c);
    }
    if (!rc) {
        if (o->n_chunks > 0 && (size_t)o->n_chunks * (size_t)o->n_ctx < n_tokens)
            n_tokens = (size_t)o->n_chunks * (size_t)o->n_ctx;
        int32_t bos = mote_vocab_adds_bos(v) ? mote_vocab_bos(v) : -1;
        rc = mote_perplexity(c, tokens, (int64_t)n_tokens, bos, NULL, NULL, ppl, err_out);
    }
    if (rc) snprintf(err, err_size, "perplexity: %s", mote_last_error());
    mote_context_free(c);
    free(tokens);
    mote_vocab_free(v);
    return rc;
}

int sweep_measure(const sweep_opts *o, const char *type, const char *path, sweep_cell *out, char *err, size_t err_size) {
    memset(out, 0, sizeof *out);
    snprintf(out->type, sizeof out->type, "%s", type);
    snprintf(out->file, sizeof out->file, "%s", path);
    sweep_settings_key(o, out->settings, sizeof out->settings);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out->measured_at, sizeof out->measured_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    out->threads = o->threads, out->pp_tokens = o->n_prompt, out->tg_tokens = o->n_gen;
    out->tg_g_co2_per_1k_tokens = -1;

    mote_gguf *g;
    if (mote_gguf_open(path, &g)) {
        snprintf(err, err_size, "%s", mote_last_error());
        return 1;
    }
    mote_model_summary sum;
    mote_gguf_summarize(g, &sum);
    out->size_bytes = sum.file_size, out->n_params = sum.n_params, out->bpw = sum.bits_per_weight;
    mote_gguf_close(g);

    mote_meter *meter = NULL;
    mote_model *m = NULL;
    int32_t *tokens = NULL;
    int64_t t0 = mote_now_ns();
    int rc = 1;
    if (mote_model_load(path, &m)) {
        snprintf(err, err_size, "%s", mote_last_error());
        goto done;
    }
    out->load_ms = (double)(mote_now_ns() - t0) / 1e6;
    if (cli_meter_open(&o->meter, "sweep", false, &meter)) {
        snprintf(err, err_size, "cannot open the meter");
        goto done;
    }
    int max_tok = o->n_prompt > o->n_gen ? o->n_prompt : o->n_gen;
    tokens = malloc((size_t)(max_tok > 0 ? max_tok : 1) * sizeof *tokens);
    if (!tokens) {
        snprintf(err, err_size, "out of memory");
        goto done;
    }
    uint64_t x = 0x2545F4914F6CDD1Dull; /* the same random tokens as mote bench */
    for (int i = 0; i < max_tok; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        tokens[i] = (int32_t)(x % (uint64_t)mote_model_n_vocab(m));
    }
    mote_meter_report pp = {0}, tg = {0};
    if ((o->n_prompt > 0 && speed_test(m, meter, o, tokens, o->n_prompt, 0, &out->pp_tps, &pp)) ||
        (o->n_gen > 0 && speed_test(m, meter, o, tokens, 0, o->n_gen, &out->tg_tps, &tg))) {
        snprintf(err, err_size, "%s", mote_last_error());
        goto done;
    }
    double cpu = pp.cpu_s + tg.cpu_s, wall = pp.wall_s + tg.wall_s;
    out->cpu_percent = wall > 0 ? 100 * cpu / wall : 0;
    snprintf(out->energy_source, sizeof out->energy_source, "%s", mote_meter_source(meter));
    out->has_energy = (o->n_prompt <= 0 || pp.has_energy) && (o->n_gen <= 0 || tg.has_energy) && (o->n_prompt > 0 || o->n_gen > 0);
    if (out->has_energy) {
        out->watts = wall > 0 ? (pp.joules + tg.joules) / wall : 0;
        out->pp_j_per_token = mote_meter_joules_per_token(&pp, (int64_t)o->n_prompt * o->reps);
        out->tg_j_per_token = mote_meter_joules_per_token(&tg, (int64_t)o->n_gen * o->reps);
        if (o->meter.grid_g_per_kwh > 0)
            out->tg_g_co2_per_1k_tokens = out->tg_j_per_token * 1000 / 3.6e6 * o->meter.grid_g_per_kwh;
    }
    if (o->task_ppl) {
        if (perplexity_of(m, o, &out->ppl, &out->ppl_err, err, err_size)) goto done;
        out->has_ppl = true;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    out->peak_rss_bytes = (uint64_t)ru.ru_maxrss * 1024; /* before the tasks below load models of their own */
    mote_model_free(m);
    m = NULL;
    if (sweep_score_tasks(o, path, out, err, err_size)) goto done;
    if (o->llama_bench && sweep_llama_bench(o, path, out, err, err_size)) goto done;
    rc = 0;
done:
    free(tokens);
    mote_meter_free(meter);
    mote_model_free(m);
    return rc;
}

/* ---- the cell file -------------------------------------------------------------- */

int sweep_cell_save(const sweep_cell *c, const char *path) {
    cJSON *j = cJSON_CreateObject();
    if (!j) return 1;
    cJSON_AddStringToObject(j, "type", c->type);
    cJSON_AddStringToObject(j, "file", c->file);
    cJSON_AddStringToObject(j, "settings", c->settings);
    cJSON_AddStringToObject(j, "measured_at", c->measured_at);
    cJSON_AddNumberToObject(j, "size_bytes", (double)c->size_bytes);
    cJSON_AddNumberToObject(j, "n_params", (double)c->n_params);
    cJSON_AddNumberToObject(j, "bpw", c->bpw);
    cJSON_AddNumberToObject(j, "load_ms", c->load_ms);
    cJSON_AddNumberToObject(j, "peak_rss_bytes", (double)c->peak_rss_bytes);
    cJSON_AddNumberToObject(j, "threads", c->threads);
    cJSON_AddNumberToObject(j, "pp_tokens", c->pp_tokens);
    cJSON_AddNumberToObject(j, "pp_tps", c->pp_tps);
    cJSON_AddNumberToObject(j, "tg_tokens", c->tg_tokens);
    cJSON_AddNumberToObject(j, "tg_tps", c->tg_tps);
    cJSON_AddNumberToObject(j, "cpu_percent", c->cpu_percent);
    cJSON_AddStringToObject(j, "energy_source", c->energy_source);
    if (c->has_energy) {
        cJSON_AddNumberToObject(j, "watts", c->watts);
        cJSON_AddNumberToObject(j, "pp_j_per_token", c->pp_j_per_token);
        cJSON_AddNumberToObject(j, "tg_j_per_token", c->tg_j_per_token);
    }
    if (c->tg_g_co2_per_1k_tokens >= 0) cJSON_AddNumberToObject(j, "tg_g_co2_per_1k_tokens", c->tg_g_co2_per_1k_tokens);
    if (c->has_ppl) {
        cJSON_AddNumberToObject(j, "ppl", c->ppl);
        cJSON_AddNumberToObject(j, "ppl_err", c->ppl_err);
    }
    if (c->has_kld) {
        cJSON_AddNumberToObject(j, "kld", c->kld);
        cJSON_AddNumberToObject(j, "kld_p99", c->kld_p99);
        cJSON_AddNumberToObject(j, "same_top", c->same_top);
    }
    if (c->has_mmlu) {
        cJSON_AddNumberToObject(j, "mmlu_acc", c->mmlu_acc);
        cJSON_AddNumberToObject(j, "mmlu_items", (double)c->mmlu_items);
    }
    if (c->has_ifeval) {
        cJSON_AddNumberToObject(j, "ifeval_acc", c->ifeval_acc);
        cJSON_AddNumberToObject(j, "ifeval_items", (double)c->ifeval_items);
    }
    if (c->has_llama) {
        cJSON_AddNumberToObject(j, "llama_pp_tps", c->llama_pp_tps);
        cJSON_AddNumberToObject(j, "llama_tg_tps", c->llama_tg_tps);
        cJSON_AddNumberToObject(j, "llama_peak_rss_bytes", (double)c->llama_peak_rss_bytes);
    }
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    if (!text) return 1;
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int rc = !f || fputs(text, f) < 0 || fputc('\n', f) == EOF;
    if (f && fclose(f)) rc = 1;
    free(text);
    if (!rc && rename(tmp, path)) rc = 1;
    if (rc) remove(tmp);
    return rc;
}

static double num(const cJSON *j, const char *key, bool *present) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    if (present) *present = cJSON_IsNumber(v);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void str(const cJSON *j, const char *key, char *buf, size_t size) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    snprintf(buf, size, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

int sweep_cell_load(const char *path, sweep_cell *c) {
    size_t len;
    char *text = cli_read_file(path, &len);
    if (!text) return 1;
    cJSON *j = cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return 1;
    }
    memset(c, 0, sizeof *c);
    str(j, "type", c->type, sizeof c->type);
    str(j, "file", c->file, sizeof c->file);
    str(j, "settings", c->settings, sizeof c->settings);
    str(j, "measured_at", c->measured_at, sizeof c->measured_at);
    str(j, "energy_source", c->energy_source, sizeof c->energy_source);
    bool ok;
    c->size_bytes = (uint64_t)num(j, "size_bytes", &ok);
    c->n_params = (uint64_t)num(j, "n_params", NULL);
    c->bpw = num(j, "bpw", NULL);
    c->load_ms = num(j, "load_ms", NULL);
    c->peak_rss_bytes = (uint64_t)num(j, "peak_rss_bytes", NULL);
    c->threads = (int)num(j, "threads", NULL);
    c->pp_tokens = (int)num(j, "pp_tokens", NULL);
    c->pp_tps = num(j, "pp_tps", NULL);
    c->tg_tokens = (int)num(j, "tg_tokens", NULL);
    c->tg_tps = num(j, "tg_tps", NULL);
    c->cpu_percent = num(j, "cpu_percent", NULL);
    c->watts = num(j, "watts", &c->has_energy);
    c->pp_j_per_token = num(j, "pp_j_per_token", NULL);
    c->tg_j_per_token = num(j, "tg_j_per_token", NULL);
    bool co2;
    c->tg_g_co2_per_1k_tokens = num(j, "tg_g_co2_per_1k_tokens", &co2);
    if (!co2) c->tg_g_co2_per_1k_tokens = -1;
    c->ppl = num(j, "ppl", &c->has_ppl);
    c->ppl_err = num(j, "ppl_err", NULL);
    c->kld = num(j, "kld", &c->has_kld);
    c->kld_p99 = num(j, "kld_p99", NULL);
    c->same_top = num(j, "same_top", NULL);
    c->mmlu_acc = num(j, "mmlu_acc", &c->has_mmlu);
    c->mmlu_items = (long)num(j, "mmlu_items", NULL);
    c->ifeval_acc = num(j, "ifeval_acc", &c->has_ifeval);
    c->ifeval_items = (long)num(j, "ifeval_items", NULL);
    c->llama_pp_tps = num(j, "llama_pp_tps", &c->has_llama);
    c->llama_tg_tps = num(j, "llama_tg_tps", NULL);
    c->llama_peak_rss_bytes = (uint64_t)num(j, "llama_peak_rss_bytes", NULL);
    cJSON_Delete(j);
    return ok && c->type[0] ? 0 : 1;
}
