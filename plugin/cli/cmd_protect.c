/*
 * cmd_protect.c - `forksafe protect PATH...`: before an in-place rebuild,
 * keep in-use files and give their paths fresh copies to be rewritten.
 */
#include "cli.h"

#include <stdio.h>

int cmd_protect(struct cli_args *a)
{
	fs_targets *targets;
	fs_guard_result *r = NULL;
	fs_err err;
	int rc = EXIT_ERROR;

	if (a->noperands == 0)
		return cli_fail("protect", "no files given");
	targets = fs_targets_from(a->store.root, a->operands, (size_t)a->noperands, -1, &err);
	if (!targets)
		return cli_fail("protect", "%s", err.msg);
	if (fs_protect(targets, &a->store, &r, &err) < 0)
		goto fail;
	if ((a->json ? fs_guard_write_json(r, stdout) : fs_guard_write_text(r, stdout)) < 0) {
		rc = cli_fail("protect", "cannot write the output");
		goto out;
	}
	if (!r->complete)
		cli_warn_unreadable("protect", r->unreadable);
	rc = r->failed ? EXIT_PARTLY : EXIT_OK;
	goto out;
fail:
	rc = cli_fail("protect", "%s", err.msg);
out:
	fs_guard_result_free(r);
	fs_targets_free(targets);
	return rc;
}
