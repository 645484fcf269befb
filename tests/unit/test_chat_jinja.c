/*
 * test_chat_jinja.c — the Jinja interpreter's constructs one by one, its
 * error messages (construct and line), its limits against runaway
 * templates, the conversation entry point (Qwen 3's enable_thinking) and the
 * reasoning/answer split. The byte-for-byte comparison with jinja2 on real
 * templates is tests/chat/jinja_conformance.py.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* Render `src` with `vars` (JSON); NULL on error (message in mote_last_error()). */
static char *render(const char *src, const char *vars) {
    mote_chat_jinja *t;
    if (mote_chat_jinja_parse(src, &t) != MOTE_OK) return NULL;
    char *out = NULL;
    int rc = mote_chat_jinja_render_vars(t, vars ? vars : "{}", 1741521600 /* 2025-03-09 12:00 UTC */, &out);
    mote_chat_jinja_free(t);
    return rc == MOTE_OK ? out : NULL;
}

typedef struct {
    const char *src, *vars, *want;
} render_case;

static void check_cases(const render_case *cases, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char *got = render(cases[i].src, cases[i].vars);
        if (!got) fail_msg("case %zu %s: error: %s", i, cases[i].src, mote_last_error());
        if (strcmp(got, cases[i].want))
            fail_msg("case %zu %s:\n got  [%s]\n want [%s]", i, cases[i].src, got, cases[i].want);
        free(got);
    }
}

