/*
 * retire.c - drop what nothing holds any more, trusting only kernel state.
 *
 * Under the store lock, with one scan of all processes (filtered by every
 * identity the manifests record):
 *   - leftovers of interrupted guard/retire runs are removed;
 *   - with --post-transaction, open snapshots are closed;
 *   - a snapshot whose lock is held keeps everything;
 *   - in a closed snapshot, an entry whose original path still has its
 *     identity is redundant (the file was never replaced) and is dropped;
 *   - otherwise an entry stays while a live process maps its identity;
 *   - a snapshot left without entries is removed (renamed to .dead-* first,
 *     so an interrupted removal is finished by the next run).
 * A process that could not be read keeps every entry it was recorded as
 * mapping at guard time (same pid and start time): what it maps now is
 * unknown.  A manifest that cannot be parsed is reported and its snapshot
 * left alone.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

struct snap {
	char *name;
	fs_manifest m;
	int ok;
	fs_err why;   /* when not ok */
};

/* Is one of the processes recorded for e alive but unreadable? */
static int unread_user(const fs_scan *scan, const fs_manifest_entry *e)
{
	for (size_t i = 0; scan && i < scan->unreadable; i++)
		for (size_t k = 0; k < e->nprocs; k++)
			if (scan->unreadable_procs[i].pid == e->procs[k].pid &&
			    scan->unreadable_procs[i].start_time == e->procs[k].start_time)
				return 1;
	return 0;
}

/* Does the root's file at e->path still have e->id? */
static int still_there(fs_os_root **root, const char **root_path,
		       const fs_manifest *m, const fs_manifest_entry *e)
{
	fs_target t = { 0 };

	if (!*root || strcmp(*root_path, m->root) != 0) {
		fs_os_root_close(*root);
		*root = fs_os_root_open(m->root, NULL);
		*root_path = m->root;
	}
	if (!*root || fs_os_resolve(*root, e->path, &t, NULL) < 0)
		return 0;
	free(t.path);
	return t.exists && t.id.dev == e->id.dev && t.id.ino == e->id.ino;
}

/* Empties a snapshot without entries: renamed to .dead-* first, so that an
 * interrupted (or failed) removal is finished by a later run. */
static int remove_snapshot(fs_store *s, const char *name, fs_err *err)
{
	char dead[160];

	snprintf(dead, sizeof dead, DEAD_PREFIX "%s", name);
	if (fs_store_rename(s, name, dead, err) < 0)
		return -1;
	return fs_store_remove(s, dead, err);
}

/* Should entry e go?  (Counts it as redundant when it was never replaced.) */
static int droppable(const struct snap *sn, const fs_manifest_entry *e, const fs_scan *scan,
		     const fs_idset *mapped, fs_os_root **root, const char **root_path,
		     int held, int closed, fs_retire_snap *out)
{
	if (held)
		return 0;
	if (closed && still_there(root, root_path, &sn->m, e)) {
		out->redundant++;
		return 1;
	}
	return fs_idset_find(mapped, e->id) < 0 && !unread_user(scan, e);
}

/*
 * One snapshot.  An entry that cannot be dropped stays in the manifest and
 * the walk goes on: the first error is returned, after every entry was
 * handled (as systemd's rm_rf does).
 */
static int retire_one(fs_store *s, struct snap *sn, const fs_scan *scan,
		      const fs_idset *mapped, fs_os_root **root, const char **root_path,
		      const fs_store_opts *opts, fs_retire_snap *out, fs_err *err)
{
	fs_manifest keep = { 0 };
	int held, failed = 0, gone = 0;

	out->was_open = fs_snap_is_open(s, sn->name, NULL) == FS_PRESENT;
	if (out->was_open && opts->post_transaction) {
		if (!opts->dry_run && fs_snap_close(s, sn->name, err) < 0)
			return -1;
		out->closed_now = 1;
	}
	held = fs_snap_lock_held(s, sn->name, err);
	if (held < 0)
		return -1;
	out->lock_held = held;
	keep.root = strdup(sn->m.root);
	keep.created = sn->m.created;
	if (!keep.root)
		return fs_fail(err, "out of memory");
	for (size_t i = 0; i < sn->m.n; i++) {
		const fs_manifest_entry *e = &sn->m.v[i];
		int closed = !out->was_open || out->closed_now;
		fs_err derr;

		if (droppable(sn, e, scan, mapped, root, root_path, held, closed, out)) {
			if (opts->dry_run || fs_snap_drop(s, sn->name, e->path, &derr) == 0) {
				out->dropped++;
				continue;
			}
			if (!failed++)
				*err = derr; /* the first error; the entry stays */
		}
		out->kept++;
		if (fs_manifest_add(&keep, e) < 0) {
			fs_manifest_free(&keep);
			return fs_fail(err, "out of memory");
		}
	}
	if (!opts->dry_run && out->dropped > 0) {
		fs_err serr;
		int rc = keep.n > 0 ? fs_store_save(s, sn->name, &keep, &serr)
				    : remove_snapshot(s, sn->name, &serr);

		if (rc < 0 && !failed++)
			*err = serr;
		gone = rc == 0 && keep.n == 0;
	}
	out->removed = opts->dry_run ? out->dropped > 0 && keep.n == 0 : gone;
	fs_manifest_free(&keep);
	return failed ? -1 : 0;
}

