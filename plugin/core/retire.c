/*
 * retire.c - drop what nothing holds any more, trusting only kernel state.
 *
 * The rules themselves are retire_rules.c (plain functions over facts);
 * here the facts are gathered and the verdicts carried out.  Under the
 * store lock, with one scan of all processes (filtered by every identity
 * the manifests record):
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
#include "retire_rules.h"
#include "store.h"
#include "err.h"
#include "post.h"
#include "vec.h"
#include "cygfork.h"

#include <stdlib.h>
#include <string.h>

struct snap {
	char *name;
	fs_manifest m;
	int ok;
	fs_err why;   /* when not ok */
};

/* What every snapshot is judged against: the scan, the identities live
 * processes map, and the root the originals are resolved in (opened once
 * per root path, as manifests name it). */
struct world {
	const fs_scan *scan;
	const fs_idset *mapped;
	fs_os_root *root;
	const char *root_path;
};

/* Does the root's file at e->path still have e->id? */
static int still_there(struct world *w, const fs_manifest *m, const fs_manifest_entry *e)
{
	fs_target t = { 0 };

	if (!w->root || strcmp(w->root_path, m->root) != 0) {
		fs_os_root_close(w->root);
		w->root = fs_os_root_open(m->root, NULL);
		w->root_path = m->root;
	}
	if (!w->root || fs_os_resolve(w->root, e->path, &t, NULL) < 0)
		return 0;
	free(t.path);
	return t.exists && t.id.dev == e->id.dev && t.id.ino == e->id.ino;
}

