/*
 * cmd_report.c - `forksafe report`: after a transaction, the processes that
 * still run replaced or removed images, by package, and who must restart.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

static const char USAGE[] =
	"usage: forksafe report [--root DIR] [--store DIR] [--json]\n"
	"List processes still running images that were replaced or removed,\n"
	"grouped by owning package, and those that must restart because the\n"
	"dynamic loader, libc or the runtime DLL itself was replaced.\n"
	"  --root DIR   only images under DIR (default /)\n"
	"  --store DIR  snapshot store (default ROOT/var/lib/forksafe)\n"
	"  --json       machine-readable output (docs/json.md)\n"
	"exit status: 0 no process runs a replaced image, 1 some do, 2 error,\n"
	"             3 none found but some processes could not be read\n";

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_STORE_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_common cc = { 0 };
	fs_report_result *r = NULL;
	fs_pkgdb *db = NULL;
	fs_err err;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (cli_common_option(&cc, "report", c, optarg)) {
		case 1: continue;
		case -1: return EXIT_ERROR;
		}
		if (c == 'h') {
			fputs(USAGE, stdout);
			return 0;
		}
		return cli_bad_option("report", c, argv);
	}
	if (optind < argc)
		return cli_fail("report", "unexpected argument '%s'", argv[optind]);
	/* without a usable package database the report names no packages */
	if (fs_pkgdb_open_labels(cc.store.root, cc.store.store, &db, &err) < 0)
		fs_text_line(stderr, "forksafe report: warning: packages are not named: %s", err.msg);
	cc.store.scan.units = 1; /* where systemd runs: which unit to restart */
	if (fs_report(&cc.store, db, &r, &err) < 0) {
		fs_pkgdb_free(db);
		return cli_fail("report", "%s", err.msg);
	}
	rc = cc.json ? fs_report_write_json(r, stdout) : fs_report_write_text(r, stdout);
	if (rc < 0)
		rc = cli_fail("report", "cannot write the output");
	else
		rc = r->n > r->unknown ? 1 : r->scan->complete && !r->unknown ? 0 : EXIT_INCOMPLETE;
	cli_warn_incomplete("report", r->scan);
	fs_report_result_free(r);
	fs_pkgdb_free(db);
	return rc;
}
