/*
 * cmd_retire.c - `forksafe retire`: drop snapshots and entries that
 * nothing holds any more.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

static const char USAGE[] =
	"usage: forksafe retire [--root DIR] [--store DIR] [--post-transaction] [--dry-run] [--json]\n"
	"Drop kept files that no running process maps and no holder needs.\n"
	"  --root DIR          the root the store belongs to (default /)\n"
	"  --store DIR         snapshot store (default ROOT/var/lib/forksafe)\n"
	"  --post-transaction  the transaction ended: close open snapshots, so files\n"
	"                      that were not replaced are dropped\n"
	"  --dry-run           say what would be dropped, change nothing\n"
	"  --json              machine-readable output (docs/json.md)\n"
	"exit status: 0 done, 1 some snapshot or leftover was left alone (see output), 2 error\n";

int cmd_retire(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_STORE_OPTIONS,
		{ "post-transaction", no_argument, NULL, 'p' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_common cc = { 0 };
	fs_retire_result *r;
	fs_err err;
	int c, rc = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (cli_common_option(&cc, "retire", c, optarg)) {
		case 1: continue;
		case -1: return EXIT_ERROR;
		}
		switch (c) {
		case 'p': cc.store.post_transaction = 1; break;
		case 'n': cc.store.dry_run = 1; break;
		case 'h': fputs(USAGE, stdout); return 0;
		default: return cli_bad_option("retire", c, argv);
		}
	}
	if (optind < argc)
		return cli_fail("retire", "unexpected argument '%s'", argv[optind]);
	if (fs_retire(&cc.store, &r, &err) < 0)
		return cli_fail("retire", "%s", err.msg);
	if ((cc.json ? fs_retire_write_json(r, stdout) : fs_retire_write_text(r, stdout)) < 0)
		rc = cli_fail("retire", "cannot write the output");
	for (size_t i = 0; rc == 0 && i < r->n; i++)
		if (r->v[i].problem)
			rc = 1;
	if (rc == 0 && r->nleftovers_failed)
		rc = 1;
	if (!r->complete)
		cli_warn_unreadable("retire", r->unreadable);
	fs_retire_result_free(r);
	return rc;
}
