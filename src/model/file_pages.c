/*
 * file_pages.c — after a model is loaded, the pages of the GGUF mapping
 * that only held what the model has copied elsewhere are handed back.
 *
 * The repacker (repack.c) drops each repacked matrix's pages as it copies
 * them, but only the pages wholly inside that matrix: a page cut by the
 * boundary with a neighbour (another matrix, a norm) stays, and so does a
 * page of a norm that loader.c copied. On smollm2-135m (30 layers, 9
 * tensors each) those were 211 pages, 0.8 MiB resident for nothing, about
 * 0.7 % of its file + KV cache at 16 sequences (issue #11's memory line).
 * Once every tensor has been copied or repacked, a page holding no byte of
 * a tensor still read from the mapping can go.
 */
#include "model/file_pages.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Whether tensor t is no longer read from the mapping. */
static bool tensor_moved(const mote_model *m, const mote_tensor_info *t, const void *const *moved, int n_moved) {
    if (t->type == MOTE_TYPE_F32 && mote_tensor_nelements(t) == t->ne[0]) return !m->vector_in_file;
    for (int i = 0; i < n_moved; i++)
        if (moved[i] == t->data) return true;
    return false;
}

void mote_release_file_pages(const mote_model *m, const void *const *moved, int n_moved) {
    const int64_t n = mote_gguf_n_tensors(m->gguf);
    if (n <= 0) return;
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = UINTPTR_MAX, hi = 0; /* the tensors' pages */
    for (int64_t i = 0; i < n; i++) {
        const mote_tensor_info *t = mote_gguf_tensor(m->gguf, i);
        const uintptr_t b = (uintptr_t)t->data, e = b + t->size;
        if (b < lo) lo = b;
        if (e > hi) hi = e;
    }
    lo &= ~(page - 1);
    hi = (hi + page - 1) & ~(page - 1);
    if (hi <= lo) return;
    const size_t n_pages = (hi - lo) / page;
    bool *keep = calloc(n_pages, sizeof *keep); /* pages holding a byte still read */
    if (!keep) return;                         /* a saving, not a need */
    for (int64_t i = 0; i < n; i++) {
        const mote_tensor_info *t = mote_gguf_tensor(m->gguf, i);
        if (!t->size || tensor_moved(m, t, moved, n_moved)) continue;
        const size_t first = ((uintptr_t)t->data - lo) / page, last = ((uintptr_t)t->data + t->size - 1 - lo) / page;
        memset(keep + first, 1, (last - first + 1) * sizeof *keep);
    }
    for (size_t p = 0; p < n_pages;) {
        if (keep[p]) {
            p++;
            continue;
        }
        size_t e = p;
        while (e < n_pages && !keep[e]) e++;
        madvise((void *)(lo + p * page), (e - p) * page, MADV_DONTNEED);
        p = e;
    }
    free(keep);
}
