/*
 * cmd_enable.c - `forksafe enable`: make Cygwin's fork retry directory in a
 * Cygwin or MSYS2 root and say what is and is not protected.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

static const char USAGE[] =
	"usage: forksafe enable [--root DIR] [--json]\n"
	"Create ROOT/var/run/cygfork (everyone may add entries, only owners remove\n"
	"them) so that Cygwin's and MSYS2's fork retries a failed fork from\n"
	"hardlinks of the old images; check it is on NTFS, on the binaries' volume.\n"
	"  --root DIR   the installation (default: the one forksafe belongs to)\n"
	"  --json       machine-readable output (docs/json.md)\n"
	"exit status: 0 protected, 1 not protected (the reasons are printed), 2 error\n";

int cmd_enable(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_common cc = { 0 };
	fs_enable_result *r;
	fs_err err;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (cli_common_option(&cc, "enable", c, optarg)) {
		case 1: continue;
		case -1: return EXIT_ERROR;
		}
		if (c == 'h') {
			fputs(USAGE, stdout);
			return 0;
		}
		return cli_bad_option("enable", c, argv);
	}
	if (optind < argc)
		return cli_fail("enable", "unexpected argument '%s'", argv[optind]);
	if (fs_enable(cc.store.root, &r, &err) < 0)
		return cli_fail("enable", "%s", err.msg);
	rc = cc.json ? fs_enable_write_json(r, stdout) : fs_enable_write_text(r, stdout);
	rc = rc < 0 ? cli_fail("enable", "cannot write the output") : r->protected_ ? 0 : 1;
	fs_enable_result_free(r);
	return rc;
}
