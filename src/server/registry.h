/*
 * registry.h — the models a server offers: every -m FILE and every *.gguf
 * in --models DIR, each named by its file name without ".gguf", each with
 * its own (lazily started) engine.
 */
#ifndef MOTE_SERVER_REGISTRY_H
#define MOTE_SERVER_REGISTRY_H

#include "server/engine.h"

struct rag_models;

typedef struct registry {
    engine **engines;
    int n;
    struct rag_models *rag;   /* the --rag knowledge bases (rag_api.h), or NULL */
} registry;

struct server;

/* Add a model called `name` served from the GGUF file `path`; non-zero with
 * a message in err when the file is missing or the name is taken. */
int registry_add(struct server *s, registry *r, const char *name, const char *path, char *err, size_t err_size);

/* Collect the models; non-zero with a message in err when there are none,
 * a file is missing, or two have the same name. */
int registry_build(struct server *s, registry **out, char *err, size_t err_size);
void registry_free(registry *r);

/* The model called `name` ("name" or Ollama's "name:latest"), or NULL. */
engine *registry_find(const registry *r, const char *name);

#endif
