/*
 * session.h — one conversation with a model: what `mote chat` (and later
 * the server) drives. Internal to mote (not in mote.h) but in the library,
 * so the unit tests can hold it to greedy decoding done by hand.
 *
 * The session keeps the conversation (system prompt first), the model's
 * context (KV cache) and the exact text that cache holds. Each reply formats
 * the whole conversation with the model's chat template; when the cached
 * text is a prefix of it (the usual case: the previous turns are unchanged)
 * only the new part is tokenized and evaluated, otherwise the cache is
 * rebuilt. When the conversation no longer fits the context, the oldest
 * turns are dropped (the system prompt stays) and the caller is told; their
 * tokens leave the cache by a context shift (mote_seq_shift), so the turns
 * after them are not evaluated again.
 */
#ifndef MOTE_CHAT_SESSION_H
#define MOTE_CHAT_SESSION_H

#include <signal.h>
#include <stdio.h>

#include "mote.h"

#define CHAT_MAX_STOPS 16

/* How answers are generated. */
typedef struct {
    mote_sampler_params sampling;
    int32_t n_predict;    /* tokens per answer; -1: until end of turn or a full context */
    int32_t n_ctx;        /* 0: min(model's, 4096) */
    int32_t n_threads;    /* 0: default */
    int32_t type_k, type_v; /* how the KV cache stores keys and values (mote_context_params; 0: f16) */
    const char *stops[CHAT_MAX_STOPS]; /* also end an answer at these texts */
    int n_stops;
    bool verbose_prompt;  /* print each formatted prompt and its new tokens to verbose_out */
    const mote_grammar *grammar; /* answers follow this grammar (NULL: free text); the caller's */
    const char *tools_json; /* tool definitions (a JSON array) shown to the model through its Jinja
                               template (NULL: none); the caller's */
} chat_gen_params;

void chat_gen_params_default(chat_gen_params *p);

/* What conversations with one model share: the model, its vocabulary and
 * its chat template. Read-only once open: any number of sessions (on any
 * threads) may use one. */
typedef struct {
    mote_model *model;
    mote_vocab *vocab;
    const char *template_name;     /* a mote_chat_template_names() entry, or NULL when jinja runs */
    mote_chat_jinja *jinja;        /* the template, run when no built-in format matches it or tools are shown */
    mote_chat_options topt;
    int64_t load_ns;               /* time chat_model_open took */
} chat_model;

/* Load the model, its vocabulary, and pick the chat template
 * (template_override: a name or Jinja text, else the model's own). */
int chat_model_open(chat_model *cm, const char *model_path, const char *template_override);
void chat_model_close(chat_model *cm);

/* One conversation: its own context (KV cache), sampler and messages. The
 * model, vocab, template_name and topt fields are the chat_model's,
 * borrowed (or owned, when the session was made by chat_session_open). */
typedef struct {
    mote_model *model;
    mote_vocab *vocab;
    mote_context *ctx;
    mote_sampler *sampler;
    chat_gen_params *gen;          /* the caller's; after changing sampling, chat_session_update_sampling */
    const char *template_name;     /* a mote_chat_template_names() entry, or NULL when jinja runs */
    const mote_chat_jinja *jinja;  /* the chat_model's template, run when no built-in format matches it
                                    * or gen->tools_json is set */
    mote_chat_options topt;
    mote_chat_conv conv;
    char *cached;                  /* the text the KV cache holds */
    size_t cached_len, cached_cap;
    int32_t *cached_tok;           /* the tokens the KV cache holds (n_past of them) */
    int32_t cached_tok_cap;
    float *logits;                 /* [n_vocab]: the sampler's working copy */
    int32_t n_vocab;
    const volatile sig_atomic_t *interrupt; /* set (by a SIGINT handler) to stop an answer */
    FILE *verbose_out;             /* where --verbose-prompt writes (stderr) */
    int64_t load_ns;               /* time chat_session_open took */
    chat_model owned;              /* the model when chat_session_open loaded it */
    mote_grammar_vocab *gvocab;    /* the vocabulary prepared for gen->grammar (built when first needed) */
} chat_session;

/* What happened during one reply. */
typedef struct {
    int dropped_turns;     /* oldest turns dropped to make room */
    int32_t shifted;       /* tokens of dropped turns removed from the cache by a context
                              shift (the later turns kept, not evaluated again); 0 if the
                              cache was rebuilt or nothing was dropped */
    bool interrupted;      /* stopped by *interrupt */
    bool context_full;     /* stopped because the context is full */
    int32_t n_prompt;      /* tokens evaluated before answering */
    int64_t prompt_ns;
    int32_t n_eval;        /* tokens generated */
    int64_t eval_ns;
    mote_stop_reason stop; /* why the answer ended (eos, stop string, -n, full context, Ctrl-C) */
    bool grammar_incomplete; /* with a grammar: the answer stopped (token limit) before it was complete */
} chat_reply_info;

/* Receives the answer as it is generated (whole UTF-8 characters). */
typedef void (*chat_text_fn)(const char *text, size_t len, void *user);

/* Load the model, its vocabulary and a context; pick the chat template
 * (template_override: a name or Jinja text, else the model's own). Prints
 * nothing; on failure the message is in mote_last_error(). */
int chat_session_open(chat_session *s, const char *model_path, chat_gen_params *gen, const char *template_override);
/* A conversation with an open chat_model (which must outlive it). */
int chat_session_start(chat_session *s, const chat_model *cm, chat_gen_params *gen);
void chat_session_close(chat_session *s);

/* Replace (or with NULL/"" remove) the system prompt. */
int chat_session_set_system(chat_session *s, const char *system);
/* Forget the conversation but the system prompt; the cache and the sampler start afresh. */
void chat_session_clear(chat_session *s);
/* Rebuild the sampler after s->gen->sampling changed (fails, keeping the old one, on bad parameters). */
int chat_session_update_sampling(chat_session *s);

/* Add the user's message and generate the assistant's answer, streaming it
 * to on_text; the answer (even a partial one) joins the conversation. */
int chat_session_reply(chat_session *s, const char *user_text, chat_text_fn on_text, void *user,
                       chat_reply_info *info);

/* Print the --verbose timings of a reply, Ollama style. */
void chat_print_timings(const chat_session *s, const chat_reply_info *info, FILE *out);

#endif
