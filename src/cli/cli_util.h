/*
 * cli_util.h — small helpers shared by the subcommands.
 */
#ifndef MOTE_CLI_UTIL_H
#define MOTE_CLI_UTIL_H

#include <stddef.h>

/* A whole file ("-": standard input), NUL-terminated, malloc'd; its length
 * (without the terminator) in *len if len != NULL. NULL if it cannot be read. */
char *cli_read_file(const char *path, size_t *len);

/* Parse a whole number from 1 to INT32_MAX for option `flag` of command
 * `cmd`; on failure print "mote <cmd>: ..." and return -1. */
int cli_parse_count(const char *cmd, const char *flag, const char *s, long *out);

#endif
