/*
 * label.c - files labelled with the packages owning them: the one place
 * paths go to fs_pkgdb_owners() and package names come back.
 */
#include "label.h"
#include "../core/err.h"
#include "../core/scan.h"

#include <stdlib.h>
#include <string.h>

int fs_pkgdb_label(const fs_pkgdb *db, const char *const *paths,
		   const char **const *slots, size_t n, fs_err *err)
{
	fs_pkg *owners = malloc((n ? n : 1) * sizeof *owners);
	int rc;

	if (!owners)
		return fs_fail(err, "out of memory");
	rc = fs_pkgdb_owners(db, paths, n, owners, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		*slots[i] = owners[i].name;
	free(owners);
	return rc;
}

/* A process that sees our root: its paths are names in our database. */
static int same_root(const fs_proc *p)
{
	return !p->foreign_mntns && (!p->root || strcmp(p->root, "/") == 0);
}

/* p's images as a copy in the scan's memory, to be labelled (the scan
 * hands its images out read-only). */
static fs_image *own_images(fs_scan *scan, fs_proc *p, fs_err *err)
{
	fs_image *imgs = fs_scan_alloc(scan, p->nimages * sizeof *imgs + 1);

	if (!imgs) {
		fs_fail(err, "out of memory");
		return NULL;
	}
	memcpy(imgs, p->images, p->nimages * sizeof *imgs);
	p->images = imgs;
	return imgs;
}

int fs_pkgdb_label_scan(const fs_pkgdb *db, fs_scan *scan, fs_err *err)
{
	size_t n = 0, k = 0;
	const char **paths;
	const char ***slots;
	int rc = 0;

	for (size_t i = 0; i < scan->nprocs; i++)
		n += same_root(&scan->procs[i]) ? scan->procs[i].nimages : 0;
	paths = malloc((n ? n : 1) * sizeof *paths);
	slots = malloc((n ? n : 1) * sizeof *slots);
	if (!paths || !slots) {
		free(paths);
		free(slots);
		return fs_fail(err, "out of memory");
	}
	for (size_t i = 0; rc == 0 && i < scan->nprocs; i++) {
		fs_proc *p = &scan->procs[i];
		fs_image *imgs;

		if (!same_root(p) || p->nimages == 0)
			continue;
		if (!(imgs = own_images(scan, p, err)))
			rc = -1;
		for (size_t m = 0; imgs && m < p->nimages; m++, k++) {
			paths[k] = imgs[m].path;
			slots[k] = &imgs[m].package;
		}
	}
	if (rc == 0)
		rc = fs_pkgdb_label(db, paths, slots, n, err);
	free(paths);
	free(slots);
	return rc;
}
