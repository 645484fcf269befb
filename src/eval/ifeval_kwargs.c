/*
 * ifeval_kwargs.c — reading an instruction's keyword arguments from its
 * JSON object, with a message naming the argument when it is absent or of
 * the wrong type.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "eval/ifeval_internal.h"

int ifeval_kw_int(const cJSON *kw, const char *name, long *out, char *err, size_t err_size) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(kw, name);
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble)) {
        snprintf(err, err_size, "argument '%s' must be a whole number", name);
        return -1;
    }
    *out = (long)v->valuedouble;
    return 0;
}

int ifeval_kw_str(const cJSON *kw, const char *name, const char **out, char *err, size_t err_size) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(kw, name);
    if (!cJSON_IsString(v)) {
        snprintf(err, err_size, "argument '%s' must be a string", name);
        return -1;
    }
    *out = v->valuestring;
    return 0;
}

int ifeval_kw_relation(const cJSON *kw, const char *name, char *err, size_t err_size) {
    const char *r;
    if (ifeval_kw_str(kw, name, &r, err, err_size)) return -1;
    if (!strcmp(r, "less than")) return 0;
    if (!strcmp(r, "at least")) return 1;
    snprintf(err, err_size, "argument '%s' must be \"less than\" or \"at least\", not \"%s\"", name, r);
    return -1;
}
