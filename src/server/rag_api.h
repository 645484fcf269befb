/*
 * rag_api.h — knowledge bases behind `mote serve --rag NAME=KB.sqlite[,model=CHAT]`:
 * NAME is served as one more model (the chat model CHAT's engine) whose
 * requests are answered with retrieval: the last user message (or the
 * prompt) is searched in the knowledge base and replaced by the question
 * with the numbered passages (mote_rag_prompt) before the job is queued,
 * so every Ollama or OpenAI client uses it by choosing NAME. POST
 * /api/rag/search returns the passages themselves as JSON. Searches run on
 * the request's thread, one at a time per knowledge base.
 */
#ifndef MOTE_SERVER_RAG_API_H
#define MOTE_SERVER_RAG_API_H

#include <stddef.h>

#include "server/api_request.h"
#include "server/http.h"
#include "server/registry.h"

typedef struct rag_models rag_models;

/* Open every --rag knowledge base and add its model to the registry (after
 * the plain models, so CHAT may name one of them). Non-zero with a one-line
 * message in err on a bad spec, a missing or foreign database, a taken name. */
int rag_models_build(struct server *s, registry *r, char *err, size_t err_size);
void rag_models_free(rag_models *m);

/* For a request to a knowledge base's model: put the passages into its
 * question. 0 (also for any other model), or an HTTP status with err. */
int rag_api_augment(struct server *s, const engine *e, gen_input *in, char *err, size_t err_size);

/* POST /api/rag/search {"model": NAME, "query": "...", "k": 5, "mode": "hybrid"} */
enum MHD_Result rag_api_search(http_req *r);

#endif
