/*
 * none.c - the package layer of a build without libsolv, libarchive and
 * zstd (FORKSAFE_PACKAGES=OFF, e.g. the mingw-w64 cross build): each call
 * says so, and everything that only labels output with packages goes on
 * without them.
 */
#include "../../core/err.h"
#include "../label.h"

const char *fs_features(void) { return ""; }

static int unsupported(fs_err *err)
{
	return fs_fail(err, "built without package support (libsolv, libarchive, zstd)");
}

int fs_pkgdb_open(const char *root, const char *store, fs_pkgdb **out, fs_err *err)
{
	(void)root;
	(void)store;
	*out = NULL;
	return unsupported(err);
}

int fs_pkgdb_open_labels(const char *root, const char *store, fs_pkgdb **out, fs_err *err)
{
	(void)root;
	(void)store;
	(void)err;
	*out = NULL;
	return 0; /* nothing to label with: not a problem */
}

void fs_pkgdb_free(fs_pkgdb *db) { (void)db; }
const char *fs_pkgdb_source(const fs_pkgdb *db) { (void)db; return ""; }
int fs_pkgdb_cached(const fs_pkgdb *db) { (void)db; return 0; }

int fs_pkgdb_owners(const fs_pkgdb *db, const char *const *paths, size_t n,
		    fs_pkg *owners, fs_err *err)
{
	(void)db, (void)paths, (void)n, (void)owners;
	return unsupported(err);
}

int fs_pkgdb_label(const fs_pkgdb *db, const char *const *paths,
		   const char **const *slots, size_t n, fs_err *err)
{
	(void)db, (void)paths, (void)slots, (void)n;
	return unsupported(err);
}

int fs_pkgdb_label_scan(const fs_pkgdb *db, fs_scan *scan, fs_err *err)
{
	(void)db, (void)scan;
	return unsupported(err);
}

int fs_targets_add_package(fs_targets *t, const fs_pkgdb *db, const char *name,
			   fs_err *err)
{
	(void)t, (void)db, (void)name;
	return unsupported(err);
}

int fs_targets_add_archive(fs_targets *t, const char *file, fs_err *err)
{
	(void)t, (void)file;
	return unsupported(err);
}

/* Paths as fs_targets_from() takes them; packages and archives cannot be
 * read (the root is opened first, as with package support). */
fs_targets *fs_targets_from_names(const char *root, const char *store, int kind,
				  char *const *names, size_t n, int fd, fs_err *err)
{
	fs_targets *t;

	(void)store;
	if (kind == FS_NAMES_PATHS || n == 0)
		return fs_targets_from(root, names, n, fd, err);
	if ((t = fs_targets_new(root, err)))
		unsupported(err);
	fs_targets_free(t);
	return NULL;
}

int fs_plan_run(const fs_plan_opts *opts, fs_plan **out, fs_err *err)
{
	(void)opts;
	*out = NULL;
	return unsupported(err);
}

void fs_plan_free(fs_plan *p) { (void)p; }

int fs_owner_query(const char *root, const char *store, char *const *paths, size_t n,
		   int fd, fs_owner_result **out, fs_err *err)
{
	(void)root;
	(void)store;
	(void)paths;
	(void)n;
	(void)fd;
	*out = NULL;
	return unsupported(err);
}

void fs_owner_result_free(fs_owner_result *r) { (void)r; }
