/*
 * test_server_request.c — the server's request parsing without a server:
 * body checks (UTF-8, nesting, trailing text), typed fields, the four
 * generation endpoints' fields and defaults, keep_alive durations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "request_parse.h"

static void test_utf8(void **state) {
    (void)state;
    assert_true(json_utf8_valid("plain", 5));
    assert_true(json_utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9)); /* é € 😀 */
    assert_false(json_utf8_valid("\xc0\x80", 2));                          /* overlong NUL */
    assert_false(json_utf8_valid("\xed\xa0\x80", 3));                      /* a surrogate */
    assert_false(json_utf8_valid("\xe2\x82", 2));                          /* cut short */
    assert_false(json_utf8_valid("\xff", 1));
    assert_false(json_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
    assert_int_equal(json_utf8_char_len("\xe2\x82\xac!", 4), 3);
    assert_int_equal(json_utf8_char_len("\x80", 1), 0);
}

static void test_body_checks(void **state) {
    (void)state;
    assert_null(json_parse_body("", 0, 64, true, err, sizeof err));
    assert_non_null(strstr(err, "empty"));
    assert_null(json_parse_body("{\"a\":\"\xff\"}", 9, 64, true, err, sizeof err));
    assert_non_null(strstr(err, "UTF-8"));
    char deep[300];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    deep[200] = '\0';
    assert_null(json_parse_body(deep, 200, 64, false, err, sizeof err));
    assert_non_null(strstr(err, "deeper"));
    /* brackets inside strings do not count */
    const char *quoted = "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}";
    cJSON *ok = json_parse_body(quoted, strlen(quoted), 2, true, err, sizeof err);
    assert_non_null(ok);
    cJSON_Delete(ok);
    assert_null(json_parse_body("{} x", 4, 64, true, err, sizeof err));
    assert_non_null(strstr(err, "after"));
    assert_null(json_parse_body("[1]", 3, 64, true, err, sizeof err));
    assert_non_null(strstr(err, "object"));
    assert_null(json_parse_body("{\"a\":", 5, 64, true, err, sizeof err));
    assert_non_null(strstr(err, "not valid JSON"));
}

static void test_ollama_generate(void **state) {
    (void)state;
    gen_input in;
    assert_int_equal(parse(parse_ollama_generate, "{\"model\":\"m\",\"prompt\":\"hi\"}", &in), 0);
    assert_string_equal(in.model, "m");
    assert_string_equal(in.prompt, "hi");
    assert_true(in.stream); /* Ollama streams by default */
    assert_int_equal(in.n_predict, -1);
    assert_int_equal(in.keep_alive_ms, KEEP_ALIVE_DEFAULT);
    gen_input_free(&in);

    assert_int_equal(parse(parse_ollama_generate,
                           "{\"model\":\"m\",\"prompt\":\"hi\",\"stream\":false,\"raw\":true,\"keep_alive\":0,"
                           "\"options\":{\"temperature\":0,\"num_predict\":-2,\"stop\":[\"a\",\"\",\"b\"],\"seed\":7,"
                           "\"top_k\":5,\"num_ctx\":4096}}",
                           &in),
                     0);
    assert_false(in.stream);
    assert_true(in.raw);
    assert_int_equal(in.keep_alive_ms, 0);
    assert_true(in.sampling.temp == 0.0f);
    assert_int_equal(in.sampling.top_k, 5);
    assert_int_equal(in.sampling.seed, 7);
    assert_int_equal(in.n_predict, -1);
    assert_int_equal(in.n_stops, 2); /* the empty one is dropped */
    gen_input_free(&in);

    static const char *const bad[] = {
        "{\"prompt\":\"hi\"}",                                          /* no model */
        "{\"model\":5}",                                                /* model not a string */
        "{\"model\":\"m\",\"options\":{\"num_predict\":-3}}",           /* negative budget */
        "{\"model\":\"m\",\"options\":{\"num_predict\":1e30}}",         /* huge */
        "{\"model\":\"m\",\"options\":{\"num_predict\":1.5}}",          /* not whole */
        "{\"model\":\"m\",\"options\":{\"temperature\":\"hot\"}}",
        "{\"model\":\"m\",\"options\":[1]}",
        "{\"model\":\"m\",\"options\":{\"stop\":[1]}}",
        "{\"model\":\"m\",\"format\":\"xml\"}",                         /* neither json nor a schema */
        "{\"model\":\"m\",\"format\":{\"type\":\"array\",\"uniqueItems\":true}}", /* a keyword mote refuses */
        "{\"model\":\"m\",\"images\":[\"aGk=\"]}",
        "{\"model\":\"m\",\"keep_alive\":\"soon\"}",
        "{\"model\":\"m\",\"stream\":1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int st = parse(parse_ollama_generate, bad[i], &in);
        if (st != 400) fail_msg("accepted: %s", bad[i]);
        assert_true(err[0] != '\0');
        gen_input_free(&in);
    }
}

