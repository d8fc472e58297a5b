/* cmd_owner.c - `forksafe owner PATH...`: which installed package owns each file. */
#include "cli.h"

#include <stdio.h>

int cmd_owner(struct cli_args *a)
{
	fs_owner_result *r;
	fs_err err;
	int rc;

	if (a->noperands == 0 && !a->from_stdin)
		return cli_fail("owner", "no files given (name them, or use --stdin)");
	if (fs_owner_query(a->store.root, a->store.store, a->operands, (size_t)a->noperands,
			   a->from_stdin ? 0 : -1, &r, &err) < 0)
		return cli_fail("owner", "%s", err.msg);
	rc = a->json ? fs_owners_write_json(r->db, r->targets, r->owners, stdout)
		     : fs_owners_write_text(r->targets, r->owners, stdout);
	rc = rc < 0 ? cli_fail("owner", "cannot write the output")
	     : r->unowned ? EXIT_PARTLY : EXIT_OK;
	fs_owner_result_free(r);
	return rc;
}
