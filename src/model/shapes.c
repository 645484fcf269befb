/*
 * shapes.c — the hyper-parameters of well-known small models.
 *
 * `mote synth` and `mote bench --like NAME` build random-weight models of
 * exactly these shapes, so the speed of a device on a real model can be
 * measured before fetching the model. The numbers are the ones in each
 * model's published config.json (Hugging Face), which are also what
 * llama.cpp's converter writes into a GGUF file; each entry names its source.
 * The "tiny-*" shapes have the dimensions of the test fixtures (see
 * ../shared/fixtures/README.md) and exist to keep tests fast.
 */
#include <strings.h>

#include "mote.h"

/* clang-format off */
static const mote_model_shape shapes[] = {
    /* HuggingFaceTB/SmolLM2-135M config.json: hidden 576, 30 layers, 9 heads,
     * 3 kv heads, intermediate 1536, vocab 49152, rope_theta 100000,
     * rms_norm_eps 1e-5, max_position_embeddings 8192, tied. 134.5M params. */
    {"smollm2-135m", "llama", 576, 30, 9, 3, 64, 64, 1536, 49152, 8192,
     100000.0f, 0.0f, 1e-5f, 0, 0, true, false, false, false, 134515008ull,
     "huggingface.co/HuggingFaceTB/SmolLM2-135M/blob/main/config.json"},
    /* google/gemma-3-270m config.json: hidden 640, 18 layers, 4 heads, 1 kv
     * head, head_dim 256, intermediate 2048, vocab 262144, rope_theta 1e6,
     * rope_local_base_freq 10000, sliding_window 512, sliding_window_pattern 6,
     * rms_norm_eps 1e-6, max_position_embeddings 32768, tied. 268M params. */
    {"gemma3-270m", "gemma3", 640, 18, 4, 1, 256, 256, 2048, 262144, 32768,
     1000000.0f, 10000.0f, 1e-6f, 512, 6, true, true, true, false, 268098176ull,
     "huggingface.co/google/gemma-3-270m/blob/main/config.json"},
    /* Qwen/Qwen3-0.6B config.json: hidden 1024, 28 layers, 16 heads, 8 kv
     * heads, head_dim 128, intermediate 3072, vocab 151936, rope_theta 1e6,
     * rms_norm_eps 1e-6, max_position_embeddings 40960, tied. 0.6B params
     * (0.44B without embeddings). */
    {"qwen3-0.6b", "qwen3", 1024, 28, 16, 8, 128, 128, 3072, 151936, 40960,
     1000000.0f, 0.0f, 1e-6f, 0, 0, true, true, false, false, 596049920ull,
     "huggingface.co/Qwen/Qwen3-0.6B/blob/main/config.json"},
    /* meta-llama/Llama-3.2-1B config.json: hidden 2048, 16 layers, 32 heads,
     * 8 kv heads, head_dim 64, intermediate 8192, vocab 128256, rope_theta
     * 500000, rms_norm_eps 1e-5, max_position_embeddings 131072, tied.
     * 1.24B params. (Its llama3 rope scaling only changes long contexts.) */
    {"llama3.2-1b", "llama", 2048, 16, 32, 8, 64, 64, 8192, 128256, 131072,
     500000.0f, 0.0f, 1e-5f, 0, 0, true, false, false, false, 1235814400ull,
     "huggingface.co/meta-llama/Llama-3.2-1B/blob/main/config.json"},
    /* Qwen/Qwen3-1.7B config.json: hidden 2048, 28 layers, 16 heads, 8 kv
     * heads, head_dim 128, intermediate 6144, vocab 151936, rope_theta 1e6,
     * rms_norm_eps 1e-6, max_position_embeddings 40960, tied. 1.7B params
     * (1.4B without embeddings). */
    {"qwen3-1.7b", "qwen3", 2048, 28, 16, 8, 128, 128, 6144, 151936, 40960,
     1000000.0f, 0.0f, 1e-6f, 0, 0, true, true, false, false, 1720574976ull,
     "huggingface.co/Qwen/Qwen3-1.7B/blob/main/config.json"},
    /* meta-llama/Llama-3.2-3B config.json: hidden 3072, 28 layers, 24 heads,
     * 8 kv heads, head_dim 128, intermediate 8192, vocab 128256, rope_theta
     * 500000, rms_norm_eps 1e-5, max_position_embeddings 131072, tied.
     * 3.21B params. */
    {"llama3.2-3b", "llama", 3072, 28, 24, 8, 128, 128, 8192, 128256, 131072,
     500000.0f, 0.0f, 1e-5f, 0, 0, true, false, false, false, 3212749824ull,
     "huggingface.co/meta-llama/Llama-3.2-3B/blob/main/config.json"},
    /* microsoft/Phi-4-mini-instruct config.json: hidden 3072, 32 layers, 24
     * heads, 8 kv heads (head_dim 128), intermediate 8192, vocab 200064,
     * rope_theta 10000, partial_rotary_factor 0.75 (96 rotated dims),
     * rms_norm_eps 1e-5, max_position_embeddings 131072, tied. 3.8B params.
     * llama.cpp stores it as "phi3" with fused qkv and gate+up tensors; its
     * LongRoPE factor tensors are optional there and left out here. */
    {"phi4-mini", "phi3", 3072, 32, 24, 8, 128, 96, 8192, 200064, 131072,
     10000.0f, 0.0f, 1e-5f, 0, 0, true, false, false, true, 3836021760ull,
     "huggingface.co/microsoft/Phi-4-mini-instruct/blob/main/config.json"},

    /* Test shapes: the dimensions of the fixtures' tiny models. */
    {"tiny", "llama", 256, 2, 4, 2, 64, 64, 256, 1024, 512,
     10000.0f, 0.0f, 1e-6f, 0, 0, true, false, false, false, 0, "test fixture llama-tiny"},
    {"tiny-qwen3", "qwen3", 256, 2, 4, 2, 64, 64, 256, 1029, 512,
     10000.0f, 0.0f, 1e-6f, 0, 0, false, true, false, false, 0, "test fixture qwen3-tiny"},
    {"tiny-gemma3", "gemma3", 256, 6, 4, 1, 64, 64, 256, 1026, 512,
     1000000.0f, 10000.0f, 1e-6f, 8, 6, true, true, true, false, 0, "test fixture gemma3-tiny"},
    {"tiny-phi3", "phi3", 256, 2, 4, 4, 64, 64, 256, 1029, 512,
     10000.0f, 0.0f, 1e-5f, 0, 0, false, false, false, true, 0, "test fixture phi3-tiny"},
    {0},
};
/* clang-format on */

const mote_model_shape *mote_model_shapes(void) { return shapes; }

const mote_model_shape *mote_model_shape_find(const char *name) {
    if (!name) return NULL;
    for (const mote_model_shape *s = shapes; s->name; s++)
        if (!strcasecmp(s->name, name)) return s;
    return NULL;
}

uint64_t mote_model_shape_n_params(const mote_model_shape *s) {
    if (!s) return 0;
    const uint64_t e = (uint64_t)s->n_embd, q = (uint64_t)s->n_head * (uint64_t)s->head_dim;
    const uint64_t kv = (uint64_t)s->n_head_kv * (uint64_t)s->head_dim, ff = (uint64_t)s->n_ff;
    uint64_t layer = e * (q + 2 * kv) + q * e + 3 * e * ff; /* attention + gated FFN */
    layer += 2 * e;                                          /* attn_norm, ffn_norm */
    if (s->qk_norm) layer += 2 * (uint64_t)s->head_dim;
    if (s->post_norms) layer += 2 * e;
    uint64_t n = (uint64_t)s->n_layer * layer + e * (uint64_t)s->n_vocab + e; /* + token_embd, output_norm */
    if (!s->tied_embd) n += e * (uint64_t)s->n_vocab;
    return n;
}
