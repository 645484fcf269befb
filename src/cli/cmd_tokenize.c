/*
 * cmd_tokenize.c — `mote tokenize`: show how a model's vocabulary cuts text
 * into tokens.
 *
 *   mote tokenize -m MODEL [-p TEXT | -f FILE] [--ids] [--no-bos] [--parse-special] [--json]
 *
 * Default output: one line per token, `id 'piece'` (the piece with control
 * characters and bytes that are not whole UTF-8 characters escaped).
 * --ids prints only the list of ids, --json an object with ids and pieces.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "mote.h"
#include "tokenizer/utf8.h"

static const cli_use tokenize_options[] = {
    {CLI_HELP, NULL}, {CLI_MODEL, "the GGUF file (only its vocabulary is read; also accepted as the first argument)"},
    {CLI_PROMPT, "the text (also: the words after the model)"},
    {CLI_FILE, "read the text from FILE ('-' for standard input)"}, {CLI_IDS, NULL},
    {CLI_NO_BOS, "do not add BOS/EOS even if the vocabulary asks for them"},
    {CLI_PARSE_SPECIAL, "recognise control tokens written in the text (<|im_start|>, ...)"},
    {CLI_JSON, "print JSON: {\"n_tokens\": N, \"tokens\": [{\"id\": .., \"piece\": ..}]}"}, {CLI_OUTPUT, NULL},
    {CLI_END, NULL},
};

const cli_command_spec tokenize_spec = {
    "tokenize",
    "mote tokenize MODEL [TEXT] [options]\n       mote tokenize -m MODEL [-p TEXT | -f FILE] [options]",
    "Print the tokens a model's vocabulary makes of a text.",
    tokenize_options,
    CLI_MAX_POSITIONAL,
    true,
};

/* The piece as printable text: \n, \t, \\ and quotes escaped; bytes that are
 * control characters or not part of a valid UTF-8 character as \xNN. */
static char *escape_piece(const char *p, size_t n, bool for_json) {
    char *out = malloc(4 * n + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x80) {
            uint32_t cp;
            size_t k = utf8_decode(p + i, n - i, &cp);
            if (cp != 0xFFFD || (k == 3 && !memcmp(p + i, "\xef\xbf\xbd", 3))) {
                memcpy(out + o, p + i, k);
                o += k;
                i += k;
                continue;
            }
            o += (size_t)sprintf(out + o, "\\x%02x", c);
            i++;
            continue;
        }
        if (!for_json && (c == '\n' || c == '\t' || c == '\r' || c == '\\')) {
            out[o++] = '\\';
            out[o++] = c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : '\\';
        } else if (c < 0x20 || c == 0x7F) {
            if (for_json) out[o++] = (char)c; /* cJSON escapes these itself */
            else o += (size_t)sprintf(out + o, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
        i++;
    }
    out[o] = '\0';
    return out;
}

/* Print ids and pieces as one JSON object; 0 on success. */
static int print_json(const mote_vocab *v, const int32_t *ids, size_t n) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "n_tokens", (double)n);
    cJSON *arr = cJSON_AddArrayToObject(root, "tokens");
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *piece = mote_token_piece(v, ids[i], &len);
        char *esc = escape_piece(piece, len, true);
        cJSON *t = cJSON_CreateObject();
        cJSON_AddNumberToObject(t, "id", ids[i]);
        cJSON_AddStringToObject(t, "piece", esc ? esc : "");
        cJSON_AddItemToArray(arr, t);
        free(esc);
    }
    char *s = cJSON_PrintUnformatted(root);
    if (s) printf("%s\n", s);
    free(s);
    cJSON_Delete(root);
    return s ? 0 : 1;
}

/* The command: parse options, load the vocabulary, tokenize, print. */
int cmd_tokenize(int argc, char **argv) {
    cli_args a;
    int st = cli_parse(&tokenize_spec, argc, argv, &a);
    if (st >= 0) return st;
    const char *model = a.model, *prompt = cli_str(&a, CLI_PROMPT, NULL), *file = cli_str(&a, CLI_FILE, NULL);
    const bool ids_only = cli_flag(&a, CLI_IDS), no_bos = cli_flag(&a, CLI_NO_BOS);
    const bool parse_special = cli_flag(&a, CLI_PARSE_SPECIAL), json = cli_flag(&a, CLI_JSON);
    char *words = cli_join_positional(&a);
    if (words && (prompt || file)) {
        fprintf(stderr, "mote tokenize: give the text as words after the model or with -p/-f, not both\n");
        free(words);
        return 2;
    }
    if (words) prompt = words;
    const char *out_path = cli_str(&a, CLI_OUTPUT, NULL);
    if (out_path && !freopen(out_path, "w", stdout)) {
        fprintf(stderr, "mote tokenize: cannot write '%s'\n", out_path);
        free(words);
        return 1;
    }
    if (!model) {
        fprintf(stderr, "mote tokenize: no model given (mote tokenize MODEL TEXT, or -m MODEL)\n");
        return 2;
    }
    if (prompt && file) {
        fprintf(stderr, "mote tokenize: give the text with -p or -f, not both\n");
        return 2;
    }
    if (!prompt && !file) {
        fprintf(stderr, "mote tokenize: no text given (-p TEXT or -f FILE)\n");
        return 2;
    }

    char *owned = words; /* the text, when it came as words */
    size_t len;
    if (file) {
        owned = cli_read_file(file, &len);
        if (!owned) {
            fprintf(stderr, "mote tokenize: cannot read '%s'\n", file);
            return 1;
        }
    } else {
        len = strlen(prompt);
    }
    const char *text = owned ? owned : prompt;

    mote_gguf *g = NULL;
    mote_vocab *v = NULL;
    int32_t *ids = NULL;
    size_t n = 0;
    int status = 1;
    if (mote_gguf_open(model, &g) || mote_vocab_load(g, &v) ||
        mote_tokenize_alloc(v, text, len, !no_bos, parse_special, &ids, &n)) {
        fprintf(stderr, "mote tokenize: %s\n", mote_last_error());
        goto done;
    }
    if (json) {
        status = print_json(v, ids, n);
        goto done;
    }
    if (ids_only) {
        putchar('[');
        for (size_t i = 0; i < n; i++) printf(i ? ", %d" : "%d", ids[i]);
        printf("]\n");
    } else {
        for (size_t i = 0; i < n; i++) {
            size_t plen;
            const char *piece = mote_token_piece(v, ids[i], &plen);
            char *esc = escape_piece(piece, plen, false);
            printf("%6d '%s'\n", ids[i], esc ? esc : "");
            free(esc);
        }
    }
    status = 0;
done:
    free(ids);
    mote_vocab_free(v);
    mote_gguf_close(g);
    free(owned);
    return status;
}
