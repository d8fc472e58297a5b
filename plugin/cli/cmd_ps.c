/* cmd_ps.c - `forksafe ps [--json] [--brief]`: processes and their images. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>

static const char USAGE[] =
	"usage: forksafe ps [--json] [--brief] [--threads N]\n"
	"List running processes with the executable images they map, and the\n"
	"installed packages (pacman or dpkg) that own them.\n"
	"  --json       machine-readable output (docs/json.md)\n"
	"  --brief      one line per process\n"
	"  --threads N  read /proc with N threads (default: one per CPU)\n";

int cmd_ps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "brief", no_argument, NULL, 'b' },
		{ "threads", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	fs_scan_opts so = { .process_view = 1 };
	fs_scan *scan;
	fs_pkgdb *db = NULL;
	fs_err err;
	int json = 0, brief = 0, c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'b': brief = 1; break;
		case 't':
			if (cli_threads("ps", optarg, &so.threads) < 0)
				return EXIT_ERROR;
			break;
		case 'h': fputs(USAGE, stdout); return 0;
		default: return cli_bad_option("ps", c, argv);
		}
	}
	if (optind < argc)
		return cli_fail("ps", "unexpected argument '%s'", argv[optind]);
	if (fs_scan_run(&so, &scan, &err) < 0)
		return cli_fail("ps", "%s", err.msg);
	/* without a package database the output simply names no packages */
	if (fs_pkgdb_open(NULL, NULL, &db, &err) == 0)
		fs_pkgdb_label_scan(db, scan, &err);
	rc = json ? fs_scan_write_json(scan, stdout) : fs_scan_write_text(scan, stdout, brief);
	cli_warn_incomplete("ps", scan);
	fs_scan_free(scan);
	fs_pkgdb_free(db);
	if (rc < 0)
		return cli_fail("ps", "cannot write the output");
	return 0;
}
