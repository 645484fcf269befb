/*
 * request_parse.h — for the unit tests of the server's request parsers
 * (test_server_request.c, test_server_structured.c): parse a JSON body with
 * one of api_request.h's parsers, the error message left in err. Included
 * once per test program (it defines a static buffer and function).
 */
#ifndef MOTE_TEST_REQUEST_PARSE_H
#define MOTE_TEST_REQUEST_PARSE_H

#include <string.h>

#include "server/api_request.h"
#include "server/json_util.h"

/* The last parser's error message. */
static char err[300];

/* Parse `json` with `parser`; returns the status (0: accepted) and leaves the
 * result in *in (zeroed first). The body itself must be valid JSON. */
static int parse(int (*parser)(const cJSON *, gen_input *, char *, size_t), const char *json, gen_input *in) {
    cJSON *root = json_parse_body(json, strlen(json), 64, true, err, sizeof err);
    assert_non_null(root);
    memset(in, 0, sizeof *in);
    int st = parser(root, in, err, sizeof err);
    cJSON_Delete(root);
    return st;
}

#endif
