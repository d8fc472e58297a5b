/*
 * cli.h - the forksafe command line: one file per subcommand, each only
 * parsing options, calling libforksafe and choosing the exit status.
 */
#ifndef FS_CLI_H
#define FS_CLI_H

#include "forksafe.h"

/* Exit statuses shared by every subcommand (docs/cli.md). */
enum {
	EXIT_NONE_IN_USE = 0,
	EXIT_IN_USE = 1,
	EXIT_ERROR = 2,
	EXIT_INCOMPLETE = 3,
};

int cmd_ps(int argc, char **argv);
int cmd_inuse(int argc, char **argv);

/* Prints "forksafe CMD: MSG" on stderr and returns EXIT_ERROR. */
int cli_fail(const char *cmd, const char *fmt, ...);
/* One line for an option getopt_long rejected (optstring starts with ':'). */
int cli_bad_option(const char *cmd, int c, char **argv);
/* Parses --threads N; returns -1 (after a message) when N is not 1..64. */
int cli_threads(const char *cmd, const char *arg, unsigned *out);
/* The warning printed when some processes could not be read. */
void cli_warn_incomplete(const char *cmd, const fs_scan *scan);

#endif
