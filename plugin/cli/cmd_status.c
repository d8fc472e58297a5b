/* cmd_status.c - `forksafe status`: snapshots, what they cost, who holds them. */
#include "cli.h"

#include <stdio.h>

int cmd_status(struct cli_args *a)
{
	fs_status_result *r;
	fs_pkgdb *db = NULL;
	fs_err err;
	int rc = EXIT_OK;

	if (a->noperands)
		return cli_fail("status", "unexpected argument '%s'", a->operands[0]);
	if (fs_status(&a->store, &r, &err) < 0)
		return cli_fail("status", "%s", err.msg);
	/* kept files named with their packages when the root has a database;
	 * one that is there but cannot be used is said */
	if (r->n && (fs_pkgdb_open_labels(a->store.root, a->store.store, &db, &err) < 0 ||
		     (db && fs_status_label(r, db, &err) < 0)))
		fs_text_line(stderr, "forksafe status: warning: packages are not named: %s", err.msg);
	if ((a->json ? fs_status_write_json(r, stdout) : fs_status_write_text(r, stdout)) < 0)
		rc = cli_fail("status", "cannot write the output");
	if (r->scan && !r->scan->complete)
		cli_warn_unreadable("status", r->scan->unreadable);
	fs_status_result_free(r);
	fs_pkgdb_free(db);
	return rc;
}
