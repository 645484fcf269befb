/*
 * test_grammar.c — GBNF parsing (every llama.cpp grammar file when its
 * source tree is present, every syntax feature, errors with line and
 * column), JSON Schema conversion (what matches and what does not, refused
 * keywords), and the grammar-constrained sampler on a real vocabulary:
 * random logits must always produce text the grammar matches, the full mask
 * must agree token by token with the single-token test, and the end of
 * generation must come exactly when the grammar is complete.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "grammar/grammar_matcher.h"
#include "sampler/rng.h"
#include "sampler/sampler_internal.h"

static mote_grammar *parse_ok(const char *text) {
    mote_grammar *g = NULL;
    int rc = mote_grammar_parse(text, strlen(text), NULL, &g);
    if (rc) fail_msg("grammar did not parse: %s\n%s", mote_last_error(), text);
    return g;
}

static bool matches(const mote_grammar *g, const char *text) { return mote_grammar_matches(g, text, strlen(text)); }

static const char *llama_grammar_dir(void) {
    const char *d = getenv("LLAMA_GRAMMARS");
    return d ? d : "/work/llama/src/grammars";
}

static char *read_text(const char *dir, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t n;
    char *t = read_file(path, &n);
    if (t) t = realloc(t, n + 1), t[n] = '\0';
    return t;
}

static void test_llama_grammars(void **state) {
    (void)state;
    DIR *d = opendir(llama_grammar_dir());
    if (!d) skip();
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".gbnf")) continue;
        char *text = read_text(llama_grammar_dir(), e->d_name);
        assert_non_null(text);
        mote_grammar *g = NULL;
        if (mote_grammar_parse(text, strlen(text), NULL, &g)) fail_msg("%s: %s", e->d_name, mote_last_error());
        if (!strcmp(e->d_name, "json.gbnf")) {
            assert_true(matches(g, "{\"a\": [1, -2.5e3, \"x\\n\\u00e9\"], \"b\": {}, \"c\": null}"));
            assert_false(matches(g, "{\"a\" 1}"));
            assert_false(matches(g, "[1]"));
        } else if (!strcmp(e->d_name, "arithmetic.gbnf")) {
            assert_true(matches(g, "1+2*(3-4)=5\n"));
            assert_false(matches(g, "1+\n"));
        } else if (!strcmp(e->d_name, "chess.gbnf")) {
            assert_true(matches(g, "1. e4 e5\n2. Nf3 Nc6\n"));
            assert_false(matches(g, "1. e9 e5\n2. Nf3 Nc6\n"));
        } else if (!strcmp(e->d_name, "japanese.gbnf")) {
            assert_true(matches(g, "ひらがな カタカナ"));
            assert_false(matches(g, "abc"));
        } else if (!strcmp(e->d_name, "c.gbnf")) {
            assert_true(matches(g, "int main(){return 0;}"));
        }
        mote_grammar_free(g);
        free(text);
        n++;
    }
    closedir(d);
    assert_true(n >= 5);
}

static void test_syntax(void **state) {
    (void)state;
    mote_grammar *g = parse_ok("# a comment line\n"
                               "root ::= greet ws (name | \"\\x41\\u00e9\\U0001F600\")+ end # trailing comment\n"
                               "greet ::= \"hi\" | \"yo\"\n"
                               "  | \"hey\"\n"
                               "name ::= [A-Z] [a-z0-9_-]{1,3}\n"
                               "ws ::= [ \\t]*\n"
                               "end ::= (\n"
                               "    \"!\"{2} |\n"
                               "    \"?\"{1,} |\n"
                               "    \".\"{0,2} )\n");
    assert_true(matches(g, "hi Bob!!"));
    assert_true(matches(g, "hey \t Ab-xA\xc3\xa9\xf0\x9f\x98\x80?????"));
    assert_true(matches(g, "yoAb"));
    assert_true(matches(g, "yoAbcd."));
    assert_true(matches(g, "yoA\xc3\xa9\xf0\x9f\x98\x80.."));
    assert_false(matches(g, "hi bob!!"));
    assert_false(matches(g, "hi Bob\n!"));     /* {2} */
    assert_false(matches(g, "hi Bob..."));     /* {0,2} */
    assert_false(matches(g, "hi A"));          /* [a-z]{1,3} needs one */
    assert_false(matches(g, "hi Ab\xc3"));     /* half a character */
    mote_grammar_free(g);
    g = parse_ok("root ::= [^\\n\"]? .? \"|\"");
    assert_true(matches(g, "|"));
    assert_true(matches(g, "a\n|"));
    assert_true(matches(g, "\xe2\x82\xac|"));
    assert_false(matches(g, "\n\n|"));
    assert_false(matches(g, "\"x|"));
    mote_grammar_free(g);
    /* a different root, and a literal containing quotes and brackets */
    g = NULL;
    const char *t = "start ::= \"[\\\"]\" other\nother ::= [\\]\\[]";
    assert_int_equal(mote_grammar_parse(t, strlen(t), "start", &g), MOTE_OK);
    assert_true(matches(g, "[\"]]"));
    assert_string_equal(mote_grammar_text(g), t);
    mote_grammar_free(g);
}

