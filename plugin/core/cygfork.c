/*
 * cygfork.c - retiring the runtime's own snapshot directories,
 * <root>/var/run/cygfork/<SID>/<EXE id>@<PID><TID>/.  The runtime removes
 * them only when a later process that used its retry exits
 * (dll_list::cleanup_forkables), and other users' only as administrator:
 * those of crashed processes stay.  A directory goes when its mutex
 * cygfork@<SID>@<EXE id>@<PID><TID>, in the installation's object
 * directory, no longer exists: the runtime's own test, made the runtime's
 * way (create it owned; remove while holding it, so a process starting to
 * use that name waits).  One whose mutex exists, or cannot be checked, is
 * never touched.  forksafe's own snapshot mutexes are another protocol
 * (mutex_win32.c) and are not involved.
 */
#include "err.h"
#include "os_fork.h"
#include "vec.h"
#include "cygfork.h"

#include <stdlib.h>
#include <string.h>

static int add_line(char ***v, size_t *n, size_t *cap, const char *a, const char *b)
{
	size_t len = strlen(a) + strlen(b) + 3;
	char **slot = fs_grow((void **)v, n, cap, sizeof *slot);

	if (!slot || !(*slot = malloc(len)))
		return -1;
	snprintf(*slot, len, "%s%s%s", a, b[0] ? ": " : "", b);
	return 0;
}

int fs_cygfork_retire(const char *root, int dry_run, fs_cygfork_result **out, fs_err *err)
{
	fs_cygfork_result *r = NULL;
	fs_os_inst *in = NULL;
	char **names = NULL;
	size_t n = 0, pcap = 0, rcap = 0, nremoved = 0;
	int rc;

	*out = NULL;
	if ((rc = fs_os_inst_open(root ? root : "/", &in, err)) <= 0)
		return rc;
	rc = -1;
	if (!(r = calloc(1, sizeof *r))) {
		fs_fail(err, "out of memory");
		goto out;
	}
	if (fs_os_cygfork_list(in, &names, &n, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		fs_err why = { { 0 } };
		int held = fs_os_cygfork_check(in, names[i], !dry_run, &why);

		if (held == 1)
			r->held++;
		else if (held == 0 && add_line(&r->removed_names, &nremoved, &rcap, names[i], "") == 0)
			r->removed++;
		else if (held < 0 && add_line(&r->problems, &r->nproblems, &pcap, names[i], why.msg) == 0)
			continue;
		else {
			fs_fail(err, "out of memory");
			goto out;
		}
	}
	rc = 1;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	fs_os_inst_close(in);
	if (rc == 1)
		*out = r;
	else
		fs_cygfork_result_free(r);
	return rc;
}

int fs_retire_cygfork(const fs_store_opts *opts, fs_retire_result *r, fs_err *err)
{
	fs_err why = { { 0 } };
	size_t cap = 0;

	if (fs_cygfork_retire(opts->root, opts->dry_run, &r->cygfork, &why) >= 0)
		return 0;
	/* the store's work stands: the runtime's directories are only reported */
	if (!(r->cygfork = calloc(1, sizeof *r->cygfork)) ||
	    add_line(&r->cygfork->problems, &r->cygfork->nproblems, &cap, "*", why.msg) < 0)
		return fs_fail(err, "out of memory");
	return 0;
}

void fs_cygfork_result_free(fs_cygfork_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nproblems; i++)
		free(r->problems[i]);
	for (size_t i = 0; i < r->removed; i++)
		free(r->removed_names[i]);
	free(r->problems);
	free(r->removed_names);
	free(r);
}

void fs_cygfork_json(fs_json *j, const fs_cygfork_result *r)
{
	if (!r)
		return;
	fs_json_obj_begin(j, "cygfork");
	fs_json_arr_begin(j, "removed");
	for (size_t i = 0; i < r->removed; i++)
		fs_json_str(j, NULL, r->removed_names[i]);
	fs_json_arr_end(j);
	fs_json_uint(j, "held", r->held);
	fs_json_arr_begin(j, "problems");
	for (size_t i = 0; i < r->nproblems; i++)
		fs_json_str(j, NULL, r->problems[i]);
	fs_json_arr_end(j);
	fs_json_obj_end(j);
}

void fs_cygfork_text(FILE *f, const fs_cygfork_result *r, int dry_run)
{
	if (!r || (!r->removed && !r->nproblems))
		return;
	for (size_t i = 0; i < r->removed; i++)
		fs_text_line(f, "forksafe: cygfork/%s: %s (its mutex no longer exists)", r->removed_names[i],
			     dry_run ? "would be removed" : "removed");
	for (size_t i = 0; i < r->nproblems; i++)
		fs_text_line(f, "forksafe: cygfork/%s: left alone", r->problems[i]);
}
