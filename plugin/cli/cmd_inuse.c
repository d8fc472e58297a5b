/*
 * cmd_inuse.c - `forksafe inuse [--json] [--root DIR] [--stdin] [PATH...]`:
 * for each file, the processes that map it.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

static const char USAGE[] =
	"usage: forksafe inuse [--json] [--root DIR] [--stdin] [--threads N] [PATH...]\n"
	"       forksafe inuse [OPTIONS] --package NAME... | --archive FILE...\n"
	"Tell which running processes map each file.\n"
	"  --json       machine-readable output (docs/json.md)\n"
	"  --root DIR   paths are inside DIR (default /)\n"
	"  --stdin      also read paths from standard input, one per line,\n"
	"               as pacman's NeedsTargets gives them\n"
	"  --threads N  read /proc with N threads (default: one per CPU)\n"
	"  --package    the arguments are installed packages: their files\n"
	"  --archive    the arguments are package files (.pkg.tar.zst, .tar.xz, ...):\n"
	"               the files each would install or replace\n"
	"exit status: 0 none in use, 1 some in use, 2 error,\n"
	"             3 none found in use, but some processes could not be read or\n"
	"               some targets were skipped (they name no file inside the root)\n";

int cmd_inuse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "root", required_argument, NULL, 'r' },
		{ "stdin", no_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "package", no_argument, NULL, 'P' },
		{ "archive", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	fs_scan_opts so = { 0 };
	const char *root = NULL;
	fs_targets *targets = NULL;
	fs_inuse *q = NULL;
	fs_err err;
	int json = 0, from_stdin = 0, kind = FS_NAMES_PATHS, c, rc = EXIT_ERROR;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'r': root = optarg; break;
		case 's': from_stdin = 1; break;
		case 'P':
		case 'A':
			if (cli_names_kind("inuse", c, &kind) < 0)
				return EXIT_ERROR;
			break;
		case 't':
			if (cli_threads("inuse", optarg, &so.threads) < 0)
				return EXIT_ERROR;
			break;
		case 'h': fputs(USAGE, stdout); return 0;
		default: return cli_bad_option("inuse", c, argv);
		}
	}
	if (optind == argc && !from_stdin) {
		return cli_fail("inuse", "no files given (name them, or use --stdin)");
	}
	targets = fs_targets_from_names(root, NULL, kind, argv + optind,
					(size_t)(argc - optind), from_stdin ? 0 : -1, &err);
	if (!targets)
		return cli_fail("inuse", "%s", err.msg);
	if (fs_inuse_run(targets, &so, &q, &err) < 0)
		goto fail;
	if ((json ? fs_inuse_write_json(q, stdout) : fs_inuse_write_text(q, stdout)) < 0) {
		rc = cli_fail("inuse", "cannot write the output");
		goto out;
	}
	cli_warn_incomplete("inuse", q->scan);
	/* a skipped target was not checked: "none in use" would claim too much */
	rc = q->targets_in_use ? EXIT_IN_USE
	     : q->scan->complete && !fs_targets_skipped(targets) ? EXIT_NONE_IN_USE
	     : EXIT_INCOMPLETE;
	goto out;
fail:
	rc = cli_fail("inuse", "%s", err.msg);
out:
	fs_inuse_free(q);
	fs_targets_free(targets);
	return rc;
}