static void test_chats(void **state) {
    (void)state;
    gen_input in;
    assert_int_equal(parse(parse_ollama_chat,
                           "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"s\"},"
                           "{\"role\":\"user\",\"content\":\"u\"}],\"think\":false}",
                           &in),
                     0);
    assert_true(in.chat);
    assert_int_equal(in.n_msgs, 2);
    assert_string_equal(in.msgs[1].role, "user");
    assert_int_equal(in.think, 0);
    gen_input_free(&in);
    assert_int_equal(parse(parse_ollama_chat, "{\"model\":\"m\",\"messages\":[{\"role\":\"bot\",\"content\":\"x\"}]}", &in), 400);
    gen_input_free(&in);

    assert_int_equal(parse(parse_openai_chat,
                           "{\"model\":\"m\",\"messages\":[{\"role\":\"developer\",\"content\":[{\"type\":\"text\","
                           "\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]},{\"role\":\"assistant\",\"content\":null}],"
                           "\"max_tokens\":5,\"stream\":true,\"stream_options\":{\"include_usage\":true}}",
                           &in),
                     0);
    assert_false(in.raw);
    assert_string_equal(in.msgs[0].role, "system");
    assert_string_equal(in.msgs[0].content, "ab");
    assert_string_equal(in.msgs[1].content, "");
    assert_int_equal(in.n_predict, 5);
    assert_true(in.stream && in.include_usage);
    gen_input_free(&in);
    static const char *const bad[] = {
        "{\"model\":\"m\"}",
        "{\"model\":\"m\",\"messages\":[]}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":2}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"logprobs\":true}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"yaml\"}}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"json_schema\"}}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{}]}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":{}}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":\"required\"}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\","
        "\"function\":{\"name\":\"f\"}}],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"g\"}}}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":5}]}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":0}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"presence_penalty\":3}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stop\":[\"1\",\"2\",\"3\",\"4\",\"5\","
        "\"6\",\"7\",\"8\",\"9\",\"10\",\"11\",\"12\",\"13\",\"14\",\"15\",\"16\",\"17\"]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int st = parse(parse_openai_chat, bad[i], &in);
        if (st != 400) fail_msg("accepted: %s", bad[i]);
        gen_input_free(&in);
    }
    assert_int_equal(parse(parse_openai_completion, "{\"model\":\"m\",\"prompt\":[\"p\"]}", &in), 0);
    assert_true(in.raw);
    assert_false(in.stream);
    assert_string_equal(in.prompt, "p");
    gen_input_free(&in);
    assert_int_equal(parse(parse_openai_completion, "{\"model\":\"m\",\"prompt\":[\"p\",\"q\"]}", &in), 400);
    gen_input_free(&in);
}

static void test_keep_alive(void **state) {
    (void)state;
    struct {
        const char *json;
        int64_t ms;
    } cases[] = {{"\"5m\"", 300000}, {"\"1h30m\"", 5400000}, {"\"10s\"", 10000}, {"\"250ms\"", 250}, {"\"0\"", 0},
                 {"30", 30000},       {"0", 0},              {"-1", KEEP_ALIVE_FOREVER}, {"\"-1\"", KEEP_ALIVE_FOREVER},
                 {"\"soon\"", -3},    {"\"\"", -3},           {"true", -3},   {"\"5x\"", -3}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cJSON *v = cJSON_Parse(cases[i].json);
        assert_non_null(v);
        int64_t ms = parse_keep_alive(v, err, sizeof err);
        if (ms != cases[i].ms) fail_msg("%s: %lld, wanted %lld", cases[i].json, (long long)ms, (long long)cases[i].ms);
        cJSON_Delete(v);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8),         cmocka_unit_test(test_body_checks), cmocka_unit_test(test_ollama_generate),
        cmocka_unit_test(test_chats),        cmocka_unit_test(test_keep_alive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