static void test_expressions(void **state) {
    (void)state;
    static const render_case cases[] = {
        {"{{ 1 + 2 * 3 }}|{{ (1 + 2) * 3 }}|{{ 7 // 2 }}|{{ -7 // 2 }}|{{ 7 % 3 }}|{{ -7 % 3 }}|{{ 2 ** 10 }}", NULL,
         "7|9|3|-4|1|2|1024"},
        {"{{ 7 / 2 }}|{{ 4 / 2 }}|{{ 0.1 + 0.2 }}|{{ 1e20 }}|{{ 1.5e-7 }}", NULL, "3.5|2.0|0.30000000000000004|1e+20|1.5e-07"},
        {"{{ 'a' ~ 1 ~ none ~ true }}|{{ 'ab' * 3 }}|{{ 'x' + 'y' }}", NULL, "a1NoneTrue|ababab|xy"},
        {"{{ 1 < 2 < 3 }}|{{ 1 == 1.0 }}|{{ true == 1 }}|{{ 'b' > 'a' }}|{{ [1,2] == [1,2] }}", NULL,
         "True|True|True|True|True"},
        {"{{ 'ell' in 'hello' }}|{{ 3 not in [1, 2] }}|{{ 'k' in {'k': 1} }}", NULL, "True|True|True"},
        {"{{ x or 'dflt' }}|{{ 0 and 1 }}|{{ not none }}|{{ 'yes' if 1 else 'no' }}|{{ 'a' if false }}", NULL,
         "dflt|0|True|yes|"},
        {"{{ [1, 'a', none, true, 1.5, [2], {'k': 'v'}] }}|{{ (1,) }}|{{ {'q': \"it's\"} }}", NULL,
         "[1, 'a', None, True, 1.5, [2], {'k': 'v'}]|(1,)|{'q': \"it's\"}"},
        {"{{ s[1:3] }}|{{ s[::-1] }}|{{ s[-2:] }}|{{ l[1:] }}|{{ l[-1] }}|{{ s[0] }}", "{\"s\":\"héllo\",\"l\":[1,2,3]}",
         "él|olléh|lo|[2, 3]|3|h"},
        {"{{ d.a.b }}|{{ d['a']['b'] }}|{{ d.missing }}|{{ l.0 }}", "{\"d\":{\"a\":{\"b\":5}},\"l\":[9]}", "5|5||9"},
        {"{{ 'a' 'b' }}|{{ \"tab\\there\" }}|{{ '\\u00e9' }}", NULL, "ab|tab\there|é"},
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_statements(void **state) {
    (void)state;
    static const render_case cases[] = {
        {"{% if x == 1 %}one{% elif x == 2 %}two{% else %}many{% endif %}", "{\"x\":2}", "two"},
        {"{% for i in l %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.first }}{{ loop.last }}"
         "{{ loop.length }},{% endfor %}",
         "{\"l\":[\"a\",\"b\"]}", "102TrueFalse2,211FalseTrue2,"},
        {"{% for i in l %}{{ loop.previtem }}-{{ loop.nextitem }};{% endfor %}", "{\"l\":[1,2,3]}", "-2;1-3;2-;"},
        {"{% for i in l if i > 1 %}{{ i }}{{ loop.length }}{% else %}none{% endfor %}", "{\"l\":[1,2,3]}", "2232"},
        {"{% for i in [] %}x{% else %}empty{% endfor %}", NULL, "empty"},
        {"{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k in d %}{{ k }}{% endfor %}",
         "{\"d\":{\"a\":1,\"b\":2}}", "a=1;b=2;ab"},
        {"{% for i in range(5) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 3 %}{% break %}{% endif %}"
         "{{ i }}{% endfor %}",
         NULL, "02"},
        {"{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{% endfor %}{{ x }}", NULL, "1"},
        {"{% set ns = namespace(x=1) %}{% for i in [1, 2] %}{% set ns.x = ns.x + i %}{% endfor %}{{ ns.x }}", NULL,
         "4"},
        {"{% set a, b = [1, 2] %}{{ b }}{{ a }}", NULL, "21"},
        {"{% set x %}block {{ 1 }}{% endset %}[{{ x }}]{% set y | upper %}up{% endset %}{{ y }}", NULL,
         "[block 1]UP"},
        {"{% macro m(a, b='B') %}<{{ a }}{{ b }}>{% endmacro %}{{ m(1) }}{{ m(1, 2) }}{{ m(b=3, a=4) }}", NULL,
         "<1B><12><43>"},
        {"{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}", NULL, "321"},
        {"{% filter upper %}abc{% endfilter %}", NULL, "ABC"},
        {"{% raw %}{{ not run }}{% endraw %}", NULL, "{{ not run }}"},
        {"{# a comment #}x{% generation %}y{% endgeneration %}", NULL, "xy"},
        {"{% for c in 'ab' %}{{ loop.cycle('o', 'e') }}{{ c }}{% endfor %}", NULL, "oaeb"},
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_whitespace(void **state) {
    (void)state;
    static const render_case cases[] = {
        /* trim_blocks: the newline after a block tag goes; lstrip_blocks: indentation before it */
        {"a\n  {% if true %}\n  b\n  {% endif %}\nc", NULL, "a\n  b\nc"},
        {"a  {%- if true -%}  b  {%- endif %}", NULL, "ab"},
        {"a {{- 'x' -}} b", NULL, "axb"},
        {"  {{ 'v' }}\n{% set x = 1 %}\n", NULL, "  v\n"},
        {"x  {%+ if true %}y{% endif %}", NULL, "x  y"},
        {"l1\r\nl2\n", NULL, "l1\nl2"}, /* newlines normalised, one trailing newline dropped */
        {"{# c #}\nz", NULL, "z"},
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_filters_and_tests(void **state) {
    (void)state;
    static const render_case cases[] = {
        {"{{ '  x  ' | trim }}|{{ 'ab' | upper }}|{{ 'AB' | lower }}|{{ 'hello world' | title }}|{{ 'hI' | capitalize }}",
         NULL, "x|AB|ab|Hello World|Hi"},
        {"{{ l | length }}|{{ 'héllo' | length }}|{{ l | first }}|{{ l | last }}|{{ l | join('-') }}|{{ l | sum }}",
         "{\"l\":[1,2,3]}", "3|5|1|3|1-2-3|6"},
        {"{{ x | default('d') }}|{{ '' | default('d', true) }}|{{ none | default('d') }}", NULL, "d|d|None"},
        {"{{ d | tojson }}|{{ d | tojson(indent=2) }}", "{\"d\":{\"a\":[1,\"é\\n\"],\"b\":{}}}",
         "{\"a\": [1, \"é\\n\"], \"b\": {}}|{\n  \"a\": [\n    1,\n    \"é\\n\"\n  ],\n  \"b\": {}\n}"},
        {"{{ 'é' | tojson(ensure_ascii=true) }}|{{ d | tojson(separators=(',', ':'), sort_keys=true) }}",
         "{\"d\":{\"b\":1,\"a\":2}}", "\"\\u00e9\"|{\"a\":2,\"b\":1}"},
        {"{% for k, v in d | dictsort %}{{ k }}{{ v }}{% endfor %}|{{ d | items | list }}", "{\"d\":{\"b\":1,\"a\":2}}",
         "a2b1|[('b', 1), ('a', 2)]"},
        {"{{ l | selectattr('r', 'equalto', 'u') | map(attribute='c') | join }}|{{ l | rejectattr('r', 'equalto', 'u') "
         "| list | length }}",
         "{\"l\":[{\"r\":\"u\",\"c\":\"x\"},{\"r\":\"a\",\"c\":\"y\"},{\"r\":\"u\",\"c\":\"z\"}]}", "xz|1"},
        {"{{ ['b', 'a', 'B'] | sort }}|{{ [1, 2, 1] | unique | list }}|{{ [3, 1] | min }}|{{ ['a'] | map('upper') | list }}",
         NULL, "['a', 'b', 'B']|[1, 2]|1|['A']"},
        {"{{ 'a-b-c' | replace('-', '+') }}|{{ '42' | int + 1 }}|{{ 'x' | int }}|{{ 3 | string ~ 'x' }}|{{ '1.5' | float }}",
         NULL, "a+b+c|43|0|3x|1.5"},
        {"{{ 'a\\nb' | indent(2) }}|{{ 'a\\n\\nb' | indent(2, first=true) }}", NULL, "a\n  b|  a\n\n  b"},
        {"{{ '<&>' | e }}|{{ 'x' | safe + '\"' }}", NULL, "&lt;&amp;&gt;|x&#34;"},
        {"{{ x is defined }}{{ x is undefined }}{{ none is none }}{{ 's' is string }}{{ {} is mapping }}"
         "{{ [] is iterable }}{{ 1 is number }}{{ [] is sequence }}{{ true is true }}{{ false is false }}"
         "{{ 1 is equalto 1 }}{{ 3 is odd }}{{ 4 is divisibleby 2 }}{{ 1 is not string }}",
         NULL, "FalseTrueTrueTrueTrueTrueTrueTrueTrueTrueTrueTrueTrueTrue"},
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_methods_and_globals(void **state) {
    (void)state;
    static const render_case cases[] = {
        {"{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'a,b,c'.split(',', 1) }}|{{ 'a,b,c'.rsplit(',', 1) }}",
         NULL, "['a', 'b', '', 'c']|['a', 'b']|['a', 'b,c']|['a,b', 'c']"},
        {"{{ ' x '.strip() }}|{{ 'xxay'.lstrip('x') }}|{{ 'ayy'.rstrip('y') }}|{{ 'ab'.startswith('a') }}"
         "|{{ 'ab'.endswith(('x', 'b')) }}",
         NULL, "x|ay|a|True|True"},
        {"{{ 'aXa'.replace('a', 'b') }}|{{ 'abc'.upper() }}|{{ 'hello'.find('l') }}|{{ 'a{}c{x}'.format('b', x='d') }}",
         NULL, "bXb|ABC|2|abcd"},
        {"{{ d.get('a') }}|{{ d.get('z', 'no') }}|{{ d.get('z') }}|{{ d.keys() | list }}|{{ d.values() | list }}",
         "{\"d\":{\"a\":1}}", "1|no|None|['a']|[1]"},
        {"{{ range(3) | list }}|{{ range(1, 7, 2) | list }}|{{ dict(a=1) }}|{{ strftime_now('%Y-%m-%d %d %b') }}", NULL,
         "[0, 1, 2]|[1, 3, 5]|{'a': 1}|2025-03-09 09 Mar"},
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* Errors name the construct and the template line. */
static void test_errors(void **state) {
    (void)state;
    static const struct {
        const char *src, *vars, *want;
    } cases[] = {
        {"a\n{{ x | nosuch }}", NULL, "line 2: unknown filter 'nosuch'"},
        {"{% if false %}{{ x is nosuch }}{% endif %}", NULL, ""}, /* unknown tests inside an if wait until they run ... */
        {"\n\n{% if true %}{{ 1 is nosuch }}{% endif %}", NULL, "line 3: unknown test 'nosuch'"},
        {"{% if true %}\nx", NULL, "line 1: the {% if %} tag is never closed (missing {% endif %})"},
        {"{% for x in y %}\n{% endfor", NULL, "line 2: unexpected end of template inside a {% %} tag"},
        {"\n{% frobnicate %}", NULL, "line 2: unknown or unsupported tag 'frobnicate'"},
        {"{{ 1 + }}", NULL, "line 1: unexpected '}}' in an expression"},
        {"\n\n{{ raise_exception('no system role') }}", NULL, "line 3: raise_exception: no system role"},
        {"{{ x.y }}", NULL, "line 1: 'x' is undefined"},
        {"{{ 'a' + 1 }}", NULL, "line 1: unsupported operand types for +: 'str' and 'int'"},
        {"{% for x in 5 %}{% endfor %}", NULL, "line 1: 'int' object is not iterable (in a for loop)"},
        {"{% set l = [] %}{{ l.append(1) }}", NULL, "access to attribute 'append' of 'list' object is unsafe"},
        {"{% set x = 1 %}{% set x.y = 2 %}", NULL, "cannot assign attribute 'y' on a int"},
        {"{{ 'abc' | tojson }}{{ f | tojson }}", "{\"f\":1}", NULL},
        {"{{ {'a': x} | tojson }}", NULL, "tojson: object of type Undefined is not JSON serializable"},
        {"{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}", NULL, "macro 'm' takes 1 arguments, 2 given"},
        {"{% break %}", NULL, "'break' outside a for loop"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = render(cases[i].src, cases[i].vars);
        if (!cases[i].want || !cases[i].want[0]) {
            if (!got) fail_msg("case %zu: unexpected error %s", i, mote_last_error());
            free(got);
            continue;
        }
        if (got) fail_msg("case %zu %s: rendered [%s], expected the error '%s'", i, cases[i].src, got, cases[i].want);
        if (!strstr(mote_last_error(), cases[i].want))
            fail_msg("case %zu: error '%s' does not contain '%s'", i, mote_last_error(), cases[i].want);
    }
}

/* Hostile templates end with an error, not a hang or a crash. */
static void test_limits(void **state) {
    (void)state;
    static const char *const hostile[] = {
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
        "{{ 'x' * 100000000000 }}",
        "{{ range(10000000000) | length }}",
    };
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        char *got = render(hostile[i], NULL);
        if (got) fail_msg("hostile case %zu rendered", i);
    }
    /* values nested deeper than can be printed, and deep expressions in recursive macros */
    assert_null(render("{% set ns = namespace(l=[]) %}{% for i in range(60000) %}{% set ns.l = [ns.l] %}{% endfor %}"
                       "{{ ns.l == ns.l }}{{ ns.l }}",
                       NULL));
    assert_non_null(strstr(mote_last_error(), "nests deeper"));
    char *chain = malloc(8000);
    strcpy(chain, "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1)");
    for (int i = 0; i < 700; i++) strcat(chain, " ~ 1");
    strcat(chain, " }}{% endif %}{% endmacro %}{{ f(60) }}");
    assert_null(render(chain, NULL));
    assert_non_null(strstr(mote_last_error(), "nested too deeply"));
    free(chain);
    /* deep nesting is refused by the parser instead of overflowing the stack */
    size_t depth = 5000;
    char *deep = malloc(depth * 2 + 16);
    strcpy(deep, "{{ ");
    for (size_t i = 0; i < depth; i++) strcat(deep, "(");
    strcat(deep, "1");
    for (size_t i = 0; i < depth; i++) strcat(deep, ")");
    strcat(deep, " }}");
    assert_null(render(deep, NULL));
    assert_non_null(strstr(mote_last_error(), "nests"));
    free(deep);
}

/* Every input the fuzzer once crashed on (tests/fuzz/regressions-jinja):
 * a render or a clean error now. Also the numerals behind the first one. */
static void test_fuzz_regressions(void **state) {
    (void)state;
    char *r = render("{{ 1234567890123456789012345678901234567890123456789012345678901234567890.5 }}", NULL);
    assert_non_null(r);
    free(r);
    assert_null(render("{{ 99999999999999999999 }}", NULL));
    assert_non_null(strstr(mote_last_error(), "does not fit in 64 bits"));
    const char *root = getenv("MOTE_ROOT");
    if (!root) {
        fprintf(stderr, "note: MOTE_ROOT unset, Jinja fuzz regressions not run\n");
        return;
    }
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/regressions-jinja", root);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int count = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        char buf[65536];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        free(render(buf, NULL)); /* the fuzzer's default variables are not needed to reach these */
        count++;
    }
    closedir(d);
    assert_true(count > 0);
}

static const char *const QWEN3_LIKE =
    "{%- for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endfor %}"
    "{%- if add_generation_prompt %}<|im_start|>assistant\n"
    "{% if enable_thinking is defined and enable_thinking is false %}<think>\n\n</think>\n\n{% endif %}{% endif %}";

static void test_conversation_entry(void **state) {
    (void)state;
    mote_chat_jinja *t;
    assert_int_equal(mote_chat_jinja_parse(QWEN3_LIKE, &t), MOTE_OK);
    mote_chat_message msgs[] = {{"user", "Hi"}};
    mote_chat_options opt = mote_chat_options_default();
    char *out;
    assert_int_equal(mote_chat_jinja_render(t, msgs, 1, true, &opt, NULL, &out), MOTE_OK);
    assert_string_equal(out, "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    free(out);
    opt.enable_thinking = false;
    assert_int_equal(mote_chat_jinja_render(t, msgs, 1, true, &opt, NULL, &out), MOTE_OK);
    assert_string_equal(out, "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
    free(out);
    mote_chat_jinja_input in = {.messages_json = "[{\"role\":\"tool\",\"content\":\"21\"}]"};
    assert_int_equal(mote_chat_jinja_render(t, NULL, 0, false, &opt, &in, &out), MOTE_OK);
    assert_string_equal(out, "<|im_start|>tool\n21<|im_end|>\n");
    free(out);
    in.messages_json = "[not json";
    assert_int_not_equal(mote_chat_jinja_render(t, NULL, 0, false, &opt, &in, &out), MOTE_OK);
    assert_non_null(strstr(mote_last_error(), "not valid JSON"));
    assert_int_not_equal(mote_chat_jinja_render(t, NULL, 0, true, &opt, NULL, &out), MOTE_OK);
    mote_chat_jinja_free(t);
}

static void expect_split(const char *text, const char *reasoning, const char *answer) {
    mote_chat_reasoning r = mote_chat_split_reasoning(text);
    if (r.reasoning_len != strlen(reasoning) || memcmp(r.reasoning, reasoning, r.reasoning_len))
        fail_msg("%s: reasoning [%.*s], want [%s]", text, (int)r.reasoning_len, r.reasoning, reasoning);
    if (r.answer_len != strlen(answer) || memcmp(r.answer, answer, r.answer_len))
        fail_msg("%s: answer [%.*s], want [%s]", text, (int)r.answer_len, r.answer, answer);
}

static void test_split_reasoning(void **state) {
    (void)state;
    expect_split("<think>\nLet me see.\n</think>\n\nIt is 4.", "Let me see.", "It is 4.");
    expect_split("It is 4.", "", "It is 4.");
    expect_split("<think>\n\n</think>\n\nNo thinking.", "", "No thinking.");
    expect_split("opened in the prompt</think>answer", "opened in the prompt", "answer");
    expect_split("<think>still thinking", "still thinking", "");
    expect_split("", "", "");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expressions),       cmocka_unit_test(test_statements),
        cmocka_unit_test(test_whitespace),        cmocka_unit_test(test_filters_and_tests),
        cmocka_unit_test(test_methods_and_globals), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits),            cmocka_unit_test(test_conversation_entry),
        cmocka_unit_test(test_split_reasoning),   cmocka_unit_test(test_fuzz_regressions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
