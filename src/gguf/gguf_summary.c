/*
 * gguf_summary.c — the facts `mote info` reports about a model file:
 * parameter count, bytes per weight type, the architecture's main
 * hyper-parameters and the vocabulary. Computed here, in the library, so
 * tools and tests share one definition; printing belongs to the CLI.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mote.h"

/* An unsigned integer metadata value ({arch}.suffix), 0 if absent or not an
 * integer that fits. */
static uint64_t arch_u64(const mote_gguf *g, const char *arch, const char *suffix) {
    char key[256];
    if (!arch) return 0;
    snprintf(key, sizeof key, "%s.%s", arch, suffix);
    return mote_gguf_get_u64(g, key, 0);
}

void mote_gguf_summarize(const mote_gguf *g, mote_model_summary *out) {
    memset(out, 0, sizeof *out);
    out->architecture = mote_gguf_get_str(g, "general.architecture", NULL);
    out->name = mote_gguf_get_str(g, "general.name", NULL);
    out->file_size = mote_gguf_file_size(g);

    out->n_tensors = mote_gguf_n_tensors(g);
    for (int64_t i = 0; i < out->n_tensors; i++) {
        const mote_tensor_info *t = mote_gguf_tensor(g, i);
        /* The reader bounds every tensor by the file, so these sums cannot overflow. */
        out->n_params += (uint64_t)mote_tensor_nelements(t);
        out->tensor_bytes += t->size;
        out->type_count[t->type]++;
        out->type_bytes[t->type] += t->size;
    }
    out->bits_per_weight = out->n_params ? 8.0 * (double)out->tensor_bytes / (double)out->n_params : 0.0;

    const char *arch = out->architecture;
    out->context_length = arch_u64(g, arch, "context_length");
    out->embedding_length = arch_u64(g, arch, "embedding_length");
    out->block_count = arch_u64(g, arch, "block_count");
    out->feed_forward_length = arch_u64(g, arch, "feed_forward_length");
    out->head_count = arch_u64(g, arch, "attention.head_count");
    out->head_count_kv = arch_u64(g, arch, "attention.head_count_kv");

    out->vocab_model = mote_gguf_get_str(g, "tokenizer.ggml.model", NULL);
    mote_gguf_type et = MOTE_GGUF_TYPE_COUNT;
    uint64_t n_tokens = 0;
    int64_t tokens = mote_gguf_get_arr(g, "tokenizer.ggml.tokens", &et, &n_tokens);
    if (tokens >= 0 && et != MOTE_GGUF_STRING) tokens = -1;
    out->vocab_size = tokens >= 0 ? n_tokens : arch_u64(g, arch, "vocab_size");

    /* Role names as people say them, keys as the GGUF convention spells them. */
    static const char *const roles[MOTE_MAX_SPECIAL_TOKENS][2] = {
        {"bos", "bos"}, {"eos", "eos"}, {"eot", "eot"}, {"eom", "eom"},  {"unk", "unknown"},
        {"sep", "seperator"}, {"pad", "padding"}, {"cls", "cls"}, {"mask", "mask"},
    };
    for (int r = 0; r < MOTE_MAX_SPECIAL_TOKENS; r++) {
        char key[64];
        snprintf(key, sizeof key, "tokenizer.ggml.%s_token_id", roles[r][1]);
        int64_t k = mote_gguf_find_key(g, key);
        mote_gguf_type kt = mote_gguf_kv_type(g, k);
        if (k < 0 || kt == MOTE_GGUF_BOOL || kt == MOTE_GGUF_STRING || kt == MOTE_GGUF_ARRAY ||
            kt == MOTE_GGUF_FLOAT32 || kt == MOTE_GGUF_FLOAT64)
            continue;
        /* -1, often stored as a u32 0xffffffff, is the convention for "no such token". */
        int64_t id = mote_gguf_val_i64(g, k);
        if (id < 0 || id == UINT32_MAX) continue;
        mote_special_token *s = &out->special[out->n_special++];
        s->role = roles[r][0];
        s->id = id;
        s->text = tokens >= 0 && s->id >= 0 ? mote_gguf_arr_str(g, tokens, (uint64_t)s->id, NULL) : NULL;
    }

    const char *tmpl = mote_gguf_get_str(g, "tokenizer.chat_template", NULL);
    out->has_chat_template = tmpl && *tmpl;
}
