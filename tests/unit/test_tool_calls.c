/*
 * test_tool_calls.c — reading function calls out of answers written the way
 * each family writes them (Qwen / Hermes, Llama 3.1 / 3.2, Phi-4-mini,
 * Mistral), text that only looks like a call, and the call grammars: a
 * forced call parses back to the same name and valid arguments.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef struct {
    const char *format, *text;
    const char *content;
    int n;
    const char *name[3], *args[3], *id[3];
} call_case;

static const call_case CASES[] = {
    /* Qwen 2.5 / 3, Hermes */
    {"qwen3", "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 2}}\n</tool_call>",
     "", 1, {"get_weather"}, {"{\"city\":\"Paris\",\"days\":2}"}, {NULL}},
    {"hermes", "Let me check.\n<tool_call>\n{\"name\": \"a\", \"arguments\": {}}\n</tool_call>\n<tool_call>\n{\"name\": "
               "\"b\", \"arguments\": {\"x\": [1, 2]}}\n</tool_call>",
     "Let me check.", 2, {"a", "b"}, {"{}", "{\"x\":[1,2]}"}, {NULL, NULL}},
    {"chatml", "<think>\nthe user wants time\n</think>\n\n<tool_call>\n{\"name\": \"now\", \"arguments\": \"{\\\"tz\\\": "
               "\\\"UTC\\\"}\"}\n</tool_call>",
     "<think>\nthe user wants time\n</think>", 1, {"now"}, {"{\"tz\":\"UTC\"}"}, {NULL}},
    {"qwen3", "<tool_call>\n{\"name\": \"cut\", \"arguments\": {\"n\": 1}}", "", 1, {"cut"}, {"{\"n\":1}"}, {NULL}},
    {"qwen3", "No tools needed: 2 + 2 = 4.", "No tools needed: 2 + 2 = 4.", 0, {NULL}, {NULL}, {NULL}},
    {"qwen3", "<tool_call>not json</tool_call>", "<tool_call>not json</tool_call>", 0, {NULL}, {NULL}, {NULL}},
    /* Llama 3.1 / 3.2 */
    {"llama3", "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Oslo\"}}", "", 1, {"get_weather"},
     {"{\"city\":\"Oslo\"}"}, {NULL}},
    {"llama3.1", "<|python_tag|>{\"type\": \"function\", \"name\": \"f\", \"parameters\": {\"a\": true}}; {\"name\": \"g\", "
                 "\"parameters\": {}}",
     "", 2, {"f", "g"}, {"{\"a\":true}", "{}"}, {NULL, NULL}},
    {"llama3.2", "<|python_tag|>brave_search.call(query=\"weather in Menlo Park\", count=3)", "", 1, {"brave_search"},
     {"{\"query\":\"weather in Menlo Park\",\"count\":3}"}, {NULL}},
    {"llama3", "{\"name\": \"x\", \"parameters\": {}} and then some words",
     "{\"name\": \"x\", \"parameters\": {}} and then some words", 0, {NULL}, {NULL}, {NULL}},
    {"llama3", "The capital of France is Paris.", "The capital of France is Paris.", 0, {NULL}, {NULL}, {NULL}},
    /* Phi-4-mini */
    {"phi4-mini", "<|tool_call|>[{\"name\": \"get_time\", \"arguments\": {\"tz\": \"CET\"}}]<|/tool_call|>", "", 1,
     {"get_time"}, {"{\"tz\":\"CET\"}"}, {NULL}},
    {"phi4-mini", "Sure.<|tool_call|>[{\"name\": \"a\", \"arguments\": {}}, {\"name\": \"b\", \"arguments\": {\"k\": "
                  "null}}]<|/tool_call|>",
     "Sure.", 2, {"a", "b"}, {"{}", "{\"k\":null}"}, {NULL, NULL}},
    /* Mistral */
    {"mistral", "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\"}, \"id\": \"abc123def\"}]", "",
     1, {"get_weather"}, {"{\"city\":\"Rome\"}"}, {"abc123def"}},
    {"mistral", "[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Rome\"}[TOOL_CALLS]now[ARGS]{}", "", 2, {"get_weather", "now"},
     {"{\"city\":\"Rome\"}", "{}"}, {NULL, NULL}},
    {"mistral", "Plain answer.", "Plain answer.", 0, {NULL}, {NULL}, {NULL}},
};

