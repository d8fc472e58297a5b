/* cmd_status.c - `forksafe status`: snapshots, what they cost, who holds them. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

static const char USAGE[] =
	"usage: forksafe status [--root DIR] [--store DIR] [--json]\n"
	"List snapshots, the files they keep, what they cost and who maps them.\n"
	"  --root DIR   the root the store belongs to (default /)\n"
	"  --store DIR  snapshot store (default ROOT/var/lib/forksafe)\n"
	"  --json       machine-readable output (docs/json.md)\n";

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_STORE_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_common cc = { 0 };
	fs_status_result *r;
	fs_pkgdb *db = NULL;
	fs_err err;
	int c, rc = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (cli_common_option(&cc, "status", c, optarg)) {
		case 1: continue;
		case -1: return EXIT_ERROR;
		}
		if (c == 'h') {
			fputs(USAGE, stdout);
			return 0;
		}
		return cli_bad_option("status", c, argv);
	}
	if (optind < argc)
		return cli_fail("status", "unexpected argument '%s'", argv[optind]);
	if (fs_status(&cc.store, &r, &err) < 0)
		return cli_fail("status", "%s", err.msg);
	/* kept files named with their packages when the root has a database */
	if (r->n && fs_pkgdb_open(cc.store.root, cc.store.store, &db, &err) == 0)
		fs_status_label(r, db, &err);
	if ((cc.json ? fs_status_write_json(r, stdout) : fs_status_write_text(r, stdout)) < 0)
		rc = cli_fail("status", "cannot write the output");
	if (r->scan && !r->scan->complete)
		cli_warn_unreadable("status", r->scan->unreadable);
	fs_status_result_free(r);
	fs_pkgdb_free(db);
	return rc;
}
