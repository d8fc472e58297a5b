/*
 * inuse_api.c - forksafe/inuse.h, the installers' in-use query, over the
 * library's own target list and in-use query (fs_targets_from_names,
 * fs_inuse_run): this file only translates their answer into the public
 * structs, which never change shape with the internals.
 */
#include "forksafe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct forksafe_query {
	char *root;              /* NULL: "/" */
	fs_targets *targets;
	fs_inuse *inuse;         /* owns the scan the strings point into */
	forksafe_process *procs; /* one per process of the scan, same order */
	forksafe_file *files;    /* the targets, then the ones skipped */
	size_t nfiles;
	int complete;
	fs_err err;
};

const char *forksafe_version(void)
{
	return FORKSAFE_VERSION;
}

forksafe_query *forksafe_query_new(const char *root)
{
	forksafe_query *q = calloc(1, sizeof *q);

	if (!q)
		return NULL;
	if (root && !(q->root = strdup(root))) {
		free(q);
		return NULL;
	}
	return q;
}

/* Sets q's message (the core's fs_fail is private to the core): -1. */
static int fail(forksafe_query *q, const char *msg)
{
	snprintf(q->err.msg, sizeof q->err.msg, "%s", msg);
	return -1;
}

/* Forgets the answer of the last run. */
static void clear(forksafe_query *q)
{
	free(q->files);
	free(q->procs);
	fs_inuse_free(q->inuse);
	fs_targets_free(q->targets);
	q->files = NULL;
	q->procs = NULL;
	q->inuse = NULL;
	q->targets = NULL;
	q->nfiles = 0;
	q->complete = 0;
}

void forksafe_query_free(forksafe_query *q)
{
	if (!q)
		return;
	clear(q);
	free(q->root);
	free(q);
}

/* The internal kind of names for a public one; -1 for none. */
static int names_kind(int kind)
{
	switch (kind) {
	case FORKSAFE_PATHS: return FS_NAMES_PATHS;
	case FORKSAFE_PACKAGES: return FS_NAMES_PACKAGES;
	case FORKSAFE_ARCHIVES: return FS_NAMES_ARCHIVES;
	default: return -1;
	}
}

/* q->procs from the scan: one public process per scanned one. */
static int fill_procs(forksafe_query *q)
{
	const fs_scan *scan = q->inuse->scan;

	q->procs = calloc(scan->nprocs + 1, sizeof *q->procs);
	if (!q->procs)
		return fail(q, "out of memory");
	for (size_t i = 0; i < scan->nprocs; i++) {
		const fs_proc *p = &scan->procs[i];

		q->procs[i] = (forksafe_process){
			.pid = p->pid,
			.start_time = p->start_time,
			.name = p->comm ? p->comm : "",
			.exe = p->exe,
			.uid = p->uid,
		};
	}
	return 0;
}

/* q->files: the checked targets with their users' count, then the
 * targets left out with their problem. */
static int fill_files(forksafe_query *q)
{
	size_t n = fs_targets_count(q->targets), nskip = fs_targets_skipped(q->targets);
	int scan_complete = q->inuse->scan->complete != 0;

	if (n > SIZE_MAX / sizeof *q->files - 1 - nskip)
		return fail(q, "too many files");
	q->files = calloc(n + nskip + 1, sizeof *q->files);
	if (!q->files)
		return fail(q, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const fs_target *t = fs_targets_get(q->targets, i);

		q->files[i] = (forksafe_file){
			.name = t->request,
			.path = t->path,
			.exists = t->exists,
			.complete = scan_complete,
			.nprocesses = q->inuse->nusers[i],
		};
	}
	for (size_t i = 0; i < nskip; i++) {
		const fs_target_skip *s = fs_targets_skip_get(q->targets, i);

		q->files[n + i] = (forksafe_file){ .name = s->request, .problem = s->problem };
	}
	q->nfiles = n + nskip;
	q->complete = scan_complete && nskip == 0;
	return 0;
}

int forksafe_query_run(forksafe_query *q, int kind, const char *const *names, size_t n)
{
	int k = names_kind(kind);

	if (!q)
		return -1; /* forksafe_query_new() failed: its error says so */
	clear(q);
	q->err.msg[0] = '\0';
	if (k < 0)
		return fail(q, "unknown kind of names (not FORKSAFE_PATHS, _PACKAGES or _ARCHIVES)");
	if (n > 0 && !names)
		return fail(q, "names given as NULL");
	/* the count alone refuses a list too long: nothing past it is read */
	if (n > FS_TARGETS_MAX)
		return fail(q, "too many names (at most 8388608)");
	for (size_t i = 0; i < n; i++)
		if (!names[i])
			return fail(q, "a name given as NULL");
	/* the list is only read: fs_targets_from_names takes argv's type */
	q->targets = fs_targets_from_names(q->root, NULL, k, (char *const *)names, n, -1,
					   &q->err);
	if (!q->targets || fs_inuse_run(q->targets, NULL, &q->inuse, &q->err) < 0 ||
	    fill_procs(q) < 0 || fill_files(q) < 0) {
		clear(q);
		return -1;
	}
	return 0;
}

const char *forksafe_query_error(const forksafe_query *q)
{
	return q ? q->err.msg : "out of memory";
}

int forksafe_query_complete(const forksafe_query *q)
{
	return q ? q->complete : 0;
}

size_t forksafe_query_files(const forksafe_query *q)
{
	return q ? q->nfiles : 0;
}

const forksafe_file *forksafe_query_file(const forksafe_query *q, size_t i)
{
	return q && i < q->nfiles ? &q->files[i] : NULL;
}

const forksafe_process *forksafe_query_process(const forksafe_query *q, size_t file,
					       size_t j)
{
	/* the targets come first in files[], in the order of inuse's lists */
	if (!q || file >= q->nfiles || j >= q->files[file].nprocesses)
		return NULL;
	return &q->procs[q->inuse->users[file][j]];
}
