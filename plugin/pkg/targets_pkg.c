/*
 * targets_pkg.c - targets named through packages: the files of an installed
 * package (from the database) or of a package archive (read by the loader
 * module with libarchive); fs_targets_from_names(), which opens the
 * database when packages are named.
 */
#include "pkg.h"
#include "../core/err.h"

#include <stdlib.h>

#include <solv/dataiterator.h>
#include <solv/knownid.h>

int fs_targets_add_package(fs_targets *t, const fs_pkgdb *db, const char *name,
			   fs_err *err)
{
	Id id = pool_str2id(db->pool, name, 0);
	Dataiterator di;
	Solvable *s;
	Id p;
	int found = 0, rc = 0;

	FOR_REPO_SOLVABLES(db->installed, p, s) {
		if (!id || s->name != id)
			continue;
		found = 1;
		fs_targets_skip_dirs(t);
		dataiterator_init(&di, db->pool, db->installed, p, SOLVABLE_FILELIST, 0,
				  SEARCH_FILES | SEARCH_COMPLETE_FILELIST);
		while (rc == 0 && dataiterator_step(&di))
			rc = fs_targets_add(t, di.kv.str, err);
		dataiterator_free(&di);
	}
	if (!found)
		return fs_fail(err, "package '%s' is not installed", name);
	return rc;
}

int fs_targets_add_archive(fs_targets *t, const char *file, fs_err *err)
{
	const struct fs_loaders *ld = fs_pkg_loaders(err);
	char **paths;
	size_t n;
	int rc = 0;

	if (!ld || ld->archive(file, &paths, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = fs_targets_add(t, paths[i], err);
		free(paths[i]);
	}
	free(paths);
	return rc;
}

fs_targets *fs_targets_from_names(const char *root, const char *store, int kind,
				  char *const *names, size_t n, int fd, fs_err *err)
{
	fs_targets *t;
	fs_pkgdb *db = NULL;

	if (kind == FS_NAMES_PATHS || n == 0)
		return fs_targets_from(root, names, n, fd, err);
	if (!(t = fs_targets_new(root, err)))
		return NULL;
	if (kind == FS_NAMES_PACKAGES && fs_pkgdb_open(root, store, &db, err) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		int rc = kind == FS_NAMES_PACKAGES ? fs_targets_add_package(t, db, names[i], err)
			 : fs_targets_add_archive(t, names[i], err);

		if (rc < 0)
			goto fail;
	}
	if (fd >= 0 && fs_targets_read_fd(t, fd, err) < 0)
		goto fail;
	fs_pkgdb_free(db);
	return t;
fail:
	fs_pkgdb_free(db);
	fs_targets_free(t);
	return NULL;
}
