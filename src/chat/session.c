/*
 * session.c — one conversation with a model (see session.h):
 * preparing each turn's prompt against what the KV cache already holds,
 * making room by dropping old turns, and the generation loop with its stop
 * conditions (end-of-turn token, stop strings, -n, a full context, Ctrl-C).
 *
 * The cache is described twice: as text (to find what a new turn adds) and
 * as tokens (to find, after old turns are dropped, which cells to cut out).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "chat/session.h"
#include "core/error.h"

/* Append n bytes to a malloc'd growing string; false if memory runs out. */
static bool text_add(char **p, size_t *len, size_t *cap, const char *s, size_t n) {
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 1024;
        while (c < *len + n + 1) c *= 2;
        char *q = realloc(*p, c);
        if (!q) return false;
        *p = q;
        *cap = c;
    }
    memcpy(*p + *len, s, n);
    *len += n;
    (*p)[*len] = '\0';
    return true;
}

static bool cached_add(chat_session *s, const char *t, size_t n) {
    return text_add(&s->cached, &s->cached_len, &s->cached_cap, t, n);
}

static void cache_reset(chat_session *s) {
    mote_context_reset(s->ctx);
    s->cached_len = 0;
    if (s->cached) s->cached[0] = '\0';
}

/* Evaluate n tokens after the cache and remember them. */
static int decode_tokens(chat_session *s, const int32_t *toks, int32_t n, const float **logits) {
    const int32_t at = mote_context_n_past(s->ctx);
    if (at + n > s->cached_tok_cap) return mote_fail(MOTE_ERR_INVALID_ARG, "the context is full");
    int rc = mote_decode(s->ctx, toks, n, false, logits);
    if (rc == MOTE_OK) memcpy(s->cached_tok + at, toks, (size_t)n * sizeof *toks);
    return rc;
}

void chat_gen_params_default(chat_gen_params *p) {
    memset(p, 0, sizeof *p);
    p->sampling = mote_sampler_default();
    p->n_predict = -1;
}

int chat_model_open(chat_model *cm, const char *model_path, const char *template_override) {
    memset(cm, 0, sizeof *cm);
    int64_t t0 = mote_now_ns();
    int rc = mote_model_load(model_path, &cm->model);
    if (rc != MOTE_OK) return rc;
    const mote_gguf *g = mote_model_gguf(cm->model);
    rc = mote_chat_template_for_model(g, template_override, &cm->template_name);
    const char *src = template_override ? template_override : mote_gguf_get_str(g, "tokenizer.chat_template", NULL);
    if (rc == MOTE_ERR_UNSUPPORTED) {
        /* Jinja no built-in format matches: run the template itself. */
        cm->template_name = NULL;
        rc = mote_chat_jinja_parse(src, &cm->jinja);
    } else if (rc == MOTE_OK && src && strchr(src, '{') && mote_chat_jinja_parse(src, &cm->jinja) != MOTE_OK) {
        cm->jinja = NULL; /* kept for tools only: the built-in format serves without it */
    }
    if (rc != MOTE_OK) return rc;
    cm->topt = mote_chat_options_default();
    mote_chat_options_from_gguf(g, &cm->topt);
    if ((rc = mote_vocab_load(g, &cm->vocab)) != MOTE_OK) return rc;
    cm->load_ns = mote_now_ns() - t0;
    return MOTE_OK;
}

void chat_model_close(chat_model *cm) {
    mote_chat_jinja_free(cm->jinja);
    mote_vocab_free(cm->vocab);
    mote_model_free(cm->model);
    memset(cm, 0, sizeof *cm);
}

