/*
 * status.c - what the store keeps, what it costs, and who holds it: one
 * scan filtered by every recorded identity.
 */
#include "store.h"
#include "err.h"
#include "inuse.h"
#include "../pkg/label.h"
#include "vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int fill_snap(fs_store *s, fs_status_snap *ss, const fs_scan *scan,
		     const fs_idset *ids, const size_t *start, const size_t *users,
		     fs_err *err)
{
	ss->v = calloc(ss->m.n + 1, sizeof *ss->v);
	if (!ss->v)
		return fs_fail(err, "out of memory");
	for (size_t i = 0; i < ss->m.n; i++) {
		fs_status_entry *se = &ss->v[ss->n++];
		fs_id id;
		long k;

		se->e = &ss->m.v[i];
		se->present = fs_snap_stat(s, ss->name, se->e->path, &id, &se->cost, NULL) == FS_PRESENT;
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

/* One snapshot's manifest, open marker and lock into ss; a manifest that
 * cannot be read is ss's problem, not an error. */
static int load_snap(fs_store *s, const char *name, fs_status_snap *ss, fs_idset *ids,
		     fs_err *err)
{
	fs_err lerr;

	memset(ss, 0, sizeof *ss);
	if (!(ss->name = strdup(name)))
		return fs_fail(err, "out of memory");
	if (fs_store_load(s, name, &ss->m, &lerr) < 0) {
		/* a problem lost to a failed allocation must not read as none */
		if (!(ss->problem = strdup(lerr.msg)))
			return fs_fail(err, "out of memory");
	} else if (fs_store_add_ids(ids, &ss->m, err) < 0) {
		return -1;
	}
	/* for the picture, a marker or lock that cannot be examined counts as
	 * absent (retire, which acts on them, reports such errors) */
	ss->open = fs_snap_is_open(s, ss->name, NULL) == FS_PRESENT;
	ss->lock_held = fs_snap_lock_held(s, ss->name, NULL) == FS_PRESENT;
	return 0;
}

int fs_status_load(const fs_store_opts *opts, fs_status_result *r, fs_idset *ids,
		   fs_store **out, fs_err *err)
{
	fs_store *s = NULL;
	char **names = NULL;
	size_t nnames = 0, cap = 0;
	int missing, rc = -1;

	*out = NULL;
	r->now = (int64_t)time(NULL);
	if (!(r->store = fs_store_path(opts)))
		return fs_fail(err, "out of memory");
	s = fs_store_open(opts, 0, &missing, err);
	if (!s)
		return missing ? 0 : -1;
	/* the lock gives a consistent picture; nothing is changed */
	if (fs_store_lock(s, err) < 0 || fs_store_list(s, &names, &nnames, err) < 0)
		goto out;
	for (size_t i = 0; i < nnames; i++) {
		fs_status_snap *ss;

		if (!fs_store_is_snapshot(names[i]))
			continue;
		if (!(ss = fs_grow((void **)&r->v, &r->n, &cap, sizeof *r->v))) {
			fs_fail(err, "out of memory");
			goto out;
		}
		if (load_snap(s, names[i], ss, ids, err) < 0)
			goto out;
	}
	*out = s;
	s = NULL;
	rc = 0;
out:
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	fs_store_close(s);
	return rc;
}

int fs_status(const fs_store_opts *opts, fs_status_result **out, fs_err *err)
{
	fs_status_result *r = calloc(1, sizeof *r);
	fs_scan_opts so = opts->scan;
	fs_idset *ids = fs_idset_new(256);
	fs_store *s = NULL;
	size_t *start = NULL, *users;
	int rc = -1;

	*out = NULL;
	if (!r || !ids) {
		fs_fail(err, "out of memory");
		goto out;
	}
	if (fs_status_load(opts, r, ids, &s, err) < 0)
		goto out;
	if (!s) {
		rc = 0; /* no store yet */
		goto out;
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
	fs_idset_free(ids);
	fs_store_close(s);
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

int fs_hold_run(const fs_store_opts *opts, const char *snapshot, char *const *argv,
		int *status, fs_err *err)
{
	fs_store *s;
	fs_snap_holder *h = NULL;
	int missing;

	if (!fs_store_is_snapshot(snapshot))
		return fs_fail(err, "'%s' is not a snapshot name (see forksafe status)", snapshot);
	s = fs_store_open(opts, 0, &missing, err);
	if (!s)
		return -1;
	/* the snapshot's lock first, without the store lock: waiting for it
	 * must never keep the store from others; then, under the store lock,
	 * make sure no retire removed the snapshot meanwhile */
	if (fs_snap_hold(s, snapshot, &h, err) < 0 || fs_store_lock(s, err) < 0 ||
	    fs_snap_hold_check(s, snapshot, h, err) < 0) {
		fs_snap_hold_release(h);
		fs_store_close(s);
		return -1;
	}
	fs_store_close(s);
	if (fs_os_run(argv, status, err) < 0) {
		fs_snap_hold_release(h);
		return -1;
	}
	fs_snap_hold_release(h);
	return 0;
}

/* Owners of kept files, for status output. */
int fs_status_label(fs_status_result *r, const fs_pkgdb *db, fs_err *err)
{
	size_t n = 0, k = 0;
	char **paths;
	const char ***slots;
	int rc = -1;

	for (size_t i = 0; i < r->n; i++)
		n += r->v[i].n;
	paths = calloc(n + 1, sizeof *paths);
	slots = calloc(n + 1, sizeof *slots);
	for (size_t i = 0; paths && slots && i < r->n; i++)
		for (size_t e = 0; e < r->v[i].n; e++, k++) {
			const char *rel = r->v[i].v[e].e->path;

			slots[k] = &r->v[i].v[e].package;
			if ((paths[k] = malloc(strlen(rel) + 2)))
				sprintf(paths[k], "/%s", rel);
		}
	for (size_t i = 0; paths && i < n; i++)
		if (!paths[i])
			k = 0; /* an allocation failed */
	if (!paths || !slots || k != n)
		fs_fail(err, "out of memory");
	else
		rc = fs_pkgdb_label(db, (const char *const *)paths, slots, n, err);
	for (size_t i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
	free(slots);
	return rc;
}
