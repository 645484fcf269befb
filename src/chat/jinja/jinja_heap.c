/*
 * jinja_heap.c — the arena the Jinja interpreter allocates from, and its
 * error exit (see jinja.h). A parse or a render owns one heap; freeing the
 * heap frees every node, string and value at once, which is what lets an
 * error longjmp out of any depth without leaking.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/jinja/jinja.h"

struct jchunk {
    jchunk *next;
    size_t used, cap;
    max_align_t data[];
};

enum { CHUNK_MIN = 64 * 1024 };

void jheap_init(jheap *h, size_t limit) {
    memset(h, 0, sizeof *h);
    h->limit = limit;
}

void jheap_free(jheap *h) {
    jchunk *c = h->chunks;
    while (c) {
        jchunk *next = c->next;
        free(c);
        c = next;
    }
    h->chunks = NULL;
    h->used = 0;
}

void *jalloc(jheap *h, size_t n) {
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (n == 0) n = sizeof(max_align_t);
    if (h->limit && (n > h->limit || h->used > h->limit - n))
        jfail(h, 0, "the template needs more than %zu MB of memory", h->limit >> 20);
    jchunk *c = h->chunks;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
        c = malloc(sizeof *c + cap);
        if (!c) jfail(h, 0, "out of memory rendering the template");
        c->used = 0;
        c->cap = cap;
        c->next = h->chunks;
        h->chunks = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    h->used += n;
    memset(p, 0, n);
    return p;
}

char *jstrndup(jheap *h, const char *s, size_t n) {
    char *p = jalloc(h, n + 1);
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void jfail(jheap *h, int line, const char *fmt, ...) {
    char text[sizeof h->msg - 24];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (line > 0)
        snprintf(h->msg, sizeof h->msg, "line %d: %s", line, text);
    else
        snprintf(h->msg, sizeof h->msg, "%s", text);
    longjmp(*h->jump, 1);
}