int chat_session_start(chat_session *s, const chat_model *cm, chat_gen_params *gen) {
    chat_model owned = s->owned; /* kept when chat_session_open calls this */
    memset(s, 0, sizeof *s);
    s->owned = owned;
    s->gen = gen;
    s->verbose_out = stderr;
    s->model = cm->model;
    s->vocab = cm->vocab;
    s->template_name = cm->template_name;
    s->jinja = cm->jinja;
    s->topt = cm->topt;
    s->load_ns = cm->load_ns;
    mote_context_params cp = mote_context_default_params();
    cp.n_ctx = gen->n_ctx;
    cp.n_threads = gen->n_threads;
    cp.type_k = gen->type_k;
    cp.type_v = gen->type_v;
    int rc = mote_context_new(s->model, &cp, &s->ctx);
    if (rc != MOTE_OK) return rc;
    s->n_vocab = mote_model_n_vocab(s->model);
    s->logits = malloc((size_t)s->n_vocab * sizeof *s->logits);
    s->cached_tok_cap = mote_context_n_ctx(s->ctx);
    s->cached_tok = malloc((size_t)s->cached_tok_cap * sizeof *s->cached_tok);
    if (!s->logits || !s->cached_tok) return mote_fail(MOTE_ERR_NOMEM, "out of memory starting a conversation");
    return chat_session_update_sampling(s);
}

int chat_session_open(chat_session *s, const char *model_path, chat_gen_params *gen, const char *template_override) {
    memset(s, 0, sizeof *s);
    int64_t t0 = mote_now_ns();
    int rc = chat_model_open(&s->owned, model_path, template_override);
    if (rc == MOTE_OK) rc = chat_session_start(s, &s->owned, gen);
    s->load_ns = mote_now_ns() - t0;
    return rc;
}

void chat_session_close(chat_session *s) {
    mote_sampler_free(s->sampler);
    mote_grammar_vocab_free(s->gvocab);
    mote_context_free(s->ctx);
    chat_model_close(&s->owned); /* nothing when the model was borrowed */
    mote_chat_conv_free(&s->conv);
    free(s->cached);
    free(s->cached_tok);
    free(s->logits);
    memset(s, 0, sizeof *s);
}

int chat_session_update_sampling(chat_session *s) {
    mote_sampler *n = mote_sampler_new(&s->gen->sampling, s->n_vocab);
    if (!n) return MOTE_ERR_INVALID_ARG;
    if (s->gen->grammar) {
        int rc = s->gvocab ? MOTE_OK : mote_grammar_vocab_new(s->vocab, &s->gvocab);
        if (!rc) rc = mote_sampler_set_grammar(n, s->gen->grammar, s->gvocab);
        if (rc) {
            mote_sampler_free(n);
            return rc;
        }
    }
    mote_sampler_free(s->sampler);
    s->sampler = n;
    return MOTE_OK;
}

int chat_session_set_system(chat_session *s, const char *system) {
    bool has = s->conv.n > 0 && !strcmp(s->conv.msgs[0].role, "system");
    if (has) mote_chat_conv_remove(&s->conv, 0, 1);
    if (!system || !system[0]) return MOTE_OK;
    /* Insert at the front: append, then rotate it into place. */
    int rc = mote_chat_conv_add(&s->conv, "system", system);
    if (rc != MOTE_OK) return rc;
    mote_chat_message m = s->conv.msgs[s->conv.n - 1];
    memmove(s->conv.msgs + 1, s->conv.msgs, (s->conv.n - 1) * sizeof m);
    s->conv.msgs[0] = m;
    return MOTE_OK;
}

void chat_session_clear(chat_session *s) {
    size_t keep = s->conv.n > 0 && !strcmp(s->conv.msgs[0].role, "system") ? 1 : 0;
    mote_chat_conv_remove(&s->conv, keep, s->conv.n - keep);
    cache_reset(s);
    mote_sampler_reset(s->sampler);
}

/* Drop the oldest turn: from the first message after the system prompt up
 * to the next user message. False if only the current question is left. */
