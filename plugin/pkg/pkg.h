/*
 * pkg.h - the package layer (plugin/pkg/): libsolv for package databases,
 * their .solv cache and the solver.  Reading pacman's and dpkg's databases,
 * sync databases (zstd) and package archives (libarchive) is the loader
 * module's job (plugin/pkg/load/, opened on demand by loaders.c).  It reads
 * the root with POSIX calls; what it writes goes through plugin/core/os.h.
 */
#ifndef FS_PKG_H
#define FS_PKG_H

#include "../core/os.h"

#include "load/load.h"

#include <solv/pool.h>
#include <solv/repo.h>

/* A top-level directory symlink of the root: from "/lib" to "/usr/lib". */
typedef struct fs_alias {
	char *from, *to;
} fs_alias;

/* A dpkg diversion: the package's file that dpkg would put at from is put
 * at to, except by (NULL: a local diversion, the admin's). */
typedef struct fs_diversion {
	const char *from, *to, *by; /* pool strings */
} fs_diversion;

/* Owner lists given out by fs_pkgdb_owners, freed with the database. */
typedef struct fs_owner_block {
	struct fs_owner_block *next;
	fs_pkg_name v[];
} fs_owner_block;

struct fs_pkgdb {
	Pool *pool;
	Repo *installed;
	char *root;
	const char *source;
	int cached;
	size_t naliases;
	fs_alias *aliases;
	size_t ndiversions;
	fs_diversion *diversions;
	fs_owner_block **blocks; /* one pointer, so that a const db can add */
};

/* The loader module (plugin/pkg/load/), opened on first use; NULL with
 * a message when it cannot be. */
const struct fs_loaders *fs_pkg_loaders(fs_err *err);

/* The cache file's bytes (pkgdb.c) into repo when they carry KEY and their
 * checksum matches: 1, else 0 with repo left empty.  For the fuzzer too. */
int fs_pkgdb_cache_parse(Repo *repo, const char *buf, size_t len, const char *key);

#endif
