/*
 * vocab.c — load a vocabulary from GGUF metadata (tokenizer.ggml.*) and
 * answer questions about it (special ids, end-of-generation, lookups).
 *
 * Defaults and adjustments follow llama.cpp's loader so that a file behaves
 * the same in both engines: per-family default special ids, add_bos/add_eos
 * defaults, end-of-turn tokens recognised by their text, control tokens whose
 * name says "unused", Phi-3's whitespace-eating special tokens.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab_internal.h"

/* Keys hashed and prefetched together when building the maps. */
#define LOAD_BATCH 32

/* GGUF token_type values. */
enum { TT_NORMAL = 1, TT_UNKNOWN = 2, TT_CONTROL = 3, TT_USER_DEFINED = 4, TT_UNUSED = 5, TT_BYTE = 6 };

/* Append x, growing the buffer as needed. */
int growbuf_push(growbuf_i32 *b, int32_t x) {
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        int32_t *nv = realloc(b->v, cap * sizeof *nv);
        if (!nv) return mote_fail(MOTE_ERR_NOMEM, "out of memory for %zu tokens", cap);
        b->v = nv;
        b->cap = cap;
    }
    b->v[b->n++] = x;
    return MOTE_OK;
}

/* True if token id is spelled exactly s. */
/* The id of the first text of a NULL-terminated list that is a token, or -1. */
static int32_t first_token_named(const mote_vocab *v, const char *const *names) {
    for (; *names; names++) {
        int32_t id = mote_strmap_get(&v->text_to_id, *names, strlen(*names), -1);
        if (id >= 0) return id;
    }
    return -1;
}

/* Texts that mark special tokens in vocabularies converted without their ids
 * (llama.cpp's lists; the earlier name wins when several are present). */
static const char *const EOT_NAMES[] = {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
                                        "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>",
                                        "<end_of_utterance>", NULL};
static const char *const EOM_NAMES[] = {"<|eom_id|>", NULL};
static const char *const FIM_PRE_NAMES[] = {"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>",
                                            "▁<PRE>", "<|code_prefix|>", "<|prefix|>", NULL};
static const char *const FIM_SUF_NAMES[] = {"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>",
                                            "▁<SUF>", "<|code_suffix|>", "<|suffix|>", NULL};
static const char *const FIM_MID_NAMES[] = {"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>",
                                            "▁<MID>", "<|code_middle|>", "<|middle|>", NULL};