static bool drop_oldest_turn(chat_session *s) {
    size_t first = s->conv.n > 0 && !strcmp(s->conv.msgs[0].role, "system") ? 1 : 0;
    for (size_t u = first + 1; u < s->conv.n; u++) {
        if (!strcmp(s->conv.msgs[u].role, "user")) {
            mote_chat_conv_remove(&s->conv, first, u - first);
            return true;
        }
    }
    return false;
}

/* The conversation as prompt text: the built-in format, or the template run. */
static int format_conversation(const chat_session *s, const mote_chat_message *m, size_t n, char **text) {
    if (s->jinja && (!s->template_name || s->gen->tools_json)) {
        mote_chat_jinja_input in = {.tools_json = s->gen->tools_json};
        return mote_chat_jinja_render(s->jinja, m, n, true, &s->topt, &in, text);
    }
    return mote_chat_format(s->template_name, m, n, true, &s->topt, text);
}

/* Tokens still to evaluate for the conversation plus a generation prompt:
 * only what follows the cached text when that text is a prefix of the new
 * prompt, else everything (and the cache is emptied). Fills *toks (malloc'd). */
static int prompt_tokens(chat_session *s, int32_t **toks, size_t *n, char **text_out) {
    char *text = NULL;
    int rc = format_conversation(s, s->conv.msgs, s->conv.n, &text);
    if (rc != MOTE_OK) return rc;
    size_t len = strlen(text);
    const char *rest = text;
    bool add_special = false;
    if (s->cached_len > 0 && s->cached_len <= len && !memcmp(text, s->cached, s->cached_len)) {
        rest = text + s->cached_len;
    } else {
        cache_reset(s);
        /* The vocabulary adds BOS itself: skip the template's copy (as llama.cpp does). */
        add_special = mote_vocab_adds_bos(s->vocab);
        const char *bos = s->topt.bos_token;
        if (add_special && bos && bos[0] && !strncmp(rest, bos, strlen(bos))) rest += strlen(bos);
    }
    rc = mote_tokenize_alloc(s->vocab, rest, len - (size_t)(rest - text), add_special, true, toks, n);
    if (rc == MOTE_OK && s->verbose_out && s->gen->verbose_prompt) {
        fprintf(s->verbose_out, "--- formatted prompt (%zu new tokens) ---\n%s\n--- new tokens:", *n, text);
        for (size_t i = 0; i < *n; i++) fprintf(s->verbose_out, " %d", (*toks)[i]);
        fprintf(s->verbose_out, "\n---\n");
    }
    *text_out = text;
    return rc;
}

/* Tokens to keep free for the answer when deciding whether a prompt fits. */
static int32_t answer_reserve(const chat_session *s) {
    int32_t n_ctx = mote_context_n_ctx(s->ctx);
    int32_t r = s->gen->n_predict > 0 ? s->gen->n_predict : n_ctx / 8;
    return r < n_ctx / 2 ? r : n_ctx / 2;
}

/* True if the last message, with only the system prompt before it, leaves
 * room for an answer: otherwise dropping turns cannot help. */
static bool question_fits_alone(chat_session *s) {
    mote_chat_message m[2];
    size_t n = 0;
    if (s->conv.n > 1 && !strcmp(s->conv.msgs[0].role, "system")) m[n++] = s->conv.msgs[0];
    m[n++] = s->conv.msgs[s->conv.n - 1];
    char *text = NULL;
    if (format_conversation(s, m, n, &text) != MOTE_OK) return true;
    int32_t *toks = NULL;
    size_t n_tok = 0;
    int rc = mote_tokenize_alloc(s->vocab, text, strlen(text), mote_vocab_adds_bos(s->vocab), true, &toks, &n_tok);
    free(text);
    free(toks);
    if (rc != MOTE_OK) return true;
    return (int64_t)n_tok + answer_reserve(s) <= mote_context_n_ctx(s->ctx);
}

/* The whole formatted prompt of the conversation as tokens, BOS as the
 * vocabulary adds it (the template's own copy skipped, as llama.cpp does). */
