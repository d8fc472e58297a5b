/*
 * parse.c - one getopt_long loop for every command, built from the option
 * table (table.c): a command accepts exactly the options it takes there.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* getopt_long's value for an option without a short letter */
#define LONG_ONLY 256

/* One line for an option getopt_long rejected (optstring starts with ':'). */
static int bad_option(const char *cmd, int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		return cli_fail(cmd, "option '%s' needs a value", arg);
	return cli_fail(cmd, "unknown option '%s' (see forksafe %s --help)", arg, cmd);
}

/* getopt_long's tables for cmd: the options it takes, and the short
 * letters after ':' (a missing value is ':') and '+' (NEED_IN_ORDER). */
static void getopt_tables(const struct cli_cmd *cmd, struct option *longs, char *shorts)
{
	size_t n = 0, s = 0;

	if (cmd->needs & NEED_IN_ORDER)
		shorts[s++] = '+';
	shorts[s++] = ':';
	for (size_t i = 0; i < cli_nopts; i++) {
		const struct cli_opt *o = &cli_opts[i];

		if (!cli_takes(cmd, o))
			continue;
		longs[n++] = (struct option){ o->name, o->value ? required_argument : no_argument,
					      NULL, o->letter ? o->letter : LONG_ONLY + (int)i };
		if (o->letter) {
			shorts[s++] = (char)o->letter;
			if (o->value)
				shorts[s++] = ':';
		}
	}
	longs[n] = (struct option){ 0 };
	shorts[s] = '\0';
}

static const struct cli_opt *option_of(int c)
{
	if (c >= LONG_ONLY && (size_t)(c - LONG_ONLY) < cli_nopts)
		return &cli_opts[c - LONG_ONLY];
	for (size_t i = 0; c > 0 && i < cli_nopts; i++)
		if (cli_opts[i].letter == c)
			return &cli_opts[i];
	return NULL;
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *a)
{
	struct option longs[64];
	char shorts[2 + 2 * 64 + 1];
	int c;

	if (cli_nopts >= sizeof longs / sizeof *longs) {
		cli_fail(cmd->name, "%zu options are more than the parser holds", cli_nopts);
		return -1;
	}
	memset(a, 0, sizeof *a);
	a->cmd = cmd;
	a->kind = FS_NAMES_PATHS;
	getopt_tables(cmd, longs, shorts);
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const struct cli_opt *o = option_of(c);

		if (!o || c == '?' || c == ':') {
			bad_option(cmd->name, c, argv);
			return -1;
		}
		if (o->set(a, optarg) < 0)
			return -1;
		if (!a->help)
			continue;
		if (cli_write_help(cmd, stdout) < 0) {
			cli_fail(cmd->name, "cannot write the output");
			return -1;
		}
		return 1;
	}
	a->argv = argv;
	a->argc = argc;
	a->operands = argv + optind;
	a->noperands = argc - optind;
	return 0;
}
