/*
 * cli_util.c — see cli_util.h.
 */
#include "cli/cli_util.h"

#include <cJSON.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *cli_read_file(const char *path, size_t *len) {
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *bigger = realloc(buf, cap *= 2);
            if (!bigger) free(buf);
            buf = bigger;
        }
    }
    bool failed = !buf || ferror(f);
    if (f != stdin) fclose(f);
    if (failed) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

int cli_parse_count(const char *cmd, const char *flag, const char *s, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > INT32_MAX) {
        fprintf(stderr, "mote %s: %s needs a positive whole number, not '%s'\n", cmd, flag, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_load_model_and_text(const char *cmd, const char *model_path, const char *text_path, mote_model **model,
                            mote_vocab **vocab, int32_t **tokens, size_t *n_tokens) {
    size_t text_len;
    char *text = cli_read_file(text_path, &text_len);
    if (!text) {
        fprintf(stderr, "mote %s: cannot read '%s': %s\n", cmd, text_path, strerror(errno));
        return 1;
    }
    int rc = mote_model_load(model_path, model) || mote_vocab_load(mote_model_gguf(*model), vocab) ||
             mote_tokenize_alloc(*vocab, text, text_len, true, false, tokens, n_tokens);
    free(text);
    if (rc) fprintf(stderr, "mote %s: %s\n", cmd, mote_last_error());
    return rc;
}

long cli_text_ctx(const mote_model *model, long n_ctx) {
    if (n_ctx != 0) return n_ctx;
    n_ctx = mote_model_n_ctx_train(model);
    return n_ctx <= 0 || n_ctx > 4096 ? 4096 : n_ctx;
}

const char *cli_stop_reason_name(mote_stop_reason r) {
    switch (r) {
    case MOTE_STOP_EOG: return "eos";
    case MOTE_STOP_CALLER: return "stop";
    case MOTE_STOP_LENGTH: return "length";
    case MOTE_STOP_CONTEXT: return "context";
    case MOTE_STOP_CANCEL: return "cancel";
    case MOTE_STOP_ERROR: return "error";
    default: return "";
    }
}

void cli_warn_ctx(const char *cmd, const mote_model *m, int32_t n_ctx) {
    int32_t train = mote_model_n_ctx_train(m);
    if (train > 0 && n_ctx > train)
        fprintf(stderr,
                "mote %s: warning: the context of %d tokens is larger than the %d the model was trained with; "
                "expect worse text beyond that\n",
                cmd, n_ctx, train);
}

int cli_print_answer_json(FILE *out, const cli_answer *a) {
    cJSON *o = cJSON_CreateObject();
    char *text = malloc(a->len + 1);
    if (!o || !text) {
        cJSON_Delete(o);
        free(text);
        return 1;
    }
    memcpy(text, a->text ? a->text : "", a->len);
    text[a->len] = '\0';
    cJSON_AddStringToObject(o, "text", text);
    free(text);
    cJSON_AddStringToObject(o, "stop_reason", cli_stop_reason_name(a->stop));
    cJSON *calls = a->tool_calls_json ? cJSON_Parse(a->tool_calls_json) : NULL;
    if (calls) cJSON_AddItemToObject(o, "tool_calls", calls);
    cJSON *t = cJSON_AddObjectToObject(o, "tokens");
    cJSON_AddNumberToObject(t, "prompt", a->n_prompt);
    cJSON_AddNumberToObject(t, "generated", a->n_eval);
    cJSON *tm = cJSON_AddObjectToObject(o, "timings");
    cJSON_AddNumberToObject(tm, "load_ms", (double)a->load_ns / 1e6);
    cJSON_AddNumberToObject(tm, "prompt_ms", (double)a->prompt_ns / 1e6);
    cJSON_AddNumberToObject(tm, "eval_ms", (double)a->eval_ns / 1e6);
    cJSON_AddNumberToObject(tm, "prompt_per_second", a->prompt_ns > 0 ? a->n_prompt * 1e9 / (double)a->prompt_ns : 0);
    cJSON_AddNumberToObject(tm, "eval_per_second", a->eval_ns > 0 ? a->n_eval * 1e9 / (double)a->eval_ns : 0);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) return 1;
    fprintf(out, "%s\n", s);
    fflush(out);
    free(s);
    return 0;
}

void cli_print_stop_reason(FILE *out, mote_stop_reason r) { fprintf(out, "%-22s%s\n", "stop reason:", cli_stop_reason_name(r)); }

bool cli_same_file(const char *a, const char *b) {
    if (!strcmp(a, b)) return true;
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return false;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

bool cli_can_write(const char *path) {
    if (access(path, F_OK) == 0) return access(path, W_OK) == 0;
    /* A new file: its directory must take it. */
    const char *slash = strrchr(path, '/');
    if (!slash) return access(".", W_OK | X_OK) == 0;
    if (slash == path) return access("/", W_OK | X_OK) == 0;
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    return access(dir, W_OK | X_OK) == 0;
}

bool cli_text_add(cli_text *b, const char *s, size_t n) {
    if (b->failed) return false;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = true;
            return false;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return true;
}

void cli_text_collect(const char *text, size_t len, void *user) { cli_text_add(user, text, len); }

/* See cli_util.h. */
uint64_t cli_parse_size(const char *s) {
    char *end;
    double v = strtod(s, &end);
    double unit = 1;
    if (*end == 'K' || *end == 'k') unit = 1024, end++;
    else if (*end == 'M' || *end == 'm') unit = 1048576.0, end++;
    else if (*end == 'G' || *end == 'g') unit = 1073741824.0, end++;
    if (*end == 'B' || *end == 'b') end++;
    if (end == s || *end || !(v > 0) || v * unit > 1e15) return 0;
    return (uint64_t)(v * unit);
}