static void test_errors(void **state) {
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"root ::= foo", "line 1, column 10: rule 'foo' is used but never defined"},
        {"root ::= \"a\"\nx ::= \"abc", "line 2, column 7: unterminated literal"},
        {"root ::= [a-", "line 1, column 10: unterminated character class"},
        {"root ::= (\"a\" | \"b\"", "line 1, column 10: '(' without its ')'"},
        {"root := \"a\"", "line 1, column 6: expected '::='"},
        {"root ::= \"a\"{3,1}", "maximum below its minimum"},
        {"root ::= \"\\q\"", "unknown escape '\\q'"},
        {"root ::= \"\\x4\"", "\\x needs 2 hexadecimal digits"},
        {"root ::= *", "'*' with nothing before it"},
        {"root ::= \"a\" )", "unexpected ')'"},
        {"root ::= \"a\"\nroot ::= \"b\"", "line 2, column 1: rule 'root' is defined twice"},
        {"rot ::= \"a\"", "no rule 'root'"},
        {"root ::= x\nx ::= x \"a\"", "rule 'x' is left-recursive"},
        {"root ::= a\na ::= b \"x\"\nb ::= \"\" | a", "left-recursive"},
        {"root ::= (\"a\"?)*", "left-recursive"},
        {"root ::= [z-a]", "end before its start"},
        {"root ::= \"a\"{99999}", "repetition count above"},
        {"", "no rule 'root'"},
        {"root ::= ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((("
         "(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((",
         "nested deeper"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mote_grammar *g = NULL;
        int rc = mote_grammar_parse(cases[i].text, strlen(cases[i].text), NULL, &g);
        if (rc == MOTE_OK) fail_msg("accepted: %s", cases[i].text);
        assert_null(g);
        if (!strstr(mote_last_error(), cases[i].want))
            fail_msg("'%s': got '%s', want '%s'", cases[i].text, mote_last_error(), cases[i].want);
        assert_null(strchr(mote_last_error(), '\n'));
    }
}

static mote_grammar *schema(const char *json) {
    mote_grammar *g = NULL;
    if (mote_grammar_from_json_schema(json, strlen(json), &g)) fail_msg("schema %s: %s", json, mote_last_error());
    return g;
}

