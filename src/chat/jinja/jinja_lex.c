/*
 * jinja_lex.c — turns template source into tokens, the way jinja2's lexer
 * does in transformers' environment:
 *  - line breaks (\r\n, \r) become \n and one trailing newline is dropped;
 *  - {%- / {{- / {#- strip all whitespace before the tag, -%} / -}} / -#}
 *    all whitespace after it;
 *  - trim_blocks: a block or comment tag eats the one newline after it;
 *  - lstrip_blocks: spaces and tabs between the start of a line and a block
 *    or comment tag go (unless the tag opens with {%+);
 *  - {% raw %}...{% endraw %} is text;
 *  - inside a tag, closing delimiters count only outside brackets.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chat/jinja/jinja.h"

typedef struct {
    jheap *h;
    const char *s;
    size_t n, pos;
    int line;
    jtok *toks;
    size_t count, cap;
} lexer;

static void push(lexer *L, jtok t) {
    if (L->count == L->cap) {
        size_t cap = L->cap ? L->cap * 2 : 256;
        jtok *v = jalloc(L->h, cap * sizeof *v);
        if (L->count) memcpy(v, L->toks, L->count * sizeof *v);
        L->toks = v;
        L->cap = cap;
    }
    L->toks[L->count++] = t;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1f); }

static int count_lines(const char *p, size_t n) {
    int k = 0;
    for (size_t i = 0; i < n; i++) k += p[i] == '\n';
    return k;
}

static void push_text(lexer *L, const char *p, size_t n, int line) {
    if (!n) return;
    push(L, (jtok){.t = TK_TEXT, .line = line, .p = p, .n = n});
}

/* Python's unicode-escape decoding of a string literal's body. */
static void unescape(lexer *L, const char *p, size_t n, jtok *t) {
    char *out = jalloc(L->h, n * 2 + 4);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\\' || i + 1 >= n) {
            out[k++] = p[i];
            continue;
        }
        char c = p[++i];
        uint32_t cp = 0;
        int hex = 0;
        switch (c) {
        case 'n': out[k++] = '\n'; continue;
        case 't': out[k++] = '\t'; continue;
        case 'r': out[k++] = '\r'; continue;
        case '\\': out[k++] = '\\'; continue;
        case '\'': out[k++] = '\''; continue;
        case '"': out[k++] = '"'; continue;
        case 'a': out[k++] = '\a'; continue;
        case 'b': out[k++] = '\b'; continue;
        case 'f': out[k++] = '\f'; continue;
        case 'v': out[k++] = '\v'; continue;
        case '\n': continue;
        case 'x': hex = 2; break;
        case 'u': hex = 4; break;
        case 'U': hex = 8; break;
        default:
            if (c >= '0' && c <= '7') {
                int d = 0;
                while (d < 3 && i < n && p[i] >= '0' && p[i] <= '7') cp = cp * 8 + (uint32_t)(p[i++] - '0'), d++;
                i--;
                hex = -1;
                break;
            }
            out[k++] = '\\';
            out[k++] = c;
            continue;
        }
        if (hex > 0) {
            for (int d = 1; d <= hex; d++) {
                char h = i + (size_t)d < n ? p[i + (size_t)d] : 0;
                int v = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                if (v < 0) jfail(L->h, L->line, "truncated \\%c escape in a string", c);
                cp = cp * 16 + (uint32_t)v;
            }
            i += (size_t)hex;
        }
        if (cp > 0x10ffff) jfail(L->h, L->line, "illegal Unicode character in a string");
        if (cp < 0x80) out[k++] = (char)cp;
        else if (cp < 0x800) {
            out[k++] = (char)(0xc0 | (cp >> 6));
            out[k++] = (char)(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            out[k++] = (char)(0xe0 | (cp >> 12));
            out[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
            out[k++] = (char)(0x80 | (cp & 0x3f));
        } else {
            out[k++] = (char)(0xf0 | (cp >> 18));
            out[k++] = (char)(0x80 | ((cp >> 12) & 0x3f));
            out[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
            out[k++] = (char)(0x80 | (cp & 0x3f));
        }
    }
    t->p = out;
    t->n = k;
}

static bool starts(const lexer *L, size_t at, const char *s) {
    size_t n = strlen(s);
    return at + n <= L->n && !memcmp(L->s + at, s, n);
}

static bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (unsigned char)c >= 0x80; }
static bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }
static bool digit(char c) { return c >= '0' && c <= '9'; }

/* Lex the inside of a tag up to its end; returns true if the end was "-X}"
 * (strip after) and sets *trailing_nl_ok for trim_blocks when the end is
 * plain. `close` is '%' or '}'. */
