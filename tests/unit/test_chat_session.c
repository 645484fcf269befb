/*
 * test_chat_session.c — the chat session (src/chat/session.c) on the
 * qwen3-tiny fixture (random weights, a real Qwen 3 template):
 *   - a greedy answer equals greedy decoding done by hand on the formatted
 *     conversation, for the first turn and for a second turn that reuses
 *     the KV cache (the same token sequence evaluated from an empty cache);
 *   - a full context drops the oldest turns and keeps the system prompt;
 *     a message too long for the context is refused and not kept;
 *   - stop strings cut the answer, an interrupt stops it, /clear and the
 *     system prompt behave.
 */
#include <stdlib.h>
#include <string.h>

#include "chat/session.h"
#include "testutil.h"

#define MODEL "models/qwen3-tiny-f32.gguf"

typedef struct {
    char text[8192];
    size_t len;
} collected;

static void collect(const char *t, size_t n, void *user) {
    collected *c = user;
    assert_true(c->len + n < sizeof c->text);
    memcpy(c->text + c->len, t, n);
    c->len += n;
    c->text[c->len] = '\0';
}

static void open_session(chat_session *s, chat_gen_params *g) {
    int rc = chat_session_open(s, fixture_path(MODEL), g, NULL);
    if (rc != MOTE_OK) fprintf(stderr, "%s\n", mote_last_error());
    assert_int_equal(rc, MOTE_OK);
    assert_string_equal(s->template_name, "qwen3");
    s->verbose_out = NULL;
}

static int reply(chat_session *s, const char *q, collected *out, chat_reply_info *info) {
    memset(out, 0, sizeof *out);
    return chat_session_reply(s, q, collect, out, info);
}

/* Greedy decoding by hand: evaluate `prompt` from an empty cache, then take
 * the argmax up to n times (stopping after an end-of-generation token).
 * Appends the generated ids to gen_ids and returns the text shown. */
static void greedy_by_hand(mote_model *m, const mote_vocab *v, const int32_t *prompt, size_t n_prompt, int n,
                           int32_t *gen_ids, size_t *n_gen, collected *text) {
    mote_context *ctx = NULL;
    mote_context_params cp = mote_context_default_params();
    assert_int_equal(mote_context_new(m, &cp, &ctx), MOTE_OK);
    const float *logits = NULL;
    assert_int_equal(mote_decode(ctx, prompt, (int32_t)n_prompt, false, &logits), MOTE_OK);
    mote_detok *d = mote_detok_new(v, 0);
    memset(text, 0, sizeof *text);
    *n_gen = 0;
    for (int i = 0; i < n; i++) {
        int32_t best = 0;
        for (int32_t t = 1; t < mote_model_n_vocab(m); t++)
            if (logits[t] > logits[best]) best = t;
        gen_ids[(*n_gen)++] = best;
        assert_int_equal(mote_decode(ctx, &best, 1, false, &logits), MOTE_OK);
        if (mote_vocab_is_eog(v, best)) break;
        size_t len = 0;
        const char *piece = mote_detok_feed(d, best, &len);
        collect(piece, len, text);
    }
    size_t len = 0;
    const char *rest = mote_detok_flush(d, &len);
    collect(rest, len, text);
    mote_detok_free(d);
    mote_context_free(ctx);
}

/* Append the tokens of `text` (special tokens parsed) to ids. */
static void tokenize_into(const mote_vocab *v, const char *text, bool add_special, int32_t *ids, size_t *n,
                          size_t cap) {
    size_t got = 0;
    assert_int_equal(mote_tokenize(v, text, strlen(text), add_special, true, ids + *n, cap - *n, &got), MOTE_OK);
    *n += got;
}

