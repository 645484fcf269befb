/*
 * repack.c — rewrite the model's matrices of types that have a stored panel
 * layout (quant/types.h, mote_stored_panel) into that layout, once, at load.
 *
 * The repacked copy takes the place of the mapped rows: matmul reads only
 * the copy, and the mapped pages of each repacked tensor are handed back to
 * the kernel right after it is copied, so the model's resident size stays
 * one copy of its weights (the file's pages come back only if read again).
 * The token embedding table is read a row at a time by token id and keeps
 * its GGUF layout, unless the output head is tied to it: then the head is
 * repacked like any matrix (batched generation multiplies it every step)
 * and the embedding reads its rows from the panels (the layout's unpack,
 * forward.c), so the table is still held once. That costs one row's
 * unpacking per token, against holding a second copy of the largest
 * matrix (the tied head of llama3.2-1b is 128k rows).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/error.h"
#include "core/threadpool.h"
#include "model/file_pages.h"
#include "model/repack.h"

/* The stored layout w can take, or NULL. */
static const mote_panel_kernels *layout_for(const mote_weight *w) {
    const mote_panel_kernels *k = w->data ? mote_stored_panel(w->type) : NULL;
    return k && w->n_out >= k->rows ? k : NULL;
}

/* The matrices of the model, tok_embd aside (a head tied to it is listed
 * only if its layout can give rows back); NULL entries are unset. */
static int list_matrices(mote_model *m, mote_weight **out) {
    int n = 0;
    const mote_panel_kernels *k = layout_for(&m->output);
    if (m->output.data != m->tok_embd.data || (k && k->unpack && m->output.n_in == m->tok_embd.n_in))
        out[n++] = &m->output;
    for (int32_t il = 0; il < m->hp.n_layer; il++) {
        mote_layer *l = &m->layers[il];
        mote_weight *ws[] = {&l->wq, &l->wk, &l->wv, &l->wqkv, &l->wo, &l->ffn_gate, &l->ffn_up, &l->ffn_down};
        for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++) out[n++] = ws[i];
    }
    return n;
}


static size_t repacked_bytes(const mote_weight *w, const mote_panel_kernels *k) {
    return k->panel_bytes(w->n_in) * (size_t)((w->n_out + k->rows - 1) / k->rows);
}

