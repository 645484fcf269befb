/*
 * json_util.h — reading untrusted JSON request bodies safely: a parse that
 * refuses deep nesting and invalid UTF-8 before cJSON sees the text, and
 * typed field getters that tell "absent" from "present but the wrong type",
 * so every API handler rejects bad input with one clear message.
 */
#ifndef MOTE_SERVER_JSON_UTIL_H
#define MOTE_SERVER_JSON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* True if the len bytes are well-formed UTF-8 (no overlongs, no surrogates). */
bool json_utf8_valid(const char *s, size_t len);

/* Length of the valid UTF-8 sequence starting at s[0] (1..4), or 0 if the
 * bytes there are not one. */
size_t json_utf8_char_len(const char *s, size_t len);

/* Parse a request body. NULL (with a message in err) when the body is empty,
 * not valid UTF-8, nested deeper than max_depth, not JSON, or (when
 * want_object) not a JSON object. The caller frees the result with cJSON_Delete. */
cJSON *json_parse_body(const char *body, size_t len, int max_depth, bool want_object, char *err, size_t err_size);

/* Field getters. Each returns 0 when the key is absent or null (out left
 * untouched), 1 when it was read, -1 (with a message naming the field in
 * err) when it has the wrong type or is out of range. */
int json_get_string(const cJSON *obj, const char *key, const char **out, char *err, size_t err_size);
int json_get_bool(const cJSON *obj, const char *key, bool *out, char *err, size_t err_size);
int json_get_double(const cJSON *obj, const char *key, double min, double max, double *out, char *err,
                    size_t err_size);
/* A whole number in [min, max]. */
int json_get_int(const cJSON *obj, const char *key, int64_t min, int64_t max, int64_t *out, char *err,
                 size_t err_size);

/* The text of an object as compact JSON, malloc'd (NULL on failure). */
char *json_print(const cJSON *v);

#endif
