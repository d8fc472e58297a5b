/*
 * status.c - what the store keeps, what it costs, and who holds it: one
 * scan filtered by every recorded identity.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int fill_snap(fs_os_store *s, fs_status_snap *ss, const fs_scan *scan,
		     const fs_idset *ids, const size_t *start, const size_t *users,
		     fs_err *err)
{
	ss->open = fs_os_snap_exists(s, ss->name, "open");
	ss->lock_held = fs_os_snap_lock_held(s, ss->name, NULL) == 1;
	ss->v = calloc(ss->m.n + 1, sizeof *ss->v);
	if (!ss->v)
		return fs_fail(err, "out of memory");
	for (size_t i = 0; i < ss->m.n; i++) {
		fs_status_entry *se = &ss->v[ss->n++];
		fs_id id;
		long k;

		se->e = &ss->m.v[i];
		se->present = fs_os_snap_stat(s, ss->name, se->e->path, &id, &se->cost, NULL) == 1;
		ss->cost += se->present ? se->cost : 0;
		k = fs_idset_find(ids, se->e->id);
		se->nholders = k < 0 ? 0 : start[k + 1] - start[k];
		se->holders = calloc(se->nholders + 1, sizeof *se->holders);
		if (!se->holders)
			return fs_fail(err, "out of memory");
		for (size_t h = 0; h < se->nholders; h++)
			se->holders[h] = &scan->procs[users[start[k] + h]];
	}
	return 0;
}

int fs_status(const fs_store_opts *opts, fs_status_result **out, fs_err *err)
{
	fs_status_result *r = calloc(1, sizeof *r);
	fs_scan_opts so = opts->scan;
	fs_idset *ids = fs_idset_new(256);
	fs_os_store *s = NULL;
	char **names = NULL;
	size_t nnames = 0, cap = 0, *start = NULL, *users = NULL;
	int missing, rc = -1;

	*out = NULL;
	if (!r || !ids || !(r->store = fs_store_path(opts))) {
		fs_fail(err, "out of memory");
		goto out;
	}
	r->now = (int64_t)time(NULL);
	s = fs_store_open(opts, 0, &missing, err);
	if (!s) {
		rc = missing ? 0 : -1;
		goto out;
	}
	/* the lock gives a consistent picture; nothing is changed */
	if (fs_os_store_lock(s, err) < 0 || fs_os_store_list(s, &names, &nnames, err) < 0)
		goto out;
	for (size_t i = 0; i < nnames; i++) {
		fs_status_snap *ss;
		fs_err lerr;

		if (!fs_store_is_snapshot(names[i]))
			continue;
		ss = fs_grow((void **)&r->v, &r->n, &cap, sizeof *r->v);
		if (!ss) {
			fs_fail(err, "out of memory");
			goto out;
		}
		memset(ss, 0, sizeof *ss);
		ss->name = strdup(names[i]);
		if (fs_store_load(s, names[i], &ss->m, &lerr) < 0)
			ss->problem = strdup(lerr.msg);
		else if (fs_store_add_ids(ids, &ss->m) < 0) {
			fs_fail(err, "out of memory");
			goto out;
		}
	}
	so.filter = ids;
	if (fs_scan_run(&so, &r->scan, err) < 0)
		goto out;
	if (fs_users_by_id(r->scan, ids, &start, &users) < 0) {
		fs_fail(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < r->n; i++)
		if (!r->v[i].problem &&
		    fill_snap(s, &r->v[i], r->scan, ids, start, users, err) < 0)
			goto out;
	rc = 0;
out:
	free(start);
	free(users);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	fs_idset_free(ids);
	fs_os_store_close(s);
	if (rc == 0)
		*out = r;
	else
		fs_status_result_free(r);
	return rc;
}

void fs_status_result_free(fs_status_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		for (size_t k = 0; k < r->v[i].n; k++)
			free(r->v[i].v[k].holders);
		free(r->v[i].v);
		fs_manifest_free(&r->v[i].m);
		free(r->v[i].name);
		free(r->v[i].problem);
	}
	free(r->v);
	free(r->store);
	fs_scan_free(r->scan);
	free(r);
}

int fs_hold(const fs_store_opts *opts, const char *snapshot, int *fd, fs_err *err)
{
	fs_os_store *s;
	int missing, rc = -1;

	if (!fs_store_is_snapshot(snapshot))
		return fs_fail(err, "'%s' is not a snapshot name (see forksafe status)", snapshot);
	s = fs_store_open(opts, 0, &missing, err);
	if (!s)
		return -1;
	/* under the store lock, so no retire removes it meanwhile */
	if (fs_os_store_lock(s, err) == 0 && fs_os_snap_hold(s, snapshot, fd, err) == 0)
		rc = 0;
	fs_os_store_close(s);
	return rc;
}
