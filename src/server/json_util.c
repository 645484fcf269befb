/*
 * json_util.c — safe parsing of request bodies and typed field access
 * (see json_util.h). The depth check is a plain scan that skips strings,
 * so a body of a million '[' is refused in linear time without recursion.
 */
#include "server/json_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t json_utf8_char_len(const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    if (len == 0) return 0;
    unsigned c = p[0];
    if (c < 0x80) return 1;
    size_t n;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) n = 1, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) n = 2, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) n = 3, cp = c & 0x07;
    else return 0;
    if (n >= len) return 0;
    for (size_t k = 1; k <= n; k++) {
        if ((p[k] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n + 1;
}

bool json_utf8_valid(const char *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        size_t n = json_utf8_char_len(s + i, len - i);
        if (!n) return false;
        i += n;
    }
    return true;
}

/* Deepest nesting of arrays and objects in the text, outside strings. */
static int nesting_depth(const char *s, size_t len, int limit) {
    int depth = 0, max = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\') i++;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > max) max = depth;
            if (max > limit) return max;
        } else if (c == ']' || c == '}') depth--;
    }
    return max;
}

cJSON *json_parse_body(const char *body, size_t len, int max_depth, bool want_object, char *err, size_t err_size) {
    if (!body || len == 0) {
        snprintf(err, err_size, "the request body is empty (a JSON object is expected)");
        return NULL;
    }
    if (!json_utf8_valid(body, len)) {
        snprintf(err, err_size, "the request body is not valid UTF-8");
        return NULL;
    }
    if (nesting_depth(body, len, max_depth) > max_depth) {
        snprintf(err, err_size, "the request body nests JSON deeper than %d levels", max_depth);
        return NULL;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(body, len, &end, false);
    if (!root) {
        size_t at = end && end >= body ? (size_t)(end - body) : 0;
        snprintf(err, err_size, "the request body is not valid JSON (at byte %zu)", at);
        return NULL;
    }
    /* Nothing but whitespace may follow the value. */
    for (const char *p = end; p && p < body + len; p++) {
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && *p != '\0') {
            cJSON_Delete(root);
            snprintf(err, err_size, "the request body has text after the JSON value (at byte %zu)", (size_t)(p - body));
            return NULL;
        }
    }
    if (want_object && !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        snprintf(err, err_size, "the request body must be a JSON object");
        return NULL;
    }
    return root;
}

/* The field, or NULL when absent or null. */
static const cJSON *field(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return v && !cJSON_IsNull(v) ? v : NULL;
}

int json_get_string(const cJSON *obj, const char *key, const char **out, char *err, size_t err_size) {
    const cJSON *v = field(obj, key);
    if (!v) return 0;
    if (!cJSON_IsString(v)) {
        snprintf(err, err_size, "'%s' must be a string", key);
        return -1;
    }
    *out = v->valuestring;
    return 1;
}

int json_get_bool(const cJSON *obj, const char *key, bool *out, char *err, size_t err_size) {
    const cJSON *v = field(obj, key);
    if (!v) return 0;
    if (!cJSON_IsBool(v)) {
        snprintf(err, err_size, "'%s' must be true or false", key);
        return -1;
    }
    *out = cJSON_IsTrue(v);
    return 1;
}

int json_get_double(const cJSON *obj, const char *key, double min, double max, double *out, char *err,
                    size_t err_size) {
    const cJSON *v = field(obj, key);
    if (!v) return 0;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
        snprintf(err, err_size, "'%s' must be a number", key);
        return -1;
    }
    if (v->valuedouble < min || v->valuedouble > max) {
        snprintf(err, err_size, "'%s' must be between %g and %g", key, min, max);
        return -1;
    }
    *out = v->valuedouble;
    return 1;
}

int json_get_int(const cJSON *obj, const char *key, int64_t min, int64_t max, int64_t *out, char *err,
                 size_t err_size) {
    const cJSON *v = field(obj, key);
    if (!v) return 0;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble)) {
        snprintf(err, err_size, "'%s' must be a whole number", key);
        return -1;
    }
    if (v->valuedouble < (double)min || v->valuedouble > (double)max) {
        snprintf(err, err_size, "'%s' must be between %lld and %lld", key, (long long)min, (long long)max);
        return -1;
    }
    *out = (int64_t)v->valuedouble;
    return 1;
}

char *json_print(const cJSON *v) { return cJSON_PrintUnformatted(v); }
