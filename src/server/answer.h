/*
 * answer.h — the generated answer of a chat request split, as it streams,
 * into its parts: the reasoning of a thinking model (<think>…</think>,
 * Ollama's `thinking`, OpenAI's `reasoning_content`), the content, and tool
 * calls (held back from the content from the family's call opening on, read
 * by the family's parser at the end). Also sets up the grammar a request's
 * sampler follows: its `format` / `response_format`, or a forced tool call.
 */
#ifndef MOTE_SERVER_ANSWER_H
#define MOTE_SERVER_ANSWER_H

#include <stdbool.h>

#include "mote.h"
#include "server/job.h"
#include "server/prompt.h"

typedef enum { ANSWER_START, ANSWER_THINK, ANSWER_CONTENT, ANSWER_HELD } answer_phase;

typedef struct answer_split {
    /* set up by answer_prepare */
    bool split_thinking;       /* <think>…</think> goes to the thinking part */
    const char *trigger;       /* a tool call's opening: from it on the answer is held for the parser */
    bool json_call_at_start;   /* llama3: an answer that starts with '{' is a call */
    bool hold_all;             /* a forced call: the whole answer is the call */
    const char *tool_format;   /* the family's call syntax (NULL: calls are not read) */
    mote_grammar *grammar;     /* the forced call's grammar (owned; the sampler uses it) */
    mote_grammar *lazy;        /* tool_choice auto: the rest of a call after its opening (owned), attached
                                  to the sampler when the model opens a call */
    const mote_grammar_vocab *gvocab;
    /* state */
    answer_phase phase;
    bool skip_space;           /* drop whitespace before the next part (after <think>, </think>) */
    bool content_started;      /* some content was passed on */
    sbuf pending;              /* text that may be the start of a tag: not passed on yet */
    sbuf held;                 /* the tool-call part of the answer */
    sbuf thinking;             /* the whole reasoning (for whole replies) */
    mote_tool_calls calls;     /* read at the end */
} answer_split;

/* Decide how the job's answer is split and constrained, before generation:
 * thinking apart (in->split_reasoning on a model whose template thinks;
 * `opens_think`: the prompt ends inside an open <think>), tool calls read in
 * the model's family syntax, and the grammar attached to j->sampler (the
 * request's own, or a forced call for tool_choice required / named) with
 * the vocabulary prepared on first use into *gvocab. Returns 0, or an HTTP
 * status with a message in err. */
int answer_prepare(job *j, const prompt_model *pm, bool opens_think, mote_grammar_vocab **gvocab, char *err,
                   size_t err_size);

/* The grammar of a call's rest once the model wrote the family's opening
 * (hermes "<tool_call>", phi4-mini "<|tool_call|>", mistral "[TOOL_CALLS]"):
 * what tool_choice auto holds the model to from that point. Returns 0 with
 * *out NULL for a family without a fixed opening (llama3). */
int answer_lazy_grammar(const char *format, const char *tools_json, mote_grammar **out);

/* The text of a control token the split reads (<think>, </think>, a call's
 * tags such as Mistral's [TOOL_CALLS]), which the detokenizer hides; NULL
 * (*len 0) for any other token. */
const char *answer_control_text(const job *j, const mote_vocab *v, int32_t token, size_t *len);

/* New answer text (whole UTF-8 characters; j->mu held): content goes to
 * j->text and format->on_text, reasoning to format->on_thinking. */
void answer_feed(job *j, const char *text, size_t len);
/* The end of the answer (j->mu held): pass on what was held back and read
 * the tool calls. job_finish calls it before format->on_done. */
void answer_end(job *j);
void answer_free(answer_split *a);

/* The reasoning and the tool calls of a finished job (NULL / empty when none). */
const sbuf *answer_thinking(const job *j);
const mote_tool_calls *answer_calls(const job *j);

#endif
