/*
 * fuzz_server_request.c — libFuzzer harness for the server's request parsing
 * (src/server/json_util.c and api_request.c): everything `mote serve` does
 * with a request body before a model is involved.
 *
 * The first byte chooses the parser, the rest is the body:
 *   0 /api/generate   1 /api/chat   2 /v1/completions   3 /v1/chat/completions
 *   4 a keep_alive value (the body parsed as any JSON value)
 * The parse must either succeed with a consistent result (a model name,
 * stop strings within the limits, messages with roles) or fail with a
 * status and a message; never crash, leak or read out of bounds.
 * Seed corpus: tests/fuzz/server_seeds.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "server/api_request.h"
#include "server/json_util.h"

#define CHECK(cond)                    \
    do {                               \
        if (!(cond)) __builtin_trap(); \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    unsigned which = data[0] % 5;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    char err[300] = "";
    cJSON *root = json_parse_body(body, len, 64, which != 4, err, sizeof err);
    if (!root) {
        CHECK(err[0] != '\0');
        return 0;
    }
    if (which == 4) {
        int64_t ms = parse_keep_alive(root, err, sizeof err);
        CHECK(ms >= -3);
        if (ms == -3) CHECK(err[0] != '\0');
        cJSON_Delete(root);
        return 0;
    }
    static int (*const parsers[4])(const cJSON *, gen_input *, char *, size_t) = {
        parse_ollama_generate, parse_ollama_chat, parse_openai_completion, parse_openai_chat};
    gen_input in;
    memset(&in, 0, sizeof in);
    int st = parsers[which](root, &in, err, sizeof err);
    if (st) {
        CHECK(st >= 400 && st < 600);
        CHECK(err[0] != '\0');
    } else {
        CHECK(in.model && in.model[0]);
        CHECK(in.n_stops >= 0 && in.n_stops <= GEN_MAX_STOPS);
        for (int i = 0; i < in.n_stops; i++) CHECK(in.stops[i][0] && strlen(in.stops[i]) <= GEN_MAX_STOP_LEN);
        CHECK(in.n_predict >= -1);
        for (size_t i = 0; i < in.n_msgs; i++) CHECK(in.msgs[i].role && in.msgs[i].content);
        if (which == 3) CHECK(in.chat && in.n_msgs > 0);
        if (which == 2) CHECK(in.prompt != NULL);
        /* every text that reaches the engine is valid UTF-8 */
        if (in.prompt) CHECK(json_utf8_valid(in.prompt, strlen(in.prompt)));
    }
    gen_input_free(&in);
    cJSON_Delete(root);
    return 0;
}
