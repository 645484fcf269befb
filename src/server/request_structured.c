/*
 * request_structured.c — structured output, tools and the template-only
 * parts of chat messages, read from a request (see request_structured.h).
 * Schemas are turned into grammars here, at parse time, so a schema mote
 * cannot honour is a 400 before any model is loaded.
 */
#include "server/request_structured.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/json_util.h"

#define FAIL(status, ...)                     \
    do {                                      \
        snprintf(err, err_size, __VA_ARGS__); \
        return (status);                      \
    } while (0)

/* in->grammar from a JSON Schema object (NULL: any JSON object); `field` names it in errors. */
static int grammar_from_schema(const cJSON *schema, const char *field, gen_input *in, char *err, size_t err_size) {
    int rc;
    if (!schema) {
        rc = mote_grammar_json(&in->grammar);
    } else {
        char *text = json_print(schema);
        if (!text) FAIL(500, "out of memory");
        rc = mote_grammar_from_json_schema(text, strlen(text), &in->grammar);
        cJSON_free(text);
    }
    if (rc != MOTE_OK) FAIL(400, "'%s': %s", field, mote_last_error());
    return 0;
}

int read_raw_grammar(const cJSON *root, gen_input *in, char *err, size_t err_size) {
    const char *gbnf = NULL;
    if (json_get_string(root, "grammar", &gbnf, err, err_size) < 0) return 400;
    if (!gbnf || !*gbnf) return 0;
    if (in->grammar) FAIL(400, "'grammar' and a response format cannot be asked together");
    if (mote_grammar_parse(gbnf, strlen(gbnf), NULL, &in->grammar) != MOTE_OK) FAIL(400, "'grammar': %s", mote_last_error());
    return 0;
}

int read_ollama_format(const cJSON *root, gen_input *in, char *err, size_t err_size) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "format");
    if (!v || cJSON_IsNull(v) || (cJSON_IsString(v) && !*v->valuestring)) return 0;
    if (cJSON_IsString(v)) {
        if (strcmp(v->valuestring, "json")) FAIL(400, "'format' must be \"json\" or a JSON Schema object");
        return grammar_from_schema(NULL, "format", in, err, err_size);
    }
    if (!cJSON_IsObject(v)) FAIL(400, "'format' must be \"json\" or a JSON Schema object");
    return grammar_from_schema(v, "format", in, err, err_size);
}

int read_response_format(const cJSON *root, gen_input *in, char *err, size_t err_size) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "response_format");
    if (!v || cJSON_IsNull(v)) return 0;
    const cJSON *type = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, "type") : NULL;
    if (!cJSON_IsString(type))
        FAIL(400, "'response_format' must be an object with a 'type' (text, json_object or json_schema)");
    const char *t = type->valuestring;
    if (!strcmp(t, "text")) return 0;
    if (!strcmp(t, "json_object")) {
        /* llama.cpp also reads a "schema" here; honour it the same way */
        const cJSON *schema = cJSON_GetObjectItemCaseSensitive(v, "schema");
        if (schema && !cJSON_IsNull(schema) && !cJSON_IsObject(schema))
            FAIL(400, "'response_format.schema' must be a JSON Schema object");
        return grammar_from_schema(cJSON_IsObject(schema) ? schema : NULL, "response_format", in, err, err_size);
    }
    if (!strcmp(t, "json_schema")) {
        const cJSON *js = cJSON_GetObjectItemCaseSensitive(v, "json_schema");
        const cJSON *schema = cJSON_IsObject(js) ? cJSON_GetObjectItemCaseSensitive(js, "schema") : NULL;
        if (!cJSON_IsObject(schema))
            FAIL(400, "'response_format.json_schema.schema' must be a JSON Schema object");
        return grammar_from_schema(schema, "response_format.json_schema.schema", in, err, err_size);
    }
    FAIL(400, "'response_format.type' must be text, json_object or json_schema");
}

