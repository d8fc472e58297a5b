/*
 * cmd_protect.c - `forksafe protect PATH...`: before an in-place rebuild,
 * keep in-use files and give their paths fresh copies to be rewritten.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

static const char USAGE[] =
	"usage: forksafe protect [--root DIR] [--store DIR] [--json] PATH...\n"
	"Keep each in-use PATH in a snapshot, then replace the path by a fresh copy,\n"
	"so a build that rewrites it in place cannot touch what processes map.\n"
	"exit status: 0 every in-use path protected (or none in use), 1 some not, 2 error\n";

int cmd_protect(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_STORE_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_common cc = { 0 };
	fs_targets *targets;
	fs_guard_result *r = NULL;
	fs_err err;
	int c, rc = EXIT_ERROR;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (cli_common_option(&cc, "protect", c, optarg)) {
		case 1: continue;
		case -1: return EXIT_ERROR;
		}
		if (c == 'h') {
			fputs(USAGE, stdout);
			return 0;
		}
		return cli_bad_option("protect", c, argv);
	}
	if (optind == argc)
		return cli_fail("protect", "no files given");
	targets = fs_targets_from(cc.store.root, argv + optind, (size_t)(argc - optind), -1, &err);
	if (!targets)
		return cli_fail("protect", "%s", err.msg);
	if (fs_protect(targets, &cc.store, &r, &err) < 0)
		goto fail;
	if ((cc.json ? fs_guard_write_json(r, stdout) : fs_guard_write_text(r, stdout)) < 0) {
		rc = cli_fail("protect", "cannot write the output");
		goto out;
	}
	if (!r->complete)
		cli_warn_unreadable("protect", r->unreadable);
	rc = r->failed ? 1 : 0;
	goto out;
fail:
	rc = cli_fail("protect", "%s", err.msg);
out:
	fs_guard_result_free(r);
	fs_targets_free(targets);
	return rc;
}