/* The facts about e the rules need, each found only when they need it. */
static fs_retire_verdict judge(struct world *w, const fs_manifest *m,
			       const fs_manifest_entry *e, int held, int closed)
{
	fs_retire_facts f = { .held = held, .closed = closed };

	if (fs_retire_asks_path(&f))
		f.still_there = still_there(w, m, e);
	if (!held && !(closed && f.still_there)) {
		f.mapped = fs_idset_find(w->mapped, e->id) >= 0;
		f.unread_user = !f.mapped && w->scan &&
				fs_retire_unread_user(w->scan->unreadable_procs,
						      w->scan->unreadable, e);
	}
	return fs_retire_judge(&f);
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

/* Rule 2, and the snapshot's lock: fills out's was_open, closed_now,
 * lock_held; *closed for the rules. */
static int snapshot_state(fs_store *s, const char *name, const fs_store_opts *opts,
			  fs_retire_snap *out, int *closed, fs_err *err)
{
	fs_presence open = fs_snap_is_open(s, name, NULL), held;

	out->was_open = open == FS_PRESENT;
	if (out->was_open && opts->post_transaction) {
		if (!opts->dry_run && fs_snap_close(s, name, err) < 0)
			return -1;
		out->closed_now = 1;
	}
	*closed = fs_retire_closed(out->was_open, opts->post_transaction);
	held = fs_snap_lock_held(s, name, err);
	if (held == FS_PRESENCE_ERROR)
		return -1;
	out->lock_held = held == FS_PRESENT;
	return 0;
}

/* Judges every entry, dropping those that go; keep receives the others.
 * An entry that cannot be dropped stays and the walk goes on: *failed
 * counts them, and err has the first one's message. */
static int drop_entries(fs_store *s, struct snap *sn, struct world *w, int held, int closed,
			const fs_store_opts *opts, fs_manifest *keep, fs_retire_snap *out,
			int *failed, fs_err *err)
{
	for (size_t i = 0; i < sn->m.n; i++) {
		const fs_manifest_entry *e = &sn->m.v[i];
		fs_retire_verdict v = judge(w, &sn->m, e, held, closed);
		fs_err derr;

		if (v != FS_RETIRE_KEEP) {
			out->redundant += v == FS_RETIRE_REDUNDANT;
			if (opts->dry_run || fs_snap_drop(s, sn->name, e->path, &derr) == 0) {
				out->dropped++;
				continue;
			}
			if (!(*failed)++)
				*err = derr; /* the first error; the entry stays */
		}
		out->kept++;
		if (fs_manifest_add(keep, e) < 0)
			return fs_fail(err, "out of memory");
	}
	return 0;
}

/*
 * One snapshot.  The first error is returned, after every entry was
 * handled (as systemd's rm_rf does).
 */
static int retire_one(fs_store *s, struct snap *sn, struct world *w,
		      const fs_store_opts *opts, fs_retire_snap *out, fs_err *err)
{
	fs_manifest keep = { 0 };
	int closed, failed = 0, gone = 0;

	if (snapshot_state(s, sn->name, opts, out, &closed, err) < 0)
		return -1;
	keep.root = strdup(sn->m.root);
	keep.created = sn->m.created;
	if (!keep.root)
		return fs_fail(err, "out of memory");
	if (drop_entries(s, sn, w, out->lock_held, closed, opts, &keep, out, &failed, err) < 0) {
		fs_manifest_free(&keep);
		return -1;
	}
	if (!opts->dry_run && out->dropped > 0) {
		fs_err serr;
		int rc = keep.n > 0 ? fs_store_save(s, sn->name, &keep, &serr)
				    : remove_snapshot(s, sn->name, &serr);

		if (rc < 0 && !failed++)
			*err = serr;
		gone = rc == 0 && fs_retire_snapshot_goes(keep.n, out->dropped);
	}
	out->removed = opts->dry_run ? fs_retire_snapshot_goes(keep.n, out->dropped) : gone;
	fs_manifest_free(&keep);
	return failed ? -1 : 0;
}

/* Removes a leftover; one that cannot be removed is reported, and retire
 * goes on.  -1 only when out of memory. */
static int remove_leftover(fs_store *s, const char *name, const fs_store_opts *opts,
			   fs_retire_result *r, fs_err *err)
{
	size_t cap = r->nleftovers_failed;
	char **slot, msg[sizeof ((fs_err *)0)->msg + 160];
	fs_err why;

	if (opts->dry_run || fs_store_remove(s, name, &why) == 0) {
		r->leftovers++;
		return 0;
	}
	snprintf(msg, sizeof msg, "%s: %s", name, why.msg);
	slot = fs_grow((void **)&r->leftovers_failed, &r->nleftovers_failed, &cap, sizeof *slot);
	if (!slot)
		return fs_fail(err, "out of memory");
	if (!(*slot = strdup(msg))) {
		r->nleftovers_failed--;
		return fs_fail(err, "out of memory");
	}
	return 0;
}

/* The store's snapshots, and how they load. */
struct snaps {
	struct snap *v;
	size_t n, cap;
};

static void snaps_free(struct snaps *ss)
{
	for (size_t i = 0; i < ss->n; i++)
		fs_manifest_free(&ss->v[i].m);
	free(ss->v);
}

/* Rule 1 for each leftover; each snapshot loaded into ss (names stay
 * names'), its identities added to ids. */
static int load_store(fs_store *s, char **names, size_t n, const fs_store_opts *opts,
		      fs_retire_result *r, struct snaps *ss, fs_idset *ids, fs_err *err)
{
	for (size_t i = 0; i < n; i++) {
		struct snap *sn;

		if (fs_store_is_leftover(names[i])) {
			/* under the lock, no guard or retire is running: a crash's remains */
			if (remove_leftover(s, names[i], opts, r, err) < 0)
				return -1;
			continue;
		}
		if (!fs_store_is_snapshot(names[i]))
			continue;
		sn = fs_grow((void **)&ss->v, &ss->n, &ss->cap, sizeof *ss->v);
		if (!sn)
			return fs_fail(err, "out of memory");
		memset(sn, 0, sizeof *sn);
		sn->name = names[i];
		sn->ok = fs_store_load(s, names[i], &sn->m, &sn->why) == 0;
		if (sn->ok && fs_store_add_ids(ids, &sn->m, err) < 0)
			return -1;
	}
	return 0;
}

/* ids becomes the identities some live process maps. */
static int mapped_ids(const fs_scan *scan, fs_idset *ids, fs_err *err)
{
	fs_idset_clear(ids);
	for (size_t p = 0; scan && p < scan->nprocs; p++)
		for (size_t m = 0; m < scan->procs[p].nimages; m++) {
			int added;

			if (fs_idset_add(ids, scan->procs[p].images[m].id, &added) < 0)
				return fs_fail(err, "out of memory");
		}
	return 0;
}

/* Each snapshot retired into r->v; a problem is the snapshot's, not the
 * run's (-1 only when out of memory). */
static int retire_all(fs_store *s, struct snaps *ss, struct world *w,
		      const fs_store_opts *opts, fs_retire_result *r, fs_err *err)
{
	r->v = calloc(ss->n + 1, sizeof *r->v);
	if (!r->v)
		return fs_fail(err, "out of memory");
	for (size_t i = 0; i < ss->n; i++) {
		fs_retire_snap *rs = &r->v[r->n++];
		fs_err serr;

		rs->name = strdup(ss->v[i].name);
		if (!ss->v[i].ok) {
			rs->problem = malloc(sizeof ss->v[i].why.msg + 40);
			if (rs->problem)
				sprintf(rs->problem, "unreadable manifest, left alone: %s",
					ss->v[i].why.msg);
		} else if (retire_one(s, &ss->v[i], w, opts, rs, &serr) < 0) {
			rs->problem = strdup(serr.msg);
		} else {
			continue;
		}
		/* a problem lost to a failed allocation must not read as none */
		if (!rs->problem)
			return fs_fail(err, "out of memory");
	}
	return 0;
}

/* Under the store's lock: loads, scans once, retires.  With keep, the
 * scan (of the kept files, or with every of every image; each process's
 * view as report wants it) is handed over in *keep. */
static int retire_store(fs_store *s, const fs_store_opts *opts, fs_retire_result *r,
			int every, fs_scan **keep, fs_err *err)
{
	fs_scan_opts so = opts->scan;
	struct snaps ss = { 0 };
	struct world w = { 0 };
	fs_idset *ids = fs_idset_new(256);
	fs_scan *scan = NULL;
	char **names = NULL;
	size_t nnames = 0;
	int rc = -1;

	if (!ids) {
		fs_fail(err, "out of memory");
		goto out;
	}
	if (fs_store_lock(s, err) < 0 || fs_store_list(s, &names, &nnames, err) < 0 ||
	    load_store(s, names, nnames, opts, r, &ss, ids, err) < 0)
		goto out;
	so.filter = ids;
	if (keep) /* as report judges them; every image: a superset */
		fs_report_scan_opts(opts, every ? NULL : ids, &so);
	if (ss.n > 0 && fs_scan_run(&so, &scan, err) < 0)
		goto out;
	if (scan) {
		r->complete = scan->complete;
		r->unreadable = scan->unreadable;
	}
	if (mapped_ids(scan, ids, err) < 0)
		goto out;
	w = (struct world){ .scan = scan, .mapped = ids };
	rc = retire_all(s, &ss, &w, opts, r, err);
out:
	snaps_free(&ss);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	if (keep && rc == 0) {
		*keep = scan;
		scan = NULL;
	}
	fs_scan_free(scan);
	fs_idset_free(ids);
	fs_os_root_close(w.root);
	return rc;
}

int fs_retire(const fs_store_opts *opts, fs_retire_result **out, fs_err *err)
{
	return fs_retire_keep_scan(opts, 0, out, NULL, err);
}

int fs_retire_keep_scan(const fs_store_opts *opts, int every, fs_retire_result **out,
			fs_scan **scan, fs_err *err)
{
	fs_retire_result *r = calloc(1, sizeof *r);
	fs_store *s;
	int missing, rc;

	*out = NULL;
	if (scan)
		*scan = NULL;
	if (!r)
		return fs_fail(err, "out of memory");
	r->dry_run = opts->dry_run;
	r->complete = 1;
	s = fs_store_open(opts, 0, &missing, err);
	if (!s)
		rc = missing ? 0 : -1; /* no store: nothing to retire */
	else
		rc = retire_store(s, opts, r, every, scan, err);
	fs_store_close(s);
	/* the runtime's own directories, with or without a store of ours */
	if (rc == 0 && fs_retire_cygfork(opts, r, err) < 0) /* verdict.h */
		rc = -1;
	if (rc == 0) {
		*out = r;
		return 0;
	}
	fs_retire_result_free(r);
	if (scan) { /* a failure hands nothing back */
		fs_scan_free(*scan);
		*scan = NULL;
	}
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
	fs_cygfork_result_free(r->cygfork);
	free(r);
}
