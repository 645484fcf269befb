/*
 * grammar_options.c — reading the grammar options (see grammar_options.h).
 * A grammar is parsed as soon as its option is read, so a mistake in it is
 * reported before any model is loaded.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/grammar_options.h"

/* Grammars built for this process; freed at exit (so leak checkers see none). */
static mote_grammar *built[8];
static int n_built;

static void free_built(void) {
    for (int k = 0; k < n_built; k++) mote_grammar_free(built[k]);
    n_built = 0;
}

int grammar_options_parse(chat_gen_params *p, const char *cmd, int argc, char **argv, int *i) {
    const char *a = argv[*i];
    bool json_mode = !strcmp(a, "--json-mode");
    bool takes_value = !strcmp(a, "--grammar") || !strcmp(a, "--grammar-file") || !strcmp(a, "--json-schema") ||
                       !strcmp(a, "--json-schema-file");
    if (!json_mode && !takes_value) return 0;
    if (takes_value && *i + 1 >= argc) {
        fprintf(stderr, "mote %s: %s needs a value\n", cmd, a);
        return -1;
    }
    if (p->grammar) {
        fprintf(stderr, "mote %s: give one of --grammar, --grammar-file, --json-mode, --json-schema, --json-schema-file\n", cmd);
        return -1;
    }
    if (n_built == (int)(sizeof built / sizeof *built)) {
        fprintf(stderr, "mote %s: too many grammars\n", cmd);
        return -1;
    }
    const char *value = takes_value ? argv[*i + 1] : NULL;
    char *text = NULL;
    if (!strcmp(a, "--grammar-file") || !strcmp(a, "--json-schema-file")) {
        if (!(text = cli_read_file(value, NULL))) {
            fprintf(stderr, "mote %s: cannot read %s '%s'\n", cmd, a + 2, value);
            return -1;
        }
        value = text;
    }
    mote_grammar *g = NULL;
    int rc = json_mode                         ? mote_grammar_json(&g)
             : !strncmp(a, "--grammar", 9)     ? mote_grammar_parse(value, strlen(value), NULL, &g)
                                               : mote_grammar_from_json_schema(value, strlen(value), &g);
    free(text);
    if (rc) {
        fprintf(stderr, "mote %s: %s: %s\n", cmd, a, mote_last_error());
        return -1;
    }
    if (n_built == 0) atexit(free_built);
    built[n_built++] = g;
    p->grammar = g;
    *i += takes_value ? 2 : 1;
    return 1;
}

void grammar_options_help(FILE *out) {
    fprintf(out, "  %-24s %s\n", "--grammar GBNF", "answer in this grammar (llama.cpp's GBNF)");
    fprintf(out, "  %-24s %s\n", "--grammar-file FILE", "answer in the grammar of a .gbnf file");
    fprintf(out, "  %-24s %s\n", "--json-mode", "answer with a JSON object");
    fprintf(out, "  %-24s %s\n", "--json-schema JSON", "answer with JSON valid under this JSON Schema");
    fprintf(out, "  %-24s %s\n", "--json-schema-file F", "answer with JSON valid under the schema in file F");
}

void grammar_options_report_cut(const char *cmd, int32_t n_predict) {
    fprintf(stderr, "mote %s: the answer was cut at the token limit (-n %d) before the grammar was complete (done_reason: length)\n",
            cmd, n_predict);
}
