/*
 * stopper.c — stop strings in streamed text (mote_stopper, see mote.h).
 *
 * The text not yet shown is kept in `held`. After each piece arrives, the
 * earliest complete stop string in it ends the stream; otherwise everything
 * is shown except the longest tail that is still the beginning of some stop
 * string (it may complete with the next piece). So a stop string is never
 * partly shown, and nothing else is held back longer than necessary.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "mote.h"

struct mote_stopper {
    char **stops;
    size_t *lens;
    size_t n;
    char *held;          /* text received but not shown yet */
    size_t held_len, held_cap;
    char *out;           /* what the last call returned */
    size_t out_cap;
    const char *matched; /* the stop string that ended the text */
};

int mote_stopper_new(const char *const *stops, size_t n, mote_stopper **out) {
    *out = NULL;
    for (size_t i = 0; i < n; i++)
        if (!stops[i] || !stops[i][0]) return mote_fail(MOTE_ERR_INVALID_ARG, "a stop string is empty");
    mote_stopper *s = calloc(1, sizeof *s);
    if (!s) return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    s->stops = calloc(n ? n : 1, sizeof *s->stops);
    s->lens = calloc(n ? n : 1, sizeof *s->lens);
    if (!s->stops || !s->lens) {
        mote_stopper_free(s);
        return mote_fail(MOTE_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        if (!(s->stops[i] = strdup(stops[i]))) {
            s->n = i;
            mote_stopper_free(s);
            return mote_fail(MOTE_ERR_NOMEM, "out of memory");
        }
        s->lens[i] = strlen(stops[i]);
    }
    s->n = n;
    *out = s;
    return MOTE_OK;
}

void mote_stopper_free(mote_stopper *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) free(s->stops[i]);
    free(s->stops);
    free(s->lens);
    free(s->held);
    free(s->out);
    free(s);
}

static bool grow(char **buf, size_t *cap, size_t need) {
    if (need <= *cap) return true;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    char *p = realloc(*buf, c);
    if (!p) return false;
    *buf = p;
    *cap = c;
    return true;
}

/* Length of the longest tail of held that begins some stop string. */
static size_t partial_tail(const mote_stopper *s) {
    size_t best = 0;
    for (size_t i = 0; i < s->n; i++) {
        size_t max = s->lens[i] - 1 < s->held_len ? s->lens[i] - 1 : s->held_len;
        for (size_t k = max; k > best; k--)
            if (!memcmp(s->held + s->held_len - k, s->stops[i], k)) {
                best = k;
                break;
            }
    }
    return best;
}

/* Move the first n held bytes to out. */
static void emit(mote_stopper *s, size_t n, const char **out, size_t *out_len) {
    memcpy(s->out, s->held, n);
    memmove(s->held, s->held + n, s->held_len - n);
    s->held_len -= n;
    *out = s->out;
    *out_len = n;
}

bool mote_stopper_feed(mote_stopper *s, const char *text, size_t len, const char **out, size_t *out_len) {
    *out = "";
    *out_len = 0;
    if (s->matched) return true; /* already ended: the rest is dropped */
    if (len == 0) return false;  /* nothing new (text may be NULL): what is held stays held */
    if (!grow(&s->held, &s->held_cap, s->held_len + len) || !grow(&s->out, &s->out_cap, s->held_len + len + 1)) {
        /* out of memory: show the text unfiltered rather than lose it */
        *out = text;
        *out_len = len;
        return false;
    }
    memcpy(s->held + s->held_len, text, len);
    s->held_len += len;
    /* the earliest complete stop string, if any */
    size_t at = SIZE_MAX;
    for (size_t i = 0; i < s->n; i++) {
        if (s->lens[i] > s->held_len) continue;
        for (size_t p = 0; p + s->lens[i] <= s->held_len && p < at; p++)
            if (!memcmp(s->held + p, s->stops[i], s->lens[i])) {
                at = p;
                s->matched = s->stops[i];
                break;
            }
    }
    if (at != SIZE_MAX) {
        emit(s, at, out, out_len);
        s->held_len = 0;
        return true;
    }
    emit(s, s->held_len - partial_tail(s), out, out_len);
    return false;
}

const char *mote_stopper_flush(mote_stopper *s, size_t *len) {
    const char *out = "";
    *len = 0;
    if (!s->matched && s->held_len && grow(&s->out, &s->out_cap, s->held_len + 1)) emit(s, s->held_len, &out, len);
    s->held_len = 0;
    s->matched = NULL;
    return out;
}

const char *mote_stopper_matched(const mote_stopper *s) { return s->matched; }
