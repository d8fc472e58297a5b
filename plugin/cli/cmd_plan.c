/*
 * cmd_plan.c - `forksafe plan [-u | PKG...]`: before running pacman, which
 * running processes an upgrade would affect.
 */
#include "cli.h"

#include <stdio.h>

int cmd_plan(struct cli_args *a)
{
	fs_plan_opts po = { 0 };
	fs_plan *p;
	fs_err err;
	int rc;

	if (!a->update_all && a->noperands == 0)
		return cli_fail("plan", "nothing to plan: give -u or package names");
	po.update_all = a->update_all;
	po.root = a->store.root;
	po.store = a->store.store;
	po.scan = a->store.scan;
	po.names = a->operands;
	po.nnames = (size_t)a->noperands;
	if (fs_plan_run(&po, &p, &err) < 0)
		return cli_fail("plan", "%s", err.msg);
	rc = a->json ? fs_plan_write_json(p, stdout) : fs_plan_write_text(p, stdout);
	if (rc < 0)
		rc = cli_fail("plan", "cannot write the output");
	else
		rc = p->inuse->targets_in_use ? EXIT_IN_USE
		     : p->inuse->scan->complete ? EXIT_NONE_IN_USE : EXIT_INCOMPLETE;
	cli_warn_incomplete("plan", p->inuse->scan);
	fs_plan_free(p);
	return rc;
}