/* Removes a leftover; one that cannot be removed is reported, and retire
 * goes on.  -1 only when out of memory. */
static int remove_leftover(fs_store *s, const char *name, const fs_store_opts *opts,
			   fs_retire_result *r)
{
	size_t cap = r->nleftovers_failed;
	char **slot, msg[sizeof ((fs_err *)0)->msg + 160];
	fs_err err;

	if (opts->dry_run || fs_store_remove(s, name, &err) == 0) {
		r->leftovers++;
		return 0;
	}
	snprintf(msg, sizeof msg, "%s: %s", name, err.msg);
	slot = fs_grow((void **)&r->leftovers_failed, &r->nleftovers_failed, &cap, sizeof *slot);
	if (!slot)
		return -1;
	if (!(*slot = strdup(msg))) {
		r->nleftovers_failed--;
		return -1;
	}
	return 0;
}

int fs_retire(const fs_store_opts *opts, fs_retire_result **out, fs_err *err)
{
	fs_retire_result *r = calloc(1, sizeof *r);
	fs_scan_opts so = opts->scan;
	fs_store *s = NULL;
	fs_os_root *root = NULL;
	const char *root_path = NULL;
	struct snap *snaps = NULL;
	size_t nsnaps = 0, cap = 0, nnames = 0;
	char **names = NULL;
	fs_idset *ids = fs_idset_new(256);
	fs_scan *scan = NULL;
	int missing, rc = -1;

	*out = NULL;
	if (!r || !ids) {
		fs_fail(err, "out of memory");
		goto out;
	}
	r->dry_run = opts->dry_run;
	r->complete = 1;
	s = fs_store_open(opts, 0, &missing, err);
	if (!s) {
		rc = missing ? 0 : -1; /* no store: nothing to retire */
		goto out;
	}
	if (fs_store_lock(s, err) < 0 || fs_store_list(s, &names, &nnames, err) < 0)
		goto out;
	for (size_t i = 0; i < nnames; i++) {
		struct snap *sn;

		if (fs_store_is_leftover(names[i])) {
			/* under the lock, no guard or retire is running: a crash's remains */
			if (remove_leftover(s, names[i], opts, r) < 0) {
				fs_fail(err, "out of memory");
				goto out;
			}
			continue;
		}
		if (!fs_store_is_snapshot(names[i]))
			continue;
		sn = fs_grow((void **)&snaps, &nsnaps, &cap, sizeof *snaps);
		if (!sn) {
			fs_fail(err, "out of memory");
			goto out;
		}
		memset(sn, 0, sizeof *sn);
		sn->name = names[i];
		sn->ok = fs_store_load(s, names[i], &sn->m, &sn->why) == 0;
		if (sn->ok && fs_store_add_ids(ids, &sn->m, err) < 0) {
			goto out;
		}
	}
	so.filter = ids;
	if (nsnaps > 0 && fs_scan_run(&so, &scan, err) < 0)
		goto out;
	if (scan) {
		r->complete = scan->complete;
		r->unreadable = scan->unreadable;
	}
	/* identities some live process maps */
	fs_idset_clear(ids);
	for (size_t p = 0; scan && p < scan->nprocs; p++)
		for (size_t m = 0; m < scan->procs[p].nimages; m++) {
			int added;

			if (fs_idset_add(ids, scan->procs[p].images[m].id, &added) < 0) {
				fs_fail(err, "out of memory");
				goto out;
			}
		}
	r->v = calloc(nsnaps + 1, sizeof *r->v);
	if (!r->v) {
		fs_fail(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nsnaps; i++) {
		fs_retire_snap *rs = &r->v[r->n++];
		fs_err serr;

		rs->name = strdup(snaps[i].name);
		if (!snaps[i].ok) {
			rs->problem = malloc(sizeof snaps[i].why.msg + 40);
			if (rs->problem)
				sprintf(rs->problem, "unreadable manifest, left alone: %s",
					snaps[i].why.msg);
		} else if (retire_one(s, &snaps[i], scan, ids, &root, &root_path, opts, rs,
				      &serr) < 0) {
			rs->problem = strdup(serr.msg);
		} else {
			continue;
		}
		/* a problem lost to a failed allocation must not read as none */
		if (!rs->problem) {
			fs_fail(err, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	for (size_t i = 0; i < nsnaps; i++)
		fs_manifest_free(&snaps[i].m);
	free(snaps);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	fs_scan_free(scan);
	fs_idset_free(ids);
	fs_os_root_close(root);
	fs_store_close(s);
	if (rc == 0)
		*out = r;
	else
		fs_retire_result_free(r);
	return rc;
}

void fs_retire_result_free(fs_retire_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].problem);
	}
	for (size_t i = 0; i < r->nleftovers_failed; i++)
		free(r->leftovers_failed[i]);
	free(r->leftovers_failed);
	free(r->v);
	free(r);
}
