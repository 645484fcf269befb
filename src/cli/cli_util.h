/*
 * cli_util.h — small helpers shared by the subcommands.
 */
#ifndef MOTE_CLI_UTIL_H
#define MOTE_CLI_UTIL_H

#include <stddef.h>

/* A whole file ("-": standard input), NUL-terminated, malloc'd; its length
 * (without the terminator) in *len if len != NULL. NULL if it cannot be read. */
char *cli_read_file(const char *path, size_t *len);

#endif
