/*
 * model.c — mote_model_load and the model getters (mote.h section 6).
 *
 * Loading maps the file, picks the architecture from general.architecture,
 * reads the shared hyper-parameters and lets the architecture's file bind
 * its tensors. The model owns the mapping; weights are never copied.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/error.h"
#include "model/loader.h"
#include "model/repack.h"
#include "model/model.h"

/* The registry: one line per architecture (its declaration is in arch/). */
static const mote_arch *const archs[] = {
    &mote_arch_llama, &mote_arch_qwen3, &mote_arch_gemma3, &mote_arch_phi3,
    &mote_arch_qwen2, &mote_arch_gpt2,  &mote_arch_bert,   &mote_arch_bitnet, &mote_arch_smollm3,
    &mote_arch_gemma2,
};
#define N_ARCHS (sizeof archs / sizeof archs[0])

const mote_arch *mote_arch_find(const char *name) {
    for (size_t i = 0; name && i < N_ARCHS; i++)
        if (!strcmp(archs[i]->name, name)) return archs[i];
    return NULL;
}

/* The registry's names in its order (test_model_load checks they agree). */
const char *mote_model_supported_archs(void) { return "llama, qwen3, gemma3, phi3, qwen2, gpt2, bert, bitnet, smollm3, gemma2"; }

void mote_model_free(mote_model *m) {
    if (!m) return;
    mote_gguf_close(m->gguf);
    free(m->repacked);
    free(m->vectors);
    free(m->layers);
    free(m->bound);
    free(m);
}

static mote_model_params process_params; /* mote_set_model_params */

mote_model_params mote_model_default_params(void) {
    mote_model_params p = {false, false, false, false};
    return p;
}

void mote_set_model_params(const mote_model_params *p) { process_params = p ? *p : mote_model_default_params(); }

int mote_model_load(const char *path, mote_model **out) { return mote_model_load_with(path, &process_params, out); }

const char *mote_model_repack_note(const mote_model *m) { return m->repack_note[0] ? m->repack_note : NULL; }

size_t mote_model_locked_bytes(const mote_model *m, const char **why) {
    if (why) *why = m->lock_error[0] ? m->lock_error : NULL;
    return m->locked_bytes;
}

/* Lock what the model reads in RAM: the repacked copy, and the file's bytes
 * as they are first touched (the mapped pages of repacked matrices were
 * handed back and are never read again, so they stay out). A failure is
 * kept for mote_model_locked_bytes, not fatal: the model works unlocked. */
static void lock_weights(mote_model *m) {
    const char *what = NULL;
    if (m->repacked && mlock(m->repacked, m->repacked_bytes) != 0) what = strerror(errno);
    if (!what && mote_gguf_lock(m->gguf) != MOTE_OK) what = mote_last_error();
    if (what) {
        snprintf(m->lock_error, sizeof m->lock_error, "%s (the limit is `ulimit -l`)", what);
        if (m->repacked) munlock(m->repacked, m->repacked_bytes);
        return;
    }
    m->locked_bytes = m->repacked_bytes + m->weight_bytes;
}

int mote_model_load_with(const char *path, const mote_model_params *p, mote_model **out) {
    *out = NULL;
    if (!path) return mote_fail(MOTE_ERR_INVALID_ARG, "no model path given");
    const mote_model_params defaults = mote_model_default_params();
    if (!p) p = &defaults;
    /* Before mapping or reading anything: the file is the weights (and a
     * little metadata), all of which must be in memory to generate. */
    struct stat st;
    if (!p->no_memory_check && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        const char *source;
        const uint64_t avail = mote_memory_available(&source);
        if ((uint64_t)st.st_size > avail)
            return mote_fail(MOTE_ERR_NOMEM,
                             "%s: its weights need %.0f MiB, more than the %.0f MiB of memory available (%s): it "
                             "cannot run here (`mote fit -m MODEL` shows what would fit; --no-memory-check tries "
                             "anyway)",
                             path, st.st_size / 1048576.0, avail / 1048576.0, source);
    }
    mote_gguf *g;
    int rc = p->no_mmap ? mote_gguf_open_read(path, &g) : mote_gguf_open(path, &g);
    if (rc) return rc;
    const char *name = mote_gguf_get_str(g, "general.architecture", NULL);
    const mote_arch *arch = mote_arch_find(name);
    if (!arch) {
        rc = mote_fail(MOTE_ERR_UNSUPPORTED, "%s: architecture '%s' is not supported (supported: %s)", path,
                       name ? name : "(none)", mote_model_supported_archs());
        mote_gguf_close(g);
        return rc;
    }
    mote_model *m = calloc(1, sizeof *m);
    if (!m) {
        mote_gguf_close(g);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory loading %s", path);
    }
    m->gguf = g;
    m->file_mapped = !p->no_mmap;
    strncpy(m->hp.arch, arch->name, sizeof m->hp.arch - 1);
    if ((rc = mote_load_common_hparams(m, arch))) goto fail;
    m->layers = calloc((size_t)m->hp.n_layer, sizeof *m->layers);
    if (!m->layers) {
        rc = mote_fail(MOTE_ERR_NOMEM, "out of memory loading %s", path);
        goto fail;
    }
    if ((rc = mote_bind_declared(m, arch)) || (arch->setup && (rc = arch->setup(m))) ||
        (rc = mote_check_all_bound(m)))
        goto fail;
    free(m->bound);
    m->bound = NULL;
    for (int64_t i = 0; i < mote_gguf_n_tensors(g); i++) {
        const mote_tensor_info *t = mote_gguf_tensor(g, i);
        m->n_params += (uint64_t)mote_tensor_nelements(t);
        m->weight_bytes += t->size;
    }
    /* Stored panels are a speed-up, not a need: where the memory for them
     * cannot be had (an address-space limit counts the file's mapping and
     * the repacked copy), the model runs from the GGUF rows instead. */
    if (!p->no_repack && (rc = mote_model_repack(m))) {
        if (rc != MOTE_ERR_NOMEM) goto fail;
        snprintf(m->repack_note, sizeof m->repack_note, "%s: the matrices stay in the file's layout (slower)",
                 mote_last_error());
    }
    if (p->mlock) lock_weights(m);
    *out = m;
    return MOTE_OK;
fail:
    mote_model_free(m);
    return rc;
}

const char *mote_model_arch(const mote_model *m) { return m->hp.arch; }
int32_t mote_model_n_vocab(const mote_model *m) { return m->hp.n_vocab; }
int32_t mote_model_n_ctx_train(const mote_model *m) { return m->hp.n_ctx_train; }
int32_t mote_model_n_embd(const mote_model *m) { return m->hp.n_embd; }
int32_t mote_model_n_layer(const mote_model *m) { return m->hp.n_layer; }
uint64_t mote_model_n_params(const mote_model *m) { return m->n_params; }
size_t mote_model_weight_bytes(const mote_model *m) { return m->weight_bytes; }
const mote_gguf *mote_model_gguf(const mote_model *m) { return m->gguf; }