static int full_prompt_tokens(chat_session *s, char **text, int32_t **toks, size_t *n) {
    int rc = format_conversation(s, s->conv.msgs, s->conv.n, text);
    if (rc != MOTE_OK) return rc;
    const char *rest = *text;
    const bool add_special = mote_vocab_adds_bos(s->vocab);
    const char *bos = s->topt.bos_token;
    if (add_special && bos && bos[0] && !strncmp(rest, bos, strlen(bos))) rest += strlen(bos);
    return mote_tokenize_alloc(s->vocab, rest, strlen(rest), add_special, true, toks, n);
}

/* After old turns were dropped from the conversation, reuse what the cache
 * holds: its beginning as far as it equals the new prompt (the system
 * prompt), and, cut out with a context shift, the longest run of later
 * cells that continues the new prompt there (the turns after the dropped
 * ones); only the rest is evaluated. MOTE_ERR_NOT_FOUND when nothing can be
 * reused or the prompt would not fit: the caller rebuilds the cache. */
static int shift_out_dropped(chat_session *s, chat_reply_info *info, const float **logits, int32_t *shifted) {
    char *text = NULL;
    int32_t *toks = NULL;
    size_t n = 0;
    int rc = full_prompt_tokens(s, &text, &toks, &n);
    const int32_t len = mote_context_n_past(s->ctx);
    const int32_t *old = s->cached_tok;
    int32_t keep = 0, drop = 0, match = 0;
    if (rc == MOTE_OK) {
        while (keep < len && (size_t)keep < n && old[keep] == toks[keep]) keep++;
        /* the cut after which the most cached tokens go on as the new prompt does */
        for (int32_t d = 1; keep + d < len; d++) {
            int32_t m = 0;
            while (keep + d + m < len && (size_t)(keep + m) < n && old[keep + d + m] == toks[keep + m]) m++;
            if (m > match) match = m, drop = d;
        }
    }
    /* at least the last prompt token is evaluated, for its logits */
    if ((size_t)(keep + match) >= n) match = (int32_t)n - 1 - keep;
    if (rc != MOTE_OK || keep + match == 0 || match < 0 || (int64_t)n + answer_reserve(s) > mote_context_n_ctx(s->ctx)) {
        free(text);
        free(toks);
        return rc != MOTE_OK ? rc : MOTE_ERR_NOT_FOUND;
    }
    int64_t t0 = mote_now_ns();
    if (match > 0) {
        rc = mote_seq_shift(s->ctx, 0, keep, drop);
        memmove(s->cached_tok + keep, s->cached_tok + keep + drop, (size_t)(len - keep - drop) * sizeof *toks);
    }
    if (rc == MOTE_OK) rc = mote_seq_truncate(s->ctx, 0, keep + match);
    if (rc == MOTE_OK) rc = decode_tokens(s, toks + keep + match, (int32_t)n - keep - match, logits);
    info->prompt_ns += mote_now_ns() - t0;
    if (rc == MOTE_OK) {
        info->n_prompt += (int32_t)n - keep - match;
        for (size_t i = (size_t)(keep + match); i < n; i++) mote_sampler_accept(s->sampler, toks[i]);
        s->cached_len = 0;
        if (!cached_add(s, text, strlen(text))) rc = MOTE_ERR_NOMEM;
        *shifted = match > 0 ? drop : 0;
    }
    free(text);
    free(toks);
    return rc;
}

/* Evaluate the prompt for the current conversation, dropping old turns if
 * it does not fit. On return the cache holds it and *logits the
 * distribution of the first answer token. */
