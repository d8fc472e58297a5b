/*
 * cmd_report.c - `forksafe report`: after a transaction, the processes that
 * still run replaced or removed images, by package, and who must restart.
 */
#include "cli.h"

#include <stdio.h>

int cmd_report(struct cli_args *a)
{
	fs_report_result *r = NULL;
	fs_pkgdb *db = NULL;
	fs_err err;
	int rc;

	if (a->noperands)
		return cli_fail("report", "unexpected argument '%s'", a->operands[0]);
	/* without a usable package database the report names no packages */
	if (fs_pkgdb_open_labels(a->store.root, a->store.store, &db, &err) < 0)
		fs_text_line(stderr, "forksafe report: warning: packages are not named: %s", err.msg);
	a->store.scan.units = 1; /* where systemd runs: which unit to restart */
	if (fs_report(&a->store, db, &r, &err) < 0) {
		fs_pkgdb_free(db);
		return cli_fail("report", "%s", err.msg);
	}
	rc = a->json ? fs_report_write_json(r, stdout) : fs_report_write_text(r, stdout);
	if (rc < 0)
		rc = cli_fail("report", "cannot write the output");
	else
		rc = r->n > r->unknown ? EXIT_IN_USE
		     : r->scan->complete && !r->unknown ? EXIT_NONE_IN_USE : EXIT_INCOMPLETE;
	cli_warn_incomplete("report", r->scan);
	fs_report_result_free(r);
	fs_pkgdb_free(db);
	return rc;
}
