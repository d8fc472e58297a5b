/*
 * cmd_owner.c - `forksafe owner [--root DIR] [--json] PATH...`: which
 * installed package owns each file.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
	"usage: forksafe owner [--root DIR] [--store DIR] [--json] [--stdin] PATH...\n"
	"Tell which installed packages (pacman or dpkg) own each file: a symbolic\n"
	"link is the link's own path, a directory names every package listing it,\n"
	"dpkg's diversions are honoured.\n"
	"  --root DIR   paths and package database are inside DIR (default /)\n"
	"  --store DIR  where the database cache pkgdb.solv is kept\n"
	"               (default ROOT/var/lib/forksafe)\n"
	"  --stdin      also read paths from standard input, one per line\n"
	"  --json       machine-readable output (docs/json.md)\n"
	"exit status: 0 every file is owned, 1 some file is owned by no package\n"
	"             (or was skipped: it names no file inside the root), 2 error\n";

int cmd_owner(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_STORE_OPTIONS,
		{ "stdin", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_common cc = { 0 };
	fs_targets *targets = NULL;
	fs_pkgdb *db = NULL;
	const char **paths = NULL;
	fs_pkg *owners = NULL;
	size_t n;
	fs_err err;
	int from_stdin = 0, c, rc = EXIT_ERROR;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (cli_common_option(&cc, "owner", c, optarg)) {
		case 1: continue;
		case -1: return EXIT_ERROR;
		}
		switch (c) {
		case 's': from_stdin = 1; break;
		case 'h': fputs(USAGE, stdout); return 0;
		default: return cli_bad_option("owner", c, argv);
		}
	}
	if (optind == argc && !from_stdin)
		return cli_fail("owner", "no files given (name them, or use --stdin)");
	/* "DIR/" asks about DIR, as dpkg -S and pacman -Qo take it (in a
	 * target list it is a package's directory entry, never listed) */
	for (int i = optind; i < argc; i++)
		for (size_t len = strlen(argv[i]); len > 1 && argv[i][len - 1] == '/';)
			argv[i][--len] = '\0';
	targets = fs_targets_from(cc.store.root, argv + optind, (size_t)(argc - optind),
				  from_stdin ? 0 : -1, &err);
	if (!targets || fs_pkgdb_open(cc.store.root, cc.store.store, &db, &err) < 0)
		goto fail;
	n = fs_targets_count(targets);
	paths = malloc((n ? n : 1) * sizeof *paths);
	owners = malloc((n ? n : 1) * sizeof *owners);
	if (!paths || !owners) {
		rc = cli_fail("owner", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) { /* a symbolic link: the link's own path */
		const fs_target *tg = fs_targets_get(targets, i);

		paths[i] = tg->link ? tg->link : tg->path;
	}
	if (fs_pkgdb_owners(db, paths, n, owners, &err) < 0)
		goto fail;
	if ((cc.json ? fs_owners_write_json(db, targets, owners, stdout)
		     : fs_owners_write_text(targets, owners, stdout)) < 0) {
		rc = cli_fail("owner", "cannot write the output");
		goto out;
	}
	rc = fs_targets_skipped(targets) ? 1 : 0; /* a skipped target: owner unknown */
	for (size_t i = 0; i < n; i++)
		if (!owners[i].name)
			rc = 1;
	goto out;
fail:
	rc = cli_fail("owner", "%s", err.msg);
out:
	free(paths);
	free(owners);
	fs_pkgdb_free(db);
	fs_targets_free(targets);
	return rc;
}
