/*
 * cmd_info.c — `mote info MODEL.gguf`: describe a model file.
 *
 * The facts come from the library (mote_gguf_summarize); this file only
 * prints them, for people (aligned text) or for machines (--json, via
 * cJSON). --tensors adds the tensor table. Any error is one line on stderr
 * and exit status 1.
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/fit.h"
#include "cli/options.h"
#include "mote.h"

static const cli_use info_options[] = {
    {CLI_HELP, NULL}, {CLI_MODEL, "the GGUF file (also accepted as the argument)"},
    {CLI_JSON, "print one JSON object (for scripts)"}, {CLI_TENSORS, NULL}, {CLI_OUTPUT, NULL}, {CLI_END, NULL},
};

const cli_command_spec info_spec = {
    "info",
    "mote info [options] MODEL.gguf",
    "Describe a GGUF model file: architecture, parameters, weight types,\n"
    "hyper-parameters and vocabulary.",
    info_options,
    0,
    true,
};

/* "1.13 MiB": a byte count for people. */
static const char *human_bytes(uint64_t n, char *buf, size_t size) {
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)n;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(buf, size, u ? "%.2f %s" : "%.0f %s", v, units[u]);
    return buf;
}

/* "292.5K": a parameter count for people. */
static const char *human_count(uint64_t n, char *buf, size_t size) {
    if (n >= 1000000000) snprintf(buf, size, "%.2fB", n / 1e9);
    else if (n >= 1000000) snprintf(buf, size, "%.2fM", n / 1e6);
    else if (n >= 1000) snprintf(buf, size, "%.1fK", n / 1e3);
    else snprintf(buf, size, "%llu", (unsigned long long)n);
    return buf;
}

/* "[64, 512]": a tensor's shape, innermost (row) dimension first as GGUF stores it. */
static const char *shape_str(const mote_tensor_info *t, char *buf, size_t size) {
    size_t at = (size_t)snprintf(buf, size, "[");
    for (int d = 0; d < t->n_dims && at < size; d++)
        at += (size_t)snprintf(buf + at, size - at, d ? ", %lld" : "%lld", (long long)t->ne[d]);
    if (at < size) snprintf(buf + at, size - at, "]");
    return buf;
}

/* Print a token's text, with control characters escaped so one token stays on one line. */
static void print_token_text(const char *t) {
    putchar('\'');
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
        if (*p == '\n') fputs("\\n", stdout);
        else if (*p < 0x20 || *p == 0x7f) printf("\\x%02x", *p);
        else putchar(*p);
    }
    putchar('\'');
}

static void print_text(const char *path, const mote_gguf *g, const mote_model_summary *s, bool tensors) {
    char a[64], b[64];
    printf("file:             %s\n", path);
    printf("size:             %s (%zu bytes), GGUF v%u\n", human_bytes(s->file_size, a, sizeof a), s->file_size,
           mote_gguf_version(g));
    printf("architecture:     %s\n", s->architecture ? s->architecture : "(not stated)");
    if (s->name) printf("name:             %s\n", s->name);
    printf("parameters:       %s (%llu)\n", human_count(s->n_params, a, sizeof a), (unsigned long long)s->n_params);
    printf("tensors:          %lld, %s\n", (long long)s->n_tensors, human_bytes(s->tensor_bytes, b, sizeof b));
    if (s->n_params) printf("bits per weight:  %.2f\n", s->bits_per_weight);
    for (int t = 0; t < MOTE_TYPE_COUNT; t++)
        if (s->type_count[t])
            printf("  %-8s        %4lld tensor%s, %s\n", mote_type_name(t), (long long)s->type_count[t],
                   s->type_count[t] == 1 ? " " : "s",
                   human_bytes(s->type_bytes[t], a, sizeof a));
    if (s->context_length) printf("context length:   %llu\n", (unsigned long long)s->context_length);
    if (s->embedding_length) printf("embedding size:   %llu\n", (unsigned long long)s->embedding_length);
    if (s->block_count) printf("layers:           %llu\n", (unsigned long long)s->block_count);
    if (s->head_count)
        printf("heads:            %llu (kv heads %llu)\n", (unsigned long long)s->head_count,
               (unsigned long long)(s->head_count_kv ? s->head_count_kv : s->head_count));
    if (s->feed_forward_length) printf("feed-forward:     %llu\n", (unsigned long long)s->feed_forward_length);
    printf("vocabulary:       %s, %llu tokens\n", s->vocab_model ? s->vocab_model : "(none)",
           (unsigned long long)s->vocab_size);
    for (int i = 0; i < s->n_special; i++) {
        const mote_special_token *t = &s->special[i];
        printf("  %-5s token      %lld", t->role, (long long)t->id);
        if (t->text) {
            putchar(' ');
            print_token_text(t->text);
        }
        printf("\n");
    }
    printf("chat template:    %s\n", s->has_chat_template ? "yes" : "no");
    {
        /* a model mote can run: what it needs in memory (cli/fit.h) */
        mote_model_params mp = mote_model_default_params();
        mp.no_repack = mp.no_memory_check = true;
        mote_model *m = NULL;
        if (mote_model_load_with(path, &mp, &m) == MOTE_OK) fit_info_line(m, stdout);
        mote_model_free(m);
    }
    if (!tensors) return;
    printf("\n%-40s %-8s %-24s %s\n", "tensor", "type", "shape", "bytes");
    for (int64_t i = 0; i < mote_gguf_n_tensors(g); i++) {
        const mote_tensor_info *t = mote_gguf_tensor(g, i);
        printf("%-40s %-8s %-24s %zu\n", t->name, mote_type_name(t->type), shape_str(t, a, sizeof a), t->size);
    }
}

