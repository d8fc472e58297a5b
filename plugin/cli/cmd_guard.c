/*
 * cmd_guard.c - `forksafe guard`: before a transaction, keep the targets
 * that running processes map.
 */
#include "cli.h"

#include <stdio.h>

int cmd_guard(struct cli_args *a)
{
	fs_store_opts *so = &a->store;
	fs_targets *targets = NULL;
	fs_guard_result *r = NULL;
	fs_err err;
	int rc = EXIT_ERROR;

	if (so->all_in_use && (a->noperands || a->from_stdin))
		return cli_fail("guard", "--all-in-use takes no paths");
	if (!so->all_in_use && a->noperands == 0 && !a->from_stdin)
		return cli_fail("guard", "no files given (name them, use --stdin or --all-in-use)");
	if (!so->all_in_use &&
	    !(targets = fs_targets_from_names(so->root, so->store, a->kind, a->operands,
					      (size_t)a->noperands, a->from_stdin ? 0 : -1, &err)))
		return cli_fail("guard", "%s", err.msg);
	if (fs_guard(targets, so, &r, &err) < 0)
		goto fail;
	if ((a->json ? fs_guard_write_json(r, stdout) : fs_guard_write_text(r, stdout)) < 0) {
		rc = cli_fail("guard", "cannot write the output");
		goto out;
	}
	if (!r->complete)
		cli_warn_unreadable("guard", r->unreadable);
	rc = r->failed ? EXIT_PARTLY : EXIT_OK;
	goto out;
fail:
	rc = cli_fail("guard", "%s", err.msg);
out:
	fs_guard_result_free(r);
	fs_targets_free(targets);
	return rc;
}
