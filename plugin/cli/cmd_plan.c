/*
 * cmd_plan.c - `forksafe plan [--root DIR] [-u | PKG...]`: before running
 * pacman, which running processes an upgrade would affect.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

static const char USAGE[] =
	"usage: forksafe plan [--root DIR] [--json] -u | PKG...\n"
	"Predict which running processes a pacman transaction would affect: read\n"
	"the local and sync databases, let libsolv's solver work out the\n"
	"transaction, and tell which files of the packages it changes are in use.\n"
	"  -u, --sysupgrade  update every installed package (pacman -Su)\n"
	"  PKG...            install or update these packages (pacman -S PKG...)\n"
	"  --root DIR        the root pacman works on (default /)\n"
	"  --store DIR       where the database cache is kept\n"
	"  --json            machine-readable output (docs/json.md)\n"
	"exit status: 0 no running process affected, 1 some affected, 2 error,\n"
	"             3 none found affected but some processes could not be read\n";

int cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_STORE_OPTIONS,
		{ "sysupgrade", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_common cc = { 0 };
	fs_plan_opts po = { 0 };
	fs_plan *p;
	fs_err err;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hu", opts, NULL)) != -1) {
		switch (cli_common_option(&cc, "plan", c, optarg)) {
		case 1: continue;
		case -1: return EXIT_ERROR;
		}
		switch (c) {
		case 'u': po.update_all = 1; break;
		case 'h': fputs(USAGE, stdout); return 0;
		default: return cli_bad_option("plan", c, argv);
		}
	}
	if (!po.update_all && optind == argc)
		return cli_fail("plan", "nothing to plan: give -u or package names");
	po.root = cc.store.root;
	po.store = cc.store.store;
	po.scan = cc.store.scan;
	po.names = argv + optind;
	po.nnames = (size_t)(argc - optind);
	if (fs_plan_run(&po, &p, &err) < 0)
		return cli_fail("plan", "%s", err.msg);
	rc = cc.json ? fs_plan_write_json(p, stdout) : fs_plan_write_text(p, stdout);
	if (rc < 0)
		rc = cli_fail("plan", "cannot write the output");
	else
		rc = p->inuse->targets_in_use ? EXIT_IN_USE
		     : p->inuse->scan->complete ? EXIT_NONE_IN_USE : EXIT_INCOMPLETE;
	cli_warn_incomplete("plan", p->inuse->scan);
	fs_plan_free(p);
	return rc;
}
