/*
 * repack.h — matrices rewritten at load into a stored panel layout (see
 * repack.c and quant/types.h, mote_stored_panel).
 */
#ifndef MOTE_MODEL_REPACK_H
#define MOTE_MODEL_REPACK_H

#include "model/model.h"

/* Repack every matrix whose type has a stored panel layout on this CPU
 * (none with MOTE_KERNELS=ref or without one); sets w->stored and w->data
 * and keeps the copy in m->repacked. MOTE_ERR_NOMEM if it cannot. */
int mote_model_repack(mote_model *m);

#endif