static void test_parse_families(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
        const call_case *c = &CASES[i];
        mote_tool_calls out;
        if (mote_tool_calls_parse(c->format, c->text, strlen(c->text), &out)) fail_msg("case %zu: %s", i, mote_last_error());
        if ((int)out.n_calls != c->n) fail_msg("case %zu (%s): %zu calls, want %d", i, c->format, out.n_calls, c->n);
        if (strcmp(out.content, c->content)) fail_msg("case %zu: content '%s', want '%s'", i, out.content, c->content);
        for (int k = 0; k < c->n; k++) {
            assert_string_equal(out.calls[k].name, c->name[k]);
            assert_string_equal(out.calls[k].arguments, c->args[k]);
            if (c->id[k]) assert_string_equal(out.calls[k].id, c->id[k]);
            else assert_null(out.calls[k].id);
        }
        mote_tool_calls_free(&out);
    }
    mote_tool_calls out;
    assert_int_equal(mote_tool_calls_parse("gpt5", "x", 1, &out), MOTE_ERR_NOT_FOUND);
    assert_non_null(strstr(mote_last_error(), "unknown format 'gpt5'"));
}

static const char TOOLS[] =
    "[{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather\", \"parameters\": "
    "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\", \"maxLength\": 20}, \"unit\": {\"enum\": "
    "[\"c\", \"f\"]}}, \"required\": [\"city\"]}}},"
    " {\"type\": \"function\", \"function\": {\"name\": \"now\", \"parameters\": {\"type\": \"object\", \"properties\": {}}}},"
    " {\"name\": \"bare\"}]";

static mote_grammar *call_grammar(const char *format, const char *name) {
    char *gbnf = NULL;
    if (mote_tool_call_gbnf(format, TOOLS, strlen(TOOLS), name, &gbnf)) fail_msg("%s: %s", format, mote_last_error());
    mote_grammar *g = NULL;
    if (mote_grammar_parse(gbnf, strlen(gbnf), NULL, &g)) fail_msg("%s: %s\n%s", format, mote_last_error(), gbnf);
    free(gbnf);
    return g;
}

/* A text the grammar accepts parses back to the call. */
static void check_roundtrip(const char *format, const mote_grammar *g, const char *text, const char *name, const char *args) {
    if (!mote_grammar_matches(g, text, strlen(text))) fail_msg("%s: grammar refuses %s", format, text);
    mote_tool_calls out;
    assert_int_equal(mote_tool_calls_parse(format, text, strlen(text), &out), MOTE_OK);
    assert_int_equal(out.n_calls, 1);
    assert_string_equal(out.calls[0].name, name);
    assert_string_equal(out.calls[0].arguments, args);
    assert_string_equal(out.content, "");
    mote_tool_calls_free(&out);
}

