/*
 * pkg.h - the package layer (plugin/pkg/): libsolv for package databases
 * and the solver, libarchive for package files, libzstd for sync databases.
 * It reads package databases and archives with POSIX calls (and through
 * the libraries); everything it changes goes through plugin/core/os.h.
 */
#ifndef FS_PKG_H
#define FS_PKG_H

#include "../core/os.h"

#include <solv/pool.h>
#include <solv/repo.h>

/* A top-level directory symlink of the root: from "/lib" to "/usr/lib". */
typedef struct fs_alias {
	char *from, *to;
} fs_alias;

struct fs_pkgdb {
	Pool *pool;
	Repo *installed;
	char *root;
	const char *source;
	int cached;
	size_t naliases;
	fs_alias *aliases;
};

/* Creates db with an empty pool for root's database kind, pacman or dpkg. */
int fs_pkgdb_init(fs_pkgdb *db, const char *root, int pacman, fs_err *err);
/* Adds dpkg's installed packages with their file lists (info/NAME.list). */
int fs_pkgdb_load_dpkg(fs_pkgdb *db, fs_err *err);

/* Adds every sync database of the root (var/lib/pacman/sync) as a repo. */
int fs_pkgdb_add_sync(fs_pkgdb *db, size_t *nrepos, fs_err *err);

/* root joined with a path inside it (malloc'ed). */
char *fs_pkg_join(const char *root, const char *path);

#endif
