/*
 * report.c - after a transaction, which processes still run images that
 * were replaced or removed: an image is stale when the kernel says its path
 * is gone, or when its path under the root now has another identity.
 * Snapshots tell where the old file is still kept.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

/* path's part inside root ("/x" for "<root>/x"), or NULL if outside. */
static const char *under_root(const char *path, const char *root, size_t rlen)
{
	if (rlen == 0)
		return path;
	if (strncmp(path, root, rlen) != 0 || path[rlen] != '/')
		return NULL;
	return path + rlen;
}

/* Names of the snapshots keeping each identity: keeper[k] for ids index k. */
static int load_keepers(const fs_store_opts *opts, fs_report_result *r, fs_idset *ids,
			size_t **keeper, fs_err *err)
{
	fs_status_result st = { 0 };
	int rc = -1;

	if (fs_status_load(opts, &st, ids, err) < 0)
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
	fs_os_store_close(st.os);
	st.os = NULL;
	st.scan = NULL;
	for (size_t i = 0; i < st.n; i++) {
		fs_manifest_free(&st.v[i].m);
		free(st.v[i].name);
		free(st.v[i].problem);
	}
	free(st.v);
	free(st.store);
	return rc;
}

/* Current identities of image paths, resolved once per image identity. */
struct current {
	fs_targets *t;
	fs_idset *ids;  /* image identity -> index into tix */
	long *tix;      /* its target, or -1 when the path could not be resolved */
	size_t n, cap;
};

/* Is im stale: gone, or its path now names another file? */
static int stale(const fs_image *im, const char *rel, struct current *c)
{
	const fs_target *tg;
	long k, *slot;
	int added;
	fs_err err;

	if (im->flags & FS_IMAGE_DELETED)
		return 1;
	k = fs_idset_add(c->ids, im->id, &added);
	if (k < 0)
		return 0;
	if (added) {
		if (!(slot = fs_grow((void **)&c->tix, &c->n, &c->cap, sizeof *slot)))
			return 0;
		*slot = fs_targets_add(c->t, rel, &err) == 0 ? (long)fs_targets_count(c->t) - 1
							      : -1;
	}
	if (c->tix[k] < 0)
		return 0; /* cannot tell: not claimed */
	tg = fs_targets_get(c->t, (size_t)c->tix[k]);
	return !tg->exists || tg->id.dev != im->id.dev || tg->id.ino != im->id.ino;
}

static int add_proc(fs_report_result *r, const fs_proc *p, size_t *cap, size_t rlen,
		    struct current *cur, const fs_idset *ids, const size_t *keeper)
{
	fs_report_proc rp = { .proc = p };
	size_t icap = 0;

	for (size_t m = 0; m < p->nimages; m++) {
		const fs_image *im = &p->images[m];
		const char *rel = under_root(im->path, r->root, rlen);
		fs_report_image *ri;
		long k;

		if (!rel || fs_os_is_pseudo(im->path) || !stale(im, rel, cur))
			continue;
		ri = fs_grow((void **)&rp.v, &rp.n, &icap, sizeof *ri);
		if (!ri) {
			free(rp.v);
			return -1;
		}
		k = fs_idset_find(ids, im->id);
		ri->image = im;
		ri->snapshot = k >= 0 && keeper[k] ? r->snapshots[keeper[k] - 1] : NULL;
		ri->runtime = fs_os_is_runtime(im->path);
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

int fs_report(const fs_store_opts *opts, const fs_pkgdb *db, fs_report_result **out,
	      fs_err *err)
{
	fs_report_result *r = calloc(1, sizeof *r);
	fs_scan_opts so = opts->scan;
	fs_idset *ids = fs_idset_new(256);
	struct current cur = { .ids = fs_idset_new(1024) };
	size_t *keeper = NULL, cap = 0, rlen;
	int rc = -1;

	*out = NULL;
	if (!r || !ids || !cur.ids || !(r->root = strdup(opts->root ? opts->root : "/"))) {
		fs_fail(err, "out of memory");
		goto out;
	}
	rlen = strlen(r->root);
	while (rlen > 0 && r->root[rlen - 1] == '/')
		rlen--;
	if (load_keepers(opts, r, ids, &keeper, err) < 0)
		goto out;
	so.filter = NULL;
	so.process_view = 0;
	if (fs_scan_run(&so, &r->scan, err) < 0 ||
	    (db && fs_pkgdb_label_scan(db, r->scan, err) < 0) ||
	    !(cur.t = fs_targets_new(r->root, err)))
		goto out;
	for (size_t i = 0; i < r->scan->nprocs; i++)
		if (add_proc(r, &r->scan->procs[i], &cap, rlen, &cur, ids, keeper) < 0) {
			fs_fail(err, "out of memory");
			goto out;
		}
	rc = 0;
out:
	free(keeper);
	fs_targets_free(cur.t);
	free(cur.tix);
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
