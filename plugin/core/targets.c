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

/*
 * Adds n targets: requests[i] as given, for reports; paths[i] what is
 * resolved inside the root (the backend resolves many in parallel).  The
 * first path that cannot be resolved fails the call, naming it.
 */
int fs_targets_add_many(fs_targets *t, const char *const *requests,
			const char *const *paths, size_t n, fs_err *err)
{
	fs_target *out = calloc(n + 1, sizeof *out);
	unsigned char *ok = calloc(n + 1, 1);
	fs_err *errs = malloc((n + 1) * sizeof *errs);
	const char **todo = calloc(n + 1, sizeof *todo);
	size_t *from = malloc((n + 1) * sizeof *from), m = 0, i = 0;
	int rc = -1;

	if (!out || !ok || !errs || !todo || !from) {
		fs_fail(err, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		size_t len = strlen(paths[k]);

		if (len == 0) {
			fs_fail(err, "empty target path");
			goto out;
		}
		if (len > FS_LINE_MAX) {
			fs_fail(err, "target path is longer than %d bytes", FS_LINE_MAX);
			goto out;
		}
		if (paths[k][len - 1] == '/')
			continue; /* a directory entry of a package: nothing to map */
		from[m] = k;
		todo[m++] = paths[k];
	}
	if (fs_os_resolve_all(t->os, t->root, m, todo, out, ok, errs, err) < 0)
		goto out;
	if (fs_reserve((void **)&t->v, &t->cap, t->n + m, sizeof *t->v) < 0) {
		fs_fail(err, "out of memory");
		goto out;
	}
	for (i = 0; i < m; i++) {
		if (!ok[i]) {
			fs_fail(err, "%s", errs[i].msg);
			goto out;
		}
		if (out[i].is_dir && t->skip_dirs)
			continue;
		if (!(out[i].request = strdup(requests[from[i]]))) {
			fs_fail(err, "out of memory");
			goto out;
		}
		t->v[t->n++] = out[i];
		out[i].path = NULL; /* the list has it now */
	}
	rc = 0;
out:
	for (size_t k = 0; out && k < m; k++)
		free(out[k].path);
	free(out);
	free(ok);
	free(errs);
	free(todo);
	free(from);
	return rc;
}

static int add(fs_targets *t, const char *request, const char *path, fs_err *err)
{
	return fs_targets_add_many(t, &request, &path, 1, err);
}

int fs_targets_add(fs_targets *t, const char *path, fs_err *err)
{
	return add(t, path, path, err);
}

int fs_targets_add_user(fs_targets *t, const char *path, fs_err *err)
{
	char cwd[PATH_MAX];
	char *full;
	const char *inside;
	int rc;

	if (strcmp(t->root, "/") != 0)
		return add(t, path, path, err);
	if (fs_os_path_absolute(path)) {
		full = NULL;
	} else {
		if (!getcwd(cwd, sizeof cwd))
			return fs_fail_errno(err, errno, "cannot get the current directory");
		full = malloc(strlen(cwd) + strlen(path) + 2);
		if (!full)
			return fs_fail(err, "out of memory");
		sprintf(full, "%s/%s", cwd, path);
	}
	/* Windows: a drive path must lie in the installation ("/") */
	inside = fs_os_under_root(full ? full : path, "/");
	rc = inside ? add(t, path, inside, err)
		    : fs_fail(err, "%s: outside the root (give --root)", path);
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
