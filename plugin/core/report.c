/*
 * report.c - after a transaction, which processes still run images that
 * were replaced or removed: an image is stale when the file the process
 * itself reaches at its path (in its root and mount namespace) has another
 * identity or is gone; never by the text of a path.  Where a process's
 * view cannot be read the answer is "unknown".  Snapshots tell where the
 * old file is still kept.
 */
#include "store.h"
#include "err.h"
#include "post.h"
#include "report_seen.h"
#include "report_units.h"
#include "../pkg/label.h"
#include "vec.h"
#include "verdict.h"

#include <stdlib.h>
#include <string.h>

/* Names of the snapshots keeping each identity: keeper[k] for ids index k. */
static int load_keepers(const fs_store_opts *opts, fs_report_result *r, fs_idset *ids,
			size_t **keeper, fs_err *err)
{
	fs_status_result st = { 0 };
	fs_store *s = NULL;
	int rc = -1;

	if (fs_status_load(opts, &st, ids, &s, err) < 0)
		goto out;
	*keeper = calloc(fs_idset_count(ids) + 1, sizeof **keeper);
	r->snapshots = calloc(st.n + 1, sizeof *r->snapshots);
	if (!*keeper || !r->snapshots) {
		fs_fail(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < st.n; i++) {
		if (!(r->snapshots[r->nsnapshots++] = strdup(st.v[i].name))) {
			fs_fail(err, "out of memory");
			goto out;
		}
		for (size_t e = 0; !st.v[i].problem && e < st.v[i].m.n; e++) {
			long k = fs_idset_find(ids, st.v[i].m.v[e].id);

			if (k >= 0 && !(*keeper)[k])
				(*keeper)[k] = i + 1; /* 0: none */
		}
	}
	rc = 0;
out:
	fs_store_close(s);
	for (size_t i = 0; i < st.n; i++) {
		fs_manifest_free(&st.v[i].m);
		free(st.v[i].name);
		free(st.v[i].problem);
	}
	free(st.v);
	free(st.store);
	return rc;
}

/* What the root holds now, judged once per image identity. */
struct current {
	fs_targets *t;           /* every path looked at in the root */
	fs_seen_map *seen;       /* each path once per view (the root's: 0) */
	fs_idset *ids;           /* image identity -> index into verdict */
	unsigned char *verdict;  /* 1: stale */
	size_t n, cap;
};

static fs_seen seen_of(const fs_target *t)
{
	return (fs_seen){ .ok = 1, .exists = t->exists != 0, .is_dir = t->is_dir != 0,
			  .id = t->id };
}

/* Resolves path inside the root, once (the target set's rules): ok = 0
 * when it cannot be. */
static fs_seen look(struct current *c, const char *path)
{
	const fs_seen *known = fs_seen_find(c->seen, 0, path);
	size_t before = fs_targets_count(c->t);
	fs_seen s = { 0 };
	fs_err err;

	if (known)
		return *known;
	if (fs_targets_add(c->t, path, &err) < 0)
		return s; /* out of memory, or too many: not kept, tried again */
	if (fs_targets_count(c->t) > before)
		s = seen_of(fs_targets_get(c->t, before));
	(void)fs_seen_put(c->seen, 0, path, &s); /* not kept: resolved again */
	return s;
}

/* A process's view of the files: its root, and its number among views. */
struct view {
	fs_os_root *os;
	size_t no;
};

/* Resolves path in a process's view, once per view: ok = 0 when it
 * cannot be. */
static fs_seen look_in(struct current *c, const struct view *v, const char *path)
{
	const fs_seen *known = fs_seen_find(c->seen, v->no, path);
	fs_target t = { 0 };
	fs_seen s = { 0 };
	fs_err err;

	if (known)
		return *known;
	if (fs_os_resolve(v->os, path, &t, &err) == 0)
		s = seen_of(&t);
	free(t.path);
	(void)fs_seen_put(c->seen, v->no, path, &s);
	return s;
}

/* Is the nearest existing directory above rel (inside the root) on dev?
 * Tells an image deleted from this root from one deleted elsewhere whose
 * path only looks the same (seen from a chroot, other roots' paths do). */
static int ours(struct current *c, const char *rel, uint64_t dev)
{
	char dir[FS_LINE_MAX + 1];
	size_t len = strlen(rel);

	if (len > FS_LINE_MAX)
		return 0;
	memcpy(dir, rel, len + 1);
	for (;;) {
		char *slash = strrchr(dir, '/');
		fs_seen tg;

		if (!slash)
			return 0;
		slash[slash == dir] = '\0'; /* keeps "/" itself */
		if (!(tg = look(c, dir)).ok)
			return 0;
		if (tg.exists)
			return tg.is_dir && tg.id.dev == dev;
		if (slash == dir)
			return 0;
	}
}

static const char deleted_suffix[] = " (deleted)";

/* path with the kernel's " (deleted)" after it, in buf (FS_LINE_MAX + 11
 * bytes), or NULL when it would not fit. */
static const char *with_suffix(char *buf, const char *path)
{
	size_t len = strlen(path);

	if (len > FS_LINE_MAX)
		return NULL;
	memcpy(buf, path, len);
	memcpy(buf + len, deleted_suffix, sizeof deleted_suffix);
	return buf;
}

static int same_id(fs_id a, fs_id b)
{
	return a.dev == b.dev && a.ino == b.ino;
}

/*
 * Is im stale: replaced or removed in this root (our view: the process
 * lives in our mount namespace)?  Yes when a snapshot keeps its identity
 * and the path no longer has it; when the kernel says its path is deleted
 * and the path lies in this root; when its path now names another file.
 * A path that does not exist here is another root's: not ours.  The
 * kernel's " (deleted)" is text a file may be named with: a live file so
 * named is found by its identity under its whole name.
 */
static fs_stale judge(const fs_image *im, const char *rel, int kept, struct current *c)
{
	char named[FS_LINE_MAX + sizeof deleted_suffix];
	fs_seen tg = look(c, rel), full;
	const char *name;
	int gone;

	if (!tg.ok) /* cannot tell: not claimed, unless the kernel says it is gone */
		return im->flags & FS_IMAGE_DELETED ? FS_STALE_UNKNOWN : 0;
	if (tg.exists && same_id(tg.id, im->id))
		return 0;
	if (im->flags & FS_IMAGE_DELETED && (name = with_suffix(named, rel)) &&
	    (full = look(c, name)).ok && full.exists && same_id(full.id, im->id))
		return 0;
	gone = tg.exists ? FS_STALE_REPLACED : FS_STALE_REMOVED;
	if (kept)
		return gone;
	if (im->flags & FS_IMAGE_NO_ID)
		return gone; /* its file cannot be opened any more (Windows) */
	if (im->flags & FS_IMAGE_DELETED)
		return ours(c, rel, im->id.dev) ? gone : 0;
	return tg.exists ? FS_STALE_REPLACED : 0;
}

/* judge(), once per identity: every process mapping libc asks the same. */
static fs_stale stale(const fs_image *im, const char *rel, int kept, struct current *c)
{
	unsigned char *slot;
	int added;
	long k = fs_idset_add(c->ids, im->id, &added);

	if (k < 0)
		return 0;
	if (added) {
		if (!(slot = fs_grow((void **)&c->verdict, &c->n, &c->cap, sizeof *slot)))
			return 0;
		*slot = (unsigned char)judge(im, rel, kept, c);
	}
	return (size_t)k < c->n ? (fs_stale)c->verdict[k] : 0;
}

/* The path of im as p sees it (the kernel's, without p's root), or NULL
 * when it lies outside p's root: p cannot name it. */
static const char *view_path(const fs_proc *p, const fs_image *im)
{
	size_t n;

	if (!p->root)
		return NULL;
	if (strcmp(p->root, "/") == 0)
		return im->path;
	n = strlen(p->root);
	if (strncmp(im->path, p->root, n) == 0 && im->path[n] == '/')
		return im->path + n;
	return NULL;
}

/* What a view holds at a path. */
enum reach {
	REACH_UNREADABLE = -1, /* it cannot be read: why is of no use here */
	REACH_OTHER = 0,       /* another file, or none (*exists tells) */
	REACH_SAME = 1         /* the file with the identity asked for */
};

static enum reach reach(struct current *c, const struct view *v, const char *path, fs_id id,
			int *exists)
{
	fs_seen t = look_in(c, v, path);

	if (!t.ok)
		return REACH_UNREADABLE;
	*exists = t.exists;
	return t.exists && same_id(t.id, id) ? REACH_SAME : REACH_OTHER;
}

/* Is im, which p reaches at path in its own view, replaced or removed
 * there?  By identity only, with the kernel's " (deleted)" tried as part
 * of the name (see judge()). */
static fs_stale in_view(struct current *c, const struct view *v, const char *path,
			const fs_image *im)
{
	char named[FS_LINE_MAX + sizeof deleted_suffix];
	const char *name;
	int exists = 0, also = 0;
	enum reach r = reach(c, v, path, im->id, &exists);

	if (r == REACH_UNREADABLE)
		return FS_STALE_UNKNOWN;
	if (r == REACH_SAME)
		return 0;
	if (im->flags & FS_IMAGE_DELETED && (name = with_suffix(named, path)) &&
	    reach(c, v, name, im->id, &also) == REACH_SAME)
		return 0;
	return exists ? FS_STALE_REPLACED : FS_STALE_REMOVED;
}

/* The directory part of path ("/" for "/x"), in buf (FS_LINE_MAX + 1). */
static const char *dir_of(char *buf, const char *path)
{
	size_t len = strlen(path);
	char *slash;

	if (len > FS_LINE_MAX)
		return NULL;
	memcpy(buf, path, len + 1);
	if (!(slash = strrchr(buf, '/')))
		return NULL;
	slash[slash == buf] = '\0';
	return buf;
}

/* Does view hold at path what the root holds at rel: the same file, or,
 * where neither has one, the same directory around the name?  Then the
 * file is the root's and the root's database names it. */
static int same_place(const struct view *v, const char *path, const char *rel, struct current *c)
{
	char a[FS_LINE_MAX + 1], b[FS_LINE_MAX + 1];
	fs_seen tg = look(c, rel), t, d;
	const char *da, *db;

	if (!tg.ok || !(t = look_in(c, v, path)).ok)
		return 0;
	if (t.exists || tg.exists)
		return t.exists && tg.exists && same_id(t.id, tg.id);
	da = dir_of(a, path);
	db = dir_of(b, rel);
	if (!da || !db || !(tg = look(c, db)).ok || !tg.exists || !(d = look_in(c, v, da)).ok)
		return 0;
	return d.exists && same_id(d.id, tg.id);
}

/*
 * Where in the root path (in view) is, if it is the root's: the path
 * itself, under the root's prefix, or any of its tails ("/tmp/r/usr/lib/x"
 * is "/usr/lib/x" of a root that the process sees at /tmp/r, as when
 * forksafe runs chrooted there).  Each candidate is judged by identity
 * (same_place()), never by name; NULL when none is.  At most
 * FS_REPORT_TAILS tails are tried.
 */
#define FS_REPORT_TAILS 64
static const char *in_root_at(const fs_report_result *r, const struct view *v,
			      const char *path, struct current *c)
{
	const char *rel = fs_os_under_root(path, r->root), *tail = path;

	if (rel && rel != path && same_place(v, path, rel, c))
		return rel;
	for (int i = 0; i < FS_REPORT_TAILS && tail && tail[0] == '/'; i++) {
		if (same_place(v, path, tail, c))
			return tail;
		tail = strchr(tail + 1, '/');
	}
	return NULL;
}

/* One image of a process in another mount namespace, judged in its own
 * view (NULL: unreadable).  *root_path is set when the root's database
 * names it: the directory holding it in that view is the root's, under
 * the same path or under the root's prefix. */
static fs_stale judge_own(const fs_report_result *r, const fs_proc *p, const struct view *v,
			  const fs_image *im, struct current *c, const char **root_path)
{
	const char *path = view_path(p, im), *rel;
	fs_stale st;

	*root_path = NULL;
	if (!v->os || !path) {
		/* unreadable: claimed unknown only where our view would suspect it */
		rel = fs_os_under_root(im->path, r->root);
		return im->flags & FS_IMAGE_DELETED || (rel && judge(im, rel, 0, c))
			       ? FS_STALE_UNKNOWN : 0;
	}
	if (!(st = in_view(c, v, path, im)) || st == FS_STALE_UNKNOWN)
		return st;
	*root_path = in_root_at(r, v, path, c);
	return st;
}

/* Is the root the whole machine's?  Then processes that do not see it
 * (containers) are listed too, each with its mount namespace. */
static int whole_machine(const fs_report_result *r)
{
	return strcmp(r->root, "/") == 0;
}

static int add_image(fs_report_proc *rp, size_t *icap, const fs_report_image *ri)
{
	fs_report_image *slot = fs_grow((void **)&rp->v, &rp->n, icap, sizeof *slot);

	if (!slot)
		return -1;
	*slot = *ri;
	if (ri->state != FS_STALE_UNKNOWN)
		rp->must_restart |= ri->runtime;
	return 0;
}

/* p's view (os NULL when it cannot be read), numbered as the same view
 * of other processes: the same mount namespace, root path and root
 * directory.  A view whose root cannot be told is its own. */
static struct view open_view(struct current *c, const fs_proc *p)
{
	struct view v = { 0 };
	fs_target t = { 0 };
	fs_err err;

	if (!(v.os = fs_os_proc_root_open(p->pid, p->start_time, &err)))
		return v;
	if (p->mntns && p->root && fs_os_resolve(v.os, "/", &t, &err) == 0 && t.exists)
		v.no = fs_seen_view(c->seen, p->mntns, p->root, t.id);
	else
		v.no = fs_seen_view_alone(c->seen);
	free(t.path);
	return v;
}

static int add_proc(fs_report_result *r, const fs_proc *p, size_t *cap,
		    struct current *cur, const fs_idset *ids, const size_t *keeper)
{
	fs_report_proc rp = { .proc = p, .unknown_only = 1 };
	struct view view = { 0 };
	size_t icap = 0;
	int root_stale = 0, root_runtime = 0;

	if (p->foreign_mntns) {
		rp.container = p->mntns;
		view = open_view(cur, p);
	}
	for (size_t m = 0; m < p->nimages; m++) {
		const fs_image *im = &p->images[m];
		const char *rel = NULL;
		long k = fs_idset_find(ids, im->id);
		int kept = k >= 0 && keeper[k];
		fs_stale st;

		if (fs_os_is_pseudo(im->path))
			continue;
		if (p->foreign_mntns) {
			st = judge_own(r, p, &view, im, cur, &rel);
			if (st && !rel && !whole_machine(r))
				continue; /* another root's file */
		} else if ((rel = fs_os_under_root(im->path, r->root))) {
			st = stale(im, rel, kept, cur);
		} else {
			continue;
		}
		if (!st)
			continue;
		/* every field set here: package stays NULL unless label() runs */
		if (add_image(&rp, &icap, &(fs_report_image){
			    .image = im,
			    .snapshot = kept ? r->snapshots[keeper[k] - 1] : NULL,
			    .runtime = fs_os_is_runtime(im->path),
			    .state = st,
			    .root_path = rel,
		    }) < 0) {
			free(rp.v);
			fs_os_root_close(view.os);
			return -1;
		}
		rp.unknown_only &= st == FS_STALE_UNKNOWN;
		if (rel && st != FS_STALE_UNKNOWN) {
			root_stale = 1;
			root_runtime |= fs_os_is_runtime(im->path);
		}
	}
	fs_os_root_close(view.os);
	if (rp.n == 0)
		return 0;
	if (!fs_grow((void **)&r->v, &r->n, cap, sizeof *r->v)) {
		free(rp.v);
		return -1;
	}
	r->v[r->n - 1] = rp;
	r->must_restart += rp.must_restart;
	r->unknown += rp.unknown_only;
	r->root_affected += root_stale;
	r->root_must_restart += root_runtime;
	return 0;
}

/* The owning package of every stale image the root holds, by its path
 * inside the root. */
static int label(fs_report_result *r, const fs_pkgdb *db, fs_err *err)
{
	size_t n = 0, k = 0;
	const char **paths;
	const char ***slots;
	int rc;

	for (size_t i = 0; i < r->n; i++)
		n += r->v[i].n;
	paths = malloc((n + 1) * sizeof *paths);
	slots = malloc((n + 1) * sizeof *slots);
	if (!paths || !slots) {
		free(paths);
		free(slots);
		return fs_fail(err, "out of memory");
	}
	for (size_t i = 0; i < r->n; i++)
		for (size_t m = 0; m < r->v[i].n; m++)
			if (r->v[i].v[m].root_path) {
				paths[k] = r->v[i].v[m].root_path;
				slots[k++] = &r->v[i].v[m].package;
			}
	rc = fs_pkgdb_label(db, paths, slots, k, err);
	free(paths);
	free(slots);
	return rc;
}

void fs_report_scan_opts(const fs_store_opts *opts, const fs_idset *filter, fs_scan_opts *so)
{
	*so = opts->scan;
	so->filter = filter;
	so->process_view = 0;
	so->views = 1; /* each root and mount namespace, for judge_own() */
}

int fs_report(const fs_store_opts *opts, const fs_pkgdb *db, fs_report_result **out,
	      fs_err *err)
{
	return fs_report_on(opts, db, NULL, out, err);
}

int fs_report_on(const fs_store_opts *opts, const fs_pkgdb *db, fs_scan *scan,
		 fs_report_result **out, fs_err *err)
{
	fs_report_result *r = calloc(1, sizeof *r);
	fs_scan_opts so;
	fs_idset *ids = fs_idset_new(256);
	struct current cur = { .ids = fs_idset_new(1024), .seen = fs_seen_map_new() };
	size_t *keeper = NULL, cap = 0;
	int rc = -1;

	*out = NULL;
	if (r) {
		r->scan = scan; /* taken: freed with r */
		scan = NULL;
	}
	if (!r || !ids || !cur.ids || !cur.seen || !(r->root = strdup(opts->root ? opts->root : "/"))) {
		fs_fail(err, "out of memory");
		goto out;
	}
	if (load_keepers(opts, r, ids, &keeper, err) < 0)
		goto out;
	fs_report_scan_opts(opts, NULL, &so); /* every image */
	if ((!r->scan && fs_scan_run(&so, &r->scan, err) < 0) ||
	    !(cur.t = fs_targets_new(r->root, err)))
		goto out;
	for (size_t i = 0; i < r->scan->nprocs; i++)
		if (add_proc(r, &r->scan->procs[i], &cap, &cur, ids, keeper) < 0) {
			fs_fail(err, "out of memory");
			goto out;
		}
	fs_report_units(r);
	if (db && label(r, db, err) < 0)
		goto out;
	/* Cygwin/MSYS2: every process's fork verdict (none on Linux) */
	if (fs_fork_verdicts(r->root, r->scan, opts, &r->fork, err) < 0)
		goto out;
	rc = 0;
out:
	free(keeper);
	fs_targets_free(cur.t);
	fs_seen_map_free(cur.seen);
	free(cur.verdict);
	fs_idset_free(ids);
	fs_idset_free(cur.ids);
	if (rc == 0)
		*out = r;
	else
		fs_report_result_free(r);
	fs_scan_free(scan); /* not taken: r could not be made */
	return rc;
}

void fs_report_result_free(fs_report_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].v);
	free(r->v);
	for (size_t i = 0; i < r->nsnapshots; i++)
		free(r->snapshots[i]);
	free(r->snapshots);
	fs_fork_info_free(r->fork);
	fs_scan_free(r->scan);
	free(r->root);
	free(r);
}
