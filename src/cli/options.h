/*
 * options.h — the one option table of the `mote` command line.
 *
 * Every flag of every command is one entry of cli_options[] (options.c): its
 * spellings, the kind of value it takes, the values it accepts and its help
 * line. A command lists which entries it accepts (a cli_use list in its
 * cli_command_spec) and cli_parse reads its argv against that list, so a
 * flag is spelled, checked and explained the same way in every command:
 * `-t 2000` gets the same message from run, chat, bench, perplexity, imatrix
 * and quantize. Spellings include llama.cpp's long names (--ctx-size,
 * --n-predict, --system-prompt, --n-gpu-layers ...) where the meaning is the
 * same, and the model may be given as the first positional argument, as
 * with `ollama run MODEL`.
 *
 * HOW TO ADD A FLAG
 *   - to a command that lacks an existing flag: add one line `{CLI_xxx, NULL},` to
 *     the command's cli_use list (optionally with its own help text);
 *   - a new flag: add an id to cli_opt_id below and one entry to
 *     cli_options[] in options.c (spellings, kind, range, help), then list
 *     it in the commands that take it. Read it with cli_given / cli_int /
 *     cli_num / cli_str (or cli_next for a repeatable one).
 * `mote serve` reuses the table the same way: its own cli_use list and
 * cli_parse; its sampling flags map onto gen_options (gen_options.h) and
 * become the defaults of requests that do not set them.
 */
#ifndef MOTE_CLI_OPTIONS_H
#define MOTE_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

/* Every flag mote knows. CLI_END (0) ends a cli_use list. */
typedef enum {
    CLI_END = 0,
    /* shared by most commands */
    CLI_HELP,
    CLI_MODEL,
    CLI_PROMPT,
    CLI_FILE,
    CLI_OUTPUT,
    CLI_THREADS,
    CLI_CTX_SIZE,
    CLI_N_PREDICT,
    CLI_SEED,
    CLI_SYSTEM_PROMPT,
    CLI_TEMP,
    CLI_TOP_K,
    CLI_TOP_P,
    CLI_MIN_P,
    CLI_REPEAT_PENALTY,
    CLI_REPEAT_LAST_N,
    CLI_PRESENCE_PENALTY,
    CLI_FREQUENCY_PENALTY,
    CLI_STOP,
    CLI_N_GPU_LAYERS,
    CLI_INTERACTIVE,
    CLI_JSON,
    CLI_VERBOSE,
    CLI_VERBOSE_PROMPT,
    CLI_COLOR,
    CLI_QUIET,
    CLI_BATCH_SIZE,
    CLI_CHUNKS,
    /* perplexity: KL divergence */
    CLI_KLD_BASE,
    CLI_KLD,
    /* text generation */
    CLI_RAW,
    CLI_NO_BOS,
    CLI_PARSE_SPECIAL,
    CLI_IGNORE_EOS,
    CLI_NO_CONTEXT_SHIFT,
    CLI_MESSAGES,
    CLI_CHAT_TEMPLATE,
    CLI_CHAT_TEMPLATE_FILE,
    CLI_HISTORY_FILE,
    /* constrained output (cli/grammar_options.c) */
    CLI_GRAMMAR,
    CLI_GRAMMAR_FILE,
    CLI_JSON_MODE,
    CLI_JSON_SCHEMA,
    CLI_JSON_SCHEMA_FILE,
    /* tool calling (cli/tool_options.c) */
    CLI_TOOLS,
    CLI_TOOL_CHOICE,
    /* info, tokenize */
    CLI_TENSORS,
    CLI_IDS,
    /* imatrix */
    CLI_PROCESS_OUTPUT,
    CLI_OUTPUT_FREQUENCY,
    CLI_RESUME,
    /* quantize */
    CLI_PURE,
    CLI_TENSOR_TYPE,
    CLI_IMATRIX,
    CLI_ALLOW_REQUANTIZE,
    CLI_MIN_ERROR,
    CLI_TARGET_BPW,
    CLI_TARGET_SIZE,
    /* bench (llama-bench's spellings: -p, -n and -t take lists, -o a format) */
    CLI_BENCH_N_PROMPT,
    CLI_BENCH_N_GEN,
    CLI_BENCH_THREADS,
    CLI_BENCH_REPS,
    CLI_BENCH_FORMAT,
    CLI_BENCH_PARALLEL,
    CLI_CSV,
    CLI_LIKE,
    CLI_TYPE,
    CLI_VOCAB_FROM,
    /* metering (cli_meter.h): run --verbose, bench, perplexity, sweep */
    CLI_WATTS,
    CLI_GRID_INTENSITY,
    CLI_ENERGY_SOURCE,
    /* serve */
    CLI_MODELS_DIR,
    CLI_HOST,
    CLI_PORT,
    CLI_PARALLEL,
    CLI_QUEUE,
    CLI_KEEP_ALIVE,
    CLI_MAX_LOADED,
    CLI_MAX_MEMORY,
    CLI_API_KEY,
    CLI_CORS,
    CLI_MAX_BODY,
    CLI_MAX_TOKENS,
    CLI_REQUEST_TIMEOUT,
    CLI_TIMEOUT,
    CLI_DRAIN,
    /* rag (cli/cmd_rag.c) and serve --rag */
    CLI_RAG_DB,
    CLI_EMBED_MODEL,
    CLI_RAG_K,
    CLI_RAG_MODE,
    CLI_CHUNK_TOKENS,
    CLI_CHUNK_OVERLAP,
    CLI_VECTOR_TYPE,
    CLI_MULTI_QUERY,
    CLI_RAG_SERVE,
    /* sweep */
    CLI_TYPES,
    CLI_TASKS,
    CLI_TEXT,
    CLI_COMPARE,
    CLI_LLAMA_BENCH,
    CLI_SWEEP_TARGET_BPW,
    /* eval */
    CLI_TASK,
    CLI_DATA,
    CLI_RESPONSES,
    CLI_LIMIT,
    CLI_SHOTS,
    /* embed */
    CLI_POOLING,
    CLI_NO_NORMALIZE,
    /* small-memory controls (cli/mem_options.c) */
    CLI_CACHE_TYPE_K,
    CLI_CACHE_TYPE_V,
    CLI_MLOCK,
    CLI_NO_MMAP,
    CLI_NO_MEMORY_CHECK,
    CLI_RAM,
    /* spoken answers (cli/speak.c) */
    CLI_SPEAK,
    CLI_SPEAK_CMD,
    CLI_SPEAK_WAV,
    CLI_N_OPTIONS
} cli_opt_id;

