/*
 * synth.h — internal helpers of synth.c shared with the CLI.
 */
#ifndef MOTE_MODEL_SYNTH_H
#define MOTE_MODEL_SYNTH_H

/* llama.cpp's name of a file type (general.file_type), e.g. "Q4_K - Medium", or NULL if unknown. */
const char *mote_ftype_name(int ftype);

#endif
