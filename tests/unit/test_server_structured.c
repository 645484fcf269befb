/*
 * test_server_structured.c — structured output and tools in the server
 * without a model: `format` / `response_format` become grammars that accept
 * what they should, `tools` / `tool_choice` / tool messages are read into
 * the shapes the template and the engine use, and the answer splitter
 * separates reasoning, content and tool calls however the text is cut into
 * chunks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/answer.h"
#include "request_parse.h"

static bool matches(const gen_input *in, const char *text) { return mote_grammar_matches(in->grammar, text, strlen(text)); }

static void test_formats(void **state) {
    (void)state;
    gen_input in;
    assert_int_equal(parse(parse_ollama_generate, "{\"model\":\"m\",\"prompt\":\"p\",\"format\":\"json\"}", &in), 0);
    assert_non_null(in.grammar);
    assert_true(matches(&in, "{\"a\": [1, 2]}"));
    assert_false(matches(&in, "[1]"));
    gen_input_free(&in);
    assert_int_equal(parse(parse_ollama_chat,
                           "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"format\":"
                           "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"]}}",
                           &in),
                     0);
    assert_true(matches(&in, "{\"n\": 42}"));
    assert_false(matches(&in, "{\"n\": \"x\"}"));
    gen_input_free(&in);
    assert_int_equal(parse(parse_ollama_generate, "{\"model\":\"m\",\"prompt\":\"p\",\"format\":\"\"}", &in), 0);
    assert_null(in.grammar);
    gen_input_free(&in);

    assert_int_equal(parse(parse_openai_chat,
                           "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":"
                           "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"r\",\"schema\":{\"type\":\"array\","
                           "\"items\":{\"enum\":[\"a\",\"b\"]},\"maxItems\":2}}}}",
                           &in),
                     0);
    assert_true(matches(&in, "[\"a\", \"b\"]"));
    assert_false(matches(&in, "[\"a\", \"b\", \"a\"]"));
    gen_input_free(&in);
    assert_int_equal(parse(parse_openai_completion,
                           "{\"model\":\"m\",\"prompt\":\"x\",\"response_format\":{\"type\":\"json_object\"}}", &in),
                     0);
    assert_true(matches(&in, "{}"));
    gen_input_free(&in);
    assert_int_equal(parse(parse_openai_chat,
                           "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":"
                           "{\"type\":\"text\"}}",
                           &in),
                     0);
    assert_null(in.grammar);
    gen_input_free(&in);
}

static void test_tools(void **state) {
    (void)state;
    gen_input in;
    const char *req =
        "{\"model\":\"m\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}],"
        "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}},"
        "\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},"
        "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":"
        "{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
        "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"sunny\"}]}";
    assert_int_equal(parse(parse_openai_chat, req, &in), 0);
    assert_non_null(in.tools_json);
    assert_int_equal(in.tool_choice, TOOL_CHOICE_NAMED);
    assert_string_equal(in.tool_name, "get_weather");
    assert_non_null(in.messages_json);
    cJSON *m = cJSON_Parse(in.messages_json);
    assert_int_equal(cJSON_GetArraySize(m), 3);
    /* the arguments string became an object for the template */
    cJSON *args = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(m, 1), "tool_calls"), 0), "function"),
        "arguments");
    assert_true(cJSON_IsObject(args));
    assert_string_equal(cJSON_GetObjectItem(args, "city")->valuestring, "Paris");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(m, 2), "tool_call_id")->valuestring, "c1");
    cJSON_Delete(m);
    gen_input_free(&in);

    /* Ollama: no tool_choice (auto), arguments already objects, tool_name on results */
    assert_int_equal(parse(parse_ollama_chat,
                           "{\"model\":\"m\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
                           "\"messages\":[{\"role\":\"user\",\"content\":\"u\"},{\"role\":\"assistant\",\"content\":\"\","
                           "\"tool_calls\":[{\"function\":{\"name\":\"f\",\"arguments\":{\"a\":1}}}]},"
                           "{\"role\":\"tool\",\"tool_name\":\"f\",\"content\":\"r\"}]}",
                           &in),
                     0);
    assert_int_equal(in.tool_choice, TOOL_CHOICE_AUTO);
    assert_non_null(strstr(in.messages_json, "\"name\":\"f\",\"arguments\":{\"a\":1}"));
    gen_input_free(&in);
    /* plain messages stay on the fast path */
    assert_int_equal(parse(parse_ollama_chat, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"u\"}]}", &in), 0);
    assert_null(in.messages_json);
    assert_null(in.tools_json);
    gen_input_free(&in);
}

/* --- the answer splitter ------------------------------------------------- */

static sbuf seen_content, seen_thinking;
static void on_text(job *j, const char *t, size_t n) {
    (void)j;
    sbuf_add(&seen_content, t, n);
}
static void on_thinking(job *j, const char *t, size_t n) {
    (void)j;
    sbuf_add(&seen_thinking, t, n);
}
static void on_done(job *j) { (void)j; }
static const job_format FORMAT = {on_text, on_done, on_thinking};

