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
int cmd_guard(int argc, char **argv);
int cmd_retire(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_hold(int argc, char **argv);
int cmd_protect(int argc, char **argv);
int cmd_owner(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_enable(int argc, char **argv);
int cmd_hook(int argc, char **argv);
int cmd_plan(int argc, char **argv);

/* Options every store command takes (parsed in main.c). */
struct cli_common {
	fs_store_opts store;
	int json;
};

#define CLI_STORE_OPTIONS                                        \
	{ "root", required_argument, NULL, 'r' },                \
	{ "store", required_argument, NULL, 'S' },               \
	{ "json", no_argument, NULL, 'j' },                      \
	{ "threads", required_argument, NULL, 't' }

/* Handles a common option: 1 if it was one, 0 if not, -1 after an error. */
int cli_common_option(struct cli_common *cc, const char *cmd, int c, const char *arg);

/* --package ('P') or --archive ('A'): what the arguments name; -1 after
 * an error (both given). */
int cli_names_kind(const char *cmd, int c, int *kind);
/* Prints "forksafe CMD: MSG" on stderr and returns EXIT_ERROR. */
int cli_fail(const char *cmd, const char *fmt, ...);
/* One line for an option getopt_long rejected (optstring starts with ':'). */
int cli_bad_option(const char *cmd, int c, char **argv);
/* Parses --threads N; returns -1 (after a message) when N is not 1..64. */
int cli_threads(const char *cmd, const char *arg, unsigned *out);
/* The warning printed when some processes could not be read. */
void cli_warn_incomplete(const char *cmd, const fs_scan *scan);
void cli_warn_unreadable(const char *cmd, size_t unreadable);

#endif
