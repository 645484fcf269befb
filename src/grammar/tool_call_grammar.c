/*
 * tool_call_grammar.c — the grammar of a well-formed call (mote.h section
 * 7c): for tool_choice "required" (any of the tools) or a named function,
 * the model is held to the family's call syntax with arguments valid under
 * the tool's parameter schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "grammar/json_schema_internal.h"

int mote_tool_format_resolve(const char *name, const char **canonical);

/* The function object of a tool: {"type": "function", "function": {...}} or the bare {...}. */
static const cJSON *function_of(const cJSON *tool) {
    const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tool, "function");
    return cJSON_IsObject(fn) ? fn : tool;
}

int mote_tool_call_gbnf(const char *format, const char *tools_json, size_t len, const char *only, char **gbnf) {
    if (!gbnf) return mote_fail(MOTE_ERR_INVALID_ARG, "tool calls: no output pointer");
    *gbnf = NULL;
    const char *fmt;
    int st = mote_tool_format_resolve(format, &fmt);
    if (st) return st;
    if (!tools_json) return mote_fail(MOTE_ERR_INVALID_ARG, "tool calls: no tools");
    cJSON *tools = cJSON_ParseWithLength(tools_json, len);
    if (!cJSON_IsArray(tools) || !tools->child) {
        cJSON_Delete(tools);
        return mote_fail(MOTE_ERR_FORMAT, "tool calls: the tools must be a non-empty JSON array");
    }
    js_conv *c = js_conv_new();
    gtext calls = {0}, out = {0};
    if (!c) st = mote_fail(MOTE_ERR_NOMEM, "tool calls: out of memory");
    bool llama = !strcmp(fmt, "llama3");
    int i = 0, n = 0;
    for (const cJSON *t = tools->child; t && !st; t = t->next, i++) {
        const cJSON *fn = function_of(t);
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(fn, "name");
        if (!cJSON_IsString(name) || !name->valuestring[0]) {
            st = mote_fail(MOTE_ERR_FORMAT, "tool calls: tool %d has no name", i);
            break;
        }
        if (only && strcmp(only, name->valuestring)) continue;
        const cJSON *params = cJSON_GetObjectItemCaseSensitive(fn, "parameters");
        cJSON *empty = params ? NULL : cJSON_Parse("{\"type\": \"object\", \"properties\": {}}");
        char hint[64];
        snprintf(hint, sizeof hint, "tool-%d-args", i);
        const char *args;
        st = js_conv_add(c, params ? params : empty, hint, &args);
        cJSON_Delete(empty);
        if (st) break;
        /* {"name": "NAME", "arguments": ARGS} as the family writes it */
        cJSON *jname = cJSON_CreateString(name->valuestring);
        char *quoted = jname ? cJSON_PrintUnformatted(jname) : NULL;
        cJSON_Delete(jname);
        if (!quoted) {
            st = mote_fail(MOTE_ERR_NOMEM, "tool calls: out of memory");
            break;
        }
        gtext head = {0};
        gt_fmt(&head, "{\"name\": %s, \"%s\": ", quoted, llama ? "parameters" : "arguments");
        free(quoted);
        if (n++) gt_str(&calls, " | ");
        gt_literal(&calls, head.s ? head.s : "", head.len);
        gt_fmt(&calls, " %s \"}\"", args);
        gt_free(&head);
    }
    if (!st && !n) st = mote_fail(MOTE_ERR_NOT_FOUND, "tool calls: no tool named '%s'", only ? only : "");
    if (!st) {
        const char *call = js_conv_rule(c, "call", calls.s);
        if (!strcmp(fmt, "hermes")) gt_fmt(&out, "root ::= \"<tool_call>\\n\" %s \"\\n</tool_call>\"\n", call);
        else if (!strcmp(fmt, "llama3")) gt_fmt(&out, "root ::= %s\n", call);
        else if (!strcmp(fmt, "phi4-mini")) gt_fmt(&out, "root ::= \"<|tool_call|>[\" %s \"]<|/tool_call|>\"\n", call);
        else gt_fmt(&out, "root ::= \"[TOOL_CALLS][\" %s \"]\"\n", call);
        st = js_conv_emit(c, &out);
    }
    if (!st && (calls.failed || out.failed)) st = mote_fail(MOTE_ERR_NOMEM, "tool calls: out of memory");
    js_conv_free(c);
    cJSON_Delete(tools);
    gt_free(&calls);
    if (st) {
        gt_free(&out);
        return st;
    }
    *gbnf = gt_take(&out);
    return *gbnf ? MOTE_OK : mote_fail(MOTE_ERR_NOMEM, "tool calls: out of memory");
}