static void lex_tag(lexer *L, char close, jtok_type end_type, bool *strip_after, bool *plain_end) {
    int depth = 0;
    for (;;) {
        while (L->pos < L->n && is_space(L->s[L->pos])) {
            if (L->s[L->pos] == '\n') L->line++;
            L->pos++;
        }
        if (L->pos >= L->n) jfail(L->h, L->line, "unexpected end of template inside a %s tag", close == '%' ? "{% %}" : "{{ }}");
        char end2[3] = {close, '}', 0}, end3[4] = {'-', close, '}', 0}, endp[4] = {'+', close, '}', 0};
        if (depth == 0) {
            if (starts(L, L->pos, end3)) {
                L->pos += 3;
                *strip_after = true;
                *plain_end = false;
                push(L, (jtok){.t = end_type, .line = L->line});
                return;
            }
            if (close == '%' && starts(L, L->pos, endp)) {
                L->pos += 3;
                *strip_after = false;
                *plain_end = false;
                push(L, (jtok){.t = end_type, .line = L->line});
                return;
            }
            if (starts(L, L->pos, end2)) {
                L->pos += 2;
                *strip_after = false;
                *plain_end = true;
                push(L, (jtok){.t = end_type, .line = L->line});
                return;
            }
        }
        const char *p = L->s + L->pos;
        size_t left = L->n - L->pos;
        jtok t = {.line = L->line};
        if (name_start(*p)) {
            size_t k = 1;
            while (k < left && name_char(p[k])) k++;
            t.t = TK_NAME;
            t.p = p;
            t.n = k;
            L->pos += k;
        } else if (*p == '\'' || *p == '"') {
            size_t k = 1;
            while (k < left && p[k] != *p) {
                if (p[k] == '\\') k++;
                k++;
            }
            if (k >= left) jfail(L->h, L->line, "unterminated string");
            t.t = TK_STRING;
            unescape(L, p + 1, k - 1, &t);
            L->line += count_lines(p, k);
            L->pos += k + 1;
        } else if (digit(*p)) {
            size_t k = 0;
            char *num = jalloc(L->h, left + 1); /* the digits without '_' are never longer than the rest */
            size_t m = 0;
            bool is_float = false;
            while (k < left && (digit(p[k]) || (p[k] == '_' && k + 1 < left && digit(p[k + 1])))) {
                if (p[k] != '_') num[m++] = p[k];
                k++;
            }
            bool after_dot = L->pos > 0 && L->s[L->pos - 1] == '.';
            if (!after_dot && k + 1 < left && p[k] == '.' && digit(p[k + 1])) {
                is_float = true;
                num[m++] = p[k++];
                while (k < left && (digit(p[k]) || (p[k] == '_' && k + 1 < left && digit(p[k + 1])))) {
                    if (p[k] != '_') num[m++] = p[k];
                    k++;
                }
            }
            if (!after_dot && k < left && (p[k] == 'e' || p[k] == 'E')) {
                size_t e = k + 1;
                if (e < left && (p[e] == '+' || p[e] == '-')) e++;
                if (e < left && digit(p[e])) {
                    is_float = true;
                    while (k < e) num[m++] = p[k++];
                    while (k < left && digit(p[k])) num[m++] = p[k++];
                }
            }
            num[m] = '\0';
            if (is_float) {
                t.t = TK_FLOAT;
                t.f = strtod(num, NULL);
            } else {
                t.t = TK_INT;
                errno = 0;
                t.i = strtoll(num, NULL, 10);
                if (errno == ERANGE) jfail(L->h, L->line, "the integer %.20s... does not fit in 64 bits", num);
            }
            t.p = p;
            t.n = k;
            L->pos += k;
        } else {
            static const char *const ops2[] = {"//", "**", "==", "!=", ">=", "<="};
            size_t k = 0;
            for (size_t i = 0; i < sizeof ops2 / sizeof *ops2; i++)
                if (left >= 2 && !memcmp(p, ops2[i], 2)) k = 2;
            if (!k) {
                if (!strchr("+-/*%~[](){}><=.:|,;", *p) || !*p) jfail(L->h, L->line, "unexpected character '%c' in a tag", *p);
                k = 1;
                if (*p == '(' || *p == '[' || *p == '{') depth++;
                if (*p == ')' || *p == ']' || *p == '}') {
                    if (depth == 0) jfail(L->h, L->line, "unexpected '%c'", *p);
                    depth--;
                }
            }
            t.t = TK_OP;
            t.p = p;
            t.n = k;
            L->pos += k;
        }
        push(L, t);
    }
}

/* Find "{% endraw %}" (with optional -/+) from L->pos; the text before it
 * becomes a token. */
static void lex_raw(lexer *L, bool *strip_after, bool *plain_end) {
    for (size_t i = L->pos; i + 1 < L->n; i++) {
        if (L->s[i] != '{' || L->s[i + 1] != '%') continue;
        size_t j = i + 2;
        bool strip_before = false;
        if (j < L->n && (L->s[j] == '-' || L->s[j] == '+')) strip_before = L->s[j++] == '-';
        while (j < L->n && is_space(L->s[j])) j++;
        if (!starts(L, j, "endraw")) continue;
        j += 6;
        while (j < L->n && is_space(L->s[j])) j++;
        size_t text_end = i;
        if (strip_before)
            while (text_end > L->pos && is_space(L->s[text_end - 1])) text_end--;
        if (starts(L, j, "-%}")) {
            *strip_after = true;
            *plain_end = false;
            j += 3;
        } else if (starts(L, j, "+%}")) {
            *strip_after = false;
            *plain_end = false;
            j += 3;
        } else if (starts(L, j, "%}")) {
            *strip_after = false;
            *plain_end = true;
            j += 2;
        } else
            continue;
        push_text(L, L->s + L->pos, text_end - L->pos, L->line);
        L->line += count_lines(L->s + L->pos, j - L->pos);
        L->pos = j;
        return;
    }
    jfail(L->h, L->line, "missing {%% endraw %%} for a raw block");
}