static int evaluate_prompt(chat_session *s, chat_reply_info *info, const float **logits) {
    for (;;) {
        int32_t *toks = NULL;
        size_t n = 0;
        char *text = NULL;
        int rc = prompt_tokens(s, &toks, &n, &text);
        if (rc != MOTE_OK) {
            free(text);
            return rc;
        }
        int32_t n_ctx = mote_context_n_ctx(s->ctx);
        int64_t need = (int64_t)mote_context_n_past(s->ctx) + (int64_t)n + answer_reserve(s);
        if (need <= n_ctx && n > 0) {
            int64_t t0 = mote_now_ns();
            rc = decode_tokens(s, toks, (int32_t)n, logits);
            info->prompt_ns += mote_now_ns() - t0;
            if (rc == MOTE_OK) {
                info->n_prompt += (int32_t)n;
                for (size_t i = 0; i < n; i++) mote_sampler_accept(s->sampler, toks[i]);
                size_t len = strlen(text);
                /* The cache now holds the whole formatted prompt. */
                s->cached_len = 0;
                if (!cached_add(s, text, len)) rc = MOTE_ERR_NOMEM;
            }
            free(toks);
            free(text);
            return rc;
        }
        free(toks);
        free(text);
        if (n == 0 && s->cached_len > 0) {
            /* Everything is cached but the logits of its last token are
             * gone: evaluate the prompt again from the start. */
            cache_reset(s);
            continue;
        }
        if (n > 0 && !question_fits_alone(s)) return MOTE_ERR_RANGE; /* the caller says so */
        if (n > 0 && drop_oldest_turn(s)) {
            info->dropped_turns++;
            int32_t shifted = 0;
            rc = shift_out_dropped(s, info, logits, &shifted);
            if (rc != MOTE_ERR_NOT_FOUND) {
                if (rc == MOTE_OK) info->shifted += shifted;
                return rc;
            }
            cache_reset(s);
            continue;
        }
        if (n == 0) return mote_fail(MOTE_ERR_INVALID_ARG, "the formatted prompt is empty");
        return MOTE_ERR_RANGE; /* the message alone does not fit: the caller says so */
    }
}

