/*
 * test_chat_template.c — every built-in chat format against the real Jinja
 * templates' renders, byte for byte.
 *
 * tests/chat/render_templates.py rendered each template of
 * tests/data/chat/templates with jinja2 (as transformers does) for the
 * conversations of tests/data/chat/conversations.txt and listed the results
 * in tests/data/chat/manifest.tsv; here mote formats the same conversations
 * and must produce the same bytes. Detection, names, errors and the fixture
 * models' own templates are checked too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"

#define MAX_MSGS 16
#define MAX_CONVS 32

typedef struct {
    char name[64];
    mote_chat_message msgs[MAX_MSGS];
    size_t n;
} conversation;

static conversation convs[MAX_CONVS];
static size_t n_convs;
static char *conv_text; /* owns the strings the messages point into */

static const char *data_path(const char *rel) {
    static char buf[4][1024];
    static int next;
    char *b = buf[next++ % 4];
    const char *root = getenv("MOTE_ROOT");
    snprintf(b, sizeof buf[0], "%s/tests/data/chat/%s", root ? root : ".", rel);
    return b;
}

static char *slurp(const char *path) {
    size_t size;
    char *data = read_file(path, &size);
    if (!data) return NULL;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    free(data);
    return s;
}

/* Decode \n, \t and \\ in place. */
static void unescape(char *s) {
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r == '\\' && r[1]) {
            r++;
            *w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : *r;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

static void load_conversations(void) {
    conv_text = slurp(data_path("conversations.txt"));
    assert_non_null(conv_text);
    conversation *c = NULL;
    for (char *line = strtok(conv_text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#') continue;
        if (!strncmp(line, "=== ", 4)) {
            assert_true(n_convs < MAX_CONVS);
            c = &convs[n_convs++];
            snprintf(c->name, sizeof c->name, "%s", line + 4);
            c->n = 0;
            continue;
        }
        char *tab = strchr(line, '\t');
        assert_non_null(c);
        assert_non_null(tab);
        assert_true(c->n < MAX_MSGS);
        *tab = '\0';
        unescape(tab + 1);
        c->msgs[c->n].role = line;
        c->msgs[c->n].content = tab + 1;
        c->n++;
    }
}

static const conversation *find_conv(const char *name) {
    for (size_t i = 0; i < n_convs; i++)
        if (!strcmp(convs[i].name, name)) return &convs[i];
    return NULL;
}

static int setup(void **state) {
    (void)state;
    load_conversations();
    return 0;
}

static int teardown(void **state) {
    (void)state;
    free(conv_text);
    return 0;
}

/* Print where two texts first differ, to make a failure readable. */
static void show_difference(const char *case_name, const char *want, const char *got) {
    size_t i = 0;
    while (want[i] && want[i] == got[i]) i++;
    fprintf(stderr, "%s: differs at byte %zu\n  want: \"%.60s\"\n  got:  \"%.60s\"\n", case_name, i, want + i,
            got + i);
}

/* Every line of the manifest: format and compare with the render. */
static void test_matches_jinja_renders(void **state) {
    (void)state;
    char *manifest = slurp(data_path("manifest.tsv"));
    assert_non_null(manifest);
    int n_cases = 0, n_failed = 0;
    bool families_seen[16] = {false};
    const char *const *names = mote_chat_template_names();
    char *save = NULL;
    for (char *line = strtok_r(manifest, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#') continue;
        char *f[8] = {0};
        int nf = 0;
        for (char *p = line; nf < 8; nf++) {
            f[nf] = p;
            char *tab = strchr(p, '\t');
            if (!tab) {
                nf++;
                break;
            }
            *tab = '\0';
            p = tab + 1;
        }
        assert_int_equal(nf, 8);
        const char *expected_file = f[0], *family = f[2], *conv_name = f[3];
        const conversation *c = find_conv(conv_name);
        assert_non_null(c);
        mote_chat_options opt = mote_chat_options_default();
        opt.bos_token = f[6];
        opt.eos_token = f[7];
        /* Llama 3.2 dates its header with strftime_now(), which the renders
         * fixed to 9 March 2025; mote's equivalent is an explicit date. The
         * other formats are checked with their defaults (Llama 3.1: the
         * template's own fixed date). */
        opt.date = !strcmp(family, "llama3") ? "09 Mar 2025" : NULL;
        opt.enable_thinking = f[5][0] == '1';
        char rel[512];
        snprintf(rel, sizeof rel, "expected/%s", expected_file);
        char *want = slurp(data_path(rel));
        assert_non_null(want);
        char *got = NULL;
        int rc = mote_chat_format(family, c->msgs, c->n, f[4][0] == '1', &opt, &got);
        if (rc != MOTE_OK) {
            fprintf(stderr, "%s: %s\n", expected_file, mote_last_error());
            n_failed++;
        } else if (strcmp(want, got) != 0) {
            show_difference(expected_file, want, got);
            n_failed++;
        }
        for (int k = 0; names[k]; k++)
            if (!strcmp(names[k], family)) families_seen[k] = true;
        n_cases++;
        free(want);
        free(got);
    }
    free(manifest);
    fprintf(stderr, "%d renders compared, %d differ\n", n_cases, n_failed);
    assert_true(n_cases >= 100);
    assert_int_equal(n_failed, 0);
    /* Every built-in format is held to a real template. */
    for (int k = 0; names[k]; k++) {
        if (!families_seen[k]) fprintf(stderr, "no render checks format %s\n", names[k]);
        assert_true(families_seen[k]);
    }
}

/* Each reference template is recognised as the family it was rendered for. */
static void test_detects_reference_templates(void **state) {
    (void)state;
    static const struct {
        const char *file, *family;
    } cases[] = {
        {"meta-llama-Llama-3.2-3B-Instruct.jinja", "llama3"},
        {"meta-llama-Llama-3.1-8B-Instruct.jinja", "llama3.1"},
        {"google-gemma-3-1b-it.jinja", "gemma"},
        {"google-gemma-2-2b-it.jinja", "gemma"},
        {"Qwen-Qwen3-0.6B.jinja", "qwen3"},
        {"teknium-OpenHermes-2.5-Mistral-7B.jinja", "chatml"},
        {"HuggingFaceTB-SmolLM2-135M-Instruct.jinja", "smollm2"},
        {"microsoft-Phi-3.5-mini-instruct.jinja", "phi3"},
        {"microsoft-Phi-4-mini-instruct.jinja", "phi4-mini"},
        {"TinyLlama-TinyLlama-1.1B-Chat-v1.0.jinja", "zephyr"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "templates/%s", cases[i].file);
        char *jinja = slurp(data_path(rel));
        assert_non_null(jinja);
        const char *d = mote_chat_template_detect(jinja);
        if (!d || strcmp(d, cases[i].family)) fprintf(stderr, "%s detected as %s\n", cases[i].file, d ? d : "NULL");
        assert_non_null(d);
        assert_string_equal(d, cases[i].family);
        const char *name = NULL;
        assert_int_equal(mote_chat_template_resolve(jinja, &name), MOTE_OK);
        assert_string_equal(name, cases[i].family);
        free(jinja);
    }
}

/* Templates that look alike but format differently are refused, not guessed. */
static void test_refuses_lookalikes(void **state) {
    (void)state;
    const char *llama30 = "{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + "
                          "'<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' }}{% endfor %}";
    assert_null(mote_chat_template_detect(llama30));
    const char *qwen25 = "{{ '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud.<|im_end|>\n' }}";
    assert_null(mote_chat_template_detect(qwen25));
    const char *phi4 = "{{ '<|im_start|>' + message['role'] + '<|im_sep|>' }}";
    assert_null(mote_chat_template_detect(phi4));
    assert_null(mote_chat_template_detect("{{ messages }}"));
    const char *name = NULL;
    assert_int_equal(mote_chat_template_resolve("{{ messages }}", &name), MOTE_ERR_UNSUPPORTED);
    assert_non_null(strstr(mote_last_error(), "--chat-template"));
    assert_non_null(strstr(mote_last_error(), "phi4-mini"));
}

static void test_names_and_aliases(void **state) {
    (void)state;
    const char *name = NULL;
    static const char *const pairs[][2] = {
        {"llama3", "llama3"}, {"LLAMA3.2", "llama3"}, {"llama3.3", "llama3.1"}, {"gemma3", "gemma"},
        {"tinyllama", "zephyr"}, {"Phi-3", "phi3"},   {"qwen3", "qwen3"},       {"smollm", "chatml"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        assert_int_equal(mote_chat_template_resolve(pairs[i][0], &name), MOTE_OK);
        assert_string_equal(name, pairs[i][1]);
    }
    /* An unknown name: the message names it and every option. */
    assert_int_equal(mote_chat_template_resolve("vicuna", &name), MOTE_ERR_NOT_FOUND);
    const char *msg = mote_last_error();
    assert_non_null(strstr(msg, "vicuna"));
    for (const char *const *n = mote_chat_template_names(); *n; n++) assert_non_null(strstr(msg, *n));
    mote_chat_message m = {"user", "hi"};
    char *out = (char *)1;
    assert_int_equal(mote_chat_format("vicuna", &m, 1, true, NULL, &out), MOTE_ERR_NOT_FOUND);
    assert_null(out);
    /* Stop strings. */
    assert_string_equal(mote_chat_template_stops("llama3")[0], "<|eot_id|>");
    assert_string_equal(mote_chat_template_stops("gemma")[0], "<end_of_turn>");
    assert_string_equal(mote_chat_template_stops("qwen3")[0], "<|im_end|>");
    assert_string_equal(mote_chat_template_stops("phi3")[0], "<|end|>");
    assert_string_equal(mote_chat_template_stops("zephyr")[0], "</s>");
    assert_null(mote_chat_template_stops("nope"));
}

static void test_refused_conversations(void **state) {
    (void)state;
    char *out = NULL;
    /* Gemma's template raises when roles do not alternate. */
    mote_chat_message two_users[] = {{"user", "a"}, {"user", "b"}};
    assert_int_equal(mote_chat_format("gemma", two_users, 2, true, NULL, &out), MOTE_ERR_INVALID_ARG);
    assert_non_null(strstr(mote_last_error(), "alternate"));
    assert_null(out);
    mote_chat_message starts_with_assistant[] = {{"system", "s"}, {"assistant", "a"}};
    assert_int_equal(mote_chat_format("gemma", starts_with_assistant, 2, true, NULL, &out), MOTE_ERR_INVALID_ARG);
    /* No messages, or a message without content. */
    assert_int_equal(mote_chat_format("chatml", two_users, 0, true, NULL, &out), MOTE_ERR_INVALID_ARG);
    mote_chat_message empty[] = {{"user", NULL}};
    assert_int_equal(mote_chat_format("chatml", empty, 1, true, NULL, &out), MOTE_ERR_INVALID_ARG);
    assert_non_null(strstr(mote_last_error(), "content"));
}

/* Without a date, Llama 3.2's header carries today's date, Llama 3.1's the
 * template's fixed one. */
static void test_llama3_dates(void **state) {
    (void)state;
    mote_chat_message m = {"user", "Hi"};
    char *out = NULL;
    assert_int_equal(mote_chat_format("llama3", &m, 1, true, NULL, &out), MOTE_OK);
    char today[32], line[64];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(today, sizeof today, "%d %b %Y", &tm);
    snprintf(line, sizeof line, "Today Date: %s\n", today);
    assert_non_null(strstr(out, line));
    free(out);
    assert_int_equal(mote_chat_format("llama3.1", &m, 1, true, NULL, &out), MOTE_OK);
    assert_non_null(strstr(out, "Today Date: 26 Jul 2024\n"));
    free(out);
}

/* Python's str.strip() (Jinja's trim) removes Unicode spaces too. */
static void test_trim_is_python_strip(void **state) {
    (void)state;
    mote_chat_message m = {"user", "\xc2\xa0\xe3\x80\x80 \x1f hi \xe2\x80\x83\n\xc2\x85"};
    char *out = NULL;
    mote_chat_options opt = mote_chat_options_default();
    assert_int_equal(mote_chat_format("gemma", &m, 1, false, &opt, &out), MOTE_OK);
    assert_string_equal(out, "<start_of_turn>user\nhi<end_of_turn>\n");
    free(out);
    /* A multi-byte character that is not a space stays whole. */
    mote_chat_message e = {"user", " \xc3\xa9t\xc3\xa9 "};
    assert_int_equal(mote_chat_format("gemma", &e, 1, false, &opt, &out), MOTE_OK);
    assert_string_equal(out, "<start_of_turn>user\n\xc3\xa9t\xc3\xa9<end_of_turn>\n");
    free(out);
}

/* The fixture models carry real templates: each is recognised, and the
 * vocabulary's BOS/EOS texts are found. */
static void test_fixture_models(void **state) {
    (void)state;
    static const struct {
        const char *file, *family, *bos, *eos;
    } cases[] = {
        {"models/qwen3-tiny-f32.gguf", "qwen3", "<s>", "<|im_end|>"},
        {"models/gemma3-tiny-f32.gguf", "gemma", "<s>", "</s>"},
        {"models/phi3-tiny-f32.gguf", "phi3", "<s>", NULL},
    };
    const char *fixtures = getenv("MOTE_FIXTURES");
    if (!fixtures) skip();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mote_gguf *g = NULL;
        if (mote_gguf_open(fixture_path(cases[i].file), &g) != MOTE_OK) skip();
        const char *name = NULL;
        assert_int_equal(mote_chat_template_for_model(g, NULL, &name), MOTE_OK);
        assert_string_equal(name, cases[i].family);
        assert_int_equal(mote_chat_template_for_model(g, "chatml", &name), MOTE_OK);
        assert_string_equal(name, "chatml");
        mote_chat_options opt = mote_chat_options_default();
        mote_chat_options_from_gguf(g, &opt);
        assert_string_equal(opt.bos_token, cases[i].bos);
        if (cases[i].eos) assert_string_equal(opt.eos_token, cases[i].eos);
        mote_gguf_close(g);
    }
    /* A model without a template: the error says how to choose one. */
    mote_gguf *g = NULL;
    assert_int_equal(mote_gguf_open(fixture_path("models/llama-tiny-f32.gguf"), &g), MOTE_OK);
    const char *name = NULL;
    assert_int_equal(mote_chat_template_for_model(g, NULL, &name), MOTE_ERR_NOT_FOUND);
    assert_non_null(strstr(mote_last_error(), "--chat-template"));
    mote_gguf_close(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_jinja_renders),
        cmocka_unit_test(test_detects_reference_templates),
        cmocka_unit_test(test_refuses_lookalikes),
        cmocka_unit_test(test_names_and_aliases),
        cmocka_unit_test(test_refused_conversations),
        cmocka_unit_test(test_llama3_dates),
        cmocka_unit_test(test_trim_is_python_strip),
        cmocka_unit_test(test_fixture_models),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