/* Let the kernel drop the mapped pages wholly inside [p, p + n). */
static void release_pages(const void *p, size_t n) {
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    const uintptr_t lo = ((uintptr_t)p + page - 1) & ~(page - 1), hi = ((uintptr_t)p + n) & ~(page - 1);
    if (hi > lo) madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

#define RELEASE_STEP ((size_t)4 << 20) /* source bytes packed between two hand-backs */

/* One matrix to pack: its panels are split between the pool's threads. */
typedef struct {
    const mote_weight *w;
    const mote_panel_kernels *k;
    uint8_t *out;
} pack_job;

/* This thread's range of panels, packed; the source rows already packed are
 * handed back as it goes, not after the whole matrix: a large one (a tied
 * head of 180 MiB) would otherwise be in memory twice at its end. */
static void pack_part(void *p, int ith, int nth) {
    const pack_job *j = p;
    const mote_weight *w = j->w;
    const mote_panel_kernels *k = j->k;
    const size_t pb = k->panel_bytes(w->n_in);
    long p0, p1;
    mote_split_range((long)((w->n_out + k->rows - 1) / k->rows), ith, nth, &p0, &p1);
    const uint8_t *src = w->data, *released = src + (size_t)p0 * k->rows * w->row_bytes;
    for (long pi = p0; pi < p1; pi++) {
        const int64_t r = (int64_t)pi * k->rows;
        const int rows = (int)(w->n_out - r < k->rows ? w->n_out - r : k->rows);
        k->pack(w->n_in, src + (size_t)r * w->row_bytes, w->row_bytes, rows, j->out + (size_t)pi * pb);
        const uint8_t *done = src + (size_t)(r + rows) * w->row_bytes;
        if ((size_t)(done - released) >= RELEASE_STEP) {
            release_pages(released, (size_t)(done - released));
            released = done - ((uintptr_t)done % (uintptr_t)sysconf(_SC_PAGESIZE)); /* a page cut in two stays */
        }
    }
    if (p1 > p0) release_pages(released, (size_t)(src + (size_t)(p1 * k->rows < w->n_out ? p1 * k->rows : w->n_out) *
                                                          w->row_bytes - released));
}

static mote_load_progress_fn load_progress;
static void *load_progress_user;

void mote_set_load_progress(mote_load_progress_fn fn, void *user) {
    load_progress = fn;
    load_progress_user = user;
}

int mote_model_repack(mote_model *m) {
    const char *env = getenv("MOTE_REPACK"); /* "0": keep the GGUF layout (to compare, or to debug) */
    if (env && strcmp(env, "0") == 0) return MOTE_OK;
    mote_weight **ws = malloc(sizeof *ws * (1 + 8 * (size_t)m->hp.n_layer));
    if (!ws) return mote_fail(MOTE_ERR_NOMEM, "out of memory repacking the model");
    const int n = list_matrices(m, ws);
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        const mote_panel_kernels *k = layout_for(ws[i]);
        if (k) total += (repacked_bytes(ws[i], k) + 63) & ~(size_t)63;
    }
    if (total == 0) {
        free(ws);
        return MOTE_OK;
    }
    /* 2 MiB-aligned, and huge pages asked for: generation streams all of it,
     * and with 4 KiB pages every 4 KiB costs a TLB miss */
    const size_t huge = (size_t)2 << 20, need = total;
    total = (total + huge - 1) & ~(huge - 1);
    uint8_t *buf = aligned_alloc(huge, total);
    if (!buf) {
        free(ws);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory repacking the model (%.0f MiB)", total / 1048576.0);
    }
#ifdef MADV_HUGEPAGE
    madvise(buf, total, MADV_HUGEPAGE); /* a hint: without it, ordinary pages */
#endif
    /* The process's pool (the one contexts use) packs each matrix's panels
     * in parallel: on llama3.2-1b packing alone took 1.2 s of the load. */
    const int n_threads = mote_physical_cores();
    mote_threadpool *pool = n_threads > 1 ? mote_threadpool_acquire(n_threads) : NULL; /* NULL: on this thread */
    mote_threadpool_lock(pool);
    uint8_t *at = buf;
    const void **moved = malloc(sizeof *moved * (size_t)n); /* the repacked matrices' bytes in the file */
    int n_moved = 0;
    for (int i = 0; i < n; i++) {
        mote_weight *w = ws[i];
        const mote_panel_kernels *k = layout_for(w);
        if (!k) continue;
        pack_job job = {w, k, at};
        mote_threadpool_run(pool, pack_part, &job);
        /* what the threads' releases left: the pages cut between two threads */
        release_pages(w->data, w->row_bytes * (size_t)w->n_out);
        if (w == &m->output && m->tok_embd.data == w->data) { /* tied: the embedding reads the panels */
            m->tok_embd.data = at;
            m->tok_embd.stored = k;
        }
        if (moved) moved[n_moved++] = w->data;
        w->data = at;
        w->stored = k;
        at += (repacked_bytes(w, k) + 63) & ~(size_t)63;
        if (load_progress) load_progress((int64_t)(at - buf), (int64_t)need, load_progress_user);
    }
    mote_threadpool_unlock(pool);
    mote_threadpool_release(pool);
    /* the pages the releases above left: those cut between two tensors */
    if (m->file_mapped && moved) mote_release_file_pages(m, moved, n_moved);
    free(moved);
    free(ws);
    m->repacked = buf;
    m->repacked_bytes = total;
    return MOTE_OK;
}