int chat_session_reply(chat_session *s, const char *user_text, chat_text_fn on_text, void *user,
                       chat_reply_info *info) {
    memset(info, 0, sizeof *info);
    int rc = mote_chat_conv_add(&s->conv, "user", user_text);
    if (rc != MOTE_OK) return rc;
    const float *logits = NULL;
    mote_sampler_grammar_restart(s->sampler); /* each answer is a whole match */
    rc = evaluate_prompt(s, info, &logits);
    if (rc != MOTE_OK) {
        mote_chat_conv_remove(&s->conv, s->conv.n - 1, 1); /* the question was not asked */
        if (rc == MOTE_ERR_RANGE)
            return mote_fail(rc, "the message does not fit the context of %d tokens (use -c to enlarge it)",
                             mote_context_n_ctx(s->ctx));
        return rc;
    }

    /* Stop strings: the user's and the template's end-of-turn texts. */
    const char *stops[CHAT_MAX_STOPS + 4];
    int n_stops = 0;
    for (int k = 0; k < s->gen->n_stops; k++) stops[n_stops++] = s->gen->stops[k];
    for (const char *const *t = mote_chat_template_stops(s->template_name); t && *t && n_stops < CHAT_MAX_STOPS + 4; t++)
        stops[n_stops++] = *t;

    mote_stopper *stopper;
    if ((rc = mote_stopper_new(stops, (size_t)n_stops, &stopper)) != MOTE_OK) return rc;
    mote_detok *detok = mote_detok_new(s->vocab, 0);
    if (!detok) {
        mote_stopper_free(stopper);
        return MOTE_ERR_NOMEM;
    }
    char *answer = NULL; /* what was shown: the answer that joins the conversation */
    size_t alen = 0, acap = 0;
    bool stopped = false;
    int64_t t0 = mote_now_ns();
    for (int32_t produced = 0; s->gen->n_predict < 0 || produced < s->gen->n_predict; produced++) {
        if (s->interrupt && *s->interrupt) {
            info->interrupted = true;
            break;
        }
        if (mote_context_n_past(s->ctx) >= mote_context_n_ctx(s->ctx)) {
            info->context_full = true;
            break;
        }
        memcpy(s->logits, logits, (size_t)s->n_vocab * sizeof *s->logits);
        int32_t tok = mote_sampler_sample(s->sampler, s->logits);
        if (tok < 0) break;
        mote_sampler_accept(s->sampler, tok);
        info->n_eval++;
        size_t plen = 0;
        const char *piece = mote_token_piece(s->vocab, tok, &plen);
        /* Evaluate every sampled token, the end-of-turn one included, so the
         * cache holds exactly the text the next turn's prompt starts with. */
        if ((rc = decode_tokens(s, &tok, 1, &logits)) != MOTE_OK) break;
        if (piece && !cached_add(s, piece, plen)) {
            rc = MOTE_ERR_NOMEM;
            break;
        }
        if (mote_vocab_is_eog(s->vocab, tok)) {
            info->stop = MOTE_STOP_EOG;
            break;
        }
        size_t tlen = 0, shown = 0;
        const char *text = mote_detok_feed(detok, tok, &tlen), *out;
        stopped = mote_stopper_feed(stopper, text, tlen, &out, &shown);
        if (shown && !text_add(&answer, &alen, &acap, out, shown)) {
            rc = MOTE_ERR_NOMEM;
            break;
        }
        if (shown) on_text(out, shown, user);
        if (stopped) break;
    }
    if (!stopped) {
        size_t tlen = 0, shown = 0;
        const char *text = mote_detok_flush(detok, &tlen), *out;
        stopped = mote_stopper_feed(stopper, text, tlen, &out, &shown);
        if (shown && text_add(&answer, &alen, &acap, out, shown)) on_text(out, shown, user);
        if (!stopped && (out = mote_stopper_flush(stopper, &shown)) && shown && text_add(&answer, &alen, &acap, out, shown))
            on_text(out, shown, user);
    }
    info->eval_ns = mote_now_ns() - t0;
    if (info->interrupted) info->stop = MOTE_STOP_CANCEL;
    else if (info->context_full) info->stop = MOTE_STOP_CONTEXT;
    else if (stopped) info->stop = MOTE_STOP_CALLER;
    else if (rc != MOTE_OK) info->stop = MOTE_STOP_ERROR;
    else if (info->stop == MOTE_STOP_NONE) info->stop = MOTE_STOP_LENGTH;
    info->grammar_incomplete = s->gen->grammar && !mote_sampler_grammar_complete(s->sampler);
    mote_detok_free(detok);
    mote_stopper_free(stopper);
    int rc2 = mote_chat_conv_add(&s->conv, "assistant", answer ? answer : "");
    free(answer);
    return rc != MOTE_OK ? rc : rc2;
}

/* One "what count / duration / rate" block of the timings. */
static void print_rate(FILE *out, const char *what, int32_t n, int64_t ns) {
    char label[32];
    snprintf(label, sizeof label, "%s count:", what);
    fprintf(out, "%-22s%d token(s)\n", label, n);
    snprintf(label, sizeof label, "%s duration:", what);
    fprintf(out, "%-22s%.3fms\n", label, (double)ns / 1e6);
    snprintf(label, sizeof label, "%s rate:", what);
    if (ns > 0) fprintf(out, "%-22s%.2f tokens/s\n", label, (double)n * 1e9 / (double)ns);
}

void chat_print_timings(const chat_session *s, const chat_reply_info *info, FILE *out) {
    fprintf(out, "%-22s%.3fms\n", "total duration:", (double)(info->prompt_ns + info->eval_ns) / 1e6);
    fprintf(out, "%-22s%.3fms\n", "load duration:", (double)s->load_ns / 1e6);
    print_rate(out, "prompt eval", info->n_prompt, info->prompt_ns);
    print_rate(out, "eval", info->n_eval, info->eval_ns);
}