/* The function object of a tool: {"type": "function", "function": {...}} (or the bare {...}). */
static const cJSON *tool_function(const cJSON *tool) {
    const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tool, "function");
    return cJSON_IsObject(fn) ? fn : tool;
}

/* Is `name` one of the tools? */
static bool has_tool(const cJSON *tools, const char *name) {
    const cJSON *t;
    cJSON_ArrayForEach(t, tools) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(tool_function(t), "name");
        if (cJSON_IsString(n) && !strcmp(n->valuestring, name)) return true;
    }
    return false;
}

static int read_tool_choice(const cJSON *root, const cJSON *tools, gen_input *in, char *err, size_t err_size) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "tool_choice");
    if (!v || cJSON_IsNull(v)) return 0;
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        if (!strcmp(s, "auto")) in->tool_choice = TOOL_CHOICE_AUTO;
        else if (!strcmp(s, "none")) in->tool_choice = TOOL_CHOICE_NONE;
        else if (!strcmp(s, "required")) in->tool_choice = TOOL_CHOICE_REQUIRED;
        else FAIL(400, "'tool_choice' must be \"none\", \"auto\", \"required\" or {\"type\": \"function\", ...}");
    } else {
        const cJSON *fn = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, "function") : NULL;
        const cJSON *name = cJSON_IsObject(fn) ? cJSON_GetObjectItemCaseSensitive(fn, "name") : NULL;
        if (!cJSON_IsString(name) || !*name->valuestring)
            FAIL(400, "'tool_choice' must name a function: {\"type\": \"function\", \"function\": {\"name\": ...}}");
        in->tool_choice = TOOL_CHOICE_NAMED;
        if (!(in->tool_name = strdup(name->valuestring))) FAIL(500, "out of memory");
    }
    if (in->tool_choice >= TOOL_CHOICE_REQUIRED && !tools) FAIL(400, "'tool_choice' asks for a call but no 'tools' are given");
    if (in->tool_choice == TOOL_CHOICE_NAMED && !has_tool(tools, in->tool_name))
        FAIL(400, "'tool_choice' names '%.100s', which is not one of the tools", in->tool_name);
    return 0;
}

int read_tools(const cJSON *root, gen_input *in, char *err, size_t err_size) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "tools");
    const cJSON *tools = NULL;
    if (v && !cJSON_IsNull(v)) {
        if (!cJSON_IsArray(v)) FAIL(400, "'tools' must be an array of {\"type\": \"function\", \"function\": {...}}");
        int i = 0;
        const cJSON *t;
        cJSON_ArrayForEach(t, v) {
            if (!cJSON_IsObject(t)) FAIL(400, "tools[%d] must be an object", i);
            const cJSON *type = cJSON_GetObjectItemCaseSensitive(t, "type");
            if (type && !(cJSON_IsString(type) && !strcmp(type->valuestring, "function")))
                FAIL(400, "tools[%d].type must be \"function\"", i);
            const cJSON *fn = tool_function(t);
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(fn, "name");
            if (!cJSON_IsString(name) || !*name->valuestring) FAIL(400, "tools[%d].function.name must be a string", i);
            const cJSON *params = cJSON_GetObjectItemCaseSensitive(fn, "parameters");
            if (params && !cJSON_IsNull(params) && !cJSON_IsObject(params))
                FAIL(400, "tools[%d].function.parameters must be a JSON Schema object", i);
            i++;
        }
        if (i > 0) {
            tools = v;
            if (!(in->tools_json = json_print(v))) FAIL(500, "out of memory");
        }
    }
    return read_tool_choice(root, tools, in, err, err_size);
}

/* Does a message carry something only a Jinja template reads? */
static bool has_extras(const cJSON *m) {
    static const char *const keys[] = {"tool_calls", "tool_call_id", "tool_name", "name", "thinking", "reasoning_content"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, keys[i]);
        if (v && !cJSON_IsNull(v)) return true;
    }
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
    return cJSON_IsString(role) && !strcmp(role->valuestring, "tool");
}

