/*
 * registry.h — the models a server offers: every -m FILE and every *.gguf
 * in --models DIR, each named by its file name without ".gguf", each with
 * its own (lazily started) engine.
 */
#ifndef MOTE_SERVER_REGISTRY_H
#define MOTE_SERVER_REGISTRY_H

#include "server/engine.h"

typedef struct registry {
    engine **engines;
    int n;
} registry;

struct server;

/* Collect the models; non-zero with a message in err when there are none,
 * a file is missing, or two have the same name. */
int registry_build(struct server *s, registry **out, char *err, size_t err_size);
void registry_free(registry *r);

/* The model called `name` ("name" or Ollama's "name:latest"), or NULL. */
engine *registry_find(const registry *r, const char *name);

#endif