static void test_greedy_matches_by_hand(void **state) {
    (void)state;
    chat_gen_params g;
    chat_gen_params_default(&g);
    g.sampling.temp = 0.0f;
    g.n_predict = 10;
    chat_session s;
    open_session(&s, &g);
    collected a1, a2, want;
    chat_reply_info info;
    assert_int_equal(reply(&s, "Hello", &a1, &info), MOTE_OK);
    assert_true(info.n_eval > 0);

    /* By hand: the Qwen 3 format of one user message, tokenized at once. */
    static int32_t seq[2048], gen_ids[64];
    size_t n_seq = 0, n_gen = 0;
    tokenize_into(s.vocab, "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n",
                  mote_vocab_adds_bos(s.vocab), seq, &n_seq, 2048);
    assert_int_equal(info.n_prompt, (int32_t)n_seq);
    greedy_by_hand(s.model, s.vocab, seq, n_seq, 10, gen_ids, &n_gen, &want);
    assert_string_equal(a1.text, want.text);
    assert_int_equal(info.n_eval, (int32_t)n_gen);

    /* Second turn: the session evaluates only what follows its cache. The
     * same token sequence from an empty cache must give the same answer. */
    assert_int_equal(reply(&s, "More, please.", &a2, &info), MOTE_OK);
    memcpy(seq + n_seq, gen_ids, n_gen * sizeof *gen_ids);
    n_seq += n_gen;
    bool ended = mote_vocab_is_eog(s.vocab, gen_ids[n_gen - 1]);
    const char *rest = ended ? "\n<|im_start|>user\nMore, please.<|im_end|>\n<|im_start|>assistant\n"
                             : "<|im_end|>\n<|im_start|>user\nMore, please.<|im_end|>\n<|im_start|>assistant\n";
    size_t before = n_seq;
    tokenize_into(s.vocab, rest, false, seq, &n_seq, 2048);
    assert_int_equal(info.n_prompt, (int32_t)(n_seq - before)); /* only the new part was evaluated */
    greedy_by_hand(s.model, s.vocab, seq, n_seq, 10, gen_ids, &n_gen, &want);
    assert_string_equal(a2.text, want.text);
    assert_int_equal(s.conv.n, 4);
    assert_string_equal(s.conv.msgs[3].content, a2.text);
    chat_session_close(&s);
}

static void test_full_context_drops_oldest_turns(void **state) {
    (void)state;
    chat_gen_params g;
    chat_gen_params_default(&g);
    g.sampling.temp = 0.0f;
    g.n_predict = 4;
    g.n_ctx = 64;
    chat_session s;
    open_session(&s, &g);
    assert_int_equal(chat_session_set_system(&s, "You are terse."), MOTE_OK);
    int dropped = 0, shifted = 0;
    char q[64];
    collected a;
    chat_reply_info info;
    for (int turn = 0; turn < 4; turn++) {
        snprintf(q, sizeof q, "Question number %d: what comes next?", turn);
        assert_int_equal(reply(&s, q, &a, &info), MOTE_OK);
        dropped += info.dropped_turns;
        shifted += info.shifted;
        /* dropped turns leave the cache by a shift: only the new turn is evaluated */
        if (info.shifted) assert_true(info.n_prompt < 20);
        assert_true(mote_context_n_past(s.ctx) <= 64);
    }
    assert_true(dropped > 0);
    assert_string_equal(s.conv.msgs[0].role, "system");
    assert_string_equal(s.conv.msgs[0].content, "You are terse.");
    assert_string_equal(s.conv.msgs[s.conv.n - 2].content, q);
    assert_string_equal(s.conv.msgs[1].role, "user");
    assert_null(strstr(s.conv.msgs[1].content, "number 0:"));

    /* A message that cannot fit even alone is refused and forgotten. */
    static char longq[4096];
    longq[0] = '\0';
    for (int i = 0; i < 60; i++) strcat(longq, "many words here ");
    size_t n_before = s.conv.n;
    assert_int_equal(reply(&s, longq, &a, &info), MOTE_ERR_RANGE);
    assert_non_null(strstr(mote_last_error(), "context"));
    assert_int_equal(s.conv.n, n_before);
    /* The session still works afterwards. */
    assert_int_equal(reply(&s, "Short one.", &a, &info), MOTE_OK);
    chat_session_close(&s);
}

/* With room for several turns, dropping the oldest one keeps the later ones
 * in the cache (cut out by a context shift) instead of evaluating them again. */
