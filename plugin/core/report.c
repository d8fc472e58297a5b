/*
 * report.c - after a transaction, which processes still run images that
 * were replaced or removed: an image is stale when the kernel says its path
 * is gone, or when its path under the root now has another identity.
 * Snapshots tell where the old file is still kept.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

/* Names of the snapshots keeping each identity: keeper[k] for ids index k. */
static int load_keepers(const fs_store_opts *opts, fs_report_result *r, fs_idset *ids,
			size_t **keeper, fs_err *err)
{
	fs_status_result st = { 0 };
	fs_os_store *s = NULL;
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
	fs_os_store_close(s);
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
	fs_targets *t;           /* every path looked at */
	fs_idset *ids;           /* image identity -> index into verdict */
	unsigned char *verdict;  /* 1: stale */
	size_t n, cap;
};

/* Resolves path inside the root: the target, or NULL if it cannot be. */
static const fs_target *look(struct current *c, const char *path)
{
	size_t before = fs_targets_count(c->t);
	fs_err err;

	if (fs_targets_add(c->t, path, &err) < 0 || fs_targets_count(c->t) == before)
		return NULL;
	return fs_targets_get(c->t, before);
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
		const fs_target *tg;

		if (!slash)
			return 0;
		slash[slash == dir] = '\0'; /* keeps "/" itself */
		if (!(tg = look(c, dir)))
			return 0;
		if (tg->exists)
			return tg->is_dir && tg->id.dev == dev;
		if (slash == dir)
			return 0;
	}
}

/*
 * Is im stale: replaced or removed in this root?  Yes when a snapshot keeps
 * its identity and the path no longer has it; when the kernel says its path
 * is deleted and the path lies in this root; when its path now names another
 * file.  A path that does not exist here is another root's: not ours.
 */
static int judge(const fs_image *im, const char *rel, int kept, struct current *c)
{
	const fs_target *tg = look(c, rel);

	if (!tg)
		return 0; /* cannot tell: not claimed */
	if (tg->exists && tg->id.dev == im->id.dev && tg->id.ino == im->id.ino)
		return 0;
	if (kept)
		return 1;
	if (im->flags & FS_IMAGE_DELETED && im->id.dev == 0 && im->id.ino == 0)
		return 1; /* no identity: its file cannot be opened any more (Windows) */
	if (im->flags & FS_IMAGE_DELETED)
		return ours(c, rel, im->id.dev);
	return tg->exists;
}

/* judge(), once per identity: every process mapping libc asks the same. */
static int stale(const fs_image *im, const char *rel, int kept, struct current *c)
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
	return (size_t)k < c->n && c->verdict[k];
}

static int add_proc(fs_report_result *r, const fs_proc *p, size_t *cap,
		    struct current *cur, const fs_idset *ids, const size_t *keeper)
{
	fs_report_proc rp = { .proc = p };
	size_t icap = 0;

	for (size_t m = 0; m < p->nimages; m++) {
		const fs_image *im = &p->images[m];
		const char *rel = fs_os_under_root(im->path, r->root);
		long k = fs_idset_find(ids, im->id);
		fs_report_image *ri;

		if (!rel || fs_os_is_pseudo(im->path) ||
		    !stale(im, rel, k >= 0 && keeper[k], cur))
			continue;
		ri = fs_grow((void **)&rp.v, &rp.n, &icap, sizeof *ri);
		if (!ri) {
			free(rp.v);
			return -1;
		}
		/* every field set here: package stays NULL unless label() runs */
		*ri = (fs_report_image){
			.image = im,
			.snapshot = k >= 0 && keeper[k] ? r->snapshots[keeper[k] - 1] : NULL,
			.runtime = fs_os_is_runtime(im->path),
		};
		rp.must_restart |= ri->runtime;
	}
	if (rp.n == 0)
		return 0;
	if (!fs_grow((void **)&r->v, &r->n, cap, sizeof *r->v)) {
		free(rp.v);
		return -1;
	}
	r->v[r->n - 1] = rp;
	r->must_restart += rp.must_restart;
	return 0;
}

/* The owning package of every stale image, by its path inside the root. */
static int label(fs_report_result *r, const fs_pkgdb *db, fs_err *err)
{
	size_t n = 0, k = 0;
	const char **paths;
	fs_pkg *owners;
	int rc;

	for (size_t i = 0; i < r->n; i++)
		n += r->v[i].n;
	paths = malloc((n + 1) * sizeof *paths);
	owners = malloc((n + 1) * sizeof *owners);
	if (!paths || !owners) {
		free(paths);
		free(owners);
		return fs_fail(err, "out of memory");
	}
	for (size_t i = 0; i < r->n; i++)
		for (size_t m = 0; m < r->v[i].n; m++)
			paths[k++] = fs_os_under_root(r->v[i].v[m].image->path, r->root);
	rc = fs_pkgdb_owners(db, paths, n, owners, err);
	k = 0;
	for (size_t i = 0; rc == 0 && i < r->n; i++)
		for (size_t m = 0; m < r->v[i].n; m++)
			r->v[i].v[m].package = owners[k++].name;
	free(paths);
	free(owners);
	return rc;
}

int fs_report(const fs_store_opts *opts, const fs_pkgdb *db, fs_report_result **out,
	      fs_err *err)
{
	fs_report_result *r = calloc(1, sizeof *r);
	fs_scan_opts so = opts->scan;
	fs_idset *ids = fs_idset_new(256);
	struct current cur = { .ids = fs_idset_new(1024) };
	size_t *keeper = NULL, cap = 0;
	int rc = -1;

	*out = NULL;
	if (!r || !ids || !cur.ids || !(r->root = strdup(opts->root ? opts->root : "/"))) {
		fs_fail(err, "out of memory");
		goto out;
	}
	if (load_keepers(opts, r, ids, &keeper, err) < 0)
		goto out;
	so.filter = NULL;
	so.process_view = 0;
	if (fs_scan_run(&so, &r->scan, err) < 0 || !(cur.t = fs_targets_new(r->root, err)))
		goto out;
	for (size_t i = 0; i < r->scan->nprocs; i++)
		if (add_proc(r, &r->scan->procs[i], &cap, &cur, ids, keeper) < 0) {
			fs_fail(err, "out of memory");
			goto out;
		}
	fs_report_units(r);
	if (db && label(r, db, err) < 0)
		goto out;
	rc = 0;
out:
	free(keeper);
	fs_targets_free(cur.t);
	free(cur.verdict);
	fs_idset_free(ids);
	fs_idset_free(cur.ids);
	if (rc == 0)
		*out = r;
	else
		fs_report_result_free(r);
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
	fs_scan_free(r->scan);
	free(r->root);
	free(r);
}