static const char *const FIM_PAD_NAMES[] = {"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]", NULL};
static const char *const FIM_REP_NAMES[] = {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>", NULL};
static const char *const FIM_SEP_NAMES[] = {"<|file_sep|>", NULL};
/* Texts of every token that ends generation. */
static const char *const EOG_NAMES[] = {"<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>",
                                        "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>",
                                        "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>",
                                        "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
                                        "<｜end▁of▁sentence｜>", "[e~[", NULL};

/* Read an optional token-id key: keep *id when absent or out of range. */
static void read_special_id(const mote_gguf *g, const mote_vocab *v, const char *key, int32_t *id) {
    if (*id >= v->n_tokens) *id = MOTE_TOKEN_NONE;
    int64_t k = mote_gguf_find_key(g, key);
    if (k < 0) return;
    mote_gguf_type t = mote_gguf_kv_type(g, k);
    if (t == MOTE_GGUF_STRING || t == MOTE_GGUF_ARRAY || t == MOTE_GGUF_FLOAT32 || t == MOTE_GGUF_FLOAT64) return;
    int64_t val = mote_gguf_val_i64(g, k);
    if (t == MOTE_GGUF_UINT32 || t == MOTE_GGUF_UINT64) val = (int64_t)mote_gguf_val_u64(g, k);
    if (val >= 0 && val < v->n_tokens) *id = (int32_t)val;
}

/* Read an optional boolean key into *flag. */
static void read_flag(const mote_gguf *g, const char *key, bool *flag) {
    int64_t k = mote_gguf_find_key(g, key);
    if (k >= 0 && mote_gguf_kv_type(g, k) == MOTE_GGUF_BOOL) *flag = mote_gguf_val_u64(g, k) != 0;
}

/* Copy the token strings, scores and types out of the file. */
static int load_tokens(mote_vocab *v, const mote_gguf *g) {
    mote_gguf_type et;
    uint64_t n;
    int64_t ki = mote_gguf_get_arr(g, "tokenizer.ggml.tokens", &et, &n);
    if (ki < 0) return mote_fail(MOTE_ERR_NOT_FOUND, "no tokenizer.ggml.tokens: the file has no vocabulary");
    if (et != MOTE_GGUF_STRING) return mote_fail(MOTE_ERR_FORMAT, "tokenizer.ggml.tokens is not an array of strings");
    if (n == 0 || n > INT32_MAX / 2) return mote_fail(MOTE_ERR_FORMAT, "tokenizer.ggml.tokens has %llu entries", (unsigned long long)n);
    v->n_tokens = (int32_t)n;

    const void *scores = NULL;
    mote_gguf_type st = MOTE_GGUF_FLOAT32;
    uint64_t ns;
    int64_t ks = mote_gguf_get_arr(g, "tokenizer.ggml.scores", &st, &ns);
    if (ks >= 0) {
        if (st != MOTE_GGUF_FLOAT32 && st != MOTE_GGUF_INT32)
            return mote_fail(MOTE_ERR_FORMAT, "tokenizer.ggml.scores has element type %s", mote_gguf_type_name(st));
        if (ns < n) return mote_fail(MOTE_ERR_FORMAT, "tokenizer.ggml.scores has %llu entries for %llu tokens", (unsigned long long)ns, (unsigned long long)n);
        scores = mote_gguf_arr_data(g, ks);
    }
    const int32_t *types = NULL;
    mote_gguf_type tt;
    uint64_t nt;
    int64_t kt = mote_gguf_get_arr(g, "tokenizer.ggml.token_type", &tt, &nt);
    if (kt >= 0) {
        if (tt != MOTE_GGUF_INT32) return mote_fail(MOTE_ERR_FORMAT, "tokenizer.ggml.token_type is not an i32 array");
        if (nt < n) return mote_fail(MOTE_ERR_FORMAT, "tokenizer.ggml.token_type has %llu entries for %llu tokens", (unsigned long long)nt, (unsigned long long)n);
        types = mote_gguf_arr_data(g, kt);
    }

    size_t total = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t len;
        mote_gguf_arr_str(g, ki, i, &len);
        total += (len ? len : 24) + 1;
    }
    v->arena = malloc(total);
    v->text_off = malloc(n * sizeof *v->text_off);
    v->text_len = malloc(n * sizeof *v->text_len);
    v->scores = malloc(n * sizeof *v->scores);
    v->attr = calloc(n, 1);
    v->eog = calloc(n, 1);
    if (!v->arena || !v->text_off || !v->text_len || !v->scores || !v->attr || !v->eog)
        return mote_fail(MOTE_ERR_NOMEM, "out of memory for a vocabulary of %llu tokens", (unsigned long long)n);
    int rc = mote_strmap_init(&v->text_to_id, n);
    if (rc) return rc;

    size_t at = 0;
    for (uint64_t i = 0; i < n; i++) {
        size_t len;
        const char *s = mote_gguf_arr_str(g, ki, i, &len);
        if (len == 0) /* an empty token can never match; give it a visible name as llama.cpp does */
            len = (size_t)snprintf(v->arena + at, 24, "[EMPTY_%llu]", (unsigned long long)i);
        else
            memcpy(v->arena + at, s, len);
        v->arena[at + len] = '\0';
        v->text_off[i] = (uint32_t)at;
        v->text_len[i] = (uint32_t)len;
        at += len + 1;
        if (len > v->max_token_len) v->max_token_len = len;

        float score = 0.0f;
        if (scores) {
            if (st == MOTE_GGUF_FLOAT32) memcpy(&score, (const char *)scores + 4 * i, 4);
            else {
                int32_t s32;
                memcpy(&s32, (const char *)scores + 4 * i, 4);
                score = (float)s32;
            }
        }
        v->scores[i] = score;
        int type = TT_NORMAL;
        if (types) memcpy(&type, types + i, 4);
        switch (type) {
        case TT_NORMAL: v->attr[i] = TOK_NORMAL; break;
        case TT_UNKNOWN: v->attr[i] = TOK_UNKNOWN; break;
        case TT_CONTROL: v->attr[i] = TOK_CONTROL; break;
        case TT_USER_DEFINED: v->attr[i] = TOK_USER_DEFINED; break;
        case TT_UNUSED: v->attr[i] = TOK_UNUSED; break;
        case TT_BYTE: v->attr[i] = TOK_BYTE; break;
        default: v->attr[i] = 0; break; /* undefined: treated like a control token when shown */
        }
    }
    /* Later duplicates win, as in llama.cpp's map. Keys are hashed and their
     * slots prefetched a batch ahead: nearly every insert is a cache miss. */
    uint64_t h[LOAD_BATCH];
    for (int32_t base = 0; base < v->n_tokens; base += LOAD_BATCH) {
        int32_t m = v->n_tokens - base < LOAD_BATCH ? v->n_tokens - base : LOAD_BATCH;
        for (int32_t k = 0; k < m; k++) {
            h[k] = mote_hash_bytes(v->arena + v->text_off[base + k], v->text_len[base + k]);
            mote_strmap_prefetch(&v->text_to_id, h[k]);
        }
        for (int32_t k = 0; k < m; k++) {
            int32_t i = base + k;
            rc = mote_strmap_put_hashed(&v->text_to_id, v->arena + v->text_off[i], v->text_len[i], h[k], i);
            if (rc) return rc;
        }
    }
    return MOTE_OK;
}

