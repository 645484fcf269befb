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

#include "model/synth.h"
#include "mote.h"

/* clang-format off */
static const mote_model_shape shapes[] = {
    /* HuggingFaceTB/SmolLM2-135M config.json: hidden 576, 30 layers, 9 heads,
     * 3 kv heads, intermediate 1536, vocab 49152, rope_theta 100000,
     * rms_norm_eps 1e-5, max_position_embeddings 8192, tied. 134.5M params. */
    {"smollm2-135m", "llama", 576, 30, 9, 3, 64, 64, 1536, 49152, 8192,
     100000.0f, 0.0f, 1e-5f, 0, 0, true, false, false, false, 134515008ull,
     "huggingface.co/HuggingFaceTB/SmolLM2-135M/blob/main/config.json", 0},
    /* google/gemma-3-270m config.json: hidden 640, 18 layers, 4 heads, 1 kv
     * head, head_dim 256, intermediate 2048, vocab 262144, rope_theta 1e6,
     * rope_local_base_freq 10000, sliding_window 512, sliding_window_pattern 6,
     * rms_norm_eps 1e-6, max_position_embeddings 32768, tied. 268M params. */
    {"gemma3-270m", "gemma3", 640, 18, 4, 1, 256, 256, 2048, 262144, 32768,
     1000000.0f, 10000.0f, 1e-6f, 512, 6, true, true, true, false, 268098176ull,
     "huggingface.co/google/gemma-3-270m/blob/main/config.json", 0},
    /* Qwen/Qwen3-0.6B config.json: hidden 1024, 28 layers, 16 heads, 8 kv
     * heads, head_dim 128, intermediate 3072, vocab 151936, rope_theta 1e6,
     * rms_norm_eps 1e-6, max_position_embeddings 40960, tied. 0.6B params
     * (0.44B without embeddings). */
    {"qwen3-0.6b", "qwen3", 1024, 28, 16, 8, 128, 128, 3072, 151936, 40960,
     1000000.0f, 0.0f, 1e-6f, 0, 0, true, true, false, false, 596049920ull,
     "huggingface.co/Qwen/Qwen3-0.6B/blob/main/config.json", 0},
    /* meta-llama/Llama-3.2-1B config.json: hidden 2048, 16 layers, 32 heads,
     * 8 kv heads, head_dim 64, intermediate 8192, vocab 128256, rope_theta
     * 500000, rms_norm_eps 1e-5, max_position_embeddings 131072, tied.
     * 1.24B params. (Its llama3 rope scaling only changes long contexts.) */
    {"llama3.2-1b", "llama", 2048, 16, 32, 8, 64, 64, 8192, 128256, 131072,
     500000.0f, 0.0f, 1e-5f, 0, 0, true, false, false, false, 1235814400ull,
     "huggingface.co/meta-llama/Llama-3.2-1B/blob/main/config.json", 0},
    /* Qwen/Qwen3-1.7B config.json: hidden 2048, 28 layers, 16 heads, 8 kv
     * heads, head_dim 128, intermediate 6144, vocab 151936, rope_theta 1e6,
     * rms_norm_eps 1e-6, max_position_embeddings 40960, tied. 1.7B params
     * (1.4B without embeddings). */
    {"qwen3-1.7b", "qwen3", 2048, 28, 16, 8, 128, 128, 6144, 151936, 40960,
     1000000.0f, 0.0f, 1e-6f, 0, 0, true, true, false, false, 1720574976ull,
     "huggingface.co/Qwen/Qwen3-1.7B/blob/main/config.json", 0},
    /* meta-llama/Llama-3.2-3B config.json: hidden 3072, 28 layers, 24 heads,
     * 8 kv heads, head_dim 128, intermediate 8192, vocab 128256, rope_theta
     * 500000, rms_norm_eps 1e-5, max_position_embeddings 131072, tied.
     * 3.21B params. */
    {"llama3.2-3b", "llama", 3072, 28, 24, 8, 128, 128, 8192, 128256, 131072,
     500000.0f, 0.0f, 1e-5f, 0, 0, true, false, false, false, 3212749824ull,
     "huggingface.co/meta-llama/Llama-3.2-3B/blob/main/config.json", 0},
    /* microsoft/Phi-4-mini-instruct config.json: hidden 3072, 32 layers, 24
     * heads, 8 kv heads (head_dim 128), intermediate 8192, vocab 200064,
     * rope_theta 10000, partial_rotary_factor 0.75 (96 rotated dims),
     * rms_norm_eps 1e-5, max_position_embeddings 131072, tied. 3.8B params.
     * llama.cpp stores it as "phi3" with fused qkv and gate+up tensors; its
     * LongRoPE factor tensors are optional there and left out here. */
    {"phi4-mini", "phi3", 3072, 32, 24, 8, 128, 96, 8192, 200064, 131072,
     10000.0f, 0.0f, 1e-5f, 0, 0, true, false, false, true, 3836021760ull,
     "huggingface.co/microsoft/Phi-4-mini-instruct/blob/main/config.json", 0},
    /* Qwen/Qwen2.5-0.5B-Instruct config.json: hidden 896, 24 layers, 14 heads,
     * 2 kv heads (head_dim 64), intermediate 4864, vocab 151936, rope_theta
     * 1e6, rms_norm_eps 1e-6, max_position_embeddings 32768, tied; biases on
     * q, k, v. 0.49B params (0.36B without embeddings). */
    {"qwen2.5-0.5b", "qwen2", 896, 24, 14, 2, 64, 64, 4864, 151936, 32768,
     1000000.0f, 0.0f, 1e-6f, 0, 0, true, false, false, false, 494032768ull,
     "huggingface.co/Qwen/Qwen2.5-0.5B-Instruct/blob/main/config.json", 0},
    /* Qwen/Qwen2.5-1.5B-Instruct config.json: hidden 1536, 28 layers, 12
     * heads, 2 kv heads (head_dim 128), intermediate 8960, vocab 151936,
     * rope_theta 1e6, rms_norm_eps 1e-6, max_position_embeddings 32768, tied.
     * 1.54B params (1.31B without embeddings). */
    {"qwen2.5-1.5b", "qwen2", 1536, 28, 12, 2, 128, 128, 8960, 151936, 32768,
     1000000.0f, 0.0f, 1e-6f, 0, 0, true, false, false, false, 1543714304ull,
     "huggingface.co/Qwen/Qwen2.5-1.5B-Instruct/blob/main/config.json", 0},
    /* openai-community/gpt2 config.json: n_embd 768, n_layer 12, n_head 12,
     * n_inner 4 * 768, vocab 50257, n_positions 1024, layer_norm_epsilon
     * 1e-5, tied head. 124,439,808 params. */
    {"gpt2", "gpt2", 768, 12, 12, 12, 64, 0, 3072, 50257, 1024,
     0.0f, 0.0f, 1e-5f, 0, 0, true, false, false, true, 124439808ull,
     "huggingface.co/openai-community/gpt2/blob/main/config.json", 0},
    /* distilbert/distilgpt2 config.json: gpt2 with 6 layers. 81,912,576 params. */
    {"distilgpt2", "gpt2", 768, 6, 12, 12, 64, 0, 3072, 50257, 1024,
     0.0f, 0.0f, 1e-5f, 0, 0, true, false, false, true, 81912576ull,
     "huggingface.co/distilbert/distilgpt2/blob/main/config.json", 0},
    /* BAAI/bge-small-en-v1.5 config.json: BERT, hidden 384, 12 layers, 12
     * heads, intermediate 1536, vocab 30522, max_position_embeddings 512,
     * type_vocab_size 2, layer_norm_eps 1e-12; CLS pooling (its
     * sentence-transformers pooling config). 33.4M params (with BERT's
     * pooler layer, 148K, which GGUF files leave out). */
    {"bge-small-en-v1.5", "bert", 384, 12, 12, 12, 32, 0, 1536, 30522, 512,
     0.0f, 0.0f, 1e-12f, 0, 0, false, false, false, false, 33360000ull,
     "huggingface.co/BAAI/bge-small-en-v1.5/blob/main/config.json", 2},
    /* sentence-transformers/all-MiniLM-L6-v2 config.json: BERT, hidden 384, 6
     * layers, 12 heads, intermediate 1536, vocab 30522,
     * max_position_embeddings 512, layer_norm_eps 1e-12; mean pooling.
     * 22.7M params (with the pooler). */
    {"all-minilm-l6-v2", "bert", 384, 6, 12, 12, 32, 0, 1536, 30522, 512,
     0.0f, 0.0f, 1e-12f, 0, 0, false, false, false, false, 22713216ull,
     "huggingface.co/sentence-transformers/all-MiniLM-L6-v2/blob/main/config.json", 1},
    /* HuggingFaceTB/SmolLM3-3B config.json: hidden 2048, 36 layers, 16 heads,
     * 4 kv heads (head_dim 128), intermediate 11008, vocab 128256, rope_theta
     * 5e6, rms_norm_eps 1e-6, max_position_embeddings 65536, tied; every 4th
     * layer without rope. 3.08B params. */
    {"smollm3-3b", "smollm3", 2048, 36, 16, 4, 128, 128, 11008, 128256, 65536,
     5000000.0f, 0.0f, 1e-6f, 0, 0, true, false, false, false, 3075098624ull,
     "huggingface.co/HuggingFaceTB/SmolLM3-3B/blob/main/config.json", 0},
    /* google/gemma-2-2b config.json: hidden 2304, 26 layers, 8 heads, 4 kv
     * heads, head_dim 256, intermediate 9216, vocab 256000, rope_theta 10000,
     * rms_norm_eps 1e-6, sliding_window 4096 on every other layer,
     * attn_logit_softcapping 50, final_logit_softcapping 30,
     * max_position_embeddings 8192, tied. 2,614,341,888 params. */
    {"gemma2-2b", "gemma2", 2304, 26, 8, 4, 256, 256, 9216, 256000, 8192,
     10000.0f, 10000.0f, 1e-6f, 4096, 2, true, false, true, false, 2614341888ull,
     "huggingface.co/google/gemma-2-2b/blob/main/config.json", 0},

    /* Test shapes: the dimensions of the fixtures' tiny models. */
    {"tiny", "llama", 256, 2, 4, 2, 64, 64, 256, 1024, 512,
     10000.0f, 0.0f, 1e-6f, 0, 0, true, false, false, false, 0, "test fixture llama-tiny", 0},
    {"tiny-qwen3", "qwen3", 256, 2, 4, 2, 64, 64, 256, 1029, 512,
     10000.0f, 0.0f, 1e-6f, 0, 0, false, true, false, false, 0, "test fixture qwen3-tiny", 0},
    {"tiny-gemma3", "gemma3", 256, 6, 4, 1, 64, 64, 256, 1026, 512,
     1000000.0f, 10000.0f, 1e-6f, 8, 6, true, true, true, false, 0, "test fixture gemma3-tiny", 0},
    {"tiny-phi3", "phi3", 256, 2, 4, 4, 64, 64, 256, 1029, 512,
     10000.0f, 0.0f, 1e-5f, 0, 0, false, false, false, true, 0, "test fixture phi3-tiny", 0},
    {"tiny-qwen2", "qwen2", 256, 2, 4, 2, 64, 64, 256, 1027, 512,
     1000000.0f, 0.0f, 1e-6f, 0, 0, false, false, false, false, 0, "test fixture qwen2-tiny", 0},
    {"tiny-gpt2", "gpt2", 256, 2, 4, 4, 64, 0, 512, 1025, 256,
     0.0f, 0.0f, 1e-5f, 0, 0, true, false, false, true, 0, "test fixture gpt2-tiny", 0},
    {"tiny-bert", "bert", 128, 2, 4, 4, 32, 0, 512, 2048, 512,
     0.0f, 0.0f, 1e-12f, 0, 0, false, false, false, false, 0, "test fixture bert-tiny", 1},
    /* no fixture: 4 layers, a window of 8 on layers 0 and 2 */
    {"tiny-gemma2", "gemma2", 256, 4, 4, 2, 64, 64, 256, 1024, 512,
     10000.0f, 10000.0f, 1e-6f, 8, 2, true, false, true, false, 0, "test shape of gemma2", 0},
    /* no fixture: 4 layers, so that layer 3 is one without rope */
    {"tiny-smollm3", "smollm3", 256, 4, 4, 2, 64, 64, 256, 1024, 512,
     10000.0f, 0.0f, 1e-6f, 0, 0, true, false, false, false, 0, "test shape of smollm3", 0},
    {"tiny-bitnet", "bitnet", 256, 2, 4, 2, 64, 64, 256, 1024, 512,
     500000.0f, 0.0f, 1e-5f, 0, 0, true, false, false, false, 0, "test fixture bitnet-tiny", 0},
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
    /* exactly what synth writes: the tensors the architecture declares */
    return s ? mote_synth_count_params(s) : 0;
}
