/*
 * guard.c - before a transaction: keep every target that a running process
 * maps, in a new snapshot published atomically.
 *
 * Under the store lock: find what open snapshots already keep, find what
 * is in use (one scan), link each such file into .tmp-snap-NAME/files/,
 * write the manifest, the lock and the open marker, then rename the
 * directory to snap-NAME.  A crash leaves only .tmp-*, which retire
 * removes; the originals are never touched.
 */
#include "cygwin.h"
#include "err.h"
#include "relpath.h"
#include "store.h"
#include "vec.h"
#include "forecast.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* One file to keep: where it is, what it is, who maps it. */
struct candidate {
	char *relpath;
	fs_id id;
	uint64_t size;
	int64_t mtime_ns;
	size_t nprocs;
	fs_pidstart *procs;
};

struct plan {
	struct candidate *v;
	size_t n, cap;
	fs_idset *seen;  /* identities planned already */
};

static int note(fs_guard_result *r, const char *fmt, ...)
{
	char buf[1024], **slot;
	size_t n = r->failed, cap = n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	slot = fs_grow((void **)&r->messages, &n, &cap, sizeof *r->messages);
	if (!slot || !(*slot = strdup(buf)))
		return -1;
	r->failed = n;
	return 0;
}

/* path for a message line: a long one keeps its start and its end. */
static const char *shown(const char *path, char *buf, size_t size)
{
	size_t n = strlen(path), keep = (size - 4) / 2;

	if (n < size)
		return path;
	snprintf(buf, size, "%.*s...%s", (int)keep, path, path + n - keep);
	return buf;
}

/* Plans one in-use file, once per identity; users are scan->procs indexes. */
static int plan_add(struct plan *pl, const fs_target *t, const fs_scan *scan,
		    const size_t *users, size_t nusers)
{
	struct candidate *c;
	int added;

	if (fs_idset_add(pl->seen, t->id, &added) < 0)
		return -1;
	if (!added)
		return 0;
	c = fs_grow((void **)&pl->v, &pl->n, &pl->cap, sizeof *pl->v);
	if (!c)
		return -1;
	memset(c, 0, sizeof *c);
	c->relpath = strdup(t->path + strspn(t->path, "/"));
	c->id = t->id;
	c->size = t->size;
	c->mtime_ns = t->mtime_ns;
	c->procs = calloc(nusers + 1, sizeof *c->procs);
	if (!c->relpath || !c->procs)
		return -1;
	for (size_t u = 0; u < nusers; u++) {
		c->procs[u].pid = scan->procs[users[u]].pid;
		c->procs[u].start_time = scan->procs[users[u]].start_time;
	}
	c->nprocs = nusers;
	return 0;
}

static void plan_free(struct plan *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		free(pl->v[i].relpath);
		free(pl->v[i].procs);
	}
	free(pl->v);
	fs_idset_free(pl->seen);
}

/*
 * The Cygwin runtime DLL (cygwin1.dll, msys-2.0.dll) is never kept: no
 * process survives its replacement (the shared memory's layout changes),
 * and a second name could let a native deleter remove the in-use runtime's
 * own name.  Counted in r->runtime_in_use.
 */
static void drop_runtime(struct plan *pl, fs_guard_result *r)
{
	size_t n = 0;

	for (size_t i = 0; i < pl->n; i++) {
		const char *base = strrchr(pl->v[i].relpath, '/');

		if (!fs_cyg_is_runtime_name(base ? base + 1 : pl->v[i].relpath)) {
			pl->v[n++] = pl->v[i];
			continue;
		}
		r->runtime_in_use++;
		free(pl->v[i].relpath);
		free(pl->v[i].procs);
	}
	pl->n = n;
}

/* Identities kept by open snapshots: no need to keep them twice.  A
 * manifest that cannot be read only means keeping its files again. */
