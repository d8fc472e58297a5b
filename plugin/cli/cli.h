/*
 * cli.h - the forksafe command line, as git does it: one table of commands
 * (table.c) saying what each needs, one table of options each declared
 * once with its help and the commands that take it.  getopt_long's
 * parsing (parse.c), `--help` (help.c), the man pages and the bash
 * completion (gen/, built as forksafe-gen) are all made from them.
 * A cmd_*.c file only checks its operands, calls libforksafe and chooses
 * the exit status.
 */
#ifndef FS_CLI_H
#define FS_CLI_H

#include "forksafe.h"

#include <stdio.h>

/* Exit statuses (docs/cli.md). */
enum {
	EXIT_OK = 0,
	EXIT_NONE_IN_USE = 0,
	EXIT_IN_USE = 1,       /* inuse, plan, report: some are */
	EXIT_PARTLY = 1,       /* guard, protect, retire, owner, enable: some
				* target was not kept / left alone / owned by
				* no package, or not protected (output says) */
	EXIT_ERROR = 2,
	EXIT_INCOMPLETE = 3,
};

/* The commands, in the order `forksafe --help` lists them. */
enum cli_cmd_id {
	CMD_PS, CMD_INUSE, CMD_GUARD, CMD_RETIRE, CMD_STATUS, CMD_HOLD,
	CMD_PROTECT, CMD_REPORT, CMD_ENABLE, CMD_PLAN, CMD_HOOK, CMD_OWNER,
	CLI_NCMDS
};
#define CLI_CMD(id) (1u << (id))

/* What a command needs; the common options follow from it. */
enum cli_need {
	NEED_ROOT = 1u << 0,      /* works inside a root: --root */
	NEED_STORE = 1u << 1,     /* the snapshot store (or a database cache): --store */
	NEED_SCAN = 1u << 2,      /* scans running processes: --threads */
	NEED_JSON = 1u << 3,      /* has a machine-readable output: --json */
	NEED_PACKAGES = 1u << 4,  /* a build with package support (libsolv ...) */
	NEED_IN_ORDER = 1u << 5,  /* options end at the first operand (hold: CMD's are its own) */
};

/* What completes a value or an operand (bash completion, gen/). */
enum cli_complete {
	COMPLETE_NONE, COMPLETE_FILE, COMPLETE_DIR, COMPLETE_SNAPSHOT, COMPLETE_WORDS,
};

/* What one run of a command was given: filled by cli_parse from the options. */
struct cli_args {
	const struct cli_cmd *cmd;
	fs_store_opts store;   /* --root, --store, --threads and the store commands' flags */
	int json, help, from_stdin, brief, update_all, worker;
	int kind;              /* FS_NAMES_*: --package, --archive */
	const char *config;    /* hook --config */
	char **operands;       /* what follows the options */
	int noperands;
	char **argv;           /* the command's words (argv[0] its name), */
	int argc;              /* options first, as getopt_long left them */
};

struct cli_opt {
	const char *name;       /* the long option, without "--" */
	int letter;             /* its short option, or 0 */
	const char *value;      /* the value's name ("DIR"), NULL for a flag */
	enum cli_complete complete; /* how a value completes */
	unsigned needs;         /* taken by every command with one of these needs */
	unsigned cmds;          /* and by these (CLI_CMD(...)) */
	int hidden;             /* internal: never shown, completed or documented */
	const char *help;
	struct { unsigned cmds; const char *help; } alt[5]; /* said otherwise for these */
	/* stores the option in a: 0, or -1 after an error message */
	int (*set)(struct cli_args *a, const char *value);
};

/* One documented operand of a command ("PATH...", with its help). */
struct cli_operand {
	const char *name, *help;
};

struct cli_cmd {
	const char *name;
	int (*run)(struct cli_args *a);
	unsigned needs;          /* NEED_* */
	const char *operands;    /* the synopsis after the options: "[PATH...]" */
	const char *also;        /* another synopsis line ("[OPTIONS] --package NAME..."), or NULL */
	const char *summary;     /* one line for `forksafe --help` */
	const char *about;       /* what it does: one paragraph */
	struct cli_operand args[2]; /* operands worth a line of help */
	enum cli_complete complete; /* how its operands complete */
	const char *words;       /* COMPLETE_WORDS: the words, space-separated */
	const char *exit;        /* "0 ..., 1 ..., 2 error" */
};

extern const struct cli_cmd cli_cmds[CLI_NCMDS];
extern const struct cli_opt cli_opts[];
extern const size_t cli_nopts;

/* Whether cmd takes opt; whether it shows it (in --help, the man page and
 * the completion: taken, not hidden, not --help itself); opt's help for cmd. */
int cli_takes(const struct cli_cmd *cmd, const struct cli_opt *opt);
int cli_shown(const struct cli_cmd *cmd, const struct cli_opt *opt);
const char *cli_opt_help(const struct cli_cmd *cmd, const struct cli_opt *opt);
const struct cli_cmd *cli_find(const char *name);

/* Parses argv (argv[0] the command's name) for cmd: 0 to run it, 1 when
 * --help was answered, -1 after a one-line error (exit EXIT_ERROR). */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *a);

/* `forksafe CMD --help` and `forksafe --help`. */
int cli_write_help(const struct cli_cmd *cmd, FILE *f);
int cli_write_usage(FILE *f);

int cmd_ps(struct cli_args *a);
int cmd_inuse(struct cli_args *a);
int cmd_guard(struct cli_args *a);
int cmd_retire(struct cli_args *a);
int cmd_status(struct cli_args *a);
int cmd_hold(struct cli_args *a);
int cmd_protect(struct cli_args *a);
int cmd_report(struct cli_args *a);
int cmd_enable(struct cli_args *a);
int cmd_plan(struct cli_args *a);
int cmd_hook(struct cli_args *a);
int cmd_owner(struct cli_args *a);

/* fail.c: prints "forksafe CMD: MSG" on stderr and returns EXIT_ERROR. */
int cli_fail(const char *cmd, const char *fmt, ...);
/* The warning printed when some processes could not be read. */
void cli_warn_incomplete(const char *cmd, const fs_scan *scan);
void cli_warn_unreadable(const char *cmd, size_t unreadable);

#endif
