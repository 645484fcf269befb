/*
 * synth.h — internal helpers of synth.c shared with the CLI.
 */
#ifndef MOTE_MODEL_SYNTH_H
#define MOTE_MODEL_SYNTH_H

/* llama.cpp's name of a file type (general.file_type), e.g. "Q4_K - Medium", or NULL if unknown. */
const char *mote_ftype_name(int ftype);

#include <stdint.h>

#include "mote.h"

/* Weights of every tensor mote_synth_write would write for shape s (the
 * architecture's declaration decides which), 0 for an unknown architecture. */
uint64_t mote_synth_count_params(const mote_model_shape *s);

#endif
