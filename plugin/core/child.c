/*
 * child.c - fs_run_limited(): the hooks' work in a child process with a
 * deadline.  The OS backend does it (fs_os_run_limited); this checks what
 * it is given.
 */
#include "os.h"
#include "err.h"

#include <string.h>

int fs_run_limited(const fs_child *c, unsigned timeout, fs_child_end *end, fs_err *err)
{
	memset(end, 0, sizeof *end);
	if (!c->run || !c->argv || !c->argv[0])
		return fs_fail(err, "no work to run");
	if (timeout < 1 || timeout > FS_CONFIG_TIMEOUT_MAX)
		return fs_fail(err, "a time limit of %u s is not from 1 to %u", timeout,
			       FS_CONFIG_TIMEOUT_MAX);
	return fs_os_run_limited(c, timeout, end, err);
}