/* A number that JSON carries exactly (all our counts are far below 2^53). */
static void add_num(cJSON *o, const char *k, double v) { cJSON_AddItemToObject(o, k, cJSON_CreateNumber(v)); }

/* A hyper-parameter: its value, or null when the file does not state it. */
static void add_opt(cJSON *o, const char *k, uint64_t v) {
    cJSON_AddItemToObject(o, k, v ? cJSON_CreateNumber((double)v) : cJSON_CreateNull());
}

static void add_str(cJSON *o, const char *k, const char *v) {
    cJSON_AddItemToObject(o, k, v ? cJSON_CreateString(v) : cJSON_CreateNull());
}

static cJSON *build_json(const char *path, const mote_gguf *g, const mote_model_summary *s, bool tensors) {
    cJSON *o = cJSON_CreateObject();
    add_str(o, "file", path);
    add_num(o, "file_size", (double)s->file_size);
    add_num(o, "gguf_version", mote_gguf_version(g));
    add_num(o, "alignment", (double)mote_gguf_alignment(g));
    add_str(o, "architecture", s->architecture);
    add_str(o, "name", s->name);
    add_num(o, "n_params", (double)s->n_params);
    add_num(o, "n_tensors", (double)s->n_tensors);
    add_num(o, "tensor_bytes", (double)s->tensor_bytes);
    add_num(o, "bits_per_weight", s->bits_per_weight);
    cJSON *types = cJSON_AddObjectToObject(o, "types");
    for (int t = 0; t < MOTE_TYPE_COUNT; t++) {
        if (!s->type_count[t]) continue;
        cJSON *e = cJSON_AddObjectToObject(types, mote_type_name(t));
        add_num(e, "count", (double)s->type_count[t]);
        add_num(e, "bytes", (double)s->type_bytes[t]);
    }
    add_opt(o, "context_length", s->context_length);
    add_opt(o, "embedding_length", s->embedding_length);
    add_opt(o, "block_count", s->block_count);
    add_opt(o, "head_count", s->head_count);
    add_opt(o, "head_count_kv", s->head_count_kv);
    add_opt(o, "feed_forward_length", s->feed_forward_length);
    add_str(o, "vocab_model", s->vocab_model);
    add_num(o, "vocab_size", (double)s->vocab_size);
    cJSON *special = cJSON_AddObjectToObject(o, "special_tokens");
    for (int i = 0; i < s->n_special; i++) {
        cJSON *e = cJSON_AddObjectToObject(special, s->special[i].role);
        add_num(e, "id", (double)s->special[i].id);
        add_str(e, "text", s->special[i].text);
    }
    cJSON_AddBoolToObject(o, "chat_template", s->has_chat_template);
    if (tensors) {
        cJSON *arr = cJSON_AddArrayToObject(o, "tensors");
        for (int64_t i = 0; i < mote_gguf_n_tensors(g); i++) {
            const mote_tensor_info *t = mote_gguf_tensor(g, i);
            cJSON *e = cJSON_CreateObject();
            add_str(e, "name", t->name);
            add_str(e, "type", mote_type_name(t->type));
            cJSON *shape = cJSON_AddArrayToObject(e, "shape");
            for (int d = 0; d < t->n_dims; d++) cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)t->ne[d]));
            add_num(e, "bytes", (double)t->size);
            add_num(e, "offset", (double)t->offset);
            cJSON_AddItemToArray(arr, e);
        }
    }
    return o;
}

int cmd_info(int argc, char **argv) {
    cli_args a;
    int st = cli_parse(&info_spec, argc, argv, &a);
    if (st >= 0) return st;
    const char *path = a.model;
    const bool json = cli_flag(&a, CLI_JSON), tensors = cli_flag(&a, CLI_TENSORS);
    if (!path) {
        cli_print_help(&info_spec, stderr);
        return 2;
    }
    const char *out_path = cli_str(&a, CLI_OUTPUT, NULL);
    if (out_path && !freopen(out_path, "w", stdout)) {
        fprintf(stderr, "mote info: cannot write '%s'\n", out_path);
        return 1;
    }
    mote_gguf *g;
    if (mote_gguf_open(path, &g) != MOTE_OK) {
        fprintf(stderr, "mote info: %s\n", mote_last_error());
        return 1;
    }
    mote_model_summary s;
    mote_gguf_summarize(g, &s);
    int rc = 0;
    if (json) {
        cJSON *o = build_json(path, g, &s, tensors);
        char *text = o ? cJSON_Print(o) : NULL;
        if (text) {
            printf("%s\n", text);
        } else {
            fprintf(stderr, "mote info: out of memory building JSON\n");
            rc = 1;
        }
        free(text);
        cJSON_Delete(o);
    } else {
        print_text(path, g, &s, tensors);
    }
    mote_gguf_close(g);
    if (fflush(stdout) != 0 && !rc) {
        fprintf(stderr, "mote info: cannot write the output\n");
        rc = 1;
    }
    return rc;
}
