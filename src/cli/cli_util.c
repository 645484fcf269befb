/*
 * cli_util.c — see cli_util.h.
 */
#include "cli/cli_util.h"

#include <errno.h>
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
