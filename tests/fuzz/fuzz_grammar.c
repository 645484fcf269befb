/*
 * fuzz_grammar.c — libFuzzer harness for the grammar parser, the JSON Schema
 * converter and the tool-call reader.
 *
 * The first byte chooses what the rest is:
 *   0  GBNF text: it parses or fails with a one-line message; a grammar that
 *      parses is run over the text itself and over a few fixed strings;
 *   1  a JSON Schema: it converts (and the GBNF it gives must then parse) or
 *      fails with a message;
 *   2  an answer: read as tool calls in each format (every call has a name
 *      and JSON arguments);
 *   3  GBNF, then a NUL byte, then text to match (a grammar and its input);
 *   4  a tools array: the grammar of a forced call (any tool) must parse.
 * Seed corpus: tests/fuzz/grammar_seeds (with the inputs that once failed).
 */
#include <stdlib.h>
#include <string.h>

#include "mote.h"

#define CHECK(cond)                    \
    do {                               \
        if (!(cond)) __builtin_trap(); \
    } while (0)

static void message_is_one_line(void) {
    const char *e = mote_last_error();
    CHECK(e[0] != '\0');
    CHECK(strchr(e, '\n') == NULL);
}

static void run_grammar(const char *text, size_t len, const char *input, size_t input_len) {
    mote_grammar *g = NULL;
    if (mote_grammar_parse(text, len, NULL, &g) != MOTE_OK) {
        CHECK(g == NULL);
        message_is_one_line();
        return;
    }
    static const char *const probes[] = {"", "a", "{\"a\": [1, 2]}", "1+2=3\n", "\xe3\x81\x82\xf0\x9f\x98\x80"};
    for (size_t i = 0; i < sizeof probes / sizeof *probes; i++) (void)mote_grammar_matches(g, probes[i], strlen(probes[i]));
    (void)mote_grammar_matches(g, input, input_len);
    mote_grammar_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    switch (data[0] % 5) {
    case 0: run_grammar(text, len, text, len); break;
    case 1: {
        char *gbnf = NULL;
        if (mote_json_schema_to_gbnf(text, len, &gbnf) != MOTE_OK) {
            CHECK(gbnf == NULL);
            message_is_one_line();
            break;
        }
        mote_grammar *g = NULL;
        /* the converter's output parses unless the schema itself loops ($ref to itself first) */
        if (mote_grammar_parse(gbnf, strlen(gbnf), NULL, &g) == MOTE_OK) {
            (void)mote_grammar_matches(g, "{}", 2);
            mote_grammar_free(g);
        } else {
            message_is_one_line(); /* a schema that loops ($ref to itself first), or bytes that are not UTF-8 */
        }
        free(gbnf);
        break;
    }
    case 2: {
        static const char *const formats[] = {"hermes", "llama3", "phi4-mini", "mistral"};
        for (int f = 0; f < 4; f++) {
            mote_tool_calls calls;
            CHECK(mote_tool_calls_parse(formats[f], text, len, &calls) == MOTE_OK);
            CHECK(calls.content != NULL);
            for (size_t i = 0; i < calls.n_calls; i++) CHECK(calls.calls[i].name && calls.calls[i].arguments);
            mote_tool_calls_free(&calls);
        }
        break;
    }
    case 4: {
        static const char *const formats[] = {"hermes", "llama3", "phi4-mini", "mistral"};
        char *gbnf = NULL;
        if (mote_tool_call_gbnf(formats[data[0] / 5 % 4], text, len, NULL, &gbnf) != MOTE_OK) {
            CHECK(gbnf == NULL);
            message_is_one_line();
            break;
        }
        mote_grammar *g = NULL;
        if (mote_grammar_parse(gbnf, strlen(gbnf), NULL, &g) == MOTE_OK) mote_grammar_free(g);
        else message_is_one_line();
        free(gbnf);
        break;
    }
    case 3: {
        const char *nul = memchr(text, '\0', len);
        size_t glen = nul ? (size_t)(nul - text) : len;
        run_grammar(text, glen, nul ? nul + 1 : "", nul ? len - glen - 1 : 0);
        break;
    }
    }
    return 0;
}
