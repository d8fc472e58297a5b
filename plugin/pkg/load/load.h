/*
 * load.h - the package loaders: everything that needs libsolvext,
 * libarchive or libzstd, built as the module forksafe-loaders.so.
 *
 * Those libraries pull in some thirty shared objects (rpm, lua, sqlite,
 * xml2, icu ...) whose loading would cost every forksafe command more time
 * than its work; so the binary links only libsolv, answers from the .solv
 * cache, and opens this module (plugin/pkg/loaders.c) only to read a
 * package database, a sync database or a package archive.  The module
 * calls nothing in the binary: it gets a pool, a root, and gives back
 * repos, paths and one-line errors.
 */
#ifndef FS_LOAD_H
#define FS_LOAD_H

#include "forksafe.h"

#include <stdlib.h>
#include <string.h>

#include <solv/pool.h>
#include <solv/repo.h>

/* Bumped whenever struct fs_loaders changes. */
#define FS_LOADERS_ABI 1

struct fs_loaders {
	int abi;
	/* Adds root's installed packages with their file lists to repo (not
	 * internalized): pacman's local db and/or dpkg's status. */
	int (*installed)(Repo *repo, const char *root, int pacman, int dpkg, fs_err *err);
	/* Adds one repo per sync database in root's var/lib/pacman/sync. */
	int (*sync)(Pool *pool, const char *root, size_t *nrepos, fs_err *err);
	/* The paths a package archive would install (malloc'ed, relative). */
	int (*archive)(const char *file, char ***paths, size_t *n, fs_err *err);
};

/* The module's one exported symbol (everything else is hidden). */
#ifdef FS_LOADERS_MODULE
__attribute__((visibility("default")))
#endif
extern const struct fs_loaders fs_loaders_table;

/* Helpers of the module (module.c). */
int fs_load_fail(fs_err *err, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* root joined with a path inside it (malloc'ed): for the module and the
 * binary alike, so it lives here. */
static inline char *fs_root_join(const char *root, const char *path)
{
	size_t r = strlen(root);
	char *s;

	while (r > 0 && root[r - 1] == '/')
		r--;
	while (*path == '/')
		path++;
	s = malloc(r + strlen(path) + 2);
	if (s) {
		memcpy(s, root, r);
		s[r] = '/';
		strcpy(s + r + 1, path);
	}
	return s;
}

int fs_load_dpkg(Repo *repo, const char *root, fs_err *err);
int fs_load_sync(Pool *pool, const char *root, size_t *nrepos, fs_err *err);
int fs_load_archive(const char *file, char ***paths, size_t *n, fs_err *err);

#endif
