/*
 * jinja_render.c — a test tool: render a Jinja chat template file with the
 * variables of a JSON file through mote's interpreter, printing the text
 * (exactly, no newline added) or the error on stderr with exit status 1.
 * tests/chat/jinja_conformance.py compares it with Python's jinja2.
 *
 *   jinja_render TEMPLATE VARS.json [NOW_EPOCH_SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mote.h"

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s) s[n] = '\0';
    fclose(f);
    return s;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: jinja_render TEMPLATE VARS.json [NOW]\n");
        return 2;
    }
    char *src = slurp(argv[1]), *vars = slurp(argv[2]);
    if (!src || !vars) {
        fprintf(stderr, "cannot read %s\n", !src ? argv[1] : argv[2]);
        return 2;
    }
    int64_t now = argc > 3 ? strtoll(argv[3], NULL, 10) : 0;
    mote_chat_jinja *t;
    char *out = NULL;
    int rc = mote_chat_jinja_parse(src, &t);
    if (rc == MOTE_OK) {
        rc = mote_chat_jinja_render_vars(t, vars, now, &out);
        mote_chat_jinja_free(t);
    }
    free(src);
    free(vars);
    if (rc != MOTE_OK) {
        fprintf(stderr, "%s\n", mote_last_error());
        return 1;
    }
    fwrite(out, 1, strlen(out), stdout);
    free(out);
    return 0;
}
