/*
 * chunk.c — documents into overlapping chunks of at most N tokens (see chunk.h).
 */
#include "rag/chunk.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "tokenizer/utf8.h"

/* One sentence (or piece of one) of the document. */
typedef struct {
    size_t start, end;
    int32_t n_tokens;
    bool para;          /* begins a paragraph */
} unit;

typedef struct {
    unit *u;
    size_t n, cap;
} unit_list;

static bool units_add(unit_list *l, unit x) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        unit *more = realloc(l->u, cap * sizeof *more);
        if (!more) return false;
        l->u = more;
        l->cap = cap;
    }
    l->u[l->n++] = x;
    return true;
}

/* White space: ASCII, and Unicode space separators (no-break space, U+3000 ...). */
static bool is_space_at(const char *s, size_t n, size_t *len) {
    unsigned char c = (unsigned char)s[0];
    *len = 1;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') return true;
    if (c < 0x80) return false;
    uint32_t cp;
    *len = utf8_decode(s, n, &cp);
    return utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_ZS;
}

/* Bytes of the character at s (a stray byte counts as one). */
static size_t char_len(const char *s, size_t n) {
    uint32_t cp;
    return utf8_decode(s, n, &cp);
}

/* Sentence-ending punctuation at s: its length (0 if none); *cjk when no
 * space needs to follow (。！？). */
static size_t sentence_end_at(const char *s, size_t n, bool *cjk) {
    *cjk = false;
    if (*s == '.' || *s == '!' || *s == '?') return 1;
    if (n >= 3 && (!memcmp(s, "\xE3\x80\x82", 3) || !memcmp(s, "\xEF\xBC\x81", 3) || !memcmp(s, "\xEF\xBC\x9F", 3))) {
        *cjk = true;
        return 3;
    }
    return 0;
}

/* Closing marks that stay with the sentence before them: ) ] " ' ” ’ » 」 */
static size_t closer_at(const char *s, size_t n) {
    if (*s == ')' || *s == ']' || *s == '"' || *s == '\'') return 1;
    static const char *const multi[] = {"\xE2\x80\x9D", "\xE2\x80\x99", "\xC2\xBB", "\xE3\x80\x8D"};
    for (size_t i = 0; i < sizeof multi / sizeof *multi; i++) {
        size_t l = strlen(multi[i]);
        if (n >= l && !memcmp(s, multi[i], l)) return l;
    }
    return 0;
}

/* True if the line starting at s opens a heading or a list item ("# ", "- ", "* ", "1. "). */
static bool line_opens_block(const char *s, size_t n) {
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t') && i < 4) i++;
    if (i >= n) return false;
    if (s[i] == '#') return true;
    if ((s[i] == '-' || s[i] == '*' || s[i] == '+') && i + 1 < n && s[i + 1] == ' ') return true;
    size_t d = i;
    while (d < n && s[d] >= '0' && s[d] <= '9') d++;
    return d > i && d + 1 < n && (s[d] == '.' || s[d] == ')') && s[d + 1] == ' ';
}

/* Close the unit [start, end) trimmed of white space (if anything is left). */
static bool emit(unit_list *l, const char *text, size_t start, size_t end, bool para) {
    size_t sl;
    while (start < end && is_space_at(text + start, end - start, &sl)) start += sl;
    /* trailing white space: step back over ASCII spaces and whole multi-byte spaces */
    while (end > start) {
        size_t b = end - 1;
        while (b > start && ((unsigned char)text[b] & 0xC0) == 0x80) b--;
        if (!is_space_at(text + b, end - b, &sl) || b + sl != end) break;
        end = b;
    }
    if (start == end) return true;
    return units_add(l, (unit){start, end, 0, para});
}

/* Split the text into sentence units. */
static bool split_units(const char *text, size_t len, unit_list *l) {
    size_t start = 0, i = 0;
    bool para = true;
    while (i < len) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            /* a blank line ends a paragraph; a heading or list item starts a unit */
            size_t j = i + 1;
            while (j < len && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r')) j++;
            if (j < len && text[j] == '\n') {
                if (!emit(l, text, start, i, para)) return false;
                while (j < len && (text[j] == '\n' || text[j] == ' ' || text[j] == '\t' || text[j] == '\r')) j++;
                start = i = j;
                para = true;
                continue;
            }
            if (line_opens_block(text + i + 1, len - i - 1)) {
                size_t before = l->n;
                if (!emit(l, text, start, i, para)) return false;
                bool heading = text[i + 1 + strspn(text + i + 1, " \t")] == '#';
                if (l->n > before) para = heading;
                else para = para || heading;
                start = i = i + 1;
                continue;
            }
            i++;
            continue;
        }
        bool cjk;
        size_t pl = sentence_end_at(text + i, len - i, &cjk);
        if (pl) {
            size_t j = i + pl;
            for (size_t cl; j < len && (cl = closer_at(text + j, len - j));) j += cl;
            size_t sl;
            if (cjk || j >= len || is_space_at(text + j, len - j, &sl)) {
                size_t before = l->n;
                if (!emit(l, text, start, j, para)) return false;
                if (l->n > before) para = false;
                start = i = j;
                continue;
            }
            i = j;
            continue;
        }
        i += char_len(text + i, len - i);
    }
    return emit(l, text, start, len, para);
}

