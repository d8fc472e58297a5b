/* main.c - `forksafe COMMAND ...`: dispatch to the subcommand's file. */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int (*run)(int, char **);
	const char *help;
} commands[] = {
	{ "ps", cmd_ps, "list running processes and the images they map" },
	{ "inuse", cmd_inuse, "tell which processes map the given files" },
	{ "guard", cmd_guard, "keep in-use files in a snapshot before they are replaced" },
	{ "retire", cmd_retire, "drop kept files nothing holds any more" },
	{ "status", cmd_status, "list snapshots, their cost and who holds them" },
	{ "hold", cmd_hold, "keep a snapshot while a command runs" },
	{ "protect", cmd_protect, "keep in-use files and give their paths fresh copies" },
	{ "report", cmd_report, "list processes still running replaced images" },
	{ "enable", cmd_enable, "make Cygwin's fork retry directory; say what is protected" },
	{ "plan", cmd_plan, "predict which running processes an upgrade affects" },
	{ "hook", cmd_hook, "run as a package manager's pre- or post-transaction hook" },
	{ "owner", cmd_owner, "tell which installed package owns each file" },
};

static int usage(FILE *f)
{
	fprintf(f, "usage: forksafe [--version] [--help] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n`forksafe COMMAND --help` describes a command.\n");
	return 0;
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
	char msg[2 * FS_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* messages name paths and processes: escaped for the terminal */
	fs_text_line(stderr, "forksafe %s: %s", cmd, msg);
	return EXIT_ERROR;
}

int cli_bad_option(const char *cmd, int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		return cli_fail(cmd, "option '%s' needs a value", arg);
	return cli_fail(cmd, "unknown option '%s' (see forksafe %s --help)", arg, cmd);
}

int cli_threads(const char *cmd, const char *arg, unsigned *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end || v < 1 || v > 64) {
		cli_fail(cmd, "--threads takes a number from 1 to 64, not '%s'", arg);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

void cli_warn_unreadable(const char *cmd, size_t unreadable)
{
	fprintf(stderr,
		"forksafe %s: warning: %zu process%s could not be read; "
		"the answer may be incomplete%s\n",
		cmd, unreadable, unreadable == 1 ? "" : "es",
		fs_privilege_hint());
}

void cli_warn_incomplete(const char *cmd, const fs_scan *scan)
{
	if (!scan->complete)
		cli_warn_unreadable(cmd, scan->unreadable);
}

int cli_names_kind(const char *cmd, int c, int *kind)
{
	int want = c == 'P' ? FS_NAMES_PACKAGES : FS_NAMES_ARCHIVES;

	if (*kind != FS_NAMES_PATHS && *kind != want) {
		cli_fail(cmd, "--package and --archive cannot be combined");
		return -1;
	}
	*kind = want;
	return 0;
}

int cli_common_option(struct cli_common *cc, const char *cmd, int c, const char *arg)
{
	switch (c) {
	case 'r': cc->store.root = arg; return 1;
	case 'S': cc->store.store = arg; return 1;
	case 'j': cc->json = 1; return 1;
	case 't': return cli_threads(cmd, arg, &cc->store.scan.threads) < 0 ? -1 : 1;
	default: return 0;
	}
}

int main(int argc, char **argv)
{
	/* reports can be long: write them in few large pieces */
	static char outbuf[1 << 16];

	if (fs_args_init(&argc, &argv) < 0) {
		fputs("forksafe: cannot read the command line\n", stderr);
		return EXIT_ERROR;
	}
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	if (argc < 2) {
		fputs("forksafe: no command given (see forksafe --help)\n", stderr);
		return EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(stdout);
	if (strcmp(argv[1], "--version") == 0) {
		printf("forksafe %s (json schema %d; features: %s)\n", FORKSAFE_VERSION,
		       FS_JSON_SCHEMA, *fs_features() ? fs_features() : "none");
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fs_text_line(stderr, "forksafe: '%s' is not a command (see forksafe --help)", argv[1]);
	return EXIT_ERROR;
}
