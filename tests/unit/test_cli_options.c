/*
 * test_cli_options.c — the option table of the command line (src/cli/options.c,
 * compiled in here since the CLI is not part of libmote): every entry is
 * complete and where its id says, and the parser reads what a person types:
 * short and long spellings, --name=value, negative numbers as values, "--",
 * the model as the first argument, repeatable flags, and refuses with one
 * message what it cannot take.
 */
#include "cli/options.c"

#include "testutil.h"

static void test_table_is_complete(void **state) {
    (void)state;
    for (int id = 1; id < CLI_N_OPTIONS; id++) {
        const cli_option *o = &cli_options[id];
        if ((int)o->id != id) fail_msg("cli_options[%d] holds id %d", id, o->id);
        assert_non_null(o->names[0]);
        assert_non_null(o->help);
        assert_true(o->names[0][0] == '-');
        if (o->kind == CLI_INT || o->kind == CLI_FLOAT || o->kind == CLI_LIST) {
            assert_non_null(o->rule);
            assert_true(o->min <= o->max);
        }
        assert_true((o->kind == CLI_FLAG) == (o->metavar == NULL));
    }
}

/* A spec taking the generation flags, for the parser tests. */
static const cli_use test_uses[] = {
    {CLI_HELP, NULL},   {CLI_MODEL, NULL}, {CLI_PROMPT, NULL},        {CLI_THREADS, NULL}, {CLI_N_PREDICT, NULL},
    {CLI_TEMP, NULL},   {CLI_STOP, NULL},  {CLI_SYSTEM_PROMPT, NULL}, {CLI_JSON, NULL},    {CLI_N_GPU_LAYERS, NULL},
    {CLI_END, NULL},
};
static const cli_command_spec test_spec = {"test", "mote test", "A test.", test_uses, 2, true};

static int parse(cli_args *a, int argc, const char **argv) { return cli_parse(&test_spec, argc, (char **)argv, a); }

static void test_spellings_and_values(void **state) {
    (void)state;
    cli_args a;
    const char *argv[] = {"test", "model.gguf", "--temp=0.5", "-n", "-1", "-sys", "be brief", "--threads", "3",
                          "--stop", "A", "--reverse-prompt", "B", "--json", "--", "-not-a-flag"};
    assert_int_equal(parse(&a, 16, argv), -1);
    assert_string_equal(a.model, "model.gguf");
    assert_true(cli_num(&a, CLI_TEMP, 0) == 0.5);
    assert_int_equal(cli_int(&a, CLI_N_PREDICT, 0), -1);
    assert_int_equal(cli_int(&a, CLI_THREADS, 0), 3);
    assert_string_equal(cli_str(&a, CLI_SYSTEM_PROMPT, NULL), "be brief");
    assert_true(cli_flag(&a, CLI_JSON));
    assert_false(cli_flag(&a, CLI_PROMPT));
    int k = 0;
    assert_string_equal(cli_next(&a, CLI_STOP, &k)->text, "A");
    assert_string_equal(cli_next(&a, CLI_STOP, &k)->text, "B");
    assert_null(cli_next(&a, CLI_STOP, &k));
    assert_int_equal(a.n_positional, 1);
    assert_string_equal(a.positional[0], "-not-a-flag");
}

static void test_model_flag_wins_over_position(void **state) {
    (void)state;
    cli_args a;
    const char *argv[] = {"test", "hello", "-m", "m.gguf", "world"};
    assert_int_equal(parse(&a, 5, argv), -1);
    assert_string_equal(a.model, "m.gguf");
    assert_int_equal(a.n_positional, 2);
    assert_string_equal(a.positional[0], "hello");
}

/* Each bad command line: status 2 (the message goes to stderr). */
static void test_refusals(void **state) {
    (void)state;
    cli_args a;
    const char *unknown[] = {"test", "--bogus"}, *no_value[] = {"test", "-t"}, *range[] = {"test", "-t", "2000"},
               *not_int[] = {"test", "-n", "1.5"}, *flag_value[] = {"test", "--json=1"},
               *empty_stop[] = {"test", "--stop", ""}, *too_many[] = {"test", "m", "a", "b", "c"},
               *other_cmd[] = {"test", "--tensors"};
    assert_int_equal(parse(&a, 2, unknown), 2);
    assert_int_equal(parse(&a, 2, no_value), 2);
    assert_int_equal(parse(&a, 3, range), 2);
    assert_int_equal(parse(&a, 3, not_int), 2);
    assert_int_equal(parse(&a, 2, flag_value), 2);
    assert_int_equal(parse(&a, 3, empty_stop), 2);
    assert_int_equal(parse(&a, 5, too_many), 2);
    assert_int_equal(parse(&a, 2, other_cmd), 2); /* a flag of the table the command does not take */
}

static void test_value_messages(void **state) {
    (void)state;
    cli_given_opt g;
    char err[256];
    assert_false(cli_parse_value(cli_option_get(CLI_THREADS), "2000", &g, err, sizeof err));
    assert_string_equal(err, "-t 2000: threads must be from 0 (one per physical core) to 256");
    assert_false(cli_parse_value(cli_option_get(CLI_TOP_P), "7", &g, err, sizeof err));
    assert_string_equal(err, "--top-p 7: expected a number from 0 to 1");
    assert_true(cli_parse_value(cli_option_get(CLI_SEED), "-1", &g, err, sizeof err));
    assert_false(cli_parse_value(cli_option_get(CLI_BENCH_THREADS), "1,300", &g, err, sizeof err));
    assert_true(cli_parse_value(cli_option_get(CLI_BENCH_THREADS), "0,1,2", &g, err, sizeof err));
    int v[4];
    assert_int_equal(cli_list_values("0,1,2", v, 4), 3);
    assert_int_equal(v[2], 2);
}

static void test_set_names(void **state) {
    (void)state;
    assert_int_equal(cli_option_by_set_name("temperature")->id, CLI_TEMP);
    assert_int_equal(cli_option_by_set_name("temp")->id, CLI_TEMP);
    assert_int_equal(cli_option_by_set_name("top_k")->id, CLI_TOP_K);
    assert_int_equal(cli_option_by_set_name("top-k")->id, CLI_TOP_K);
    assert_int_equal(cli_option_by_set_name("num_predict")->id, CLI_N_PREDICT);
    assert_int_equal(cli_option_by_set_name("n_predict")->id, CLI_N_PREDICT);
    assert_null(cli_option_by_set_name("model"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_complete), cmocka_unit_test(test_spellings_and_values),
        cmocka_unit_test(test_model_flag_wins_over_position), cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_value_messages), cmocka_unit_test(test_set_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
