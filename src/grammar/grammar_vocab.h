/*
 * grammar_vocab.h — the vocabulary as grammar matching sees it (see
 * grammar_vocab.c): token bytes, token kinds and the pre-order token trie.
 */
#ifndef MOTE_GRAMMAR_VOCAB_H
#define MOTE_GRAMMAR_VOCAB_H

#include <stdint.h>

#include "mote.h"

/* GV_CONTROL: a control token that is not end-of-generation; allowed only
 * where the grammar spells its text with literal characters (a tool-call
 * marker such as <|tool_call|>), never inside a character class. */
enum { GV_TEXT = 0, GV_EOG = 1, GV_NEVER = 2, GV_CONTROL = 3 };

struct mote_grammar_vocab {
    int32_t n_vocab;
    uint8_t *kind;          /* [n_vocab] GV_TEXT, GV_EOG (allowed when the grammar is complete), GV_NEVER */
    uint32_t *piece_off;    /* [n_vocab] offset of the token's bytes in pieces */
    uint32_t *piece_len;    /* [n_vocab] */
    char *pieces;
    int32_t *eog;           /* the end-of-generation tokens */
    int32_t n_eog;
    int32_t *control;       /* the GV_CONTROL tokens */
    int32_t n_control;
    /* trie of the text tokens, pre-order */
    uint32_t n_nodes, max_len;
    uint8_t *byte;          /* the byte leading into node i (unused for the root, 0) */
    uint32_t *skip;         /* index past node i's subtree */
    uint32_t *tok_first;    /* tokens ending at node i: tok_sorted[tok_first[i] ..] */
    uint32_t *tok_n;
    int32_t *tok_sorted;
};

#endif
