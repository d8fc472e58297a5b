/* cmd_ps.c - `forksafe ps`: processes and their images. */
#include "cli.h"

#include <stdio.h>

int cmd_ps(struct cli_args *a)
{
	fs_scan_opts so = a->store.scan;
	fs_scan *scan;
	fs_pkgdb *db = NULL;
	fs_err err;
	int rc;

	if (a->noperands)
		return cli_fail("ps", "unexpected argument '%s'", a->operands[0]);
	so.process_view = 1;
	if (fs_scan_run(&so, &scan, &err) < 0)
		return cli_fail("ps", "%s", err.msg);
	/* without a package database the output simply names no packages; a
	 * database that is there but cannot be used is said */
	if (fs_pkgdb_open_labels(NULL, NULL, &db, &err) < 0 ||
	    (db && fs_pkgdb_label_scan(db, scan, &err) < 0))
		fs_text_line(stderr, "forksafe ps: warning: packages are not named: %s", err.msg);
	rc = a->json ? fs_scan_write_json(scan, stdout)
		     : fs_scan_write_text(scan, stdout, a->brief);
	cli_warn_incomplete("ps", scan);
	fs_scan_free(scan);
	fs_pkgdb_free(db);
	if (rc < 0)
		return cli_fail("ps", "cannot write the output");
	return EXIT_OK;
}
