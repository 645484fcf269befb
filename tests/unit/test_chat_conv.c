/*
 * test_chat_conv.c — conversations that own their text, and their JSON form
 * (OpenAI-style arrays): parsing, refusing malformed input with a message,
 * and a save / load round trip that keeps every byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static int parse(mote_chat_conv *c, const char *json) { return mote_chat_conv_parse_json(c, json, strlen(json)); }

static void test_parse(void **state) {
    (void)state;
    mote_chat_conv c = {0};
    const char *json = "[{\"role\": \"system\", \"content\": \"Be brief.\"},"
                       " {\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"Hel\"},"
                       " {\"type\": \"text\", \"text\": \"lo\\n\\u00e9\"}]},"
                       " {\"role\": \"assistant\", \"content\": null, \"extra\": 1}]";
    assert_int_equal(parse(&c, json), MOTE_OK);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.msgs[0].role, "system");
    assert_string_equal(c.msgs[0].content, "Be brief.");
    assert_string_equal(c.msgs[1].content, "Hello\n\xc3\xa9");
    assert_string_equal(c.msgs[2].role, "assistant");
    assert_string_equal(c.msgs[2].content, "");
    /* Parsing appends. */
    assert_int_equal(parse(&c, "[{\"role\":\"user\",\"content\":\"again\"}]"), MOTE_OK);
    assert_int_equal(c.n, 4);
    mote_chat_conv_remove(&c, 1, 2);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.msgs[1].content, "again");
    mote_chat_conv_remove(&c, 1, 99);
    assert_int_equal(c.n, 1);
    mote_chat_conv_free(&c);
    assert_int_equal(c.n, 0);
}

static void expect_refused(const char *json, const char *word) {
    mote_chat_conv c = {0};
    assert_int_equal(mote_chat_conv_add(&c, "user", "kept"), MOTE_OK);
    assert_int_not_equal(parse(&c, json), MOTE_OK);
    if (!strstr(mote_last_error(), word)) fprintf(stderr, "message: %s\n", mote_last_error());
    assert_non_null(strstr(mote_last_error(), word));
    assert_int_equal(c.n, 1); /* nothing appended */
    mote_chat_conv_free(&c);
}

static void test_refuses_malformed(void **state) {
    (void)state;
    expect_refused("[{\"role\": \"user\", \"content\": \"x\"", "invalid JSON");
    expect_refused("{\"role\": \"user\"}", "array");
    expect_refused("[{\"content\": \"x\"}]", "role");
    expect_refused("[{\"role\": \"wizard\", \"content\": \"x\"}]", "wizard");
    expect_refused("[{\"role\": \"user\", \"content\": \"ok\"}, {\"role\": \"user\"}]", "message 2");
    expect_refused("[{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]", "text content");
    expect_refused("[3]", "role");
}

static void test_save_load_round_trip(void **state) {
    (void)state;
    mote_chat_conv c = {0}, back = {0};
    const char *texts[] = {"You are \"quoted\"\\ and\ttabbed.", "line one\nline two \xf0\x9f\x8c\x8d", ""};
    const char *roles[] = {"system", "user", "assistant"};
    for (int i = 0; i < 3; i++) assert_int_equal(mote_chat_conv_add(&c, roles[i], texts[i]), MOTE_OK);
    const char *path = temp_path(".json");
    assert_int_equal(mote_chat_conv_save_json(&c, path), MOTE_OK);
    assert_int_equal(mote_chat_conv_load_json(&back, path), MOTE_OK);
    assert_int_equal(back.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(back.msgs[i].role, roles[i]);
        assert_string_equal(back.msgs[i].content, texts[i]);
    }
    remove(path);
    assert_int_equal(mote_chat_conv_load_json(&back, "/nonexistent/conv.json"), MOTE_ERR_IO);
    assert_non_null(strstr(mote_last_error(), "/nonexistent/conv.json"));
    assert_int_equal(mote_chat_conv_save_json(&c, "/nonexistent/dir/conv.json"), MOTE_ERR_IO);
    mote_chat_conv_free(&c);
    mote_chat_conv_free(&back);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_refuses_malformed),
        cmocka_unit_test(test_save_load_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
