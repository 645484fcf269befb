/*
 * main.c — the `mote` program: dispatch to a subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/packed.h"
#include "cli/progress.h"
#include "mote.h"

const mote_command mote_commands[] = {
    {"info", "describe a GGUF model file", cmd_info, &info_spec},
    {"tokenize", "show the tokens a model makes of a text", cmd_tokenize, &tokenize_spec},
    {"run", "generate text from a prompt", cmd_run, &run_spec},
    {"perplexity", "measure a model's perplexity on a text file", cmd_perplexity, &perplexity_spec},
    {"synth", "write a random-weight model shaped like a known one", cmd_synth, &synth_spec},
    {"bench", "measure prompt and generation speed (like llama-bench)", cmd_bench, &bench_spec},
    {"quantize", "write a quantized copy of a model", cmd_quantize, NULL}, /* its --help adds the types */
    {"imatrix", "compute an importance matrix from a calibration text", cmd_imatrix, &imatrix_spec},
    {"chat", "talk to a model (interactive, or one question per line)", cmd_chat, &chat_spec},
    {"sweep", "quantize a model to several types and measure each (tables, plots)", cmd_sweep, &sweep_spec},
    {"embed", "print embedding vectors of texts", cmd_embed, &embed_spec},
    {"eval", "score a model on MMLU, TruthfulQA or IFEval (as lm-eval does)", cmd_eval, &eval_spec},
    {"serve", "serve models over HTTP (Ollama and OpenAI APIs, a chat page)", cmd_serve, &serve_spec},
    {"rag", "a knowledge base on the device: index files, search, answer with citations", cmd_rag, NULL},
    {"pack", "write a single executable: mote with a model inside", cmd_pack, &pack_spec},
    {"fit", "what a model needs in memory and what fits in the RAM there is", cmd_fit, &fit_spec},
    {NULL, NULL, NULL, NULL},
};

static void usage(FILE *out) {
    fprintf(out,
            "usage: mote <command> [options]\n"
            "\n"
            "mote runs small language models (GGUF files) on small machines.\n"
            "\n"
            "commands:\n");
    for (const mote_command *c = mote_commands; c->name; c++) fprintf(out, "  %-12s %s\n", c->name, c->summary);
    fprintf(out,
            "\n"
            "options:\n"
            "  -h, --help     show this help\n"
            "  --version      print the version\n"
            "\n"
            "Run 'mote help <command>' (or 'mote <command> --help') for the options of a command.\n");
}

/* `mote help [CMD]`: the command's help, or the list of commands. */
static int help_command(int argc, char **argv) {
    if (argc < 3 || !strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")) {
        /* `mote help` and `mote help --help`: the list of commands (and how to ask about one) */
        usage(stdout);
        return 0;
    }
    for (const mote_command *c = mote_commands; c->name; c++) {
        if (strcmp(c->name, argv[2])) continue;
        if (c->spec) {
            cli_print_help(c->spec, stdout);
            return 0;
        }
        char *help_argv[] = {(char *)c->name, "--help", NULL};
        return c->run(2, help_argv);
    }
    fprintf(stderr, "mote help: unknown command '%s' (run 'mote --help' for the list)\n", argv[2]);
    return 2;
}

int main(int argc, char **argv) {
    /* A packed executable (mote pack): its own model is the default of every command. */
    if (cli_packed_command_line(&argc, &argv)) return 1;
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    cli_progress_for_model_loads();
    if (!strcmp(cmd, "help")) return help_command(argc, argv);
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("mote %s\n", mote_version());
        return 0;
    }
    for (const mote_command *c = mote_commands; c->name; c++)
        if (!strcmp(c->name, cmd)) return c->run(argc - 1, argv + 1);
    fprintf(stderr, "mote: unknown command '%s' (run 'mote --help' for the list)\n", cmd);
    return 2;
}
