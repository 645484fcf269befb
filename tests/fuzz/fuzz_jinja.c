/*
 * fuzz_jinja.c — libFuzzer harness for the Jinja chat-template interpreter.
 *
 * The input is a template, optionally followed by a NUL byte and a JSON
 * object of variables (without one, a small conversation with a tool is
 * used). Parsing and rendering must end in a result or a one-line error:
 * never a crash, a hang (the interpreter's step, depth and size limits), or
 * a leak. A rendered result must be a NUL-terminated string.
 * Seed corpus: the .jinja files of tests/data/jinja/templates.
 */
#include <stdlib.h>
#include <string.h>

#include "mote.h"

#define CHECK(cond)                    \
    do {                               \
        if (!(cond)) __builtin_trap(); \
    } while (0)

static const char *const DEFAULT_VARS =
    "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"},"
    " {\"role\": \"assistant\", \"content\": \"\", \"tool_calls\": [{\"id\": \"call00001\", \"type\": \"function\","
    " \"function\": {\"name\": \"f\", \"arguments\": {\"x\": 1}}}]}, {\"role\": \"tool\", \"content\": \"2\"}],"
    " \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": {\"type\": \"object\"}}}],"
    " \"add_generation_prompt\": true, \"bos_token\": \"<s>\", \"eos_token\": \"</s>\", \"enable_thinking\": false}";

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    if (size > 64 * 1024) return 0;
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    size_t tlen = strlen(buf); /* the template ends at the first NUL */
    const char *vars = tlen < size ? buf + tlen + 1 : DEFAULT_VARS;
    mote_chat_jinja *t = NULL;
    if (mote_chat_jinja_parse(buf, &t) == MOTE_OK) {
        char *out = NULL;
        if (mote_chat_jinja_render_vars(t, vars, 1741521600, &out) == MOTE_OK) {
            CHECK(out != NULL);
            (void)strlen(out);
            free(out);
        } else
            CHECK(mote_last_error()[0] != '\0');
        mote_chat_jinja_free(t);
    } else
        CHECK(mote_last_error()[0] != '\0');
    free(buf);
    return 0;
}
