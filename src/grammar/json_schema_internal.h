/*
 * json_schema_internal.h — pieces of the JSON Schema converter shared
 * between its files (json_schema.c, json_regex.c) and the tool-call
 * grammars (tool_call_grammar.c).
 */
#ifndef MOTE_GRAMMAR_JSON_SCHEMA_INTERNAL_H
#define MOTE_GRAMMAR_JSON_SCHEMA_INTERNAL_H

#include <cJSON.h>

#include "grammar/gtext.h"

/* Append a GBNF expression matching the inside of a JSON string (between
 * its quotes) whose value matches the regular expression `pattern`. */
int js_pattern_to_gbnf(const char *pattern, size_t len, gtext *out);

/* A converter collects the GBNF rules of one or more schemas, sharing the
 * helper rules ("ws", "value", "string", ...) between them. */
typedef struct js_conv js_conv;

js_conv *js_conv_new(void);
void js_conv_free(js_conv *c);
/* Add the rules of `schema` (also the document its $refs point into); *rule
 * gets the name of its start rule (owned by c), derived from `hint`
 * ("root" gives "root"). */
int js_conv_add(js_conv *c, const cJSON *schema, const char *hint, const char **rule);
/* Add a rule with the given body under a name derived from hint. */
const char *js_conv_rule(js_conv *c, const char *hint, const char *body);
/* Append every rule, "root" (if any) first, to out. */
int js_conv_emit(const js_conv *c, gtext *out);

#endif