static int open_snapshot_ids(fs_store *s, fs_idset *ids, fs_err *err)
{
	char **names;
	size_t n;
	int rc = 0;

	if (fs_store_list(s, &names, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		fs_manifest m;

		if (rc == 0 && fs_store_is_snapshot(names[i]) &&
		    fs_snap_is_open(s, names[i], NULL) == FS_PRESENT &&
		    fs_store_load(s, names[i], &m, NULL) == 0) {
			rc = fs_store_add_ids(ids, &m, err);
			fs_manifest_free(&m);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* The targets in use, from one filtered scan. */
static int plan_targets(struct plan *pl, const fs_targets *targets,
			const fs_store_opts *opts, fs_guard_result *r, fs_err *err)
{
	fs_inuse *q;
	int rc = 0;

	if (fs_inuse_run(targets, &opts->scan, &q, err) < 0)
		return -1;
	r->complete = q->scan->complete;
	r->unreadable = q->scan->unreadable;
	for (size_t i = 0; i < fs_targets_count(targets) && rc == 0; i++) {
		const fs_target *t = fs_targets_get(targets, i);

		if (q->nusers[i] > 0)
			rc = plan_add(pl, t, q->scan, q->users[i], q->nusers[i]);
	}
	fs_inuse_free(q);
	return rc < 0 ? fs_fail(err, "out of memory") : 0;
}

/* Each in-use image path under the root as a target of t, once per
 * identity: -1 only when out of memory. */
static int targets_from_scan(fs_targets *t, const fs_scan *scan, const char *root,
			     fs_idset *seen)
{
	for (size_t p = 0; p < scan->nprocs; p++) {
		for (size_t m = 0; m < scan->procs[p].nimages; m++) {
			const fs_image *im = &scan->procs[p].images[m];
			const char *rel = im->path;
			int added;

			if (im->flags & FS_IMAGE_DELETED)
				continue; /* its path is gone: nothing left to link */
			/* the backend's rule: on Windows "/" is the installation, case
			 * and '/' or '\\' do not matter */
			if (!(rel = fs_os_under_root(rel, root)))
				continue;
			if (fs_idset_add(seen, im->id, &added) < 0)
				return -1;
			if (added && fs_targets_add(t, rel, NULL) < 0)
				continue; /* cannot be resolved inside the root: not ours */
		}
	}
	return 0;
}

/* Every in-use image under the root: one unfiltered scan; each image path
 * becomes a target, kept when the file there is the one mapped. */
static int plan_all(struct plan *pl, const fs_store_opts *opts, fs_guard_result *r,
		    fs_err *err)
{
	const char *root = opts->root ? opts->root : "/";
	fs_targets *t = fs_targets_new(root, err);
	fs_idset *seen = fs_idset_new(1024);
	fs_inuse *q = NULL;
	fs_scan *scan;
	int rc = -1;

	if (!t || !seen || fs_scan_run(&opts->scan, &scan, err) < 0)
		goto out;
	r->complete = scan->complete;
	r->unreadable = scan->unreadable;
	if (targets_from_scan(t, scan, root, seen) < 0) {
		fs_scan_free(scan);
		goto oom;
	}
	if (fs_inuse_attribute(t, scan, &q, err) < 0)
		goto out;
	for (size_t i = 0; i < fs_targets_count(t); i++) {
		const fs_target *tg = fs_targets_get(t, i);

		if (q->nusers[i] > 0 &&
		    plan_add(pl, tg, q->scan, q->users[i], q->nusers[i]) < 0)
			goto oom;
	}
	rc = 0;
	goto out;
oom:
	rc = fs_fail(err, "out of memory");
out:
	fs_inuse_free(q);
	fs_idset_free(seen);
	fs_targets_free(t);
	return rc;
}

/* One batch handed to fs_snap_keep_all(): the candidates to keep and,
 * index for index, what became of each. */
struct batch {
	struct candidate **todo;
	const char **paths;
	fs_id *ids, *sids;
	int *methods;
	unsigned char *ok;
	fs_err *errs;
	size_t n;
};

static void batch_free(struct batch *b)
{
	free(b->todo);
	free(b->paths);
	free(b->ids);
	free(b->sids);
	free(b->methods);
	free(b->ok);
	free(b->errs);
}

static int batch_alloc(struct batch *b, size_t n, fs_err *err)
{
	*b = (struct batch){ .todo = malloc((n + 1) * sizeof *b->todo),
			     .paths = malloc((n + 1) * sizeof *b->paths),
			     .ids = malloc((n + 1) * sizeof *b->ids),
			     .sids = malloc((n + 1) * sizeof *b->sids),
			     .methods = malloc((n + 1) * sizeof *b->methods),
			     .ok = malloc(n + 1),
			     .errs = malloc((n + 1) * sizeof *b->errs) };
	if (b->todo && b->paths && b->ids && b->sids && b->methods && b->ok && b->errs)
		return 0;
	batch_free(b);
	return fs_fail(err, "out of memory");
}

/* The candidates to keep: not kept already by an open snapshot, and with
 * a path a walk of the store may follow (refused here, before anything is
 * created for it; the store checks again). */
static int batch_pick(struct batch *b, struct plan *pl, const fs_idset *kept_ids,
		      fs_guard_result *r, fs_err *err)
{
	for (size_t i = 0; i < pl->n; i++) {
		char buf[256];
		fs_err why;

		if (fs_idset_find(kept_ids, pl->v[i].id) >= 0) {
			r->already_kept++;
			continue;
		}
		if (fs_relpath_check(pl->v[i].relpath, &why) < 0) {
			if (note(r, "/%s: %s", shown(pl->v[i].relpath, buf, sizeof buf), why.msg) < 0)
				return fs_fail(err, "out of memory");
			continue;
		}
		b->todo[b->n] = &pl->v[i];
		b->paths[b->n] = pl->v[i].relpath;
		b->ids[b->n++] = pl->v[i].id;
	}
	return 0;
}

/* Each kept candidate moves to r->kept (which has room for all), its
 * stored identity into stored; each other one is noted. */
static int batch_record(struct batch *b, fs_idset *stored, fs_guard_result *r, fs_err *err)
{
	for (size_t i = 0; i < b->n; i++) {
		struct candidate *c = b->todo[i];
		int added;

		if (!b->ok[i] ? note(r, "%s", b->errs[i].msg) < 0
			      : fs_idset_add(stored, b->sids[i], &added) < 0)
			return fs_fail(err, "out of memory");
		if (!b->ok[i])
			continue;
		r->kept.v[r->kept.n++] = (fs_manifest_entry){
			.path = c->relpath, .id = c->id, .size = c->size, .mtime_ns = c->mtime_ns,
			.method = b->methods[i], .nprocs = c->nprocs, .procs = c->procs };
		c->relpath = NULL;
		c->procs = NULL;
	}
	return 0;
}

/* Keeps every candidate not kept already (in parallel, by the store) and
 * records what was kept in r->kept and its stored identities in stored. */
static int keep_all(fs_store *s, const char *snap, const char *root,
		    uint64_t budget, struct plan *pl, const fs_idset *kept_ids,
		    fs_idset *stored, fs_guard_result *r, fs_err *err)
{
	struct batch b;
	int rc = -1;

	if (batch_alloc(&b, pl->n, err) < 0)
		return -1;
	if (batch_pick(&b, pl, kept_ids, r, err) == 0 &&
	    fs_snap_keep_all(s, snap, root, budget, b.n, b.paths, b.ids, b.methods, b.sids,
			     b.ok, b.errs, err) == 0)
		rc = batch_record(&b, stored, r, err);
	batch_free(&b);
	return rc;
}

/* Every link is checked at once: a name swapped meanwhile is dropped from
 * r->kept and noted. */
static int verify_kept(fs_store *s, const char *tmp, const fs_idset *stored,
		       fs_guard_result *r, fs_err *err)
{
	unsigned char *found = calloc(r->kept.n + 1, 1);
	size_t n = 0;

	if (!found)
		return fs_fail(err, "out of memory");
	if (fs_snap_verify(s, tmp, stored, found, err) < 0) {
		free(found);
		return -1;
	}
	for (size_t i = 0; i < r->kept.n; i++) {
		fs_manifest_entry *e = &r->kept.v[i];

		if (found[i]) {
			r->kept.v[n++] = *e;
			continue;
		}
		if (note(r, "/%s: changed while being kept", e->path) < 0) {
			free(found);
			return fs_fail(err, "out of memory");
		}
		free(e->path);
		free(e->procs);
	}
	free(found);
	r->kept.n = n;
	return 0;
}

/* A new snapshot's name (snap-<sec>-<nsec>-<pid>) and its name while it is
 * built (TMP_PREFIX before it); *created its time. */
static void snapshot_names(char *name, size_t nsize, char *tmp, size_t tsize, int64_t *created)
{
	int64_t sec;
	long nsec;

	fs_os_clock_real(&sec, &nsec);
	snprintf(name, nsize, SNAP_PREFIX "%lld-%09ld-%d", (long long)sec, nsec, fs_os_pid());
	snprintf(tmp, tsize, TMP_PREFIX "%s", name);
	*created = sec;
}

/* Builds the snapshot as tmp and publishes it as name: the markers first
 * (saving the manifest syncs the directory), then the rename. */
static int build(fs_store *s, struct plan *pl, const fs_idset *kept_ids, const char *tmp,
		 const char *name, const fs_store_opts *opts, fs_guard_result *r, fs_err *err)
{
	const char *root = opts->root ? opts->root : "/";
	fs_idset *stored = fs_idset_new(pl->n);
	int rc = -1;

	if (!stored)
		return fs_fail(err, "out of memory");
	if (keep_all(s, tmp, root,
		     opts->copy_budget_set ? opts->copy_budget : FS_COPY_BUDGET_DEFAULT, pl,
		     kept_ids, stored, r, err) < 0 ||
	    verify_kept(s, tmp, stored, r, err) < 0)
		goto out;
	if (r->kept.n == 0) {
		rc = 0; /* nothing to publish: the caller removes it */
		goto out;
	}
	if (fs_snap_mark(s, tmp, err) < 0 || fs_store_save(s, tmp, &r->kept, err) < 0 ||
	    fs_store_rename(s, tmp, name, err) < 0)
		goto out;
	r->snapshot = strdup(name);
	rc = r->snapshot ? 0 : fs_fail(err, "out of memory");
out:
	fs_idset_free(stored);
	return rc;
}

static int publish(fs_store *s, struct plan *pl, const fs_idset *kept_ids,
		   const fs_store_opts *opts, fs_guard_result *r, fs_err *err)
{
	const char *root = opts->root ? opts->root : "/";
	char name[96], tmp[128];
	fs_err rerr;
	int rc;

	snapshot_names(name, sizeof name, tmp, sizeof tmp, &r->kept.created);
	r->kept.root = strdup(root);
	if (!r->kept.root)
		return fs_fail(err, "out of memory");
	if (fs_reserve((void **)&r->kept.v, &r->kept.cap, pl->n, sizeof *r->kept.v, err) < 0)
		return -1;
	if (fs_snap_create(s, tmp, err) < 0)
		return -1;
	rc = build(s, pl, kept_ids, tmp, name, opts, r, err);
	/* an unfinished snapshot is removed by the run that made it (retire
	 * removes it only if this run dies first) */
	if (!r->snapshot && fs_store_remove(s, tmp, &rerr) < 0 && rc == 0 &&
	    note(r, "cannot remove the unfinished snapshot %s: %s", tmp, rerr.msg) < 0)
		rc = fs_fail(err, "out of memory");
	return rc;
}

/* Hands the new snapshot's lock to every process that maps a kept image
 * (where the OS can: fs_snap_share). */
static int share_lock(fs_store *s, fs_guard_result *r, fs_err *err)
{
	size_t n = 0, cap = 0;
	fs_pidstart *procs = NULL;
	fs_idset *seen = fs_idset_new(64);
	int added;

	for (size_t i = 0; seen && i < r->kept.n; i++) {
		for (size_t k = 0; k < r->kept.v[i].nprocs; k++) {
			const fs_pidstart *p = &r->kept.v[i].procs[k];
			fs_pidstart *slot;

			if (fs_idset_add(seen, (fs_id){ (uint64_t)p->pid, p->start_time }, &added) < 0)
				goto oom;
			if (!added)
				continue;
			if (!(slot = fs_grow((void **)&procs, &n, &cap, sizeof *slot)))
				goto oom;
			*slot = *p;
		}
	}
	if (!seen)
		goto oom;
	r->lock_holders = fs_snap_share(s, r->snapshot, procs, n);
	free(procs);
	fs_idset_free(seen);
	return 0;
oom:
	free(procs);
	fs_idset_free(seen);
	return fs_fail(err, "out of memory");
}

/* The targets left out, copied into r: reported, never a failure (they
 * name no file, so none of them can be in use). */
static int copy_skipped(const fs_targets *targets, fs_guard_result *r, fs_err *err)
{
	size_t n = targets ? fs_targets_skipped(targets) : 0;

	if (n == 0)
		return 0;
	r->skipped = calloc(n, sizeof *r->skipped);
	if (!r->skipped)
		return fs_fail(err, "out of memory");
	for (; r->nskipped < n; r->nskipped++) {
		const fs_target_skip *k = fs_targets_skip_get(targets, r->nskipped);
		fs_target_skip *d = &r->skipped[r->nskipped];

		d->request = strdup(k->request);
		d->problem = d->request ? strdup(k->problem) : NULL;
		if (!d->problem) {
			free((void *)d->request);
			return fs_fail(err, "out of memory");
		}
	}
	return 0;
}

/* once: skip what open snapshots keep already (guard); protect keeps all */
static int guard(const fs_targets *targets, const fs_store_opts *opts, int once,
		 fs_guard_result **out, fs_err *err)
{
	fs_guard_result *r = calloc(1, sizeof *r);
	/* sized for what is in use, not for the targets: it grows */
	struct plan pl = { .seen = fs_idset_new(1024) };
	fs_idset *kept_ids = fs_idset_new(256);
	fs_store *s = NULL;
	int missing, rc = -1;

	*out = NULL;
	if (!r || !pl.seen || !kept_ids) {
		fs_fail(err, "out of memory");
		goto out;
	}
	if (copy_skipped(targets, r, err) < 0)
		goto out;
	if ((opts->all_in_use ? plan_all(&pl, opts, r, err)
			      : plan_targets(&pl, targets, opts, r, err)) < 0)
		goto out;
	r->in_use = pl.n;
	drop_runtime(&pl, r);
	if (pl.n == 0) {
		rc = 0;
		goto out;
	}
	s = fs_store_open(opts, 1, &missing, err);
	if (!s || fs_store_lock(s, err) < 0 ||
	    (once && open_snapshot_ids(s, kept_ids, err) < 0) ||
	    publish(s, &pl, kept_ids, opts, r, err) < 0 ||
	    (r->snapshot && share_lock(s, r, err) < 0))
		goto out;
	rc = 0;
out:
	fs_store_close(s);
	plan_free(&pl);
	fs_idset_free(kept_ids);
	if (rc == 0)
		*out = r;
	else
		fs_guard_result_free(r);
	return rc;
}

int fs_guard(const fs_targets *targets, const fs_store_opts *opts,
	     fs_guard_result **out, fs_err *err)
{
	if (guard(targets, opts, 1, out, err) < 0)
		return -1;
	return fs_guard_forecast(targets, opts, *out, err); /* verdict.h: Cygwin/MSYS2 only */
}

/* Replaces each kept path by a fresh copy; one that cannot be replaced is
 * noted and the others go on.  -1 only when a note cannot be made. */
static int replace_all(fs_store *s, fs_os_root *root, fs_guard_result *r, fs_err *err)
{
	for (size_t i = 0; i < r->kept.n; i++) {
		const fs_manifest_entry *e = &r->kept.v[i];
		fs_err perr;

		if (fs_snap_replace(s, r->snapshot, root, e->path, e->id, &perr) == 0)
			r->replaced++;
		else if (note(r, "%s", perr.msg) < 0)
			return fs_fail(err, "out of memory");
	}
	return 0;
}

/*
 * protect: keep every in-use target (even one an open snapshot keeps), then
 * replace each path by a fresh copy, then close the snapshot: nothing
 * more will happen to these files that needs it open.
 */
int fs_protect(const fs_targets *targets, const fs_store_opts *opts,
	       fs_guard_result **out, fs_err *err)
{
	const char *root_path = opts->root ? opts->root : "/";
	fs_guard_result *r;
	fs_os_root *root;
	fs_store *s;
	int missing, rc = -1;

	if (guard(targets, opts, 0, out, err) < 0)
		return -1;
	r = *out;
	if (!r->snapshot)
		return 0;
	root = fs_os_root_open(root_path, err);
	s = root ? fs_store_open(opts, 0, &missing, err) : NULL;
	if (s && fs_store_lock(s, err) == 0 && replace_all(s, root, r, err) == 0)
		rc = fs_snap_close(s, r->snapshot, err);
	fs_store_close(s);
	fs_os_root_close(root);
	if (rc < 0) {
		fs_guard_result_free(r);
		*out = NULL;
	}
	return rc;
}

void fs_guard_result_free(fs_guard_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->failed; i++)
		free(r->messages[i]);
	free(r->messages);
	for (size_t i = 0; i < r->nskipped; i++) {
		free((void *)r->skipped[i].request);
		free((void *)r->skipped[i].problem);
	}
	free(r->skipped);
	fs_manifest_free(&r->kept);
	free(r->snapshot);
	fs_fork_forecast_free(r->fork);
	free(r);
}
