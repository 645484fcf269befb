/*
 * router.h — which handler answers which method and path, and the checks
 * every request passes first (authentication, CORS preflight, 404/405).
 */
#ifndef MOTE_SERVER_ROUTER_H
#define MOTE_SERVER_ROUTER_H

#include "server/http.h"

/* Answer a complete request (body collected). */
enum MHD_Result router_dispatch(http_req *r);

#endif