static void test_json_schema(void **state) {
    (void)state;
    mote_grammar *g = schema("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"integer\"}, \"b\": {\"type\": "
                             "\"string\", \"maxLength\": 3}, \"c\": {\"enum\": [true, \"x\"]}}, \"required\": [\"b\"]}");
    assert_true(matches(g, "{\"b\": \"abc\"}"));
    assert_true(matches(g, "{\"a\": -12, \"b\": \"\", \"c\": \"x\"}"));
    assert_true(matches(g, "{ \"a\":0,\"b\":\"\\n\",\"c\":true }"));
    assert_false(matches(g, "{\"a\": 1}"));                  /* b is required */
    assert_false(matches(g, "{\"b\": \"abcd\"}"));            /* maxLength */
    assert_false(matches(g, "{\"b\": \"a\", \"a\": 1}"));     /* schema order */
    assert_false(matches(g, "{\"b\": \"a\", \"d\": 1}"));     /* no extra properties */
    assert_false(matches(g, "{\"a\": 01, \"b\": \"\"}"));
    mote_grammar_free(g);

    g = schema("{\"$defs\": {\"n\": {\"type\": [\"number\", \"null\"]}}, \"type\": \"array\", \"items\": {\"$ref\": "
               "\"#/$defs/n\"}, \"minItems\": 2, \"maxItems\": 3}");
    assert_true(matches(g, "[1, null]"));
    assert_true(matches(g, "[1.5e-3,2,null]"));
    assert_false(matches(g, "[1]"));
    assert_false(matches(g, "[1,2,3,4]"));
    mote_grammar_free(g);

    g = schema("{\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"integer\"}}, \"additionalProperties\": "
               "{\"type\": \"boolean\"}}");
    assert_true(matches(g, "{\"id\": 1, \"idx\": true, \"i\": false, \"x\": true}"));
    assert_true(matches(g, "{\"zz\": true}"));
    assert_false(matches(g, "{\"id\": 1, \"id\": true}"));   /* an extra key cannot repeat a declared one */
    assert_false(matches(g, "{\"x\": 1}"));
    mote_grammar_free(g);

    g = schema("{\"type\": \"string\", \"pattern\": \"^(ab|c)[0-9]{2}\\\\.x?$\"}");
    assert_true(matches(g, "\"ab12.\""));
    assert_true(matches(g, "\"c00.x\""));
    assert_false(matches(g, "\"abc12.\""));
    mote_grammar_free(g);

    g = schema("{\"anyOf\": [{\"const\": \"a\\\"b\"}, {\"type\": \"object\", \"properties\": {\"t\": {\"$ref\": \"#\"}}}]}");
    assert_true(matches(g, "\"a\\\"b\""));
    assert_true(matches(g, "{\"t\": {\"t\": \"a\\\"b\"}}"));
    mote_grammar_free(g);

    assert_int_equal(mote_grammar_json(&g), MOTE_OK);
    assert_true(matches(g, "{\"a\": [1, {\"b\": null}], \"c\": \"\\u00e9\"}"));
    assert_false(matches(g, "[1]"));
    assert_false(matches(g, "{\"a\": \"\\ud800\"}"));       /* no lone surrogates */
    mote_grammar_free(g);

    static const struct {
        const char *schema, *want;
    } bad[] = {
        {"{\"type\": \"integer\", \"maximum\": 5}", "\"maximum\" is not supported"},
        {"{\"type\": \"integer\", \"minimum\": 5}", "\"minimum\" is not supported"},
        {"{\"type\": \"array\", \"uniqueItems\": true}", "\"uniqueItems\" is not supported"},
        {"{\"type\": \"strin\"}", "unknown type \"strin\""},
        {"{\"$ref\": \"#/$defs/x\"}", "points to nothing"},
        {"{\"$ref\": \"http://x/y\"}", "only $ref within the schema"},
        {"{\"type\": \"string\", \"pattern\": \"a(?=b)\"}", "lookaround"},
        {"{\"type\": \"string\", \"pattern\": \"(a)\\\\1\"}", "backreferences"},
        {"{\"type\": \"object\", \"required\": [\"q\"], \"additionalProperties\": false}", "forbidden by additionalProperties"},
        {"[1, 2", "not valid JSON"},
        {"17", "must be an object or a boolean"},
        {"{\"$ref\": \"#\"}", "left-recursive"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        g = NULL;
        int rc = mote_grammar_from_json_schema(bad[i].schema, strlen(bad[i].schema), &g);
        if (rc == MOTE_OK) fail_msg("accepted: %s", bad[i].schema);
        if (!strstr(mote_last_error(), bad[i].want))
            fail_msg("%s: got '%s', want '%s'", bad[i].schema, mote_last_error(), bad[i].want);
    }
}

/* --- the sampler on a real vocabulary --------------------------------------- */

typedef struct {
    mote_vocab *vocab;
    mote_grammar_vocab *gv;
} vocab_fixture;

static int setup_vocab(void **state) {
    require_fixtures();
    static vocab_fixture f;
    mote_gguf *g;
    if (mote_gguf_open(fixture_path("models/qwen3-tiny-q8_0.gguf"), &g)) return -1;
    int rc = mote_vocab_load(g, &f.vocab);
    mote_gguf_close(g);
    if (rc || mote_grammar_vocab_new(f.vocab, &f.gv)) return -1;
    *state = &f;
    return 0;
}

static int teardown_vocab(void **state) {
    vocab_fixture *f = *state;
    mote_grammar_vocab_free(f->gv);
    mote_vocab_free(f->vocab);
    return 0;
}

/* Sample up to max tokens with random logits; returns the text (caller frees)
 * and whether an end-of-generation token came. */
static char *generate(const vocab_fixture *f, const mote_grammar *g, mote_sampler_params p, unsigned seed, int max,
                      bool *ended) {
    int32_t n = mote_vocab_n_tokens(f->vocab);
    mote_sampler *s = mote_sampler_new(&p, n);
    assert_non_null(s);
    assert_int_equal(mote_sampler_set_grammar(s, g, f->gv), MOTE_OK);
    mote_sampler_accept(s, 5); /* a prompt token: history only */
    float *logits = malloc((size_t)n * sizeof *logits);
    int32_t *toks = malloc((size_t)max * sizeof *toks);
    mote_rng r;
    mote_rng_seed(&r, seed);
    int k = 0;
    *ended = false;
    for (; k < max; k++) {
        for (int32_t i = 0; i < n; i++) logits[i] = (float)(mote_rng_uniform(&r) * 10.0);
        int32_t t = mote_sampler_sample(s, logits);
        assert_true(t >= 0);
        mote_sampler_accept(s, t);
        if (mote_vocab_is_eog(f->vocab, t)) {
            assert_true(mote_sampler_grammar_complete(s));
            *ended = true;
            break;
        }
        assert_false(mote_vocab_is_control(f->vocab, t));
        toks[k] = t;
    }
    char *text;
    size_t len;
    assert_int_equal(mote_detokenize(f->vocab, toks, (size_t)k, 0, &text, &len), MOTE_OK);
    free(logits);
    free(toks);
    mote_sampler_free(s);
    return text;
}

static void test_sampler_follows_grammar(void **state) {
    vocab_fixture *f = *state;
    static const char *grammars[] = {
        "root ::= \"{\" ws ( kv ( \",\" ws kv ){0,3} )? \"}\"\nkv ::= \"\\\"\" [a-z]{1,6} \"\\\":\" ws ( [0-9]{1,5} | "
        "\"true\" )\nws ::= \" \"?",
        "root ::= ( [A-Z] [a-z]{0,8} \" \" ){2,5} \"end.\"",
        "root ::= \"x\"",
        "root ::= [^a-z]{3,12}",
    };
    mote_sampler_params greedy = mote_sampler_default(), warm = mote_sampler_default(), wide = mote_sampler_default();
    greedy.temp = 0;
    greedy.seed = warm.seed = wide.seed = 7;
    wide.top_k = 0;
    wide.min_p = 0;
    mote_sampler_params params[] = {greedy, warm, wide};
    for (size_t gi = 0; gi < sizeof grammars / sizeof *grammars; gi++) {
        mote_grammar *g = parse_ok(grammars[gi]);
        for (size_t pi = 0; pi < 3; pi++)
            for (unsigned seed = 1; seed <= 4; seed++) {
                bool ended;
                char *text = generate(f, g, params[pi], seed * 31 + (unsigned)gi, 200, &ended);
                if (!ended || !matches(g, text))
                    fail_msg("grammar %zu params %zu seed %u: %s '%s'", gi, pi, seed, ended ? "no match" : "no end", text);
                free(text);
            }
        mote_grammar_free(g);
    }
}

/* The trie walk and the single-token test agree on every token, at several states. */
static void test_mask_agrees(void **state) {
    vocab_fixture *f = *state;
    mote_grammar *g = NULL;
    assert_int_equal(mote_grammar_json(&g), MOTE_OK);
    grammar_matcher *m = grammar_matcher_new(g, f->gv);
    assert_non_null(m);
    const char *steps[] = {"{", " \"", "ab", "\\", "u00", "e9", "\": [", "1", ".5", "e", "-3", ", tr", "ue]", "}"};
    int32_t n = mote_vocab_n_tokens(f->vocab);
    for (size_t k = 0; k <= sizeof steps / sizeof *steps; k++) {
        const uint8_t *mask = grammar_matcher_mask(m);
        assert_non_null(mask);
        int allowed = 0;
        for (int32_t t = 0; t < n; t++) {
            bool bit = (mask[t >> 3] >> (t & 7)) & 1;
            if (bit != grammar_matcher_allows(m, t))
                fail_msg("step %zu token %d '%s': mask %d, test %d", k, t, mote_vocab_text(f->vocab, t, NULL), bit, !bit);
            allowed += bit;
        }
        assert_true(allowed > 0);
        /* the same state again comes from the cache and is the same */
        const uint8_t *again = grammar_matcher_mask(m);
        (void)again;
        if (k == sizeof steps / sizeof *steps) {
            assert_true(grammar_matcher_complete(m));
            break;
        }
        /* advance by the text of steps[k], one single-byte token per byte */
        for (const char *c = steps[k]; *c; c++) {
            int32_t tok = -1;
            for (int32_t t = 0; t < n && tok < 0; t++) {
                size_t len;
                const char *piece = mote_token_piece(f->vocab, t, &len);
                if (piece && len == 1 && *piece == *c && !mote_vocab_is_control(f->vocab, t)) tok = t;
            }
            assert_true(tok >= 0);
            if (!grammar_matcher_accept(m, tok)) fail_msg("step %zu: '%c' (token %d) refused", k, *c, tok);
        }
        assert_false(grammar_matcher_complete(m) && k + 1 < sizeof steps / sizeof *steps);
    }
    grammar_matcher_free(m);
    mote_grammar_free(g);
}

/* A control token is allowed where the grammar spells its text literally, not inside a class. */
static void test_control_tokens(void **state) {
    vocab_fixture *f = *state;
    int32_t im_start = mote_vocab_find(f->vocab, "<|im_start|>", 12);
    assert_true(im_start >= 0 && mote_vocab_is_control(f->vocab, im_start));
    mote_grammar *lit = parse_ok("root ::= \"<|im_start|>\" \"x\""), *cls = parse_ok("root ::= [^x]{1,20} \"x\"");
    grammar_matcher *m = grammar_matcher_new(lit, f->gv);
    assert_true(grammar_matcher_allows(m, im_start));
    const uint8_t *mask = grammar_matcher_mask(m);
    assert_true((mask[im_start >> 3] >> (im_start & 7)) & 1);
    assert_true(grammar_matcher_accept(m, im_start));
    assert_false(grammar_matcher_complete(m));
    grammar_matcher_free(m);
    m = grammar_matcher_new(cls, f->gv);
    assert_false(grammar_matcher_allows(m, im_start));
    mask = grammar_matcher_mask(m);
    assert_false((mask[im_start >> 3] >> (im_start & 7)) & 1);
    grammar_matcher_free(m);
    mote_grammar_free(lit);
    mote_grammar_free(cls);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_llama_grammars),
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_json_schema),
        cmocka_unit_test_setup_teardown(test_sampler_follows_grammar, setup_vocab, teardown_vocab),
        cmocka_unit_test_setup_teardown(test_mask_agrees, setup_vocab, teardown_vocab),
        cmocka_unit_test_setup_teardown(test_control_tokens, setup_vocab, teardown_vocab),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
