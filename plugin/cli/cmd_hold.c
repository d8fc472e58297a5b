/*
 * cmd_hold.c - `forksafe hold SNAPSHOT -- CMD...`: keep a snapshot while a
 * command runs.  The lock stays in this process, which waits for CMD and
 * passes signals on to it; CMD inherits nothing of the store.  Options end
 * at SNAPSHOT (NEED_IN_ORDER): CMD's options are its own.
 */
#include "cli.h"

#include <string.h>

int cmd_hold(struct cli_args *a)
{
	fs_err err;
	int status;

	if (a->noperands < 3 || strcmp(a->operands[1], "--") != 0)
		return cli_fail("hold", "usage: forksafe hold SNAPSHOT -- CMD [ARG...]");
	if (fs_hold_run(&a->store, a->operands[0], a->operands + 2, &status, &err) < 0)
		return cli_fail("hold", "%s", err.msg);
	return status;
}