/* One merge rule on its way into the map (see load_merges). */
typedef struct {
    const char *left, *right;
    size_t ll, rl;
    uint64_t hl, hr, hres;
    int32_t l, r;
    size_t cat; /* offset of left+right in the batch's scratch buffer */
} merge_rule;

/* Merges "left right" -> rank, keyed by the two token ids (see bpe.c). A merge
 * whose halves are not tokens can never apply, so it is dropped. Rules are
 * processed in batches, three passes each (hash the halves, look them up,
 * look up the result), prefetching a pass ahead: the maps are far larger
 * than the caches, and this makes loading about twice as fast. */
static int load_merges(mote_vocab *v, const mote_gguf *g) {
    mote_gguf_type et;
    uint64_t n;
    int64_t k = mote_gguf_get_arr(g, "tokenizer.ggml.merges", &et, &n);
    if (k < 0) return mote_fail(MOTE_ERR_NOT_FOUND, "BPE vocabulary without tokenizer.ggml.merges");
    if (et != MOTE_GGUF_STRING) return mote_fail(MOTE_ERR_FORMAT, "tokenizer.ggml.merges is not an array of strings");
    if (n > INT32_MAX) n = INT32_MAX;
    int rc = mote_u64map_init(&v->merges, n);
    if (rc) return rc;
    merge_rule batch[LOAD_BATCH];
    char *cat = NULL;
    size_t cat_cap = 0;
    for (uint64_t base = 0; base < n; base += LOAD_BATCH) {
        size_t m = n - base < LOAD_BATCH ? (size_t)(n - base) : LOAD_BATCH, need = 0;
        for (size_t j = 0; j < m; j++) { /* pass 1: split "left right" at the first space after byte 0 */
            merge_rule *r = &batch[j];
            size_t len;
            const char *s = mote_gguf_arr_str(g, k, base + j, &len);
            const char *sp = len > 1 ? memchr(s + 1, ' ', len - 1) : NULL;
            r->l = r->r = -1;
            r->left = s;
            r->ll = sp ? (size_t)(sp - s) : 0;
            r->right = sp ? sp + 1 : s;
            r->rl = sp ? len - r->ll - 1 : 0;
            if (!sp) continue;
            r->hl = mote_hash_bytes(r->left, r->ll);
            r->hr = mote_hash_bytes(r->right, r->rl);
            mote_strmap_prefetch(&v->text_to_id, r->hl);
            mote_strmap_prefetch(&v->text_to_id, r->hr);
            need += len;
        }
        if (need > cat_cap) {
            cat_cap = need * 2;
            char *nc = realloc(cat, cat_cap);
            if (!nc) {
                free(cat);
                return mote_fail(MOTE_ERR_NOMEM, "out of memory reading merges");
            }
            cat = nc;
        }
        size_t at = 0;
        for (size_t j = 0; j < m; j++) { /* pass 2: the halves' ids; hash the joined text */
            merge_rule *r = &batch[j];
            if (!r->ll) continue;
            r->l = mote_strmap_get_hashed(&v->text_to_id, r->left, r->ll, r->hl, -1);
            r->r = mote_strmap_get_hashed(&v->text_to_id, r->right, r->rl, r->hr, -1);
            if (r->l < 0 || r->r < 0) continue;
            r->cat = at;
            memcpy(cat + at, r->left, r->ll);
            memcpy(cat + at + r->ll, r->right, r->rl);
            at += r->ll + r->rl;
            r->hres = mote_hash_bytes(cat + r->cat, r->ll + r->rl);
            mote_strmap_prefetch(&v->text_to_id, r->hres);
            mote_u64map_prefetch(&v->merges, (uint64_t)(uint32_t)r->l << 32 | (uint32_t)r->r);
        }
        for (size_t j = 0; j < m; j++) { /* pass 3: the result's id; store the rule */
            merge_rule *r = &batch[j];
            if (r->l < 0 || r->r < 0) continue;
            int32_t res = mote_strmap_get_hashed(&v->text_to_id, cat + r->cat, r->ll + r->rl, r->hres, -1);
            if (res < 0) v->merge_without_token = true;
            uint64_t key = (uint64_t)(uint32_t)r->l << 32 | (uint32_t)r->r;
            int64_t val = (int64_t)((base + j) << 32 | (uint32_t)res);
            if ((rc = mote_u64map_put_new(&v->merges, key, val))) {
                free(cat);
                return rc;
            }
        }
    }
    free(cat);
    return MOTE_OK;
}

