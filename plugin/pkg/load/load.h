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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <solv/pool.h>
#include <solv/repodata.h>
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

/* Fills err (which may be NULL) and returns -1: fs_fail for the module
 * (fail.c). */
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

/*
 * Limits on what a root's databases may hold (docs/packages.md): the root's
 * files may come from anyone, and libsolv trusts what it is given.
 */
#define FS_DB_FILE_MAX (64u << 20)      /* status, one .list, desc, files */
#define FS_DB_ENTRY_MAX (16u << 20)     /* pacman desc/files (libsolv's own tar entry limit) */
#define FS_DB_TOTAL_MAX (1024ull << 20) /* everything one installed-db load reads */
#define FS_DB_PACKAGES_MAX 500000       /* packages in one database */
#define FS_DEB_FIELD_MAX (1u << 20)     /* one field of a dpkg stanza */
#define FS_DEB_ALTERNATIVES_MAX 1000    /* "a | b | ..." in one dependency */
#define FS_LIST_LINE_MAX 4096           /* one path of a dpkg .list */
#define FS_DEB_DIVERSIONS_MAX 100000    /* diversions in dpkg's diversions file */
#define FS_SYNC_DBS_MAX 256             /* sync databases in var/lib/pacman/sync */
#define FS_SYNC_OUT_MAX (512ull << 20)  /* a decompressed sync database */
#define FS_SYNC_OUT_FLOOR (32ull << 20) /* ... may always reach this, */
#define FS_SYNC_RATIO 100               /* ... else this many times its size */
#define FS_ARCHIVE_ENTRIES_MAX 1000000  /* entries of a package archive */
#define FS_ARCHIVE_OUT_MAX (16ull << 30) /* its decompressed bytes, */
#define FS_ARCHIVE_OUT_FLOOR (1ull << 30) /* ... which may always reach this, */
#define FS_ARCHIVE_RATIO 200            /* ... else this many times its size */

/* What one load has read so far (against FS_DB_TOTAL_MAX). */
typedef struct fs_load_budget {
	unsigned long long used;
} fs_load_budget;

/* Opens dirfd/path for reading without blocking on what is not a regular
 * file (a FIFO, a device): O_NONBLOCK, O_NOFOLLOW when nofollow, then
 * fstat must say S_ISREG and a size up to max; O_NONBLOCK is cleared.
 * -1 with errno kept (ENOENT: absent) and err saying "shown: why". */
int fs_load_open(int dirfd, const char *path, const char *shown, int nofollow,
		 unsigned long long max, fs_err *err);
/* The whole file read as fs_load_open opens it, NUL-terminated (malloc'ed);
 * charged to budget when there is one. */
int fs_load_read(int dirfd, const char *path, const char *shown, size_t max,
		 fs_load_budget *budget, char **buf, size_t *len, fs_err *err);

/* dpkg: a status text (checked against the FS_DEB_* limits, then read by
 * libsolvext), and one package's .list text into its file list. */
int fs_deb_check(const char *buf, size_t len, const char *shown, fs_err *err);
int fs_load_debpackages(Repo *repo, const char *buf, size_t len, const char *shown,
			fs_err *err);
int fs_load_list(Repodata *data, Id p, const char *buf, size_t len, const char *shown,
		 fs_err *err);
/* dpkg's diversions file (triples of lines: from, to, package or ":" for a
 * local diversion) into the repo's meta data as FS_DIVERSIONS_KEY, an id
 * array of (from, to, package) string ids; a file that breaks that form or
 * the limits is refused as a whole. */
#define FS_DIVERSIONS_KEY "forksafe:dpkg-diversions"
int fs_load_diversions(Repodata *data, const char *buf, size_t len, const char *shown,
		       fs_err *err);
/* pacman: one package of a local db from its desc and files texts. */
int fs_load_arch_pkg(Repo *repo, const char *desc, size_t desclen, const char *files,
		     size_t fileslen, const char *shown, fs_err *err);
int fs_load_arch_local(Repo *repo, const char *root, fs_err *err);
/* A sync database (fd, closed) as an uncompressed tar stream, told by its
 * magic; the output is bounded by FS_SYNC_*. */
FILE *fs_sync_open(int fd, const char *name, fs_err *err);

int fs_load_dpkg(Repo *repo, const char *root, fs_err *err);
int fs_load_sync(Pool *pool, const char *root, size_t *nrepos, fs_err *err);
int fs_load_archive(const char *file, char ***paths, size_t *n, fs_err *err);

#endif
