/*
 * api_request.h — what a generation request asks for, read from the JSON of
 * any of the four generation endpoints (Ollama /api/generate and /api/chat,
 * OpenAI /v1/completions and /v1/chat/completions) into one struct the
 * engine understands. Pure parsing: no model is needed, so the libFuzzer
 * harness drives these functions directly.
 */
#ifndef MOTE_SERVER_API_REQUEST_H
#define MOTE_SERVER_API_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "mote.h"

#define GEN_MAX_STOPS 16
#define GEN_MAX_STOP_LEN 256
#define GEN_MAX_MESSAGES 4096

/* OpenAI's tool_choice (Ollama has none: auto). */
typedef enum {
    TOOL_CHOICE_AUTO = 0,   /* the model may answer or call a tool */
    TOOL_CHOICE_NONE,       /* the tools are shown, no call is read from the answer */
    TOOL_CHOICE_REQUIRED,   /* a call to one of the tools is forced (grammar) */
    TOOL_CHOICE_NAMED,      /* a call to tool_name is forced (grammar) */
} tool_choice_kind;

/* keep_alive values: how long an idle model stays loaded. */
#define KEEP_ALIVE_DEFAULT (-2) /* not given: the server's --keep-alive */
#define KEEP_ALIVE_FOREVER (-1)

typedef struct {
    char *model;                /* the model's name as asked ("name" or "name:latest") */
    bool chat;                  /* format messages with the chat template */
    bool raw;                   /* the prompt as it is: no template, control tokens read */
    char *prompt;               /* generate / completions */
    char *system;               /* /api/generate's system prompt */
    mote_chat_message *msgs;    /* chat: owned role/content strings */
    size_t n_msgs;
    int think;                  /* -1 not given, 0 off, 1 on (Qwen 3) */
    bool split_reasoning;       /* a thinking model's reasoning comes apart from the content
                                   (Ollama: think true; OpenAI: unless thinking is off) */
    mote_sampler_params sampling;
    int32_t n_predict;          /* -1: until the end of the turn or a full context */
    char *stops[GEN_MAX_STOPS];
    int n_stops;
    bool stream;
    bool include_usage;         /* OpenAI stream_options.include_usage */
    int64_t keep_alive_ms;      /* KEEP_ALIVE_DEFAULT, KEEP_ALIVE_FOREVER or milliseconds (0: unload now) */
    /* structured output and tools (request_structured.c) */
    mote_grammar *grammar;      /* Ollama format / OpenAI response_format: the answer's grammar (NULL: free) */
    char *tools_json;           /* the tool definitions, a JSON array (NULL: no tools) */
    tool_choice_kind tool_choice;
    char *tool_name;            /* TOOL_CHOICE_NAMED: the function to call */
    char *messages_json;        /* the messages with tool calls, tool results and reasoning, as the
                                   chat template reads them (NULL: msgs say everything) */
    int32_t num_ctx;            /* Ollama's options.num_ctx: context tokens this request needs (0: not given) */
} gen_input;

void gen_input_free(gen_input *in);

/* The defaults of what a request does not give: the sampling parameters and
 * the answer length of `mote serve --temp ... -n N` (until set: the
 * library's, which are llama.cpp's and `mote run`'s). Set before serving. */
void gen_input_set_defaults(const mote_sampler_params *sampling, int32_t n_predict);

/* Each parser fills *in from a request object and returns 0, or an HTTP
 * status (400, 501) with a one-line message in err. On failure *in holds
 * whatever was read; gen_input_free releases it either way. */
int parse_ollama_generate(const cJSON *root, gen_input *in, char *err, size_t err_size);
int parse_ollama_chat(const cJSON *root, gen_input *in, char *err, size_t err_size);
int parse_openai_completion(const cJSON *root, gen_input *in, char *err, size_t err_size);
int parse_openai_chat(const cJSON *root, gen_input *in, char *err, size_t err_size);

/* Ollama's keep_alive: a number of seconds or a duration string ("5m",
 * "1h30m", "10s", "0", "-1"); negative means forever. Returns milliseconds
 * (KEEP_ALIVE_FOREVER for negative), or -3 (with err) on a bad value. */
int64_t parse_keep_alive(const cJSON *v, char *err, size_t err_size);

#endif
