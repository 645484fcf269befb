/*
 * sha256.h — SHA-256 (FIPS 180-4) of a buffer, as lower-case hex: the
 * content hash that tells `mote rag index` a file has not changed.
 */
#ifndef MOTE_RAG_SHA256_H
#define MOTE_RAG_SHA256_H

#include <stddef.h>

/* Write the 64 hex digits and a NUL to hex[65]. */
void rag_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
