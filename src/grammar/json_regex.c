/*
 * json_regex.c — a JSON Schema "pattern" (ECMA-262 regular expression) as a
 * GBNF expression for the *inside* of a JSON string: the characters the
 * regex matches, each written as JSON spells it (a quote as \", a newline as
 * \n), so that the decoded string matches the regex.
 *
 * Supported: literals, escapes (\d \w \s \D \W \S \n \t \r \. ...), classes
 * [...] and [^...] with ranges, ".", groups (...) and (?:...), alternation,
 * quantifiers * + ? {m} {m,} {m,n} (lazy and possessive suffixes ignored),
 * and ^ / $ at the ends. A pattern is matched as a whole string (a whole
 * match also satisfies JSON Schema's "contains a match" meaning).
 * Lookaround, backreferences and anchors in the middle are refused.
 * Negated classes and "." never produce quotes, backslashes or control
 * characters (a subset of what they allow, so the output still matches).
 */
#include <string.h>

#include "grammar/json_schema_internal.h"

typedef struct {
    const char *s;
    size_t len, pos;
    gtext *out;
    int status;
    int depth;
} rx;

static void rx_fail(rx *r, const char *what) {
    char shown[84];
    if (!r->status)
        r->status = mote_fail(MOTE_ERR_UNSUPPORTED, "json schema: pattern \"%s\": %s (at offset %zu)",
                              gt_printable(shown, sizeof shown, r->s, r->len), what, r->pos);
}

/* One UTF-8 character of the pattern. */
static uint32_t rx_char(rx *r) {
    const unsigned char *u = (const unsigned char *)r->s + r->pos;
    size_t left = r->len - r->pos;
    uint32_t c = u[0];
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (!n || n > left) {
        rx_fail(r, "invalid UTF-8");
        r->pos = r->len;
        return 0;
    }
    if (n > 1) c &= 0x3Fu >> (n - 1);
    for (size_t i = 1; i < n; i++) c = (c << 6) | (u[i] & 0x3F);
    r->pos += n;
    return c;
}

/* A code point inside a GBNF class. */
static void class_cp(gtext *t, uint32_t c) {
    if (c == ']' || c == '[' || c == '\\' || c == '^' || c == '-') gt_fmt(t, "\\%c", (char)c);
    else if (c < 0x20 || c == 0x7F) gt_fmt(t, "\\x%02X", c);
    else if (c < 0x80) gt_fmt(t, "%c", (char)c);
    else gt_fmt(t, "\\U%08X", c);
}

/* The JSON spelling of one special character (quote, backslash, control) as a GBNF literal. */
static void json_special(gtext *t, uint32_t c) {
    switch (c) {
    case '"': gt_str(t, "\"\\\\\\\"\""); break;  /* "\\\"" : backslash, quote */
    case '\\': gt_str(t, "\"\\\\\\\\\""); break; /* "\\\\" : two backslashes */
    case '\n': gt_str(t, "\"\\\\n\""); break;
    case '\t': gt_str(t, "\"\\\\t\""); break;
    case '\r': gt_str(t, "\"\\\\r\""); break;
    default: gt_fmt(t, "\"\\\\u%04x\"", c); break;
    }
}

static bool is_special(uint32_t c) { return c < 0x20 || c == '"' || c == '\\' || c == 0x7F; }

/* A literal character as it appears inside a JSON string. */
static void emit_literal(gtext *t, uint32_t c) {
    if (is_special(c)) {
        json_special(t, c);
        return;
    }
    char buf[4];
    size_t n;
    if (c < 0x80) buf[0] = (char)c, n = 1;
    else if (c < 0x800) buf[0] = (char)(0xC0 | c >> 6), buf[1] = (char)(0x80 | (c & 0x3F)), n = 2;
    else if (c < 0x10000)
        buf[0] = (char)(0xE0 | c >> 12), buf[1] = (char)(0x80 | ((c >> 6) & 0x3F)), buf[2] = (char)(0x80 | (c & 0x3F)), n = 3;
    else
        buf[0] = (char)(0xF0 | c >> 18), buf[1] = (char)(0x80 | ((c >> 12) & 0x3F)), buf[2] = (char)(0x80 | ((c >> 6) & 0x3F)),
        buf[3] = (char)(0x80 | (c & 0x3F)), n = 4;
    gt_literal(t, buf, n);
}

#define MAX_RANGES 128
typedef struct {
    uint32_t lo[MAX_RANGES], hi[MAX_RANGES];
    int n;
    bool full; /* too many ranges */
} rangeset;

