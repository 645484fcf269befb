/*
 * pyre.h — the few Python `re` operations the IFEval checkers use (search,
 * findall count, split), on PCRE2 with Unicode on (PCRE2_UTF | PCRE2_UCP),
 * which makes \w, \s, \b and case-folding behave as Python's str patterns.
 * Patterns come from the data (keywords are used as regular expressions by
 * the reference), so a pattern PCRE2 refuses is reported, not a crash.
 */
#ifndef MOTE_EVAL_PYRE_H
#define MOTE_EVAL_PYRE_H

#include <stdbool.h>
#include <stddef.h>

#define PYRE_IGNORECASE 1u
#define PYRE_MULTILINE 2u

/* One piece of a split: bytes [begin, end) of the subject. */
typedef struct {
    size_t begin, end;
} pyre_span;

/* re.search: 1 if the pattern matches somewhere, 0 if not, -1 on a bad pattern. */
int pyre_search(const char *pattern, unsigned flags, const char *s, size_t len);
/* len(re.findall(...)): the number of non-overlapping matches, -1 on a bad pattern. */
long pyre_count(const char *pattern, unsigned flags, const char *s, size_t len);
/* re.findall with the matches' spans: up to `cap` spans into out; returns
 * the number of matches (may exceed cap), -1 on a bad pattern. */
long pyre_findall(const char *pattern, unsigned flags, const char *s, size_t len, pyre_span *out, size_t cap);
/* re.split: the pieces between matches (count = matches + 1) into a malloc'd
 * array *pieces; returns the count, -1 on a bad pattern or no memory. */
long pyre_split(const char *pattern, unsigned flags, const char *s, size_t len, pyre_span **pieces);

#endif