static void test_call_grammars(void **state) {
    (void)state;
    mote_grammar *g = call_grammar("qwen3", NULL);
    check_roundtrip("qwen3", g, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Lyon\", \"unit\": \"c\"}}\n</tool_call>",
                    "get_weather", "{\"city\":\"Lyon\",\"unit\":\"c\"}");
    check_roundtrip("qwen3", g, "<tool_call>\n{\"name\": \"now\", \"arguments\": {}}\n</tool_call>", "now", "{}");
    assert_false(mote_grammar_matches(g, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {}}\n</tool_call>", 62));
    assert_false(mote_grammar_matches(g, "hello", 5));
    mote_grammar_free(g);

    g = call_grammar("llama3", "get_weather");
    check_roundtrip("llama3", g, "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Oslo\"}}", "get_weather", "{\"city\":\"Oslo\"}");
    const char *other = "{\"name\": \"now\", \"parameters\": {}}";
    assert_false(mote_grammar_matches(g, other, strlen(other)));
    mote_grammar_free(g);

    g = call_grammar("phi4-mini", "bare");
    check_roundtrip("phi4-mini", g, "<|tool_call|>[{\"name\": \"bare\", \"arguments\": {}}]<|/tool_call|>", "bare", "{}");
    mote_grammar_free(g);

    g = call_grammar("mistral", NULL);
    check_roundtrip("mistral", g, "[TOOL_CALLS][{\"name\": \"now\", \"arguments\": {}}]", "now", "{}");
    mote_grammar_free(g);

    char *gbnf = NULL;
    assert_int_equal(mote_tool_call_gbnf("qwen3", TOOLS, strlen(TOOLS), "missing", &gbnf), MOTE_ERR_NOT_FOUND);
    assert_non_null(strstr(mote_last_error(), "no tool named 'missing'"));
    assert_int_equal(mote_tool_call_gbnf("qwen3", "{}", 2, NULL, &gbnf), MOTE_ERR_FORMAT);
    assert_null(gbnf);
}

/* Forced calls generated from random logits (what a noise model writes)
 * parse back as exactly one call to an allowed tool with JSON-object
 * arguments, in every format; a named tool_choice gets that tool. */
static void test_forced_calls_generate(void **state) {
    (void)state;
    require_fixtures();
    mote_gguf *gg;
    mote_vocab *vocab;
    mote_grammar_vocab *gv;
    assert_int_equal(mote_gguf_open(fixture_path("models/qwen3-tiny-q8_0.gguf"), &gg), MOTE_OK);
    assert_int_equal(mote_vocab_load(gg, &vocab), MOTE_OK);
    mote_gguf_close(gg);
    assert_int_equal(mote_grammar_vocab_new(vocab, &gv), MOTE_OK);
    int32_t n = mote_vocab_n_tokens(vocab);
    float *logits = malloc((size_t)n * sizeof *logits);
    int32_t toks[600];
    static const char *const formats[] = {"qwen3", "llama3", "phi4-mini", "mistral"};
    for (int f = 0; f < 4; f++)
        for (int named = 0; named < 2; named++)
            for (uint64_t seed = 1; seed <= 3; seed++) {
                mote_grammar *g = call_grammar(formats[f], named ? "get_weather" : NULL);
                mote_sampler_params p = mote_sampler_default();
                p.seed = seed;
                mote_sampler *s = mote_sampler_new(&p, n);
                assert_int_equal(mote_sampler_set_grammar(s, g, gv), MOTE_OK);
                uint64_t r = seed * 0x9E3779B97F4A7C15ull;
                int k = 0;
                bool ended = false;
                for (; k < 600; k++) {
                    for (int32_t i = 0; i < n; i++) {
                        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
                        logits[i] = (float)(r % 1000) / 100.0f;
                    }
                    int32_t t = mote_sampler_sample(s, logits);
                    if (t < 0) {
                        char *so_far;
                        size_t l;
                        mote_detokenize(vocab, toks, (size_t)k, MOTE_DETOK_SPECIAL, &so_far, &l);
                        fail_msg("%s named %d seed %d: stuck after '%s'", formats[f], named, (int)seed, so_far);
                    }
                    mote_sampler_accept(s, t);
                    if (mote_vocab_is_eog(vocab, t)) {
                        ended = true;
                        break;
                    }
                    toks[k] = t;
                }
                char *text;
                size_t len;
                assert_int_equal(mote_detokenize(vocab, toks, (size_t)k, MOTE_DETOK_SPECIAL, &text, &len), MOTE_OK);
                if (ended) {
                    mote_tool_calls out;
                    assert_int_equal(mote_tool_calls_parse(formats[f], text, len, &out), MOTE_OK);
                    if (out.n_calls != 1) fail_msg("%s: %zu calls in '%s'", formats[f], out.n_calls, text);
                    const char *name = out.calls[0].name;
                    assert_true(!strcmp(name, "get_weather") || (!named && (!strcmp(name, "now") || !strcmp(name, "bare"))));
                    assert_int_equal(out.calls[0].arguments[0], '{');
                    if (!strcmp(name, "get_weather")) assert_non_null(strstr(out.calls[0].arguments, "\"city\":"));
                    assert_string_equal(out.content, "");
                    mote_tool_calls_free(&out);
                } else {
                    assert_false(mote_sampler_grammar_complete(s)); /* only a cut answer may be incomplete */
                }
                free(text);
                mote_sampler_free(s);
                mote_grammar_free(g);
            }
    free(logits);
    mote_grammar_vocab_free(gv);
    mote_vocab_free(vocab);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_families),
        cmocka_unit_test(test_call_grammars),
        cmocka_unit_test(test_forced_calls_generate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