/* The GPT-2 byte-level alphabet: printable Latin-1 bytes stand for
 * themselves, the others are shifted to U+0100.. in byte order. */
uint32_t bpe_byte_to_cp(unsigned b) {
    if ((b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) return b;
    if (b <= 0x20) return 256 + b;               /* 33 control bytes and space */
    if (b <= 0xA0) return 256 + 33 + (b - 0x7F); /* DEL, C1 controls, NBSP */
    return 256 + 33 + 34;                         /* 0xAD, the soft hyphen */
}

/* The token of each raw byte: for byte-level BPE the token spelling that byte,
 * otherwise the <0xNN> byte-fallback token. */
static void find_byte_tokens(mote_vocab *v) {
    for (int b = 0; b < 256; b++) {
        char buf[8];
        int32_t id = -1;
        if (v->type == MOTE_VOCAB_BPE && v->byte_encode) {
            size_t n = utf8_encode(bpe_byte_to_cp((unsigned)b), buf);
            id = mote_strmap_get(&v->text_to_id, buf, n, -1);
        } else {
            snprintf(buf, sizeof buf, "<0x%02X>", b);
            id = mote_strmap_get(&v->text_to_id, buf, 6, -1);
            if (id < 0 && v->type == MOTE_VOCAB_SPM) { /* some SPM vocabularies spell bytes as themselves */
                buf[0] = (char)b;
                id = mote_strmap_get(&v->text_to_id, buf, 1, -1);
            }
        }
        v->byte_tok[b] = id;
        if (b < 128) {
            buf[0] = (char)b;
            v->ascii_tok[b] = mote_strmap_get(&v->text_to_id, buf, 1, -1);
        }
    }
}

/* A special id from its key (also under an older key name), else from its text;
 * a token found by text becomes a control token. Returns the id or -1. */
static int32_t special_by_key_or_name(mote_vocab *v, const mote_gguf *g, const char *key, const char *old_key,
                                      const char *const *names) {
    int32_t id = -1;
    read_special_id(g, v, key, &id);
    if (old_key) read_special_id(g, v, old_key, &id);
    if (id < 0 && (id = first_token_named(v, names)) >= 0) v->attr[id] |= TOK_CONTROL;
    return id;
}

static int32_t token_named(const mote_vocab *v, const char *name) {
    return mote_strmap_get(&v->text_to_id, name, strlen(name), -1);
}

/* Find end-of-turn, fill-in-the-middle and end-of-generation tokens as
 * llama.cpp does for files converted without those keys: by their text. */
static void find_generation_enders(mote_vocab *v, const mote_gguf *g) {
    if (v->eot < 0 && (v->eot = first_token_named(v, EOT_NAMES)) >= 0) v->attr[v->eot] |= TOK_CONTROL;
    if (v->eom < 0 && (v->eom = first_token_named(v, EOM_NAMES)) >= 0) v->attr[v->eom] |= TOK_CONTROL;
    special_by_key_or_name(v, g, "tokenizer.ggml.fim_pre_token_id", "tokenizer.ggml.prefix_token_id", FIM_PRE_NAMES);
    special_by_key_or_name(v, g, "tokenizer.ggml.fim_suf_token_id", "tokenizer.ggml.suffix_token_id", FIM_SUF_NAMES);
    special_by_key_or_name(v, g, "tokenizer.ggml.fim_mid_token_id", "tokenizer.ggml.middle_token_id", FIM_MID_NAMES);
    /* Padding, repository and file-separator tokens of code models end generation. */
    int32_t ends[] = {
        special_by_key_or_name(v, g, "tokenizer.ggml.fim_pad_token_id", NULL, FIM_PAD_NAMES),
        special_by_key_or_name(v, g, "tokenizer.ggml.fim_rep_token_id", NULL, FIM_REP_NAMES),
        special_by_key_or_name(v, g, "tokenizer.ggml.fim_sep_token_id", NULL, FIM_SEP_NAMES),
        v->eos, v->eot, v->eom,
    };
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
        if (ends[i] >= 0) v->eog[ends[i]] = 1;
    for (const char *const *name = EOG_NAMES; *name; name++) {
        int32_t id = token_named(v, *name);
        if (id >= 0) {
            v->eog[id] = 1;
            v->attr[id] |= TOK_CONTROL;
        }
    }
    /* gpt-oss / solar-open vocabularies end a message with <|end|> but the turn with <|return|>,
     * <|call|> or <|flush|>. */
    int32_t end = token_named(v, "<|end|>");
    bool has_call = token_named(v, "<|call|>") >= 0 || token_named(v, "<|calls|>") >= 0;
    if (end >= 0 && has_call && (token_named(v, "<|return|>") >= 0 || token_named(v, "<|flush|>") >= 0)) {
        v->eog[end] = 0;
        v->attr[end] = TOK_USER_DEFINED;
    }
    /* Gemma 4 has </s> as plain text. */
    int32_t s_end = token_named(v, "</s>");
    if (s_end >= 0 && token_named(v, "<|tool_response>") >= 0) {
        v->eog[s_end] = 0;
        v->attr[s_end] = TOK_NORMAL;
    }
}

/* Phi-3 special tokens swallow the whitespace that follows them in text. */
static void phi3_strip_rules(mote_vocab *v, const mote_gguf *g) {
    const char *name = mote_gguf_get_str(g, "general.name", "");
    char low[256];
    size_t n = strlen(name);
    if (n >= sizeof low) n = sizeof low - 1;
    for (size_t i = 0; i < n; i++) low[i] = (char)tolower((unsigned char)name[i]);
    low[n] = '\0';
    if (!strstr(low, "phi-3") && !strstr(low, "phi3")) return;
    for (size_t i = 0; i < v->n_special; i++) v->attr[v->special[i]] |= TOK_RSTRIP;
    int32_t id = mote_vocab_find(v, "</s>", 4);
    if (id >= 0) v->attr[id] |= TOK_RSTRIP;
    static const char *const keep[] = {"<unk>", "<s>", "<|endoftext|>"};
    for (int i = 0; i < 3; i++) {
        id = mote_vocab_find(v, keep[i], strlen(keep[i]));
        if (id >= 0) v->attr[id] &= (uint8_t)~TOK_RSTRIP;
    }
}

/* See mote.h: defaults per family, then the file's keys, then llama.cpp's adjustments. */
int mote_vocab_load(const mote_gguf *g, mote_vocab **out) {
    if (!g || !out) return mote_fail(MOTE_ERR_INVALID_ARG, "mote_vocab_load: NULL argument");
    *out = NULL;
    const char *model = mote_gguf_get_str(g, "tokenizer.ggml.model", NULL);
    if (!model) return mote_fail(MOTE_ERR_NOT_FOUND, "no tokenizer.ggml.model: the file has no tokenizer");
    const char *pre = mote_gguf_get_str(g, "tokenizer.ggml.pre", NULL);

    mote_vocab *v = calloc(1, sizeof *v);
    if (!v) return mote_fail(MOTE_ERR_NOMEM, "out of memory for a vocabulary");
    v->bos = v->eos = v->eot = v->eom = v->unk = v->pad = v->sep = v->mask = MOTE_TOKEN_NONE;
    v->byte_encode = true;
    v->lowercase = v->strip_accents = true;

    int rc;
    if (!strcmp(model, "llama")) {
        v->type = MOTE_VOCAB_SPM;
        v->bos = 1, v->eos = 2, v->unk = 0;
        v->add_space_prefix = true;
        v->add_bos = true;
    } else if (!strcmp(model, "bert")) {
        v->type = MOTE_VOCAB_WPM;
        v->bos = 101, v->unk = 100, v->sep = 102, v->pad = 0, v->mask = 103;
        v->add_bos = true;
        v->add_sep = true;
    } else if (!strcmp(model, "gpt2") || !strcmp(model, "gemma4")) {
        v->type = MOTE_VOCAB_BPE;
        if (!strcmp(model, "gpt2")) v->bos = v->eos = 11; /* llama.cpp's historical default */
    } else {
        mote_vocab_free(v);
        return mote_fail(MOTE_ERR_UNSUPPORTED, "tokenizer model '%s' is not supported (llama, gpt2, gemma4, bert are)", model);
    }

    if ((rc = load_tokens(v, g))) goto fail;
    if (v->type == MOTE_VOCAB_BPE) {
        if ((rc = pretok_setup(v, model, pre))) goto fail;
        if ((rc = load_merges(v, g))) goto fail;
    }
    read_flag(g, "tokenizer.ggml.add_space_prefix", &v->add_space_prefix);

    read_special_id(g, v, "tokenizer.ggml.bos_token_id", &v->bos);
    read_special_id(g, v, "tokenizer.ggml.eos_token_id", &v->eos);
    read_special_id(g, v, "tokenizer.ggml.eot_token_id", &v->eot);
    read_special_id(g, v, "tokenizer.ggml.eom_token_id", &v->eom);
    read_special_id(g, v, "tokenizer.ggml.unknown_token_id", &v->unk);
    read_special_id(g, v, "tokenizer.ggml.seperator_token_id", &v->sep);
    read_special_id(g, v, "tokenizer.ggml.padding_token_id", &v->pad);
    read_special_id(g, v, "tokenizer.ggml.mask_token_id", &v->mask);
    read_flag(g, "tokenizer.ggml.add_bos_token", &v->add_bos);
    read_flag(g, "tokenizer.ggml.add_eos_token", &v->add_eos);
    read_flag(g, "tokenizer.ggml.add_sep_token", &v->add_sep);
    if (v->newline_words) v->add_bos = true; /* Gemma 4 files say false but the model needs BOS */
    read_flag(g, "tokenizer.ggml.normalizer.lowercase", &v->lowercase);
    v->strip_accents = v->lowercase;
    read_flag(g, "tokenizer.ggml.normalizer.strip_accents", &v->strip_accents);

    find_byte_tokens(v);
    if ((rc = spacecut_build(v))) goto fail;
    find_generation_enders(v, g);
    if ((rc = special_build(v))) goto fail;
    phi3_strip_rules(v, g);
    if ((rc = pieces_build(v))) goto fail;
    *out = v;
    return MOTE_OK;
fail:
    mote_vocab_free(v);
    return rc;
}

/* Release a vocabulary (NULL is fine). */
void mote_vocab_free(mote_vocab *v) {
    if (!v) return;
    pretok_free(v);
    mote_strmap_free(&v->text_to_id);
    mote_u64map_free(&v->merges);
    mote_u64map_free(&v->trie);
    free(v->arena);
    free(v->text_off);
    free(v->text_len);
    free(v->piece_arena);
    free(v->piece_off);
    free(v->piece_len);
    free(v->scores);
    free(v->attr);
    free(v->eog);
    free(v->special);
    free(v->special_rank);
    free(v->crossing);
    free(v->trie_tok);
    free(v);
}

mote_vocab_type mote_vocab_kind(const mote_vocab *v) { return v->type; }
int32_t mote_vocab_n_tokens(const mote_vocab *v) { return v->n_tokens; }
int32_t mote_vocab_bos(const mote_vocab *v) { return v->bos; }
int32_t mote_vocab_eos(const mote_vocab *v) { return v->eos; }
int32_t mote_vocab_eot(const mote_vocab *v) { return v->eot; }
int32_t mote_vocab_unk(const mote_vocab *v) { return v->unk; }
int32_t mote_vocab_pad(const mote_vocab *v) { return v->pad; }
int32_t mote_vocab_sep(const mote_vocab *v) { return v->sep; }
bool mote_vocab_adds_bos(const mote_vocab *v) { return v->add_bos && v->bos >= 0; }
bool mote_vocab_adds_eos(const mote_vocab *v) { return v->add_eos && v->eos >= 0; }

bool mote_vocab_is_eog(const mote_vocab *v, int32_t t) { return t >= 0 && t < v->n_tokens && v->eog[t]; }

/* See mote.h. */
bool mote_vocab_is_control(const mote_vocab *v, int32_t t) {
    return t >= 0 && t < v->n_tokens && (v->attr[t] & TOK_CONTROL);
}

/* See mote.h. */
int32_t mote_vocab_find(const mote_vocab *v, const char *text, size_t len) {
    return text ? mote_strmap_get(&v->text_to_id, text, len, MOTE_TOKEN_NONE) : MOTE_TOKEN_NONE;
}

/* See mote.h. */
const char *mote_vocab_text(const mote_vocab *v, int32_t t, size_t *len) {
    if (t < 0 || t >= v->n_tokens) return NULL;
    if (len) *len = v->text_len[t];
    return v->arena + v->text_off[t];
}
