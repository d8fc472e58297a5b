/*
 * cmd_hold.c - `forksafe hold SNAPSHOT -- CMD...`: keep a snapshot while a
 * command runs.  The lock stays in this process, which waits for CMD and
 * passes signals on to it; CMD inherits nothing of the store.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char USAGE[] =
	"usage: forksafe hold [--root DIR] [--store DIR] SNAPSHOT -- CMD [ARG...]\n"
	"Run CMD holding SNAPSHOT's lock: retire keeps the snapshot until CMD exits.\n"
	"exit status: CMD's, or 2 when forksafe itself failed (message on stderr)\n";

int cmd_hold(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_STORE_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_common cc = { 0 };
	fs_err err;
	int c, status;

	opterr = 0;
	/* '+': stop at the first non-option, CMD's options are its own */
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (cli_common_option(&cc, "hold", c, optarg)) {
		case 1: continue;
		case -1: return EXIT_ERROR;
		}
		if (c == 'h') {
			fputs(USAGE, stdout);
			return 0;
		}
		return cli_bad_option("hold", c, argv);
	}
	if (argc - optind < 3 || strcmp(argv[optind + 1], "--") != 0)
		return cli_fail("hold", "usage: forksafe hold SNAPSHOT -- CMD [ARG...]");
	if (fs_hold_run(&cc.store, argv[optind], argv + optind + 2, &status, &err) < 0)
		return cli_fail("hold", "%s", err.msg);
	return status;
}
