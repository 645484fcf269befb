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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_families),
        cmocka_unit_test(test_call_grammars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
