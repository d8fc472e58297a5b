/*
 * cmd_retire.c - `forksafe retire`: drop snapshots and entries that
 * nothing holds any more.
 */
#include "cli.h"

#include <stdio.h>

int cmd_retire(struct cli_args *a)
{
	fs_retire_result *r;
	fs_err err;
	int rc = EXIT_OK;

	if (a->noperands)
		return cli_fail("retire", "unexpected argument '%s'", a->operands[0]);
	if (fs_retire(&a->store, &r, &err) < 0)
		return cli_fail("retire", "%s", err.msg);
	if ((a->json ? fs_retire_write_json(r, stdout) : fs_retire_write_text(r, stdout)) < 0)
		rc = cli_fail("retire", "cannot write the output");
	for (size_t i = 0; rc == EXIT_OK && i < r->n; i++)
		if (r->v[i].problem)
			rc = EXIT_PARTLY;
	if (rc == EXIT_OK && r->nleftovers_failed)
		rc = EXIT_PARTLY;
	if (!r->complete)
		cli_warn_unreadable("retire", r->unreadable);
	fs_retire_result_free(r);
	return rc;
}
