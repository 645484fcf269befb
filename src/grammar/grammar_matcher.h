/*
 * grammar_matcher.h — one running grammar over one vocabulary: the state
 * reached by the tokens accepted so far, the test of a single token, and
 * the mask of every token that can come next (walked over the token trie,
 * remembered for states seen before). Used by the sampler; one thread at a
 * time.
 */
#ifndef MOTE_GRAMMAR_MATCHER_H
#define MOTE_GRAMMAR_MATCHER_H

#include "grammar/grammar_internal.h"
#include "grammar/grammar_vocab.h"

typedef struct grammar_matcher grammar_matcher;

/* A matcher at the grammar's start; NULL (with mote_last_error) on failure.
 * g and gv must outlive it. */
grammar_matcher *grammar_matcher_new(const mote_grammar *g, const mote_grammar_vocab *gv);
void grammar_matcher_free(grammar_matcher *m);
/* Back to the start. */
void grammar_matcher_restart(grammar_matcher *m);
/* True if the token may come next (an end-of-generation token: if the text so
 * far completes the grammar). */
bool grammar_matcher_allows(grammar_matcher *m, int32_t token);
/* Advance past a token grammar_matcher_allows accepted. Returns false (and
 * leaves the state) if it does not fit. */
bool grammar_matcher_accept(grammar_matcher *m, int32_t token);
/* A bit per token (bit t of byte t/8) set when the token may come next; valid
 * until the next call. NULL on out-of-memory. */
const uint8_t *grammar_matcher_mask(grammar_matcher *m);
/* The text so far is a whole match (the grammar could end here). */
bool grammar_matcher_complete(const grammar_matcher *m);
/* An end-of-generation token was accepted, or no text can follow. */
bool grammar_matcher_finished(const grammar_matcher *m);
/* The vocabulary it works on. */
const mote_grammar_vocab *grammar_matcher_vocab(const grammar_matcher *m);

#endif
