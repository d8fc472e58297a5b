/* cmd_inuse.c - `forksafe inuse [PATH...]`: for each file, the processes that map it. */
#include "cli.h"

#include <stdio.h>

int cmd_inuse(struct cli_args *a)
{
	fs_targets *targets = NULL;
	fs_inuse *q = NULL;
	fs_err err;
	int rc = EXIT_ERROR;

	if (a->noperands == 0 && !a->from_stdin)
		return cli_fail("inuse", "no files given (name them, or use --stdin)");
	targets = fs_targets_from_names(a->store.root, NULL, a->kind, a->operands,
					(size_t)a->noperands, a->from_stdin ? 0 : -1, &err);
	if (!targets)
		return cli_fail("inuse", "%s", err.msg);
	if (fs_inuse_run(targets, &a->store.scan, &q, &err) < 0)
		goto fail;
	if ((a->json ? fs_inuse_write_json(q, stdout) : fs_inuse_write_text(q, stdout)) < 0) {
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
