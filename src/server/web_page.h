/*
 * web_page.h — the chat page served at /, compiled in from
 * src/server/web/index.html at build time (cmake/EmbedFile.cmake).
 */
#ifndef MOTE_SERVER_WEB_PAGE_H
#define MOTE_SERVER_WEB_PAGE_H

#include <stddef.h>

extern const char web_index_html[];
extern const size_t web_index_html_len;

#endif