typedef enum {
    CLI_FLAG,   /* no value */
    CLI_STRING, /* any text */
    CLI_INT,    /* a whole number in [min, max] */
    CLI_FLOAT,  /* a finite number in [min, max] */
    CLI_LIST,   /* comma-separated whole numbers, each in [min, max] */
} cli_kind;

#define CLI_MAX_NAMES 4

/* One flag. */
typedef struct {
    cli_opt_id id;
    const char *names[CLI_MAX_NAMES]; /* spellings, the one shown first ("-m", "--model") */
    cli_kind kind;
    const char *metavar;              /* "FILE", "N", "X" (NULL for a flag) */
    double min, max;                  /* accepted values (CLI_INT, CLI_FLOAT, CLI_LIST) */
    const char *rule;                 /* the accepted values in words, for the error message */
    const char *ollama;               /* the /set (Ollama) parameter name, or NULL */
    bool repeatable;                  /* may be given several times (all are kept) */
    const char *help;                 /* the help line */
} cli_option;

extern const cli_option cli_options[CLI_N_OPTIONS];

/* A flag as one command takes it: help (and default) in that command's words, if they differ. */
typedef struct {
    cli_opt_id id;
    const char *help; /* NULL: the table's */
} cli_use;

/* A command's command line. */
typedef struct {
    const char *name;        /* "run" */
    const char *usage;       /* "mote run [MODEL] [PROMPT] [options]" (more lines allowed) */
    const char *about;       /* a paragraph for --help */
    const cli_use *options;  /* ends with {CLI_END} */
    int max_positional;      /* positional arguments accepted besides the model */
    bool model_positional;   /* without -m, the first positional argument is the model */
} cli_command_spec;

#define CLI_MAX_GIVEN 256
#define CLI_MAX_POSITIONAL 16

/* One occurrence of a flag on the command line. */
typedef struct {
    cli_opt_id id;
    const char *text; /* its value as given (NULL for a flag) */
    long long i;      /* CLI_INT */
    double f;         /* CLI_FLOAT */
} cli_given_opt;

/* What cli_parse read. */
typedef struct {
    const cli_command_spec *spec;
    cli_given_opt given[CLI_MAX_GIVEN]; /* in command-line order */
    int n_given;
    const char *positional[CLI_MAX_POSITIONAL]; /* after the model is taken out */
    int n_positional;
    const char *model; /* -m, or the first positional argument (model_positional), or NULL */
} cli_args;

/* Parse argv[1..argc) (argv[0] is the command's name) against the spec.
 * Returns -1 to go on; otherwise the command should return the value at
 * once: 0 after printing --help to stdout, 2 after a one-line error on
 * stderr ("mote <cmd>: ..."). -ngl is accepted and a note printed. */
int cli_parse(const cli_command_spec *spec, int argc, char **argv, cli_args *out);

/* The command's help, generated from the spec and the table. */
void cli_print_help(const cli_command_spec *spec, FILE *out);

/* The entry of an option, and one looked up by its /set (Ollama) name or
 * any of its spellings without dashes ("temperature", "top_k", "top-k"). */
const cli_option *cli_option_get(cli_opt_id id);
const cli_option *cli_option_by_set_name(const char *name);

/* Check and convert one value for option o; false with the message (without
 * "mote <cmd>: ") in err. */
bool cli_parse_value(const cli_option *o, const char *text, cli_given_opt *out, char *err, size_t err_size);

/* The last occurrence of id, or NULL if it was not given. */
const cli_given_opt *cli_given(const cli_args *a, cli_opt_id id);
/* The value of id, or def when it was not given. */
const char *cli_str(const cli_args *a, cli_opt_id id, const char *def);
long long cli_int(const cli_args *a, cli_opt_id id, long long def);
double cli_num(const cli_args *a, cli_opt_id id, double def);
bool cli_flag(const cli_args *a, cli_opt_id id);
/* Iterate over every occurrence of a repeatable option: start with *k = 0. */
const cli_given_opt *cli_next(const cli_args *a, cli_opt_id id, int *k);

/* Parse a CLI_LIST value (already checked by cli_parse) into at most max
 * ints; the number read. */
int cli_list_values(const char *text, int *out, int max);

#endif
