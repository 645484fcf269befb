/*
 * file_pages.h — handing back the pages of a model file's mapping that the
 * loaded model no longer reads (see file_pages.c).
 */
#ifndef MOTE_MODEL_FILE_PAGES_H
#define MOTE_MODEL_FILE_PAGES_H

#include "model/model.h"

/* Drop from memory every page of m's tensor data in the file's mapping
 * that holds no byte of a tensor the model still reads there: the matrices
 * whose bytes started at moved[0..n_moved) (repacked: the model reads their
 * copy), the one-row f32 vectors (loader.c copies them, unless
 * m->vector_in_file) and the padding between tensors go; every other
 * tensor's pages stay. Only for a file mapped by mote_gguf_open (pages
 * dropped there come back from the file if read again): anonymous pages
 * dropped would read back as zeros. */
void mote_release_file_pages(const mote_model *m, const void *const *moved, int n_moved);

#endif
