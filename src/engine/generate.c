/*
 * generate.c — mote_generate: the loop shared by `mote run`, `mote chat`
 * and the server. Evaluate the prompt in one call (batched prefill), then
 * repeatedly choose a token, hand it to the caller and evaluate it.
 * Nothing is allocated here: the logits live in the context.
 */
#include <time.h>

#include "core/clock.h"
#include "core/error.h"
#include "engine/context.h"
#include "engine/ops.h"

int mote_generate(mote_context *c, const int32_t *prompt, int32_t n_prompt, int32_t n_predict,
                  mote_sampler *sampler, mote_token_fn on_token, void *user, mote_timings *timings) {
    mote_timings tm = {0, 0, 0, 0};
    if (timings) *timings = tm;
    if (!prompt || n_prompt <= 0) return mote_fail(MOTE_ERR_INVALID_ARG, "the prompt is empty");
    if (!c->model->output.data)
        return mote_fail(MOTE_ERR_UNSUPPORTED, "%s is an embedding model (no output head): it embeds text (mote_embed), "
                         "it does not predict tokens", c->model->hp.arch);
    if (n_prompt > c->seq_cap - c->seq_len[0])
        return mote_fail(MOTE_ERR_INVALID_ARG, "the prompt of %d tokens does not fit the context of %d tokens%s",
                         n_prompt, c->seq_cap, c->seq_len[0] ? " (with what it already holds)" : "");
    const int32_t n_vocab = c->model->hp.n_vocab;

    int64_t t0 = mote_now_ns();
    const float *out;
    int rc = mote_decode(c, prompt, n_prompt, false, &out);
    if (rc) return rc;
    tm.n_prompt = n_prompt;
    tm.prompt_ns = mote_now_ns() - t0;
    if (sampler)
        for (int32_t i = 0; i < n_prompt; i++) mote_sampler_accept(sampler, prompt[i]);

    t0 = mote_now_ns();
    for (int32_t i = 0; n_predict < 0 || i < n_predict; i++) {
        /* the logits are the context's own buffer, so the sampler may modify them */
        float *logits = c->logits;
        const int32_t token = sampler ? mote_sampler_sample(sampler, logits) : mote_argmax(logits, n_vocab);
        if (token < 0) break; /* nothing can be sampled (a grammar that no token continues) */
        if (sampler) mote_sampler_accept(sampler, token);
        tm.n_eval++;
        if (!on_token(token, user)) break;
        if ((n_predict >= 0 && i + 1 >= n_predict) || c->seq_len[0] >= c->seq_cap) break;
        if ((rc = mote_decode(c, &token, 1, false, &out))) break;
    }
    tm.eval_ns = mote_now_ns() - t0;
    if (timings) *timings = tm;
    return rc;
}