/* Feed `text` in chunks of `step` bytes through a splitter set up as asked. */
static job *split(const char *text, size_t step, bool think, const char *tool_format, bool hold_all) {
    sbuf_free(&seen_content);
    sbuf_free(&seen_thinking);
    job *j = job_new(JOB_GENERATE);
    j->format = &FORMAT;
    answer_split *a = calloc(1, sizeof *a);
    a->split_thinking = think;
    a->phase = think ? ANSWER_START : ANSWER_CONTENT;
    if (tool_format) {
        a->tool_format = tool_format;
        a->trigger = strcmp(tool_format, "hermes") ? "<|python_tag|>" : "<tool_call>";
        a->json_call_at_start = !strcmp(tool_format, "llama3");
        a->hold_all = hold_all;
    }
    j->answer = a;
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i += step) answer_feed(j, text + i, n - i < step ? n - i : step);
    job_finish(j);
    return j;
}

static const char *content(void) { return seen_content.data ? seen_content.data : ""; }
static const char *thinking(void) { return seen_thinking.data ? seen_thinking.data : ""; }

static void test_split_thinking(void **state) {
    (void)state;
    for (size_t step = 1; step <= 9; step++) {
        job *j = split("<think>\nLet me see.\n</think>\n\nThe answer is 4.", step, true, NULL, false);
        assert_string_equal(thinking(), "Let me see.");
        assert_string_equal(content(), "The answer is 4.");
        assert_string_equal(j->text.data, "The answer is 4.");
        assert_string_equal(answer_thinking(j)->data, "Let me see.");
        job_release(j);
        /* no think block: everything is content, '<' included */
        j = split("<b>bold</b> text", step, true, NULL, false);
        assert_string_equal(thinking(), "");
        assert_string_equal(content(), "<b>bold</b> text");
        job_release(j);
        /* thinking not asked for: the tags stay in the content */
        j = split("<think>x</think>y", step, false, NULL, false);
        assert_string_equal(content(), "<think>x</think>y");
        job_release(j);
    }
}

static void test_split_tool_calls(void **state) {
    (void)state;
    for (size_t step = 1; step <= 7; step++) {
        job *j = split("Let me check. <tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>",
                       step, false, "hermes", false);
        assert_string_equal(content(), "Let me check. ");
        const mote_tool_calls *c = answer_calls(j);
        assert_non_null(c);
        assert_int_equal(c->n_calls, 1);
        assert_string_equal(c->calls[0].name, "get_weather");
        assert_string_equal(c->calls[0].arguments, "{\"city\":\"Paris\"}");
        job_release(j);
        /* a thinking model that reasons, then calls */
        j = split("<think>need weather</think>\n<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>", step, true,
                  "hermes", false);
        assert_string_equal(thinking(), "need weather");
        assert_string_equal(content(), "");
        assert_int_equal(answer_calls(j)->n_calls, 1);
        job_release(j);
        /* llama3: a JSON answer is a call */
        j = split(" {\"name\": \"f\", \"parameters\": {\"x\": 1}}", step, false, "llama3", false);
        assert_int_equal(answer_calls(j)->n_calls, 1);
        assert_string_equal(answer_calls(j)->calls[0].arguments, "{\"x\":1}");
        job_release(j);
        /* text that only looks like the opening is content */
        j = split("a <tool_cal b", step, false, "hermes", false);
        assert_string_equal(content(), "a <tool_cal b");
        assert_null(answer_calls(j));
        job_release(j);
        /* a held call that does not parse comes back as content */
        j = split("<tool_call>\nnot json\n</tool_call>", step, false, "hermes", true);
        assert_null(answer_calls(j));
        assert_non_null(strstr(content(), "not json"));
        job_release(j);
    }
    sbuf_free(&seen_content);
    sbuf_free(&seen_thinking);
}

/* tool_choice auto: once the model opens a call, the rest is held to a well-formed call */
static void test_lazy_grammar(void **state) {
    (void)state;
    const char *tools = "[{\"type\":\"function\",\"function\":{\"name\":\"add\",\"parameters\":{\"type\":\"object\","
                        "\"properties\":{\"a\":{\"type\":\"integer\"}},\"required\":[\"a\"]}}}]";
    static const struct {
        const char *format, *good, *bad;
    } cases[] = {
        {"hermes", "\n{\"name\": \"add\", \"arguments\": {\"a\": 1}}\n</tool_call>",
         "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1}}\n</tool_call>"},
        {"phi4-mini", "[{\"name\": \"add\", \"arguments\": {\"a\": 2}}]<|/tool_call|>",
         "[{\"name\": \"sub\", \"arguments\": {\"a\": 2}}]<|/tool_call|>"},
        {"mistral", "[{\"name\": \"add\", \"arguments\": {\"a\": 3}}]", "[{\"name\": \"add\", \"arguments\": {}}]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mote_grammar *g = NULL;
        assert_int_equal(answer_lazy_grammar(cases[i].format, tools, &g), MOTE_OK);
        assert_non_null(g);
        if (!mote_grammar_matches(g, cases[i].good, strlen(cases[i].good))) fail_msg("%s: no match", cases[i].format);
        if (mote_grammar_matches(g, cases[i].bad, strlen(cases[i].bad))) fail_msg("%s: bad text matches", cases[i].format);
        mote_grammar_free(g);
    }
    mote_grammar *g = (mote_grammar *)1;
    assert_int_equal(answer_lazy_grammar("llama3", tools, &g), MOTE_OK);
    assert_null(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_tools),
        cmocka_unit_test(test_split_thinking),
        cmocka_unit_test(test_split_tool_calls),
        cmocka_unit_test(test_lazy_grammar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