jtokens jinja_lex(jheap *h, const char *src, size_t len) {
    /* Normalise line breaks and drop one trailing newline, as jinja2 does. */
    char *s = jalloc(h, len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (src[i] == '\r') {
            s[n++] = '\n';
            if (i + 1 < len && src[i + 1] == '\n') i++;
        } else
            s[n++] = src[i];
    }
    if (n && s[n - 1] == '\n') n--;
    lexer L = {.h = h, .s = s, .n = n, .line = 1};
    bool strip_next = false, trim_nl = false, line_starting = true;
    while (L.pos < L.n) {
        /* the next tag opener */
        size_t at = L.pos;
        int kind = 0; /* '{', '%', '#' */
        for (; at + 1 < L.n; at++)
            if (L.s[at] == '{' && (L.s[at + 1] == '{' || L.s[at + 1] == '%' || L.s[at + 1] == '#')) {
                kind = L.s[at + 1];
                break;
            }
        size_t text_start = L.pos, text_end = kind ? at : L.n;
        int text_line = L.line;
        if (strip_next)
            while (text_start < text_end && is_space(L.s[text_start])) text_start++;
        else if (trim_nl && text_start < text_end && L.s[text_start] == '\n')
            text_start++;
        L.line += count_lines(L.s + L.pos, text_end - L.pos);
        text_line += count_lines(L.s + L.pos, text_start - L.pos);
        if (!kind) {
            push_text(&L, L.s + text_start, text_end - text_start, text_line);
            break;
        }
        size_t after = at + 2;
        char sign = after < L.n && (L.s[after] == '-' || L.s[after] == '+') ? L.s[after] : 0;
        if (sign) after++;
        bool is_raw = false;
        if (kind == '%') {
            size_t j = after;
            while (j < L.n && is_space(L.s[j])) j++;
            if (starts(&L, j, "raw")) {
                size_t k = j + 3;
                while (k < L.n && is_space(L.s[k])) k++;
                if (starts(&L, k, "%}") || starts(&L, k, "-%}")) is_raw = true;
            }
        }
        if (sign == '-') {
            while (text_end > text_start && is_space(L.s[text_end - 1])) text_end--;
        } else if (sign != '+' && kind != '{') {
            size_t l = text_end;
            while (l > text_start && L.s[l - 1] != '\n') l--;
            if (l > text_start || line_starting) {
                bool all_space = l < text_end;
                for (size_t q = l; q < text_end; q++)
                    if (!is_space(L.s[q])) all_space = false;
                if (all_space) text_end = l;
            }
        }
        push_text(&L, L.s + text_start, text_end - text_start, text_line);
        L.pos = after;
        bool strip_after = false, plain_end = false;
        if (kind == '#') {
            size_t q = L.pos;
            for (; q + 1 < L.n; q++)
                if (L.s[q + 1] == '}' && (L.s[q] == '#')) break;
            if (q + 1 >= L.n) jfail(h, L.line, "missing end of comment tag");
            size_t end = q + 2;
            /* the closing modifier is the character before "#}" */
            if (q > L.pos && L.s[q - 1] == '-') strip_after = true;
            else if (q > L.pos && L.s[q - 1] == '+') plain_end = false;
            else plain_end = true;
            L.line += count_lines(L.s + L.pos, end - L.pos);
            L.pos = end;
        } else if (is_raw) {
            while (L.pos < L.n && L.s[L.pos] != '}') L.pos++;
            L.pos++;
            lex_raw(&L, &strip_after, &plain_end);
        } else if (kind == '%') {
            push(&L, (jtok){.t = TK_BLOCK_BEGIN, .line = L.line});
            lex_tag(&L, '%', TK_BLOCK_END, &strip_after, &plain_end);
        } else {
            push(&L, (jtok){.t = TK_VAR_BEGIN, .line = L.line});
            lex_tag(&L, '}', TK_VAR_END, &strip_after, &plain_end);
            plain_end = false; /* trim_blocks is for blocks only */
        }
        strip_next = strip_after;
        trim_nl = plain_end;
        /* line_starting: whether the text of the tag's match ended with a newline */
        line_starting = false;
        if (strip_after) {
            size_t q = L.pos;
            while (q < L.n && is_space(L.s[q])) q++;
            line_starting = q > L.pos && L.s[q - 1] == '\n';
        } else if (plain_end && L.pos < L.n && L.s[L.pos] == '\n')
            line_starting = true;
    }
    push(&L, (jtok){.t = TK_EOF, .line = L.line});
    return (jtokens){L.toks, L.count};
}
