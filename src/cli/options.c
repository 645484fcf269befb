/*
 * options.c — the option table of the `mote` command line and the one
 * parser every command uses (see options.h for how to add a flag).
 */
#include "cli/options.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BIG 1e30
#define I32 2147483647.0

/* Sorted by id (checked by cli_option_get). Defaults are llama.cpp's. */
const cli_option cli_options[CLI_N_OPTIONS] = {
    [CLI_HELP] = {CLI_HELP, {"-h", "--help"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false, "show this help"},
    [CLI_MODEL] = {CLI_MODEL, {"-m", "--model"}, CLI_STRING, "FILE", 0, 0, NULL, NULL, false,
                   "the GGUF model (also accepted as the first argument)"},
    [CLI_PROMPT] = {CLI_PROMPT, {"-p", "--prompt"}, CLI_STRING, "TEXT", 0, 0, NULL, NULL, false, "the prompt"},
    [CLI_FILE] = {CLI_FILE, {"-f", "--file"}, CLI_STRING, "FILE", 0, 0, NULL, NULL, false,
                  "the prompt, read from FILE ('-': standard input)"},
    [CLI_OUTPUT] = {CLI_OUTPUT, {"-o", "--output", "--output-file"}, CLI_STRING, "FILE", 0, 0, NULL, NULL, false,
                    "write the output to FILE instead of standard output"},
    [CLI_THREADS] = {CLI_THREADS, {"-t", "--threads"}, CLI_INT, "N", 0, 256,
                     "threads must be from 0 (one per physical core) to 256", "num_thread", false,
                     "threads (default 0: one per physical core)"},
    [CLI_CTX_SIZE] = {CLI_CTX_SIZE, {"-c", "--ctx-size", "--ctx"}, CLI_INT, "N", 0, I32,
                      "expected a number of tokens (0: the model's, at most 4096)", "num_ctx", false,
                      "context size in tokens (default 0: the model's, at most 4096)"},
    [CLI_N_PREDICT] = {CLI_N_PREDICT, {"-n", "--n-predict", "--predict"}, CLI_INT, "N", -1, I32,
                       "expected a number of tokens, or -1 for no limit", "num_predict", false,
                       "tokens to generate (default -1: until the end of the text or turn)"},
    [CLI_SEED] = {CLI_SEED, {"-s", "--seed"}, CLI_INT, "N", -1, 9007199254740992.0,
                  "expected a non-negative integer, or -1 for a seed from the clock", "seed", false,
                  "random seed (default -1: from the clock)"},
    [CLI_SYSTEM_PROMPT] = {CLI_SYSTEM_PROMPT, {"-sys", "--system-prompt", "--system"}, CLI_STRING, "TEXT", 0, 0,
                           NULL, NULL, false, "the system prompt"},
    [CLI_TEMP] = {CLI_TEMP, {"--temp", "--temperature"}, CLI_FLOAT, "X", 0, BIG, "expected a number >= 0",
                  "temperature", false, "temperature; 0 picks the likeliest token (default 0.8)"},
    [CLI_TOP_K] = {CLI_TOP_K, {"--top-k"}, CLI_INT, "N", 0, I32, "expected 0 (off) or a positive number of tokens",
                   "top_k", false, "keep the k likeliest tokens (default 40; 0: off)"},
    [CLI_TOP_P] = {CLI_TOP_P, {"--top-p"}, CLI_FLOAT, "X", 0, 1, "expected a number from 0 to 1", "top_p", false,
                   "keep the likeliest tokens up to this mass (default 0.95; 1: off)"},
    [CLI_MIN_P] = {CLI_MIN_P, {"--min-p"}, CLI_FLOAT, "X", 0, 1, "expected a number from 0 to 1", "min_p", false,
                   "drop tokens below this fraction of the best (default 0.05; 0: off)"},
    [CLI_REPEAT_PENALTY] = {CLI_REPEAT_PENALTY, {"--repeat-penalty"}, CLI_FLOAT, "X", 0, BIG,
                            "expected a number >= 0 (1: off)", "repeat_penalty", false,
                            "penalise tokens seen recently (default 1: off)"},
    [CLI_REPEAT_LAST_N] = {CLI_REPEAT_LAST_N, {"--repeat-last-n"}, CLI_INT, "N", -1, I32,
                           "expected a number of tokens (0: off, -1: all)", "repeat_last_n", false,
                           "how many recent tokens the penalties see (default 64; 0: off, -1: all)"},
    [CLI_PRESENCE_PENALTY] = {CLI_PRESENCE_PENALTY, {"--presence-penalty"}, CLI_FLOAT, "X", -BIG, BIG,
                              "expected a number", "presence_penalty", false,
                              "subtract this from seen tokens (default 0: off)"},
    [CLI_FREQUENCY_PENALTY] = {CLI_FREQUENCY_PENALTY, {"--frequency-penalty"}, CLI_FLOAT, "X", -BIG, BIG,
                               "expected a number", "frequency_penalty", false,
                               "subtract this per occurrence (default 0: off)"},
    [CLI_STOP] = {CLI_STOP, {"--stop", "--reverse-prompt"}, CLI_STRING, "TEXT", 0, 0, NULL, NULL, true,
                  "also end the text at TEXT (repeatable)"},
    [CLI_N_GPU_LAYERS] = {CLI_N_GPU_LAYERS, {"-ngl", "--n-gpu-layers", "--gpu-layers"}, CLI_INT, "N", -1, I32,
                          "expected a number of layers", NULL, false,
                          "accepted for llama.cpp's sake and ignored: mote runs on the CPU"},
    [CLI_INTERACTIVE] = {CLI_INTERACTIVE, {"-i", "--interactive"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                         "an interactive chat (after answering -p, if given)"},
    [CLI_JSON] = {CLI_JSON, {"--json"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                  "print JSON (for scripts)"},
    [CLI_VERBOSE] = {CLI_VERBOSE, {"--verbose"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                     "print timings and the stop reason after each answer"},
    [CLI_VERBOSE_PROMPT] = {CLI_VERBOSE_PROMPT, {"--verbose-prompt"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                            "print the formatted prompt and its tokens"},
    [CLI_COLOR] = {CLI_COLOR, {"--color"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false, "show answers in color"},
    [CLI_QUIET] = {CLI_QUIET, {"-q", "--quiet"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false, "no progress on stderr"},
    [CLI_BATCH_SIZE] = {CLI_BATCH_SIZE, {"-b", "--batch-size"}, CLI_INT, "N", 1, I32,
                        "expected a positive number of tokens", NULL, false,
                        "tokens evaluated per step (default: the chunk length)"},
    [CLI_CHUNKS] = {CLI_CHUNKS, {"--chunks"}, CLI_INT, "N", 1, I32, "expected a positive number of chunks", NULL,
                    false, "use only the first N chunks (default: all)"},
    [CLI_KLD_BASE] = {CLI_KLD_BASE, {"--kl-divergence-base"}, CLI_STRING, "FILE", 0, 0, NULL, NULL, false,
                      "save the model's log-probabilities over the text to FILE (llama-perplexity's format); "
                      "with --kl-divergence, read them"},
    [CLI_KLD] = {CLI_KLD, {"--kl-divergence"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                 "compare the model with the base file: KL divergence, same top token, PPL ratio"},
    [CLI_RAW] = {CLI_RAW, {"--raw"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                 "continue the prompt as text even if the model has a chat template"},
    [CLI_NO_BOS] = {CLI_NO_BOS, {"--no-bos"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                    "do not add the beginning-of-sequence token"},
    [CLI_PARSE_SPECIAL] = {CLI_PARSE_SPECIAL, {"--parse-special"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                           "read control tokens like <|im_start|> written in the text"},
    [CLI_IGNORE_EOS] = {CLI_IGNORE_EOS, {"--ignore-eos"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                        "(raw) go on past end-of-generation tokens"},
    [CLI_NO_CONTEXT_SHIFT] = {CLI_NO_CONTEXT_SHIFT, {"--no-context-shift"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                              "(raw) stop when the context is full instead of dropping old tokens"},
    [CLI_MESSAGES] = {CLI_MESSAGES, {"--messages"}, CLI_STRING, "FILE", 0, 0, NULL, NULL, false,
                      "start from a conversation (an OpenAI-style JSON array); one ending with a user message "
                      "gets its answer"},
    [CLI_CHAT_TEMPLATE] = {CLI_CHAT_TEMPLATE, {"--chat-template"}, CLI_STRING, "NAME", 0, 0, NULL, NULL, false,
                           "the chat format instead of the model's own (see mote help chat)"},
    [CLI_CHAT_TEMPLATE_FILE] = {CLI_CHAT_TEMPLATE_FILE, {"--chat-template-file"}, CLI_STRING, "FILE", 0, 0, NULL,
                                NULL, false, "a Jinja chat template file, run by mote's interpreter (or a built-in format it matches)"},
    [CLI_GRAMMAR] = {CLI_GRAMMAR, {"--grammar"}, CLI_STRING, "GBNF", 0, 0, NULL, NULL, false,
                     "answer in this grammar (llama.cpp's GBNF)"},
    [CLI_GRAMMAR_FILE] = {CLI_GRAMMAR_FILE, {"--grammar-file"}, CLI_STRING, "FILE", 0, 0, NULL, NULL, false,
                          "answer in the grammar of a .gbnf file"},
    [CLI_JSON_MODE] = {CLI_JSON_MODE, {"--json-mode"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                       "answer with a JSON object"},
    [CLI_JSON_SCHEMA] = {CLI_JSON_SCHEMA, {"--json-schema", "-j"}, CLI_STRING, "JSON", 0, 0, NULL, NULL, false,
                         "answer with JSON valid under this JSON Schema"},
    [CLI_JSON_SCHEMA_FILE] = {CLI_JSON_SCHEMA_FILE, {"--json-schema-file", "-jf"}, CLI_STRING, "FILE", 0, 0, NULL,
                              NULL, false, "answer with JSON valid under the schema in FILE"},
    [CLI_TOOLS] = {CLI_TOOLS, {"--tools"}, CLI_STRING, "FILE", 0, 0, NULL, NULL, false,
                   "tools the model may call: a JSON array of OpenAI-style tool definitions; the calls "
                   "are printed as JSON"},
    [CLI_TOOL_CHOICE] = {CLI_TOOL_CHOICE, {"--tool-choice"}, CLI_STRING, "CHOICE", 0, 0, NULL, NULL, false,
                         "with --tools: auto (the model decides), none, required (a call is forced) or a "
                         "tool's name (a call to it is forced)"},
    [CLI_HISTORY_FILE] = {CLI_HISTORY_FILE, {"--history-file"}, CLI_STRING, "FILE", 0, 0, NULL, NULL, false,
                          "where the interactive chat keeps its input history ('': none; default "
                          "$XDG_DATA_HOME/mote/history, else ~/.local/share/mote/history)"},
    [CLI_TENSORS] = {CLI_TENSORS, {"--tensors"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                     "also list every tensor (name, type, shape, bytes)"},
    [CLI_IDS] = {CLI_IDS, {"--ids"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false, "print only the ids, as a list"},
    [CLI_PROCESS_OUTPUT] = {CLI_PROCESS_OUTPUT, {"--process-output"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                            "also collect output.weight (llama-imatrix's option)"},
    [CLI_OUTPUT_FREQUENCY] = {CLI_OUTPUT_FREQUENCY, {"--output-frequency"}, CLI_INT, "N", 1, I32,
                              "expected a positive number of chunks", NULL, false,
                              "save the results every N chunks (default 10)"},
    [CLI_RESUME] = {CLI_RESUME, {"--resume"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                    "continue the run that wrote the -o file (its chunks are skipped)"},
    [CLI_PURE] = {CLI_PURE, {"--pure"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                  "one type for every quantizable tensor (no per-tensor mix)"},
    [CLI_TENSOR_TYPE] = {CLI_TENSOR_TYPE, {"--tensor-type"}, CLI_STRING, "PATTERN=TYPE", 0, 0, NULL, NULL, true,
                         "give tensors whose name matches PATTERN (a regex) TYPE, e.g. 'attn_v\\.weight=q8_0'; "
                         "repeatable, first match wins"},
    [CLI_IMATRIX] = {CLI_IMATRIX, {"--imatrix"}, CLI_STRING, "FILE", 0, 0, NULL, NULL, false,
                     "weight rounding errors by an importance matrix (llama.cpp format)"},
    [CLI_ALLOW_REQUANTIZE] = {CLI_ALLOW_REQUANTIZE, {"--allow-requantize"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                              "accept an already-quantized input (quality suffers)"},
    [CLI_MIN_ERROR] = {CLI_MIN_ERROR, {"--min-error"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                       "keep, block by block, the best of several searches: a lower RMSE than llama-quantize, "
                       "not always a lower perplexity (default: llama-quantize's algorithms, byte for byte)"},
    [CLI_TARGET_BPW] = {CLI_TARGET_BPW, {"--target-bpw"}, CLI_FLOAT, "X", 1e-9, 32,
                        "expected a number of bits per weight in (0, 32]", NULL, false,
                        "budget mode: choose each tensor's type for the least predicted error within X bits "
                        "per weight; TYPE is then optional"},
    [CLI_TARGET_SIZE] = {CLI_TARGET_SIZE, {"--target-size"}, CLI_STRING, "N[K|M|G]", 0, 0, NULL, NULL, false,
                         "budget mode with an output file of about N bytes"},
    [CLI_BENCH_N_PROMPT] = {CLI_BENCH_N_PROMPT, {"-p", "--n-prompt"}, CLI_LIST, "N[,N..]", 0, 1 << 20,
                            "expected a comma-separated list of integers from 0 to 1048576", NULL, false,
                            "prompt lengths (default 512; 0 skips), as llama-bench"},
    [CLI_BENCH_N_GEN] = {CLI_BENCH_N_GEN, {"-n", "--n-gen"}, CLI_LIST, "N[,N..]", 0, 1 << 20,
                         "expected a comma-separated list of integers from 0 to 1048576", NULL, false,
                         "generation lengths (default 128; 0 skips), as llama-bench"},
    [CLI_BENCH_THREADS] = {CLI_BENCH_THREADS, {"-t", "--threads"}, CLI_LIST, "N[,N..]", 0, 256,
                           "threads must be from 0 (one per physical core) to 256", NULL, false,
                           "thread counts (default 0: one per physical core)"},
    [CLI_BENCH_REPS] = {CLI_BENCH_REPS, {"-r", "--repetitions"}, CLI_INT, "N", 1, 64,
                        "expected an integer from 1 to 64", NULL, false,
                        "repetitions of each test (default 5), after one warm-up"},
    [CLI_BENCH_FORMAT] = {CLI_BENCH_FORMAT, {"-o", "--output"}, CLI_STRING, "md|csv|json", 0, 0, NULL, NULL, false,
                          "output format, as llama-bench's -o"},
    [CLI_BENCH_PARALLEL] = {CLI_BENCH_PARALLEL, {"--parallel"}, CLI_LIST, "S[,S..]", 1, 256,
                            "expected a comma-separated list of integers from 1 to 256", NULL, false,
                            "S sequences, each a prompt of -p tokens then -n generated tokens, decoded together "
                            "(like llama-batched-bench); reports prompt and aggregate generation t/s (default -p 32 "
                            "-n 64)"},
    [CLI_CSV] = {CLI_CSV, {"--csv"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false, "the same as -o csv"},
    [CLI_LIKE] = {CLI_LIKE, {"--like"}, CLI_STRING, "NAME", 0, 0, NULL, NULL, false,
                  "a random-weight model of a known shape instead (mote synth --like list)"},
    [CLI_WATTS] = {CLI_WATTS, {"--watts"}, CLI_STRING, "IDLE,BUSY", 0, 0, NULL, NULL, false,
                   "declared power, scaled by CPU use, when nothing can be measured"},
    [CLI_GRID_INTENSITY] = {CLI_GRID_INTENSITY, {"--grid-intensity"}, CLI_STRING, "G", 0, 0, NULL, NULL, false,
                            "grams of CO2 per kWh of the grid, to report CO2"},
    [CLI_ENERGY_SOURCE] = {CLI_ENERGY_SOURCE, {"--energy-source"}, CLI_STRING, "NAME", 0, 0, NULL, NULL, false,
                           "auto (default), rapl, hwmon, pi5-pmic, declared or none"},
    [CLI_VOCAB_FROM] = {CLI_VOCAB_FROM, {"--vocab-from"}, CLI_STRING, "FILE", 0, 0, NULL, NULL, false,
                        "take the vocabulary (tokenizer.* keys) of this GGUF file"},
    [CLI_TYPE] = {CLI_TYPE, {"--type"}, CLI_STRING, "TYPE", 0, 0, NULL, NULL, false,
                  "its weight type or preset (default q4_0)"},
    [CLI_MODELS_DIR] = {CLI_MODELS_DIR, {"--models"}, CLI_STRING, "DIR", 0, 0, NULL, NULL, false,
                        "serve every *.gguf file in DIR"},
    [CLI_HOST] = {CLI_HOST, {"--host"}, CLI_STRING, "ADDR", 0, 0, NULL, NULL, false,
                  "address to listen on (default 127.0.0.1)"},
    [CLI_PORT] = {CLI_PORT, {"--port"}, CLI_INT, "N", 0, 65535, "expected a port from 0 (any free one) to 65535",
                  NULL, false, "port (default 11434, Ollama's; 0: any free port)"},
    [CLI_PARALLEL] = {CLI_PARALLEL, {"-np", "--parallel"}, CLI_INT, "N", 1, 256,
                      "expected a number of slots from 1 to 256", NULL, false,
                      "requests decoded together per model (default 4)"},
    [CLI_QUEUE] = {CLI_QUEUE, {"--queue"}, CLI_INT, "N", 0, 100000, "expected a number from 0 to 100000", NULL,
                   false, "requests that may wait per model beyond --parallel (default 64); more get 503 with "
                          "Retry-After"},
    [CLI_KEEP_ALIVE] = {CLI_KEEP_ALIVE, {"--keep-alive"}, CLI_STRING, "DUR", 0, 0, NULL, NULL, false,
                        "unload a model after this long unused (default 5m; -1: never)"},
    [CLI_MAX_LOADED] = {CLI_MAX_LOADED, {"--max-loaded"}, CLI_INT, "N", 0, 1 << 20,
                        "expected a number of models (0: no limit)", NULL, false,
                        "at most N models in memory: loading another unloads the least recently used idle one "
                        "(default 0: no limit)"},
    [CLI_MAX_MEMORY] = {CLI_MAX_MEMORY, {"--max-memory"}, CLI_STRING, "SIZE", 0, 0, NULL, NULL, false,
                        "at most SIZE bytes (512M, 2G ...) of weights and contexts of all loaded models: least "
                        "recently used idle models unload to make room; a model that cannot fit gets an error "
                        "(default: no limit)"},
    [CLI_API_KEY] = {CLI_API_KEY, {"--api-key"}, CLI_STRING, "KEY", 0, 0, NULL, NULL, false,
                     "require 'Authorization: Bearer KEY' or 'X-Api-Key: KEY' (/health and the page itself stay "
                     "open)"},
    [CLI_CORS] = {CLI_CORS, {"--cors"}, CLI_STRING, "ORIGIN", 0, 0, NULL, NULL, false,
                  "allow browser pages from ORIGIN ('*' for any; default: none)"},
    [CLI_MAX_BODY] = {CLI_MAX_BODY, {"--max-body"}, CLI_INT, "BYTES", 1024, 1 << 30,
                      "expected a number of bytes from 1024 to 1073741824", NULL, false,
                      "largest request body (default 8388608)"},
    [CLI_MAX_TOKENS] = {CLI_MAX_TOKENS, {"--max-tokens"}, CLI_INT, "N", 1, 1 << 30,
                        "expected a positive number of tokens", NULL, false,
                        "most tokens per answer"},
    [CLI_REQUEST_TIMEOUT] = {CLI_REQUEST_TIMEOUT, {"--request-timeout"}, CLI_INT, "S", 0, 1 << 30,
                             "expected a number of seconds (0: never)", NULL, false,
                             "stop a generation after S seconds (default 600; 0: never)"},
    [CLI_TIMEOUT] = {CLI_TIMEOUT, {"--timeout"}, CLI_INT, "S", 1, 86400,
                     "expected a number of seconds from 1 to 86400", NULL, false,
                     "close a connection idle for S seconds (default 30)"},
    [CLI_DRAIN] = {CLI_DRAIN, {"--drain"}, CLI_INT, "S", 0, 86400, "expected a number of seconds from 0 to 86400",
                   NULL, false, "on SIGTERM, let running requests finish for S seconds (default 10)"},
    [CLI_RAG_DB] = {CLI_RAG_DB, {"--db"}, CLI_STRING, "KB.sqlite", 0, 0, NULL, NULL, false,
                    "the knowledge base (an SQLite file)"},
    [CLI_EMBED_MODEL] = {CLI_EMBED_MODEL, {"--embed-model"}, CLI_STRING, "FILE", 0, 0, NULL, NULL, false,
                         "the GGUF embedding model (default: the one the knowledge base was built with)"},
    [CLI_RAG_K] = {CLI_RAG_K, {"-k", "--top"}, CLI_INT, "N", 1, 1000, "expected a number of passages from 1 to 1000",
                   NULL, false, "how many passages (default 5)"},
    [CLI_RAG_MODE] = {CLI_RAG_MODE, {"--mode"}, CLI_STRING, "hybrid|vector|keyword", 0, 0, NULL, NULL, false,
                      "ranking: hybrid (both fused by reciprocal rank fusion, the default), vector (cosine of "
                      "the embeddings) or keyword (FTS5 BM25)"},
    [CLI_CHUNK_TOKENS] = {CLI_CHUNK_TOKENS, {"--chunk-tokens"}, CLI_INT, "N", 8, 8192,
                          "expected a number of tokens from 8 to 8192", NULL, false,
                          "a new knowledge base's chunk length in tokens (default 200)"},
    [CLI_CHUNK_OVERLAP] = {CLI_CHUNK_OVERLAP, {"--overlap"}, CLI_INT, "N", 0, 8191,
                           "expected a number of tokens smaller than --chunk-tokens", NULL, false,
                           "a new knowledge base's overlap between chunks in tokens (default 40)"},
    [CLI_VECTOR_TYPE] = {CLI_VECTOR_TYPE, {"--vector-type"}, CLI_STRING, "f16|f32", 0, 0, NULL, NULL, false,
                         "how a new knowledge base stores vectors (default f16: half the size)"},
    [CLI_MULTI_QUERY] = {CLI_MULTI_QUERY, {"--multi-query"}, CLI_INT, "N", 0, 8,
                         "expected a number of rewrites from 0 to 8", NULL, false,
                         "the chat model writes N rewrites of the question; each is searched and the results fused"},
    [CLI_RAG_SERVE] = {CLI_RAG_SERVE, {"--rag"}, CLI_STRING, "NAME=KB.sqlite[,model=CHAT]", 0, 0, NULL, NULL, true,
                       "also serve a model NAME that answers from the knowledge base with the chat model CHAT "
                       "(a served model's name or a GGUF file; default: the first model); repeatable"},
    [CLI_TYPES] = {CLI_TYPES, {"--types"}, CLI_STRING, "LIST", 0, 0, NULL, NULL, false,
                   "quantization types, comma-separated"},
    [CLI_TASKS] = {CLI_TASKS, {"--tasks"}, CLI_STRING, "LIST", 0, 0, NULL, NULL, false,
                   "what to score each variant on, comma-separated"},
    [CLI_TEXT] = {CLI_TEXT, {"--text"}, CLI_STRING, "FILE", 0, 0, NULL, NULL, false,
                  "the text perplexity and KL divergence are measured on"},
    [CLI_COMPARE] = {CLI_COMPARE, {"--compare"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                     "also measure each variant's speed with llama.cpp's llama-bench"},
    [CLI_LLAMA_BENCH] = {CLI_LLAMA_BENCH, {"--llama-bench"}, CLI_STRING, "PATH", 0, 0, NULL, NULL, false,
                         "the llama-bench program for --compare (default: llama-bench in PATH)"},
    [CLI_SWEEP_TARGET_BPW] = {CLI_SWEEP_TARGET_BPW, {"--target-bpw"}, CLI_STRING, "X[,X..]", 0, 0, NULL, NULL, false,
                              "also one variant per budget, named bpwX: each tensor's type chosen for the least "
                              "predicted error within X bits per weight (as mote quantize --target-bpw)"},
    [CLI_TASK] = {CLI_TASK, {"--task"}, CLI_STRING, "TASK", 0, 0, NULL, NULL, false, "the task to run"},
    [CLI_DATA] = {CLI_DATA, {"--data"}, CLI_STRING, "PATH", 0, 0, NULL, NULL, false, "the task's data"},
    [CLI_RESPONSES] = {CLI_RESPONSES, {"--responses"}, CLI_STRING, "FILE", 0, 0, NULL, NULL, false,
                       "score these {\"prompt\", \"response\"} lines (no model)"},
    [CLI_LIMIT] = {CLI_LIMIT, {"--limit"}, CLI_INT, "N", 1, 1 << 30, "expected a positive number of items", NULL,
                   false, "only N items"},
    [CLI_SHOTS] = {CLI_SHOTS, {"--shots"}, CLI_INT, "K", 0, 5, "expected a number of examples from 0 to 5", NULL,
                   false, "K examples before each question (0-5, default 0)"},
    [CLI_POOLING] = {CLI_POOLING, {"--pooling"}, CLI_STRING, "KIND", 0, 0, NULL, NULL, false,
                     "mean, cls or last (default: the model's; mean for decoder models)"},
    [CLI_NO_NORMALIZE] = {CLI_NO_NORMALIZE, {"--no-normalize"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                          "print the pooled vectors without scaling them to unit length"},
    [CLI_CACHE_TYPE_K] = {CLI_CACHE_TYPE_K, {"-ctk", "--cache-type-k"}, CLI_STRING, "TYPE", 0, 0, NULL, NULL, false,
                          "how the KV cache stores keys: f16 (default), q8_0 (half the memory) or q4_0 (a quarter); "
                          "also q4_1, q5_0, q5_1, iq4_nl"},
    [CLI_CACHE_TYPE_V] = {CLI_CACHE_TYPE_V, {"-ctv", "--cache-type-v"}, CLI_STRING, "TYPE", 0, 0, NULL, NULL, false,
                          "how the KV cache stores values (the same types as -ctk)"},
    [CLI_MLOCK] = {CLI_MLOCK, {"--mlock"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                   "keep the model's weights in RAM (mlock; a warning if `ulimit -l` does not allow it)"},
    [CLI_NO_MMAP] = {CLI_NO_MMAP, {"--no-mmap"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                     "read the model file into RAM instead of mapping it"},
    [CLI_NO_MEMORY_CHECK] = {CLI_NO_MEMORY_CHECK, {"--no-memory-check"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                             "load a model even when its weights do not fit the memory available"},
    [CLI_RAM] = {CLI_RAM, {"--ram"}, CLI_STRING, "SIZE", 0, 0, NULL, NULL, false,
                 "the memory to fit into, e.g. 1G or 512M (default: what this process may use now)"},
    [CLI_SPEAK] = {CLI_SPEAK, {"--speak"}, CLI_FLAG, NULL, 0, 0, NULL, NULL, false,
                   "speak the answer, each sentence as soon as it is complete (libespeak-ng)"},
    [CLI_SPEAK_CMD] = {CLI_SPEAK_CMD, {"--speak-cmd"}, CLI_STRING, "CMD", 0, 0, NULL, NULL, false,
                       "instead, pipe the sentences, one a line, to the shell command CMD (piper, espeak-ng ...)"},
    [CLI_SPEAK_WAV] = {CLI_SPEAK_WAV, {"--speak-wav"}, CLI_STRING, "FILE", 0, 0, NULL, NULL, false,
                       "speak into a WAV file instead of the sound card (implies --speak)"},
};

const cli_option *cli_option_get(cli_opt_id id) {
    if (id <= CLI_END || id >= CLI_N_OPTIONS || cli_options[id].id != id) return NULL;
    return &cli_options[id];
}

/* True if `name` is `spelling` without its leading dashes, '_' and '-' alike. */
static bool same_bare_name(const char *name, const char *spelling) {
    spelling += strspn(spelling, "-");
    for (; *name && *spelling; name++, spelling++) {
        char a = *name == '_' ? '-' : *name, b = *spelling == '_' ? '-' : *spelling;
        if (a != b) return false;
    }
    return !*name && !*spelling;
}

const cli_option *cli_option_by_set_name(const char *name) {
    for (int id = 1; id < CLI_N_OPTIONS; id++) {
        const cli_option *o = &cli_options[id];
        if (!o->ollama) continue;
        if (!strcmp(name, o->ollama)) return o;
        for (int k = 0; k < CLI_MAX_NAMES && o->names[k]; k++)
            if (o->names[k][1] == '-' && same_bare_name(name, o->names[k])) return o;
    }
    return NULL;
}

bool cli_parse_value(const cli_option *o, const char *text, cli_given_opt *out, char *err, size_t err_size) {
    out->id = o->id;
    out->text = text;
    const char *name = o->names[0];
    char *end = NULL;
    errno = 0;
    if (o->kind == CLI_INT) {
        long long v = strtoll(text, &end, 10);
        if (end == text || *end || errno) {
            snprintf(err, err_size, "%s expects an integer, not '%s'", name, text);
            return false;
        }
        if ((double)v < o->min || (double)v > o->max) {
            snprintf(err, err_size, "%s %s: %s", name, text, o->rule);
            return false;
        }
        out->i = v;
        out->f = (double)v;
    } else if (o->kind == CLI_FLOAT) {
        double v = strtod(text, &end);
        if (end == text || *end || errno || !isfinite(v)) {
            snprintf(err, err_size, "%s expects a number, not '%s'", name, text);
            return false;
        }
        if (v < o->min || v > o->max) {
            snprintf(err, err_size, "%s %s: %s", name, text, o->rule);
            return false;
        }
        out->f = v;
    } else if (o->kind == CLI_LIST) {
        const char *p = text;
        for (;;) {
            long v = strtol(p, &end, 10);
            if (end == p || (*end && *end != ',') || v < o->min || v > o->max || errno) {
                snprintf(err, err_size, "%s %s: %s", name, text, o->rule);
                return false;
            }
            if (!*end) break;
            p = end + 1;
        }
    } else if (o->id == CLI_STOP && !text[0]) {
        snprintf(err, err_size, "%s needs a non-empty text (an empty stop string would end every answer at once)",
                 name);
        return false;
    }
    return true;
}

int cli_list_values(const char *text, int *out, int max) {
    int n = 0;
    const char *p = text;
    while (n < max) {
        char *end;
        out[n++] = (int)strtol(p, &end, 10);
        if (*end != ',') break;
        p = end + 1;
    }
    return n;
}

/* The command's entry for a spelling ("--temp", or "--temp=0.5" with the value split off). */
static const cli_use *find_use(const cli_command_spec *spec, const char *arg, size_t len) {
    for (const cli_use *u = spec->options; u->id != CLI_END; u++) {
        const cli_option *o = &cli_options[u->id];
        for (int k = 0; k < CLI_MAX_NAMES && o->names[k]; k++)
            if (strlen(o->names[k]) == len && !strncmp(o->names[k], arg, len)) return u;
    }
    return NULL;
}

static int parse_error(const cli_command_spec *spec, const char *msg) {
    fprintf(stderr, "mote %s: %s\n", spec->name, msg);
    return 2;
}

int cli_parse(const cli_command_spec *spec, int argc, char **argv, cli_args *out) {
    memset(out, 0, sizeof *out);
    out->spec = spec;
    char err[512];
    bool options_end = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options_end || a[0] != '-' || !a[1]) {
            if (out->n_positional == CLI_MAX_POSITIONAL) return parse_error(spec, "too many arguments");
            out->positional[out->n_positional++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            options_end = true;
            continue;
        }
        /* --name=value */
        const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        const cli_use *u = find_use(spec, a, len);
        if (!u) {
            snprintf(err, sizeof err, "unknown option '%.*s' (see mote help %s)", (int)len, a, spec->name);
            return parse_error(spec, err);
        }
        const cli_option *o = &cli_options[u->id];
        if (o->id == CLI_HELP) {
            cli_print_help(spec, stdout);
            return 0;
        }
        const char *value = NULL;
        if (o->kind != CLI_FLAG) {
            if (eq) value = eq + 1;
            else if (i + 1 < argc) value = argv[++i];
            else {
                snprintf(err, sizeof err, "%s needs a value", a);
                return parse_error(spec, err);
            }
        } else if (eq) {
            snprintf(err, sizeof err, "%.*s takes no value", (int)len, a);
            return parse_error(spec, err);
        }
        cli_given_opt g = {o->id, value, 0, 0};
        if (value && !cli_parse_value(o, value, &g, err, sizeof err)) return parse_error(spec, err);
        if (out->n_given == CLI_MAX_GIVEN) return parse_error(spec, "too many options");
        out->given[out->n_given++] = g;
        if (o->id == CLI_N_GPU_LAYERS)
            fprintf(stderr, "mote %s: note: %s is ignored: mote runs on the CPU only\n", spec->name, a);
    }
    const cli_given_opt *m = cli_given(out, CLI_MODEL);
    if (m) out->model = m->text;
    else if (spec->model_positional && out->n_positional > 0) {
        out->model = out->positional[0];
        memmove(out->positional, out->positional + 1, (size_t)--out->n_positional * sizeof *out->positional);
    }
    const int max_pos = spec->max_positional;
    if (out->n_positional > max_pos) {
        snprintf(err, sizeof err, "unexpected argument '%s' (see mote help %s)", out->positional[max_pos],
                 spec->name);
        return parse_error(spec, err);
    }
    return -1;
}

#define HELP_COLUMN 31 /* where the help texts start */
#define HELP_WIDTH 100 /* where they wrap */

/* Print text from column HELP_COLUMN (the cursor is there), wrapped at spaces. */
static void print_wrapped(FILE *out, const char *text) {
    int col = HELP_COLUMN;
    while (*text) {
        size_t word = strcspn(text, " ");
        if (col > HELP_COLUMN && col + 1 + (int)word > HELP_WIDTH) {
            fprintf(out, "\n%*s", HELP_COLUMN, "");
            col = HELP_COLUMN;
        } else if (col > HELP_COLUMN) {
            fputc(' ', out);
            col++;
        }
        fwrite(text, 1, word, out);
        col += (int)word;
        text += word;
        text += strspn(text, " ");
    }
    fputc('\n', out);
}

void cli_print_help(const cli_command_spec *spec, FILE *out) {
    fprintf(out, "usage: %s\n\n%s\n\noptions:\n", spec->usage, spec->about);
    for (const cli_use *u = spec->options; u->id != CLI_END; u++) {
        const cli_option *o = &cli_options[u->id];
        char left[96];
        size_t at = 0;
        for (int k = 0; k < CLI_MAX_NAMES && o->names[k] && at < sizeof left; k++)
            at += (size_t)snprintf(left + at, sizeof left - at, "%s%s", k ? ", " : "", o->names[k]);
        if (o->metavar && at < sizeof left) snprintf(left + at, sizeof left - at, " %s", o->metavar);
        if (strlen(left) > HELP_COLUMN - 5) fprintf(out, "  %s\n%*s", left, HELP_COLUMN, "");
        else fprintf(out, "  %-*s", HELP_COLUMN - 2, left);
        print_wrapped(out, u->help ? u->help : o->help);
    }
}

const cli_given_opt *cli_given(const cli_args *a, cli_opt_id id) {
    for (int k = a->n_given - 1; k >= 0; k--)
        if (a->given[k].id == id) return &a->given[k];
    return NULL;
}

const char *cli_str(const cli_args *a, cli_opt_id id, const char *def) {
    const cli_given_opt *g = cli_given(a, id);
    return g ? g->text : def;
}

long long cli_int(const cli_args *a, cli_opt_id id, long long def) {
    const cli_given_opt *g = cli_given(a, id);
    return g ? g->i : def;
}

double cli_num(const cli_args *a, cli_opt_id id, double def) {
    const cli_given_opt *g = cli_given(a, id);
    return g ? g->f : def;
}

bool cli_flag(const cli_args *a, cli_opt_id id) { return cli_given(a, id) != NULL; }

const cli_given_opt *cli_next(const cli_args *a, cli_opt_id id, int *k) {
    for (; *k < a->n_given; (*k)++)
        if (a->given[*k].id == id) return &a->given[(*k)++];
    return NULL;
}
