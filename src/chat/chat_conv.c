/*
 * chat_conv.c — a conversation that owns its messages (mote.h section 7),
 * and its JSON form: the OpenAI-style array of {"role", "content"} objects
 * that `mote chat --messages`, /save and /load use (and the server will).
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "mote.h"

static char *copy_string(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

int mote_chat_conv_add(mote_chat_conv *c, const char *role, const char *content) {
    if (!c || !role || !content) return mote_fail(MOTE_ERR_INVALID_ARG, "chat message without role or content");
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 8;
        mote_chat_message *m = realloc(c->msgs, cap * sizeof *m);
        if (!m) return mote_fail(MOTE_ERR_NOMEM, "out of memory for a chat message");
        c->msgs = m;
        c->cap = cap;
    }
    char *r = copy_string(role), *t = copy_string(content);
    if (!r || !t) {
        free(r);
        free(t);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory for a chat message");
    }
    c->msgs[c->n].role = r;
    c->msgs[c->n].content = t;
    c->n++;
    return MOTE_OK;
}

void mote_chat_conv_remove(mote_chat_conv *c, size_t from, size_t count) {
    if (!c || from >= c->n) return;
    if (count > c->n - from) count = c->n - from;
    for (size_t i = from; i < from + count; i++) {
        free((char *)c->msgs[i].role);
        free((char *)c->msgs[i].content);
    }
    memmove(c->msgs + from, c->msgs + from + count, (c->n - from - count) * sizeof *c->msgs);
    c->n -= count;
}

void mote_chat_conv_free(mote_chat_conv *c) {
    if (!c) return;
    mote_chat_conv_remove(c, 0, c->n);
    free(c->msgs);
    c->msgs = NULL;
    c->n = c->cap = 0;
}

/* The text of a message's "content": a string, or the concatenated "text"
 * of an array of parts. NULL (after mote_fail) otherwise; caller frees. */
static char *content_text(const cJSON *content, size_t index) {
    if (cJSON_IsString(content)) return copy_string(content->valuestring);
    if (cJSON_IsNull(content)) return copy_string("");
    if (!cJSON_IsArray(content)) {
        mote_fail(MOTE_ERR_FORMAT, "message %zu: \"content\" is neither a string nor an array of parts", index + 1);
        return NULL;
    }
    size_t len = 0;
    const cJSON *part;
    cJSON_ArrayForEach(part, content) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(part, "type");
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(part, "text");
        if (!cJSON_IsString(type) || strcmp(type->valuestring, "text") || !cJSON_IsString(text)) {
            mote_fail(MOTE_ERR_UNSUPPORTED, "message %zu: only text content parts are supported", index + 1);
            return NULL;
        }
        len += strlen(text->valuestring);
    }
    char *out = malloc(len + 1);
    if (!out) {
        mote_fail(MOTE_ERR_NOMEM, "out of memory reading a conversation");
        return NULL;
    }
    out[0] = '\0';
    cJSON_ArrayForEach(part, content) strcat(out, cJSON_GetObjectItemCaseSensitive(part, "text")->valuestring);
    return out;
}

int mote_chat_conv_parse_json(mote_chat_conv *c, const char *json, size_t len) {
    if (!c || !json) return mote_fail(MOTE_ERR_INVALID_ARG, "no conversation to read");
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, false);
    if (!root)
        return mote_fail(MOTE_ERR_FORMAT, "conversation: invalid JSON near byte %zu",
                         end ? (size_t)(end - json) : (size_t)0);
    mote_chat_conv tmp = {0};
    int rc = MOTE_OK;
    if (!cJSON_IsArray(root)) {
        rc = mote_fail(MOTE_ERR_FORMAT, "conversation: expected a JSON array of {\"role\", \"content\"} objects");
        goto done;
    }
    size_t i = 0;
    const cJSON *msg;
    cJSON_ArrayForEach(msg, root) {
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(msg, "role");
        if (!cJSON_IsObject(msg) || !cJSON_IsString(role)) {
            rc = mote_fail(MOTE_ERR_FORMAT, "conversation: message %zu has no \"role\" string", i + 1);
            goto done;
        }
        const char *r = role->valuestring;
        if (strcmp(r, "system") && strcmp(r, "user") && strcmp(r, "assistant") && strcmp(r, "tool")) {
            rc = mote_fail(MOTE_ERR_FORMAT,
                           "conversation: message %zu has role '%s' (expected system, user, assistant or tool)",
                           i + 1, r);
            goto done;
        }
        char *text = content_text(cJSON_GetObjectItemCaseSensitive(msg, "content"), i);
        if (!text) {
            rc = MOTE_ERR_FORMAT;
            goto done;
        }
        rc = mote_chat_conv_add(&tmp, r, text);
        free(text);
        if (rc != MOTE_OK) goto done;
        i++;
    }
    for (size_t k = 0; k < tmp.n && rc == MOTE_OK; k++) rc = mote_chat_conv_add(c, tmp.msgs[k].role, tmp.msgs[k].content);
done:
    mote_chat_conv_free(&tmp);
    cJSON_Delete(root);
    return rc;
}

int mote_chat_conv_load_json(mote_chat_conv *c, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return mote_fail(MOTE_ERR_IO, "cannot open conversation '%s'", path);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? 2 * cap : 4096;
            char *p = realloc(buf, cap);
            if (!p) {
                free(buf);
                fclose(f);
                return mote_fail(MOTE_ERR_NOMEM, "out of memory reading '%s'", path);
            }
            buf = p;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return mote_fail(MOTE_ERR_IO, "cannot read conversation '%s'", path);
    }
    int rc = mote_chat_conv_parse_json(c, buf, len);
    free(buf);
    if (rc != MOTE_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", mote_last_error());
        return mote_fail(rc, "%s: %s", path, msg);
    }
    return MOTE_OK;
}

int mote_chat_conv_save_json(const mote_chat_conv *c, const char *path) {
    cJSON *root = cJSON_CreateArray();
    for (size_t i = 0; root && i < c->n; i++) {
        cJSON *m = cJSON_CreateObject();
        if (!m || !cJSON_AddStringToObject(m, "role", c->msgs[i].role) ||
            !cJSON_AddStringToObject(m, "content", c->msgs[i].content)) {
            cJSON_Delete(m);
            cJSON_Delete(root);
            root = NULL;
            break;
        }
        cJSON_AddItemToArray(root, m);
    }
    char *text = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text) return mote_fail(MOTE_ERR_NOMEM, "out of memory writing a conversation");
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    int rc = MOTE_OK;
    if (!f) {
        rc = mote_fail(MOTE_ERR_IO, "cannot write conversation '%s'", path);
    } else {
        bool ok = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
        ok = (fclose(f) == 0) && ok;
        if (!ok || rename(tmp, path) != 0) {
            remove(tmp);
            rc = mote_fail(MOTE_ERR_IO, "cannot write conversation '%s'", path);
        }
    }
    cJSON_free(text);
    return rc;
}