/* The longest prefix of [start, end) holding at most max tokens that ends
 * at a word boundary (or, if the first word alone is too long, at a
 * character boundary); at least one character. */
static size_t longest_prefix(const char *text, size_t start, size_t end, int32_t max, rag_count_fn count,
                             void *user) {
    /* candidate cut points: the ends of words */
    size_t *cuts = malloc((end - start + 1) * sizeof *cuts);
    if (!cuts) return start + char_len(text + start, end - start);
    size_t n = 0, sl;
    for (size_t i = start; i < end;) {
        if (is_space_at(text + i, end - i, &sl)) {
            if (i > start && (n == 0 || cuts[n - 1] != i)) cuts[n++] = i;
            i += sl;
        } else i += char_len(text + i, end - i);
    }
    size_t best = 0;
    /* binary search: the count grows with the prefix */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (count(text + start, cuts[mid] - start, user) <= max) {
            best = cuts[mid];
            lo = mid + 1;
        } else hi = mid;
    }
    if (!best) {
        /* no word fits whole: cut at characters */
        n = 0;
        for (size_t i = start; i < end;) {
            i += char_len(text + i, end - i);
            cuts[n++] = i;
        }
        lo = 0, hi = n;
        best = cuts[0];
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (count(text + start, cuts[mid] - start, user) <= max) {
                best = cuts[mid];
                lo = mid + 1;
            } else hi = mid;
        }
    }
    free(cuts);
    return best;
}

/* Count every unit, cutting those longer than max into pieces. */
static bool count_units(const char *text, unit_list *in, unit_list *out, int32_t max, rag_count_fn count,
                        void *user) {
    for (size_t k = 0; k < in->n; k++) {
        unit u = in->u[k];
        int32_t n = count(text + u.start, u.end - u.start, user);
        if (n <= max) {
            u.n_tokens = n;
            if (!units_add(out, u)) return false;
            continue;
        }
        bool para = u.para;
        size_t s = u.start;
        while (s < u.end) {
            size_t cut = longest_prefix(text, s, u.end, max, count, user);
            size_t before = out->n;
            if (!emit(out, text, s, cut, para)) return false;
            if (out->n > before) {
                unit *p = &out->u[out->n - 1];
                p->n_tokens = count(text + p->start, p->end - p->start, user);
                para = false;
            }
            s = cut;
            size_t sl;
            while (s < u.end && is_space_at(text + s, u.end - s, &sl)) s += sl;
        }
    }
    return true;
}

int rag_chunk_text(const char *text, size_t len, int32_t max_tokens, int32_t overlap, rag_count_fn count,
                   void *user, rag_chunk **out, size_t *n_out) {
    *out = NULL;
    *n_out = 0;
    if (max_tokens < 1) max_tokens = 1;
    if (overlap < 0) overlap = 0;
    if (overlap >= max_tokens) overlap = max_tokens - 1;
    unit_list raw = {0}, units = {0};
    rag_chunk *chunks = NULL;
    size_t n = 0, cap = 0;
    int rc = -1;
    if (!split_units(text, len, &raw) || !count_units(text, &raw, &units, max_tokens, count, user)) goto done;
    size_t i = 0, first_new = 0; /* units before first_new are the overlap */
    while (i < units.n) {
        /* pack units [i, j) */
        size_t j = i;
        int32_t sum = 0;
        while (j < units.n && sum + units.u[j].n_tokens <= max_tokens) {
            if (j > first_new && units.u[j].para && sum * 2 >= max_tokens) break;
            sum += units.u[j++].n_tokens;
        }
        if (j == i) sum = units.u[j++].n_tokens; /* cannot happen: every unit fits */
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            rag_chunk *more = realloc(chunks, cap * sizeof *more);
            if (!more) goto done;
            chunks = more;
        }
        chunks[n++] = (rag_chunk){units.u[i].start, units.u[j - 1].end, sum};
        if (j >= units.n) break;
        /* the next chunk starts with the trailing units that fit the overlap */
        size_t s = j;
        int32_t carried = 0;
        while (s > i + 1 && carried + units.u[s - 1].n_tokens <= overlap) carried += units.u[--s].n_tokens;
        /* ... and leave room for at least one new unit, so that every chunk moves on */
        while (s < j && carried + units.u[j].n_tokens > max_tokens) carried -= units.u[s++].n_tokens;
        i = s;
        first_new = j;
    }
    *out = chunks;
    *n_out = n;
    chunks = NULL;
    rc = 0;
done:
    free(chunks);
    free(raw.u);
    free(units.u);
    return rc;
}
