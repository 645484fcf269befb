/*
 * pretok.c — pre-tokenizers of BPE vocabularies: the regular expressions that
 * cut text into words before merges, chosen by tokenizer.ggml.pre.
 *
 * The expressions are the ones in the models' tokenizer.json (Hugging Face
 * runs them with Oniguruma); we run them with PCRE2 in UTF + UCP mode, so
 * \p{L}, \p{N}, \s use Unicode properties. Several expressions are applied in
 * sequence, each to the pieces the previous one produced; within a piece both
 * the matches and the text between matches become pieces (HF's "Isolated"
 * split behaviour, as llama.cpp does it). Invalid UTF-8 never matches
 * anything (PCRE2_MATCH_INVALID_UTF), so stray bytes end up as pieces of
 * their own and are still tokenized, byte by byte.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "tokenizer/vocab_internal.h"

/* GPT-2's expression, also the second stage of several others. */
#define RE_GPT2 "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"
#define RE_LLAMA3                                                                                                  \
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|" \
    "\\s+(?!\\S)|\\s+"
#define RE_QWEN2                                                                                                   \
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|"     \
    "\\s+(?!\\S)|\\s+"
#define RE_QWEN35                                                                                                  \
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|"     \
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
/* GPT-2's expression without the final \s+ (a trailing run of spaces is left
 * as a gap, which comes out the same). */
#define RE_GPT2_NO_TAIL "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)"

typedef struct {
    const char *names; /* '|'-separated tokenizer.ggml.pre values */
    const char *re[PRETOK_MAX_REGEX];
    bool ignore_merges, add_bos, raw_utf8;
} pretok_kind;

static const pretok_kind KINDS[] = {
    {"default", {"[\\p{P}\\$\\+<=>\\^~\\|]+", RE_GPT2_NO_TAIL, "\\p{N}+", "[0-9][0-9][0-9]"}, false, false, false},
    {"llama3|llama-v3|llama-bpe|falcon3|falcon-h1|pixtral|midm-2.0|lfm2", {RE_LLAMA3}, true, true, false},
    {"dbrx|smaug-bpe", {RE_LLAMA3}, false, false, false},
    {"gpt-2|phi-2|jina-es|jina-de|gigachat|jina-v2-es|jina-v2-de|a.x-4.0|mellum|mpt|olmo|jais|trillion|"
     "modern-bert|exaone4|jina-v1-en|jina-v2-code|roberta-bpe",
     {RE_GPT2},
     false, false, false},
    {"qwen2|deepseek-r1-qwen|kormo|stablelm2|hunyuan|megrez", {RE_QWEN2}, false, false, false},
    {"qwen35", {RE_QWEN35}, false, false, false},
    {"starcoder|refact|command-r|smollm|codeshell|exaone|minerva-7b|mellum2", {"\\p{N}", RE_GPT2}, false, false, false},
    {"falcon", {"[\\p{P}\\$\\+<=>\\^~\\|`]+", RE_GPT2_NO_TAIL, "[0-9][0-9][0-9]"}, false, false, false},
    {"gemma4", {"[^\\n]+|[\\n]+"}, false, false, true},
};

/* True if pre is one of the '|'-separated names. */
static bool name_in(const char *names, const char *pre) {
    size_t n = strlen(pre);
    for (const char *p = names; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && !memcmp(p, pre, n)) return true;
        if (!bar) break;
        p = bar + 1;
    }
    return false;
}

