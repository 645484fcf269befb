/*
 * ifeval_sentences.c — counting sentences the way nltk's English punkt
 * tokenizer does, which the reference's number_sentences checker uses.
 *
 * Punkt's procedure is followed: a candidate break is the last '.', '?' or
 * '!' of a whitespace-separated run that is followed by punctuation or by
 * another token; '?' and '!' always break; a word ending in '.' breaks
 * unless it is an abbreviation, and abbreviations, initials ("J."),
 * numbers ("1.") and ellipses are then re-decided by the next word's
 * capitalisation. Punkt learned its abbreviations and which words are seen
 * capitalised from a corpus; those tables are replaced here by the short
 * lists below, so the count is an approximation (docs/eval.md).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "eval/ifeval_internal.h"
#include "eval/text.h"

/* Abbreviations that a period does not end (lower case, without the final period). */
static const char *const abbreviations[] = {
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "inc", "ltd", "co", "corp", "vs", "e.g", "i.e", "u.s",
    "u.k", "a.m", "p.m", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "gen", "gov", "sen", "rep", "col", "lt", "sgt", "capt", "mt", "ft", "no", "vol", "approx", "dept", "est",
    "fig", "u.n", "d.c", "n.y", "ph.d", "etc", NULL,
};

/* Words that start sentences and are common in lower case: a capitalised one
 * after an abbreviation, initial or ellipsis marks a new sentence. */
static const char *const common_words[] = {
    "the", "a", "an", "this", "that", "these", "those", "it", "he", "she", "they", "we", "i", "you", "but",
    "and", "or", "so", "if", "in", "on", "at", "for", "with", "as", "however", "there", "his", "her", "its",
    "our", "their", "my", "your", "what", "when", "where", "why", "how", "who", "which", "some", "many",
    "most", "all", "each", "one", "no", "not", "then", "also", "to", "of", "by", "from", "after", "before",
    "while", "since", "because", "although", "here", "both", "other", "such", "every", "any", "first",
    "finally", "instead", "let", "let's", "please", "meanwhile", "yet", "still", "thus", "therefore", "moreover", "furthermore", NULL,
};

static bool in_list(const char *const *list, const char *w, size_t n) {
    for (; *list; list++)
        if (strlen(*list) == n && !strncmp(*list, w, n)) return true;
    return false;
}

/* Punctuation that punkt splits off as a token of its own. */
static bool non_word(char c) { return c && strchr("?!)\";}]*:@'({[", c) != NULL; }
/* Characters that cannot start a punkt word token. */
static bool not_word_start(char c) { return c && strchr("(\"`{[:;&#*@)}]-,", c) != NULL; }
static bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Does the token tok (ending in '.') look like a number ("1.", "-3.5.")? */
static bool is_number_token(const char *t, size_t n) {
    size_t i = 0;
    if (i < n && t[i] == '-') i++;
    if (i < n && (t[i] == '.' || t[i] == ',')) i++;
    if (i >= n || !isdigit((unsigned char)t[i])) return false;
    for (i++; i < n; i++)
        if (!isdigit((unsigned char)t[i]) && t[i] != ',' && t[i] != '.' && t[i] != '-') return false;
    return true;
}

/* What punkt's orthographic heuristic says of the next token: 1 a sentence
 * starter, 0 not, -1 unknown. */
static int ortho_next(const char *next, size_t n) {
    if (n == 1 && strchr(";:,.!?", next[0])) return 0;
    unsigned char c = (unsigned char)next[0];
    if (islower(c)) return 0;
    if (isupper(c)) {
        char low[32];
        size_t m = 0;
        while (m < n && m < sizeof low && isalpha((unsigned char)next[m])) {
            low[m] = (char)tolower((unsigned char)next[m]);
            m++;
        }
        return m < sizeof low && in_list(common_words, low, m) ? 1 : -1;
    }
    return -1;
}

/* Is there a sentence break after the '.', '?' or '!' at s[q], whose run of
 * non-space characters started at run_start, given the following token? */
static bool breaks_here(const char *s, size_t run_start, size_t q, const char *next, size_t next_len) {
    /* '?' or '!' inside the context are tokens of their own, and break */
    for (size_t i = run_start; i <= q; i++)
        if (s[i] == '?' || s[i] == '!') return true;
    /* the token ending at q: after the last split-off punctuation */
    size_t b = q;
    while (b > run_start && !non_word(s[b - 1])) b--;
    while (b < q && not_word_start(s[b])) b++;
    const char *tok = s + b;
    size_t n = q + 1 - b; /* with the final '.' */
    if (n == 1) return true; /* "." alone */
    char low[64];
    size_t m = n - 1 < sizeof low ? n - 1 : sizeof low - 1;
    for (size_t i = 0; i < m; i++) low[i] = (char)tolower((unsigned char)tok[i]);
    const char *last_part = low;
    for (size_t i = 0; i < m; i++)
        if (low[i] == '-') last_part = low + i + 1;
    bool abbr = in_list(abbreviations, low, m) || in_list(abbreviations, last_part, m - (size_t)(last_part - low));
    bool initial = n == 2 && isalpha((unsigned char)tok[0]);
    bool number = is_number_token(tok, n);
    int ortho = ortho_next(next, next_len);
    if (abbr && !initial) return ortho == 1;
    if (initial || number) {
        if (ortho == 0) return false;
        if (ortho == -1 && initial && isupper((unsigned char)next[0])) return false;
    }
    return true;
}

size_t ifeval_count_sentences(const char *s, size_t len) {
    size_t end = len; /* len(text.rstrip()) */
    while (end > 0 && is_space(s[end - 1])) end--;
    size_t count = 0, last_break = 0, i = 0;
    while (i < len) {
        while (i < len && is_space(s[i])) i++;
        size_t run = i;
        while (i < len && !is_space(s[i])) i++;
        size_t run_end = i;
        if (run == run_end) break;
        /* the last end character followed by split-off punctuation or by another token */
        size_t q = run_end;
        bool has_next_run = false;
        size_t k = run_end;
        while (k < len && is_space(s[k])) k++;
        has_next_run = k < len;
        for (size_t p = run_end; p-- > run;) {
            if (s[p] != '.' && s[p] != '?' && s[p] != '!') continue;
            if ((p + 1 < run_end && non_word(s[p + 1])) || (p + 1 == run_end && has_next_run)) {
                q = p;
                break;
            }
        }
        if (q == run_end) continue;
        const char *next;
        size_t next_len;
        if (q + 1 < run_end) {
            next = s + q + 1;
            next_len = 1;
        } else {
            next = s + k;
            next_len = 0;
            while (k + next_len < len && !is_space(next[next_len])) next_len++;
        }
        /* ellipsis tokens: punkt breaks after them only before a sentence starter */
        bool ellipsis = q > run && s[q] == '.' && s[q - 1] == '.';
        bool brk = ellipsis ? ortho_next(next, next_len) == 1 : breaks_here(s, run, q, next, next_len);
        if (!brk) continue;
        count++; /* the slice [last_break, q] is not empty: it holds s[q] */
        last_break = q + 1 < run_end ? q + 1 : k;
    }
    /* closing quotes and brackets that open the next slice belong to the previous one */
    size_t tail = last_break;
    while (tail < end && strchr("\"')]}", s[tail])) tail++;
    if (tail > last_break && count && (tail == end || is_space(s[tail]))) last_break = tail;
    if (end > last_break) count++;
    return count;
}