/* One tool call as templates read it: {"type": "function", "id"?, "function": {"name", "arguments": {...}}}. */
static cJSON *normal_call(const cJSON *call, int mi, int ci, char *err, size_t err_size) {
    const cJSON *fn = cJSON_IsObject(call) ? cJSON_GetObjectItemCaseSensitive(call, "function") : NULL;
    const cJSON *name = cJSON_IsObject(fn) ? cJSON_GetObjectItemCaseSensitive(fn, "name") : NULL;
    if (!cJSON_IsString(name)) {
        snprintf(err, err_size, "messages[%d].tool_calls[%d] must be {\"function\": {\"name\", \"arguments\"}}", mi, ci);
        return NULL;
    }
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(fn, "arguments");
    cJSON *a;
    if (cJSON_IsString(args)) { /* OpenAI sends the arguments as JSON text */
        a = cJSON_Parse(args->valuestring);
        if (!a) a = cJSON_CreateString(args->valuestring);
    } else if (!args || cJSON_IsNull(args)) {
        a = cJSON_CreateObject();
    } else {
        a = cJSON_Duplicate(args, true);
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "type", "function");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(call, "id");
    if (cJSON_IsString(id)) cJSON_AddStringToObject(out, "id", id->valuestring);
    cJSON *f = cJSON_AddObjectToObject(out, "function");
    cJSON_AddStringToObject(f, "name", name->valuestring);
    cJSON_AddItemToObject(f, "arguments", a);
    return out;
}

int read_message_extras(const cJSON *root, gen_input *in, char *err, size_t err_size) {
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(root, "messages");
    if (!cJSON_IsArray(msgs) || (size_t)cJSON_GetArraySize(msgs) != in->n_msgs) return 0;
    bool any = in->tools_json != NULL;
    const cJSON *m;
    cJSON_ArrayForEach(m, msgs) any = any || has_extras(m);
    if (!any) return 0;
    cJSON *arr = cJSON_CreateArray();
    int i = 0;
    cJSON_ArrayForEach(m, msgs) {
        /* role and content as read_messages normalised them */
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        cJSON_AddStringToObject(o, "role", in->msgs[i].role);
        cJSON_AddStringToObject(o, "content", in->msgs[i].content);
        const cJSON *calls = cJSON_GetObjectItemCaseSensitive(m, "tool_calls");
        if (calls && !cJSON_IsNull(calls)) {
            if (!cJSON_IsArray(calls)) {
                cJSON_Delete(arr);
                FAIL(400, "messages[%d].tool_calls must be an array", i);
            }
            cJSON *out = cJSON_AddArrayToObject(o, "tool_calls");
            int ci = 0;
            const cJSON *c;
            cJSON_ArrayForEach(c, calls) {
                cJSON *n = normal_call(c, i, ci++, err, err_size);
                if (!n) {
                    cJSON_Delete(arr);
                    return 400;
                }
                cJSON_AddItemToArray(out, n);
            }
        }
        static const struct {
            const char *from, *to;
        } renames[] = {{"tool_call_id", "tool_call_id"}, {"name", "name"}, {"tool_name", "name"},
                       {"thinking", "reasoning_content"}, {"reasoning_content", "reasoning_content"}};
        for (size_t k = 0; k < sizeof renames / sizeof *renames; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, renames[k].from);
            if (!v || cJSON_IsNull(v)) continue;
            if (!cJSON_IsString(v)) {
                cJSON_Delete(arr);
                FAIL(400, "messages[%d].%s must be a string", i, renames[k].from);
            }
            if (!cJSON_GetObjectItemCaseSensitive(o, renames[k].to)) cJSON_AddStringToObject(o, renames[k].to, v->valuestring);
        }
        i++;
    }
    in->messages_json = json_print(arr);
    cJSON_Delete(arr);
    if (!in->messages_json) FAIL(500, "out of memory");
    return 0;
}
