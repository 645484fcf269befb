/*
 * request_structured.h — the request fields that shape an answer rather
 * than sample it: Ollama's `format` and OpenAI's `response_format` (a JSON
 * grammar or a JSON Schema), `tools` with OpenAI's `tool_choice`, and the
 * parts of chat messages only a Jinja template reads (tool calls, tool
 * results, reasoning). Used by api_request.c; pure parsing, no model.
 */
#ifndef MOTE_SERVER_REQUEST_STRUCTURED_H
#define MOTE_SERVER_REQUEST_STRUCTURED_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "server/api_request.h"

/* Each returns 0, or an HTTP status (400, 500) with a one-line message in err. */

/* Ollama's "format": "json" or a JSON Schema object ("" / null: none). */
int read_ollama_format(const cJSON *root, gen_input *in, char *err, size_t err_size);
/* OpenAI's "response_format": {type: text | json_object | json_schema, json_schema: {schema}}. */
int read_response_format(const cJSON *root, gen_input *in, char *err, size_t err_size);
/* "grammar": GBNF text, llama.cpp's server extension (read after the format fields). */
int read_raw_grammar(const cJSON *root, gen_input *in, char *err, size_t err_size);
/* "tools" (an array of {type: function, function: {name, description, parameters}})
 * and OpenAI's "tool_choice" ("none", "auto", "required" or {type: function,
 * function: {name}}), which mote's /api/chat reads too (Ollama's API cannot force a call). */
int read_tools(const cJSON *root, gen_input *in, char *err, size_t err_size);
/* in->messages_json from the request's "messages" when any of them carries
 * tool calls, a tool call id / tool name, or reasoning (or when tools are
 * given): OpenAI's argument strings become objects, Ollama's "thinking"
 * becomes "reasoning_content", as templates expect. Call after read_tools. */
int read_message_extras(const cJSON *root, gen_input *in, char *err, size_t err_size);

#endif