static void test_dropped_turns_shift_out(void **state) {
    (void)state;
    chat_gen_params g;
    chat_gen_params_default(&g);
    g.sampling.temp = 0.0f;
    g.n_predict = 3;
    g.n_ctx = 160;
    chat_session s;
    open_session(&s, &g);
    assert_int_equal(chat_session_set_system(&s, "You are terse."), MOTE_OK);
    int shifted = 0;
    char q[64];
    collected a;
    chat_reply_info info;
    for (int turn = 0; turn < 10; turn++) {
        snprintf(q, sizeof q, "Question %d?", turn);
        assert_int_equal(reply(&s, q, &a, &info), MOTE_OK);
        if (info.shifted) {
            shifted++;
            /* the later turns stayed: far fewer tokens evaluated than the cache holds */
            assert_true(info.n_prompt * 2 < mote_context_n_past(s.ctx));
        }
    }
    assert_true(shifted > 0);
    chat_session_close(&s);
}

static void test_stops_and_interrupt(void **state) {
    (void)state;
    chat_gen_params g;
    chat_gen_params_default(&g);
    g.sampling.temp = 0.0f;
    g.n_predict = 16;
    chat_session s;
    open_session(&s, &g);
    collected full, cut;
    chat_reply_info info;
    assert_int_equal(reply(&s, "Hello", &full, &info), MOTE_OK);
    assert_true(full.len >= 6);
    /* Stop at a 2-byte string first seen at some position > 0. */
    size_t pos = 0;
    char stop[3] = {0};
    for (size_t i = full.len / 2; i + 2 <= full.len && !pos; i++) {
        memcpy(stop, full.text + i, 2);
        if ((size_t)(strstr(full.text, stop) - full.text) == i && (unsigned char)stop[0] < 0x80 &&
            (unsigned char)stop[1] < 0x80)
            pos = i;
    }
    if (pos) {
        g.stops[g.n_stops++] = stop;
        chat_session_clear(&s);
        assert_int_equal(reply(&s, "Hello", &cut, &info), MOTE_OK);
        assert_int_equal(cut.len, pos);
        assert_memory_equal(cut.text, full.text, pos);
        assert_string_equal(s.conv.msgs[s.conv.n - 1].content, cut.text);
        g.n_stops = 0;
    }
    /* An interrupt before the first token: an empty answer, still recorded. */
    volatile sig_atomic_t stop_now = 1;
    s.interrupt = &stop_now;
    assert_int_equal(reply(&s, "Again", &cut, &info), MOTE_OK);
    assert_true(info.interrupted);
    assert_int_equal(cut.len, 0);
    assert_string_equal(s.conv.msgs[s.conv.n - 1].role, "assistant");
    s.interrupt = NULL;

    /* /clear keeps the system prompt; removing it leaves nothing. */
    assert_int_equal(chat_session_set_system(&s, "Sys"), MOTE_OK);
    assert_int_equal(chat_session_set_system(&s, "Sys 2"), MOTE_OK);
    chat_session_clear(&s);
    assert_int_equal(s.conv.n, 1);
    assert_string_equal(s.conv.msgs[0].content, "Sys 2");
    assert_int_equal(chat_session_set_system(&s, NULL), MOTE_OK);
    assert_int_equal(s.conv.n, 0);
    /* After a clear the same question gets the same greedy answer. */
    assert_int_equal(reply(&s, "Hello", &cut, &info), MOTE_OK);
    assert_string_equal(cut.text, full.text);
    chat_session_close(&s);
}

static void test_bad_template_override(void **state) {
    (void)state;
    chat_gen_params g;
    chat_gen_params_default(&g);
    chat_session s;
    assert_int_not_equal(chat_session_open(&s, fixture_path(MODEL), &g, "vicuna"), MOTE_OK);
    assert_non_null(strstr(mote_last_error(), "chatml"));
    chat_session_close(&s);
    assert_int_not_equal(chat_session_open(&s, fixture_path("models/llama-tiny-f32.gguf"), &g, NULL), MOTE_OK);
    assert_non_null(strstr(mote_last_error(), "--chat-template"));
    chat_session_close(&s);
}

int main(void) {
    require_fixtures();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_greedy_matches_by_hand),
        cmocka_unit_test(test_full_context_drops_oldest_turns),
        cmocka_unit_test(test_dropped_turns_shift_out),
        cmocka_unit_test(test_stops_and_interrupt),
        cmocka_unit_test(test_bad_template_override),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
