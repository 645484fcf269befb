/*
 * chat_jinja.c — the public face of the Jinja interpreter (mote.h section
 * 7): parse a template once, render conversations with it, and split a
 * thinking model's answer into reasoning and answer. The interpreter itself
 * is in src/chat/jinja/.
 */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "chat/jinja/jinja.h"
#include "core/error.h"

/* Limits that no real chat template comes near and that keep a hostile one
 * from exhausting memory, the stack or time. */
enum {
    TEMPLATE_MAX_SOURCE = 1 << 20,
    PARSE_MAX_MEMORY = 64 << 20,
    RENDER_MAX_MEMORY = 256 << 20,
    RENDER_MAX_OUTPUT = 16 << 20,
    RENDER_MAX_STEPS = 10000000,
    RENDER_MAX_DEPTH = 64,
};

struct mote_chat_jinja {
    jtemplate t;
};

int mote_chat_jinja_parse(const char *source, mote_chat_jinja **out) {
    if (!out) return mote_fail(MOTE_ERR_INVALID_ARG, "mote_chat_jinja_parse: no output pointer");
    *out = NULL;
    if (!source) return mote_fail(MOTE_ERR_INVALID_ARG, "no chat template given");
    size_t len = strlen(source);
    if (len > TEMPLATE_MAX_SOURCE) return mote_fail(MOTE_ERR_INVALID_ARG, "the chat template is larger than 1 MB");
    mote_chat_jinja *t = calloc(1, sizeof *t);
    if (!t) return mote_fail(MOTE_ERR_NOMEM, "out of memory parsing the chat template");
    jmp_buf jump;
    jheap_init(&t->t.heap, PARSE_MAX_MEMORY);
    t->t.heap.jump = &jump;
    if (setjmp(jump)) {
        int rc = mote_fail(MOTE_ERR_INVALID_ARG, "chat template %s", t->t.heap.msg);
        jheap_free(&t->t.heap);
        free(t);
        return rc;
    }
    jinja_parse(&t->t, source, len);
    t->t.heap.jump = NULL;
    *out = t;
    return MOTE_OK;
}

void mote_chat_jinja_free(mote_chat_jinja *t) {
    if (!t) return;
    jheap_free(&t->t.heap);
    free(t);
}

/* Render with the variables in `vars` (built by the caller inside the
 * heap's setjmp). */
static int render(const mote_chat_jinja *t, jheap *h, jdict *vars, int64_t now, char **out) {
    jlimits lim = {.max_output = RENDER_MAX_OUTPUT, .max_steps = RENDER_MAX_STEPS, .max_depth = RENDER_MAX_DEPTH,
                   .now = now ? now : -1};
    jbuf b;
    jbuf_init(&b, h, RENDER_MAX_OUTPUT);
    jinja_render(h, &t->t, vars, &lim, &b);
    char *s = malloc(b.n + 1);
    if (!s) return mote_fail(MOTE_ERR_NOMEM, "out of memory rendering the chat template");
    if (b.n) memcpy(s, b.p, b.n);
    s[b.n] = '\0';
    *out = s;
    return MOTE_OK;
}

/* Run body(h, arg) on a heap of its own with the template's errors caught
 * (jfail jumps back here): such an error is MOTE_ERR_INVALID_ARG "chat
 * template <message>". The heap is freed after, either way. */
static int guarded(int (*body)(jheap *h, const void *arg), const void *arg) {
    jheap h;
    jmp_buf jump;
    jheap_init(&h, RENDER_MAX_MEMORY);
    h.jump = &jump;
    if (setjmp(jump)) {
        int rc = mote_fail(MOTE_ERR_INVALID_ARG, "chat template %s", h.msg);
        jheap_free(&h);
        return rc;
    }
    int rc = body(&h, arg);
    jheap_free(&h);
    return rc;
}

/* What a render from JSON variables needs, passed through the guard. */
typedef struct {
    const mote_chat_jinja *t;
    const char *vars_json;
    int64_t now;
    char **out;
} vars_job;

static int render_vars(jheap *h, const void *arg) {
    const vars_job *job = arg;
    jv vars = jv_from_json(h, job->vars_json, strlen(job->vars_json));
    if (vars.t != JV_DICT) jfail(h, 0, "the template variables must be a JSON object");
    return render(job->t, h, vars.u.d, job->now, job->out);
}

int mote_chat_jinja_render_vars(const mote_chat_jinja *t, const char *vars_json, int64_t now, char **out) {
    if (!out) return mote_fail(MOTE_ERR_INVALID_ARG, "mote_chat_jinja_render_vars: no output pointer");
    *out = NULL;
    if (!t || !vars_json) return mote_fail(MOTE_ERR_INVALID_ARG, "mote_chat_jinja_render_vars: no template or variables");
    vars_job job = {.t = t, .vars_json = vars_json, .now = now, .out = out};
    return guarded(render_vars, &job);
}

