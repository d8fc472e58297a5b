/*
 * cmd_enable.c - `forksafe enable`: make Cygwin's fork retry directory in a
 * Cygwin or MSYS2 root and say what is and is not protected.
 */
#include "cli.h"

#include <stdio.h>

int cmd_enable(struct cli_args *a)
{
	fs_enable_result *r;
	fs_err err;
	int rc;

	if (a->noperands)
		return cli_fail("enable", "unexpected argument '%s'", a->operands[0]);
	if (fs_enable(a->store.root, &r, &err) < 0)
		return cli_fail("enable", "%s", err.msg);
	rc = a->json ? fs_enable_write_json(r, stdout) : fs_enable_write_text(r, stdout);
	rc = rc < 0 ? cli_fail("enable", "cannot write the output")
	     : r->protected_ ? EXIT_OK : EXIT_PARTLY;
	fs_enable_result_free(r);
	return rc;
}
