/*
 * api.h — the request handlers, one per endpoint, grouped by file:
 * ollama_api.c, openai_api.c, embed_api.c and extras_api.c (health,
 * metrics, tokenize, the web page). Each answers through http.h and returns its MHD result.
 */
#ifndef MOTE_SERVER_API_H
#define MOTE_SERVER_API_H

#include "server/http.h"
#include "server/registry.h"

/* ollama_api.c */
enum MHD_Result ollama_version(http_req *r);
enum MHD_Result ollama_tags(http_req *r);
enum MHD_Result ollama_ps(http_req *r);
enum MHD_Result ollama_show(http_req *r);
enum MHD_Result ollama_generate(http_req *r);
enum MHD_Result ollama_chat(http_req *r);
enum MHD_Result ollama_model_admin(http_req *r); /* pull, push, create, copy, delete: 501 */

/* openai_api.c */
enum MHD_Result openai_models(http_req *r);
enum MHD_Result openai_chat(http_req *r);
enum MHD_Result openai_completions(http_req *r);

/* extras_api.c */
enum MHD_Result api_root(http_req *r);
enum MHD_Result api_health(http_req *r);
enum MHD_Result api_metrics(http_req *r);
enum MHD_Result api_tokenize(http_req *r);
enum MHD_Result api_detokenize(http_req *r);
/* Queue a JOB_TASK (the caller's reference is taken) and answer with its output. */
enum MHD_Result api_run_task(http_req *r, engine *e, job *j);
/* A JOB_TASK running fn over the request body root on the model named (NULL:
 * the only one served; *e set to its engine), with the default keep_alive. The
 * job owns root. NULL after answering 404/500 (*ret set), root freed. */
job *api_new_task(http_req *r, cJSON *root, const char *model, job_task_fn fn, engine **e, enum MHD_Result *ret);
/* The answer of a task: print o (then freed) as the job's output. Runs on the
 * engine thread; the output is written under j->mu. */
void api_task_answer(job *j, cJSON *o);

/* embed_api.c */
enum MHD_Result ollama_embed(http_req *r);
enum MHD_Result ollama_embeddings(http_req *r);   /* the older endpoint: one prompt, not normalised */
enum MHD_Result openai_embeddings(http_req *r);

/* Shared by the generation handlers (api_common.c): parse the body with
 * `parse`, find the model, queue the job and answer (streamed or whole)
 * with the given wire formats. */
typedef int (*gen_parse_fn)(const cJSON *root, gen_input *in, char *err, size_t err_size);
enum MHD_Result api_run_generation(http_req *r, gen_parse_fn parse, const job_format *streamed,
                                   const job_format *whole, const char *stream_type, void *api_state);

/* Parse the body as a JSON object or answer 400; NULL when answered (*ret set). */
cJSON *api_parse_body(http_req *r, enum MHD_Result *ret);
/* The model a request names (or the only one served), or NULL after answering 400/404 (*ret set). */
engine *api_find_model(http_req *r, const char *name, enum MHD_Result *ret);
/* RFC 3339 UTC time with nanoseconds ("2024-05-01T10:00:00.123456789Z") of now. */
void api_now_rfc3339(char *out, size_t size);

#endif