static void rs_add(rangeset *rs, uint32_t lo, uint32_t hi) {
    if (rs->n == MAX_RANGES) {
        rs->full = true;
        return;
    }
    rs->lo[rs->n] = lo, rs->hi[rs->n] = hi, rs->n++;
}

/* The ranges of a class escape (\d \w \s), or false if c is not one. */
static bool class_escape(rangeset *rs, char c) {
    switch (c) {
    case 'd': rs_add(rs, '0', '9'); return true;
    case 'w': rs_add(rs, 'a', 'z'), rs_add(rs, 'A', 'Z'), rs_add(rs, '0', '9'), rs_add(rs, '_', '_'); return true;
    case 's': rs_add(rs, ' ', ' '), rs_add(rs, '\t', '\r'); return true;
    default: return false;
    }
}

/* A positive set: its plain characters as a class, its special ones as JSON escapes. */
static void emit_positive(rx *r, const rangeset *rs) {
    gtext cls = {0}, alts = {0};
    for (int i = 0; i < rs->n; i++) {
        uint32_t lo = rs->lo[i], hi = rs->hi[i];
        /* split around the specials: 0x00-0x1F, '"', '\\', 0x7F */
        for (uint32_t c = lo; c <= hi && c < 0x80; c++)
            if (is_special(c)) {
                if (alts.len) gt_str(&alts, " | ");
                json_special(&alts, c);
            }
        static const uint32_t cut[][2] = {{0x20, 0x21}, {0x23, 0x5B}, {0x5D, 0x7E}, {0x80, 0x10FFFF}};
        for (int k = 0; k < 4; k++) {
            uint32_t a = lo > cut[k][0] ? lo : cut[k][0], b = hi < cut[k][1] ? hi : cut[k][1];
            if (a > b) continue;
            class_cp(&cls, a);
            if (b > a) {
                gt_str(&cls, "-");
                class_cp(&cls, b);
            }
        }
    }
    if (!cls.len && !alts.len) rx_fail(r, "a class that matches nothing");
    gt_str(r->out, "(");
    if (cls.len) gt_fmt(r->out, "[%s]", cls.s);
    if (cls.len && alts.len) gt_str(r->out, " | ");
    if (alts.len) gt_str(r->out, alts.s);
    gt_str(r->out, ")");
    if (cls.failed || alts.failed) r->out->failed = true;
    gt_free(&cls);
    gt_free(&alts);
}

/* A negated set: everything else, without the specials. */
static void emit_negated(rx *r, const rangeset *rs) {
    gt_str(r->out, "[^");
    for (int i = 0; i < rs->n; i++) {
        class_cp(r->out, rs->lo[i]);
        if (rs->hi[i] > rs->lo[i]) {
            gt_str(r->out, "-");
            class_cp(r->out, rs->hi[i]);
        }
    }
    gt_str(r->out, "\"\\\\\\x00-\\x1F\\x7F]");
}

/* One character (or escape) inside [...]: its ranges added to rs; returns
 * the code point for a plain character (range ends), or UINT32_MAX for an
 * escape standing for a set. */
static uint32_t class_item(rx *r, rangeset *rs, rangeset *neg) {
    if (r->s[r->pos] != '\\') return rx_char(r);
    if (r->pos + 1 >= r->len) {
        rx_fail(r, "a backslash at the end");
        return 0;
    }
    char e = r->s[r->pos + 1];
    r->pos += 2;
    if (class_escape(rs, e)) return UINT32_MAX;
    if (e == 'D' || e == 'W' || e == 'S') {
        rx_fail(r, "\\D, \\W or \\S inside a class");
        (void)neg;
        return UINT32_MAX;
    }
    switch (e) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'f': return '\f';
    case 'v': return '\v';
    case 'b': return '\b';
    default:
        if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
            rx_fail(r, "an escape mote cannot translate");
            return 0;
        }
        return (uint32_t)(unsigned char)e;
    }
}

static void rx_class(rx *r) {
    r->pos++; /* [ */
    bool neg = r->pos < r->len && r->s[r->pos] == '^';
    if (neg) r->pos++;
    rangeset rs = {.n = 0};
    bool first = true;
    while (!r->status && r->pos < r->len && (r->s[r->pos] != ']' || first)) {
        first = false;
        uint32_t lo = class_item(r, &rs, NULL);
        if (lo == UINT32_MAX) continue;
        uint32_t hi = lo;
        if (r->pos + 1 < r->len && r->s[r->pos] == '-' && r->s[r->pos + 1] != ']') {
            r->pos++;
            hi = class_item(r, &rs, NULL);
            if (hi == UINT32_MAX || hi < lo) {
                rx_fail(r, "a bad range in a class");
                return;
            }
        }
        rs_add(&rs, lo, hi);
    }
    if (r->pos >= r->len) return rx_fail(r, "'[' without ']'");
    r->pos++;
    if (rs.full) return rx_fail(r, "a class with too many ranges");
    if (neg) emit_negated(r, &rs);
    else emit_positive(r, &rs);
}

