/*
 * targets.c - the list of files a query is about, resolved inside a root
 * by the OS backend (fs_os_resolve).
 */
#include "os.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fs_targets {
	char *root;
	fs_os_root *os;
	fs_target *v;
	size_t n, cap;
	int skip_dirs;
};

fs_targets *fs_targets_new(const char *root, fs_err *err)
{
	fs_targets *t = calloc(1, sizeof *t);

	if (!t) {
		fs_fail(err, "out of memory");
		return NULL;
	}
	t->root = strdup(root ? root : "/");
	if (!t->root) {
		fs_fail(err, "out of memory");
		fs_targets_free(t);
		return NULL;
	}
	t->os = fs_os_root_open(t->root, err);
	if (!t->os) {
		fs_targets_free(t);
		return NULL;
	}
	return t;
}

void fs_targets_free(fs_targets *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].request);
		free(t->v[i].path);
	}
	free(t->v);
	fs_os_root_close(t->os);
	free(t->root);
	free(t);
}

const char *fs_targets_root(const fs_targets *t) { return t->root; }
void fs_targets_skip_dirs(fs_targets *t) { t->skip_dirs = 1; }
size_t fs_targets_count(const fs_targets *t) { return t->n; }
const fs_target *fs_targets_get(const fs_targets *t, size_t i) { return &t->v[i]; }

/* request: as given, for reports; path: what is resolved inside the root. */
static int add(fs_targets *t, const char *request, const char *path, fs_err *err)
{
	size_t len = strlen(path);
	fs_target tg = { 0 };
	fs_target *slot;

	if (len == 0)
		return fs_fail(err, "empty target path");
	if (len > FS_LINE_MAX)
		return fs_fail(err, "target path is longer than %d bytes", FS_LINE_MAX);
	if (path[len - 1] == '/')
		return 0; /* a directory entry of a package: nothing to map */
	if (fs_os_resolve(t->os, path, &tg, err) < 0)
		return -1;
	if (tg.is_dir && t->skip_dirs) {
		free(tg.path);
		return 0;
	}
	tg.request = strdup(request);
	slot = tg.request ? fs_grow((void **)&t->v, &t->n, &t->cap, sizeof *t->v) : NULL;
	if (!slot) {
		free(tg.request);
		free(tg.path);
		return fs_fail(err, "out of memory");
	}
	*slot = tg;
	return 0;
}

int fs_targets_add(fs_targets *t, const char *path, fs_err *err)
{
	return add(t, path, path, err);
}

int fs_targets_add_user(fs_targets *t, const char *path, fs_err *err)
{
	char cwd[PATH_MAX];
	char *full;
	int rc;

	if (path[0] == '/' || strcmp(t->root, "/") != 0)
		return add(t, path, path, err);
	if (!getcwd(cwd, sizeof cwd))
		return fs_fail_errno(err, errno, "cannot get the current directory");
	full = malloc(strlen(cwd) + strlen(path) + 2);
	if (!full)
		return fs_fail(err, "out of memory");
	sprintf(full, "%s/%s", cwd, path);
	rc = add(t, path, full, err);
	free(full);
	return rc;
}

fs_targets *fs_targets_from_names(const char *root, const char *store, int kind,
				  char *const *names, size_t n, int fd, fs_err *err)
{
	fs_targets *t = fs_targets_new(root, err);
	fs_pkgdb *db = NULL;

	if (t && kind == FS_NAMES_PACKAGES && n > 0 &&
	    fs_pkgdb_open(root, store, &db, err) < 0)
		goto fail;
	for (size_t i = 0; t && i < n; i++) {
		int rc = kind == FS_NAMES_PACKAGES ? fs_targets_add_package(t, db, names[i], err)
			 : kind == FS_NAMES_ARCHIVES ? fs_targets_add_archive(t, names[i], err)
			 : fs_targets_add_user(t, names[i], err);

		if (rc < 0)
			goto fail;
	}
	if (t && fd >= 0 && fs_targets_read_fd(t, fd, err) < 0)
		goto fail;
	fs_pkgdb_free(db);
	return t;
fail:
	fs_pkgdb_free(db);
	fs_targets_free(t);
	return NULL;
}

fs_targets *fs_targets_from(const char *root, char *const *paths, size_t npaths,
			    int fd, fs_err *err)
{
	return fs_targets_from_names(root, NULL, FS_NAMES_PATHS, paths, npaths, fd, err);
}