/* Compile the expressions of pre-tokenizer `pre` and set its BPE flags. */
int pretok_setup(mote_vocab *v, const char *model, const char *pre) {
    if (!strcmp(model, "gemma4")) pre = "gemma4";
    if (!pre || !*pre) pre = "default"; /* llama.cpp warns and does the same */
    const pretok_kind *k = NULL;
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0] && !k; i++)
        if (name_in(KINDS[i].names, pre)) k = &KINDS[i];
    if (!k) return mote_fail(MOTE_ERR_UNSUPPORTED, "pre-tokenizer '%s' (tokenizer.ggml.pre) is not supported", pre);
    v->ignore_merges = k->ignore_merges;
    if (k->add_bos) v->add_bos = true;
    if (k->raw_utf8) {
        v->byte_encode = false;
        v->escape_ws = true;
        v->newline_words = true;
    }
    for (int i = 0; i < PRETOK_MAX_REGEX && k->re[i]; i++) {
        int err;
        PCRE2_SIZE erroff;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)k->re[i], PCRE2_ZERO_TERMINATED,
                                       PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &err, &erroff, NULL);
        if (!re) {
            PCRE2_UCHAR msg[128];
            pcre2_get_error_message(err, msg, sizeof msg);
            return mote_fail(MOTE_ERR_UNSUPPORTED, "pre-tokenizer '%s': regex %d does not compile at %zu: %s", pre, i,
                             (size_t)erroff, (const char *)msg);
        }
        pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* optional: without JIT it is only slower */
        v->re[v->n_re++] = re;
    }
    return MOTE_OK;
}

/* Release the compiled expressions. */
void pretok_free(mote_vocab *v) {
    for (int i = 0; i < v->n_re; i++) pcre2_code_free(v->re[i]);
    v->n_re = 0;
}

typedef struct {
    const mote_vocab *v;
    const char *text;
    pcre2_match_data *md;
    pcre2_match_context *mc;
    pretok_fn fn;
    void *ctx;
} split_ctx;

/* Apply regex `level` to text[off, off+len) and recurse into each piece. */
static int split_level(split_ctx *s, int level, size_t off, size_t len) {
    if (len == 0) return MOTE_OK;
    if (level == s->v->n_re) return s->fn(s->text + off, len, s->ctx);
    pcre2_code *re = s->v->re[level];
    PCRE2_SPTR subject = (PCRE2_SPTR)(s->text + off);
    size_t start = 0, gap = 0;
    while (start < len) {
        int rc = pcre2_match(re, subject, len, start, 0, s->md, s->mc);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) /* e.g. the JIT stack ran out: the interpreter keeps its stack on the heap */
            rc = pcre2_match(re, subject, len, start, PCRE2_NO_JIT, s->md, s->mc);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) {
            PCRE2_UCHAR msg[128];
            pcre2_get_error_message(rc, msg, sizeof msg);
            return mote_fail(MOTE_ERR_INVALID_ARG, "pre-tokenizer failed on the text: %s", (const char *)msg);
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
        size_t ms = ov[0], me = ov[1];
        int err;
        if (ms > gap && (err = split_level(s, level + 1, off + gap, ms - gap))) return err;
        if (me > ms && (err = split_level(s, level + 1, off + ms, me - ms))) return err;
        gap = me;
        start = me > ms ? me : me + 1; /* never loop on an empty match */
    }
    if (gap < len) return split_level(s, level + 1, off + gap, len - gap);
    return MOTE_OK;
}

/* Run all expressions over text, calling fn on each final piece in order. */
int pretok_split(const mote_vocab *v, const char *text, size_t len, pretok_fn fn, void *ctx) {
    if (v->n_re == 0) return fn(text, len, ctx);
    split_ctx s = {v, text, NULL, NULL, fn, ctx};
    s.md = pcre2_match_data_create(1, NULL);
    s.mc = pcre2_match_context_create(NULL);
    pcre2_jit_stack *js = pcre2_jit_stack_create(32 * 1024, 4 * 1024 * 1024, NULL);
    if (!s.md || !s.mc || !js) {
        pcre2_match_data_free(s.md);
        pcre2_match_context_free(s.mc);
        pcre2_jit_stack_free(js);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory for the pre-tokenizer");
    }
    pcre2_jit_stack_assign(s.mc, NULL, js);
    int rc = split_level(&s, 0, 0, len);
    pcre2_jit_stack_free(js);
    pcre2_match_context_free(s.mc);
    pcre2_match_data_free(s.md);
    return rc;
}