static void rx_alt(rx *r);

static void rx_atom(rx *r) {
    char c = r->s[r->pos];
    if (c == '(') {
        if (++r->depth > 50) return rx_fail(r, "groups nested too deep");
        r->pos++;
        if (r->pos + 1 < r->len && r->s[r->pos] == '?') {
            if (r->s[r->pos + 1] != ':') return rx_fail(r, "lookaround and named groups are not supported");
            r->pos += 2;
        }
        gt_str(r->out, "(");
        rx_alt(r);
        if (r->pos >= r->len || r->s[r->pos] != ')') return rx_fail(r, "'(' without ')'");
        r->pos++;
        r->depth--;
        gt_str(r->out, ")");
    } else if (c == '[') {
        rx_class(r);
    } else if (c == '.') {
        r->pos++;
        gt_str(r->out, "[^\"\\\\\\x00-\\x1F\\x7F]");
    } else if (c == '\\') {
        if (r->pos + 1 >= r->len) return rx_fail(r, "a backslash at the end");
        char e = r->s[r->pos + 1];
        r->pos += 2;
        rangeset rs = {.n = 0};
        if (class_escape(&rs, e)) return emit_positive(r, &rs);
        if (e == 'D' || e == 'W' || e == 'S') {
            class_escape(&rs, (char)(e - 'A' + 'a'));
            return emit_negated(r, &rs);
        }
        if (e >= '1' && e <= '9') return rx_fail(r, "backreferences are not supported");
        uint32_t lit = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'f' ? '\f' : e == 'v' ? '\v' : (uint32_t)(unsigned char)e;
        if (((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z')) && lit == (uint32_t)(unsigned char)e)
            return rx_fail(r, "an escape mote cannot translate");
        emit_literal(r->out, lit);
    } else if (c == '^' || c == '$') {
        rx_fail(r, "^ or $ inside the pattern (only at its ends)");
    } else if (c == '*' || c == '+' || c == '?') {
        rx_fail(r, "a quantifier with nothing before it");
    } else {
        emit_literal(r->out, rx_char(r));
    }
}

static void rx_quant(rx *r) {
    if (r->pos >= r->len) return;
    char c = r->s[r->pos];
    if (c == '*' || c == '+' || c == '?') {
        gt_fmt(r->out, "%c", c);
        r->pos++;
    } else if (c == '{') {
        size_t end = r->pos + 1;
        while (end < r->len && ((r->s[end] >= '0' && r->s[end] <= '9') || r->s[end] == ',')) end++;
        if (end >= r->len || r->s[end] != '}' || end == r->pos + 1) {
            /* not a quantifier: a literal brace */
            return;
        }
        gt_add(r->out, r->s + r->pos, end + 1 - r->pos);
        r->pos = end + 1;
    } else {
        return;
    }
    if (r->pos < r->len && (r->s[r->pos] == '?' || r->s[r->pos] == '+')) r->pos++; /* lazy / possessive */
}

static void rx_seq(rx *r) {
    bool any = false;
    while (!r->status && r->pos < r->len && r->s[r->pos] != '|' && r->s[r->pos] != ')') {
        if (r->s[r->pos] == '$' && r->pos + 1 == r->len) {
            r->pos++;
            break;
        }
        if (any) gt_str(r->out, " ");
        rx_atom(r);
        rx_quant(r);
        any = true;
    }
    if (!any) gt_str(r->out, "\"\"");
}

static void rx_alt(rx *r) {
    rx_seq(r);
    while (!r->status && r->pos < r->len && r->s[r->pos] == '|') {
        r->pos++;
        gt_str(r->out, " | ");
        rx_seq(r);
    }
}

int js_pattern_to_gbnf(const char *pattern, size_t len, gtext *out) {
    rx r = {pattern, len, 0, out, MOTE_OK, 0};
    if (len && pattern[0] == '^') r.pos = 1;
    gt_str(out, "(");
    rx_alt(&r);
    gt_str(out, ")");
    if (!r.status && r.pos < r.len) rx_fail(&r, "an unbalanced ')'");
    return r.status;
}
