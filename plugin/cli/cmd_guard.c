/*
 * cmd_guard.c - `forksafe guard`: before a transaction, keep the targets
 * that running processes map.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

static const char USAGE[] =
	"usage: forksafe guard [--root DIR] [--store DIR] [--stdin] [--all-in-use] [--copy-budget SIZE]\n"
	"                      [--json] [PATH...]\n"
	"       forksafe guard [OPTIONS] --package NAME... | --archive FILE...\n"
	"Keep the files running processes map in a new snapshot before they are replaced.\n"
	"  --root DIR     paths are inside DIR (default /)\n"
	"  --store DIR    snapshot store (default ROOT/var/lib/forksafe)\n"
	"  --stdin        also read paths from standard input, one per line\n"
	"  --all-in-use   keep every in-use image under the root\n"
	"  --package      the arguments are installed packages: their files\n"
	"  --archive      the arguments are package files: what each would replace\n"
	"  --copy-budget SIZE  the most the copies of this snapshot may write, as 512M,\n"
	"                 2G or unlimited (default 1G); a file beyond it is not kept\n"
	"  --json         machine-readable output (docs/json.md)\n"
	"exit status: 0 all in-use files kept (or none in use), 1 some could not be kept, 2 error\n";

int cmd_guard(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_STORE_OPTIONS,
		{ "stdin", no_argument, NULL, 's' },
		{ "all-in-use", no_argument, NULL, 'a' },
		{ "package", no_argument, NULL, 'P' },
		{ "archive", no_argument, NULL, 'A' },
		{ "copy-budget", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_common cc = { 0 };
	fs_targets *targets = NULL;
	fs_guard_result *r = NULL;
	fs_err err;
	int from_stdin = 0, kind = FS_NAMES_PATHS, c, rc = EXIT_ERROR;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (cli_common_option(&cc, "guard", c, optarg)) {
		case 1: continue;
		case -1: return EXIT_ERROR;
		}
		switch (c) {
		case 's': from_stdin = 1; break;
		case 'a': cc.store.all_in_use = 1; break;
		case 'B':
			if (fs_parse_size(optarg, &cc.store.copy_budget) < 0)
				return cli_fail("guard", "--copy-budget takes a size such as 512M, "
						"2G or unlimited, not '%s'", optarg);
			cc.store.copy_budget_set = 1;
			break;
		case 'P':
		case 'A':
			if (cli_names_kind("guard", c, &kind) < 0)
				return EXIT_ERROR;
			break;
		case 'h': fputs(USAGE, stdout); return 0;
		default: return cli_bad_option("guard", c, argv);
		}
	}
	if (cc.store.all_in_use && (optind < argc || from_stdin))
		return cli_fail("guard", "--all-in-use takes no paths");
	if (!cc.store.all_in_use && optind == argc && !from_stdin)
		return cli_fail("guard", "no files given (name them, use --stdin or --all-in-use)");
	if (!cc.store.all_in_use &&
	    !(targets = fs_targets_from_names(cc.store.root, cc.store.store, kind,
					      argv + optind, (size_t)(argc - optind),
					      from_stdin ? 0 : -1, &err)))
		return cli_fail("guard", "%s", err.msg);
	if (fs_guard(targets, &cc.store, &r, &err) < 0)
		goto fail;
	if ((cc.json ? fs_guard_write_json(r, stdout) : fs_guard_write_text(r, stdout)) < 0) {
		rc = cli_fail("guard", "cannot write the output");
		goto out;
	}
	if (!r->complete)
		cli_warn_unreadable("guard", r->unreadable);
	rc = r->failed ? 1 : 0;
	goto out;
fail:
	rc = cli_fail("guard", "%s", err.msg);
out:
	fs_guard_result_free(r);
	fs_targets_free(targets);
	return rc;
}