static void set_json(jheap *h, jdict *vars, const char *name, const char *json) {
    jdict_set(h, vars, jv_cstr(name), jv_from_json(h, json, strlen(json)));
}

/* What a conversation render needs, passed through the setjmp guard. */
typedef struct {
    const mote_chat_jinja *t;
    const mote_chat_message *msgs;
    size_t n;
    bool add_generation_prompt;
    const mote_chat_options *opt;
    const mote_chat_jinja_input *in;
    char **out;
} conversation_job;

static int render_conversation(jheap *h, const void *arg) {
    const conversation_job *job = arg;
    const mote_chat_jinja_input *in = job->in;
    const mote_chat_options *opt = job->opt;
    jdict *vars = jv_dict(h, JD_DICT).u.d;
    if (in->extra_json) {
        jv extra = jv_from_json(h, in->extra_json, strlen(in->extra_json));
        if (extra.t != JV_DICT) jfail(h, 0, "the extra template variables must be a JSON object");
        for (size_t i = 0; i < extra.u.d->n; i++) jdict_set(h, vars, extra.u.d->keys[i], extra.u.d->vals[i]);
    }
    if (in->messages_json) set_json(h, vars, "messages", in->messages_json);
    else {
        jv list = jv_list(h, job->n);
        for (size_t i = 0; i < job->n; i++) {
            jv m = jv_dict(h, JD_DICT);
            jdict_set(h, m.u.d, jv_cstr("role"), jv_cstr(job->msgs[i].role));
            jdict_set(h, m.u.d, jv_cstr("content"), jv_cstr(job->msgs[i].content));
            jlist_push(h, list.u.l, m);
        }
        jdict_set(h, vars, jv_cstr("messages"), list);
    }
    if (in->tools_json) set_json(h, vars, "tools", in->tools_json);
    else jdict_set(h, vars, jv_cstr("tools"), jv_none());
    jdict_set(h, vars, jv_cstr("add_generation_prompt"), jv_bool(job->add_generation_prompt));
    jdict_set(h, vars, jv_cstr("bos_token"), jv_cstr(opt && opt->bos_token ? opt->bos_token : ""));
    jdict_set(h, vars, jv_cstr("eos_token"), jv_cstr(opt && opt->eos_token ? opt->eos_token : ""));
    jdict_set(h, vars, jv_cstr("enable_thinking"), jv_bool(opt ? opt->enable_thinking : true));
    return render(job->t, h, vars, in->now, job->out);
}

int mote_chat_jinja_render(const mote_chat_jinja *t, const mote_chat_message *msgs, size_t n,
                           bool add_generation_prompt, const mote_chat_options *opt,
                           const mote_chat_jinja_input *in, char **out) {
    if (!out) return mote_fail(MOTE_ERR_INVALID_ARG, "mote_chat_jinja_render: no output pointer");
    *out = NULL;
    if (!t) return mote_fail(MOTE_ERR_INVALID_ARG, "mote_chat_jinja_render: no template");
    static const mote_chat_jinja_input none = {0};
    if (!in) in = &none;
    if (!in->messages_json && (!msgs || n == 0))
        return mote_fail(MOTE_ERR_INVALID_ARG, "a conversation needs at least one message");
    for (size_t i = 0; !in->messages_json && i < n; i++)
        if (!msgs[i].role || !msgs[i].content)
            return mote_fail(MOTE_ERR_INVALID_ARG, "chat message %zu has no %s", i + 1, msgs[i].role ? "content" : "role");
    conversation_job job = {t, msgs, n, add_generation_prompt, opt, in, out};
    return guarded(render_conversation, &job);
}

static const char *skip_space(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')) p++;
    return p;
}

static const char *trim_end(const char *p, const char *end) {
    while (end > p && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\t' || end[-1] == '\r')) end--;
    return end;
}

mote_chat_reasoning mote_chat_split_reasoning(const char *text) {
    mote_chat_reasoning r = {text ? text : "", 0, text ? text : "", 0};
    if (!text) return r;
    const char *end = text + strlen(text);
    const char *start = skip_space(text, end);
    const char *body = start;
    bool opened = false;
    if ((size_t)(end - start) >= 7 && !memcmp(start, "<think>", 7)) {
        body = start + 7;
        opened = true;
    }
    const char *close = strstr(body, "</think>");
    if (!close && !opened) { /* no reasoning */
        r.answer = start;
        r.answer_len = (size_t)(trim_end(start, end) - start);
        return r;
    }
    const char *rstart = skip_space(body, end);
    const char *rend = close ? close : end;
    r.reasoning = rstart;
    r.reasoning_len = rend > rstart ? (size_t)(trim_end(rstart, rend) - rstart) : 0;
    if (!close) {
        r.answer = end;
        r.answer_len = 0;
        return r;
    }
    const char *a = skip_space(close + 8, end);
    r.answer = a;
    r.answer_len = (size_t)(trim_end(a, end) - a);
    return r;
}
