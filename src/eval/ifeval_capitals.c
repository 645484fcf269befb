/*
 * ifeval_capitals.c — counting the all-capitals words of a response as
 * the reference's capital_word_frequency checker does: the words of
 * nltk.word_tokenize for which Python's str.isupper() holds.
 *
 * Only the splitting rules that change that count are reproduced: the
 * Treebank tokenizer cuts punctuation ( ; @ # $ % & ? ! * brackets quotes,
 * and ',' or ':' unless a digit follows), "--" and "...", and contractions
 * ("DON'T" is "DO" + "N'T": two capital words; "I'm" is "I" + "'m": one).
 * Periods inside words stay, as in the tokenizer.
 */
#include <stdbool.h>
#include <string.h>

#include "eval/ifeval_internal.h"
#include "eval/text.h"

/* Does the piece [b, e) count, after splitting off a contraction? */
static size_t count_piece(const char *s, size_t b, size_t e) {
    if (e <= b) return 0;
    size_t n = e - b;
    /* "cannot", "gonna", "gotta", "wanna", "gimme", "lemme" are two words, cut after three letters */
    static const char *const twos[] = {"cannot", "gonna", "gotta", "wanna", "gimme", "lemme", NULL};
    for (const char *const *t = twos; *t; t++)
        if (strlen(*t) == n && !strncasecmp(s + b, *t, n)) {
            size_t cut = b + 3;
            return text_py_isupper(s + b, cut - b) + text_py_isupper(s + cut, e - cut);
        }
    /* contraction endings, each split off when something other than a quote precedes it */
    static const char *const endings[] = {"n't", "N'T", "'ll", "'LL", "'re", "'RE", "'ve", "'VE",
                                          "'s",  "'S",  "'m",  "'M",  "'d",  "'D",  "'",   NULL};
    for (const char *const *t = endings; *t; t++) {
        size_t k = strlen(*t);
        if (n > k && !memcmp(s + e - k, *t, k) && s[e - k - 1] != '\'') {
            size_t cut = e - k;
            return text_py_isupper(s + b, cut - b) + text_py_isupper(s + cut, k);
        }
    }
    return text_py_isupper(s + b, n);
}

/* Is the code point at s[i] (of width w) one the tokenizer cuts out? */
static bool is_cut(const char *s, size_t len, size_t i, int32_t cp) {
    if (cp < 0x80) {
        char c = (char)cp;
        if (strchr(";@#$%&?!*()[]{}<>\"`", c)) return true;
        if (c == ',' || c == ':') return !(i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9');
        return false;
    }
    /* curly quotes and guillemets */
    return cp == 0x201c || cp == 0x201d || cp == 0x2018 || cp == 0x2019 || cp == 0xab || cp == 0xbb ||
           cp == 0x201e;
}

size_t ifeval_count_capital_words(const char *s, size_t len) {
    size_t count = 0, i = 0, piece = 0;
    while (i < len) {
        size_t at = i;
        int32_t cp = text_next_cp(s, len, &i);
        bool cut = text_py_isspace(cp) || is_cut(s, len, at, cp);
        size_t skip_to = i;
        if (!cut && cp == '-' && i < len && s[i] == '-') { /* "--" */
            cut = true;
            skip_to = i + 1;
        }
        if (!cut && cp == '.' && i < len && s[i] == '.') { /* "..." */
            cut = true;
            skip_to = i;
            while (skip_to < len && s[skip_to] == '.') skip_to++;
        }
        if (cut) {
            count += count_piece(s, piece, at);
            piece = i = skip_to;
        }
    }
    count += count_piece(s, piece, len);
    return count;
}
