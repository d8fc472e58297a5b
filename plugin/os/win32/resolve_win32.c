/*
 * resolve_win32.c - target paths inside a root.  A path is normalised
 * lexically (".." may not leave the root), opened following links, and
 * reported by the name the file system gives the file it reached
 * (GetFinalPathNameByHandleW), which must still be inside the root.
 */
#include "win32.h"
#include "../../core/err.h"

#include <stdlib.h>
#include <string.h>
#include <wctype.h>
#include <wchar.h>

/*
 * A handle's final name (malloc'ed), or NULL.  The name may grow between
 * the call that sizes the buffer and the one that fills it (a rename): only
 * a call that returns fewer characters than the buffer holds wrote the
 * whole name; otherwise it returned the size it needs now.
 */
/* Windows processes share one view of the filesystems: report never asks. */
fs_os_root *fs_os_proc_root_open(int pid, uint64_t start_time, fs_err *err)
{
	(void)start_time;
	fs_fail(err, "process %d: no view of its own on Windows", pid);
	return NULL;
}

fs_os_root *fs_os_root_open(const char *path, fs_err *err)
{
	fs_os_root *r = calloc(1, sizeof *r);
	fs_win_info info;
	HANDLE h;

	if (!r || !(r->given = strdup(path))) {
		fs_os_root_close(r);
		fs_fail(err, "out of memory");
		return NULL;
	}
	if (!(r->dir = fs_win_long_always(fs_win_path(path)))) {
		/* "/" and "/x": the installation, which forksafe.exe may not tell */
		if (fs_win_drive_path(path) || (path[0] != '/' && path[0] != '\\') ||
		    fs_win_install_root(err))
			fs_fail(err, "out of memory");
		fs_os_root_close(r);
		return NULL;
	}
	h = fs_win_open_meta(r->dir, 0);
	if (h == INVALID_HANDLE_VALUE) {
		fs_win_fail(err, GetLastError(), "root %s", path);
		fs_os_root_close(r);
		return NULL;
	}
	if (fs_win_handle_info(h, &info) < 0 || !(info.attrs & FILE_ATTRIBUTE_DIRECTORY) ||
	    !(r->final = fs_win_final_name(h, r->dir))) {
		CloseHandle(h);
		fs_fail(err, "root %s: not a directory", path);
		fs_os_root_close(r);
		return NULL;
	}
	CloseHandle(h);
	/* joins add "\\x": no separator at the end ("\\?\\Z:\\" is "\\?\\Z:") */
	for (size_t n = wcslen(r->dir); n > 0 && r->dir[n - 1] == L'\\'; n--)
		r->dir[n - 1] = L'\0';
	r->final_len = wcslen(r->final);
	while (r->final_len > 0 && r->final[r->final_len - 1] == L'\\')
		r->final_len--; /* "Z:\" */
	return r;
}

void fs_os_root_close(fs_os_root *r)
{
	if (!r)
		return;
	free(r->given);
	free(r->dir);
	free(r->final);
	free(r);
}

/* "/a/b" from path with "." and ".." applied; NULL if ".." leaves the root. */
static char *normalise(const char *path, int *escapes)
{
	char *out = malloc(strlen(path) + 2);
	size_t len = 0;

	*escapes = 0;
	if (!out)
		return NULL;
	while (*path) {
		size_t m;

		while (*path == '/' || *path == '\\')
			path++;
		m = strcspn(path, "/\\");
		if (m == 2 && path[0] == '.' && path[1] == '.') {
			if (len == 0) {
				*escapes = 1;
				free(out);
				return NULL;
			}
			while (len > 0 && out[--len] != '/')
				;
		} else if (m > 0 && !(m == 1 && path[0] == '.')) {
			out[len++] = '/';
			memcpy(out + len, path, m);
			len += m;
		}
		path += m;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	return out;
}

/* Is the root the installation forksafe.exe belongs to (the default "/")? */
static int is_installation(const fs_os_root *root)
{
	return (root->given[0] == '/' || root->given[0] == '\\') && !root->given[1];
}

/* A drive path outside the installation, with the default root: the file
 * it names, wherever it lies, reported by its final name (or, missing, by
 * the path given in our '/' form). */
static int resolve_host(const char *path, fs_target *t, fs_err *err)
{
	wchar_t *w = fs_win_path(path), *fin;
	fs_win_info info;
	HANDLE h;
	DWORD e;

	if (!w)
		return fs_fail(err, "out of memory");
	h = fs_win_open_meta(w, 0);
	e = GetLastError();
	if (h == INVALID_HANDLE_VALUE) {
		if (e != ERROR_FILE_NOT_FOUND && e != ERROR_PATH_NOT_FOUND) {
			free(w);
			return fs_win_fail(err, e, "%s", path);
		}
		t->path = fs_win_mixed(w, wcslen(w)); /* missing: as given */
		free(w);
		return t->path ? 0 : fs_fail(err, "out of memory");
	}
	fin = fs_win_final_name(h, w);
	free(w);
	if (!fin || fs_win_handle_info(h, &info) < 0) {
		e = GetLastError();
		CloseHandle(h);
		free(fin);
		return fs_win_fail(err, e, "%s", path);
	}
	CloseHandle(h);
	t->path = fs_win_mixed(fin, wcslen(fin));
	free(fin);
	if (!t->path)
		return fs_fail(err, "out of memory");
	t->exists = 1;
	t->id = info.id;
	t->size = info.size;
	t->mtime_ns = info.mtime_ns;
	t->is_dir = (info.attrs & FILE_ATTRIBUTE_DIRECTORY) != 0;
	return 0;
}

/* A drive path: inside the root, the root's file at that place; outside,
 * the file itself with the default root, else refused - never joined under
 * the root into a path that does not exist. */
static int resolve_drive(fs_os_root *root, const char *path, fs_target *t, fs_err *err)
{
	const char *inside = fs_os_under_root(path, is_installation(root) ? "/" : root->given);
	char *final = NULL;
	int rc;

	/* the root as given ("msys64", through a junction) or as it is */
	if (!inside && !(final = fs_win_mixed(root->final, root->final_len)))
		return fs_fail(err, "out of memory");
	if (!inside)
		inside = fs_os_under_root(path, final);
	if (inside) {
		rc = fs_os_resolve(root, inside, t, err);
		free(final);
		return rc;
	}
	free(final);
	if (is_installation(root))
		return resolve_host(path, t, err);
	return fs_fail(err, "%s: outside the root %s", path, root->given);
}

int fs_os_resolve(fs_os_root *root, const char *path, fs_target *t, fs_err *err)
{
	int escapes;
	char *rel = normalise(path, &escapes), *tail = NULL;
	wchar_t *wrel, *full, *fin;
	fs_win_info info;
	HANDLE h;
	DWORD e;

	t->path = NULL;
	t->exists = 0;
	if (fs_win_drive_path(path)) {
		free(rel);
		return resolve_drive(root, path, t, err);
	}
	if (!rel)
		return escapes ? fs_fail(err, "%s: leaves the root", path)
			       : fs_fail(err, "out of memory");
	if (!(wrel = fs_win_wide(rel))) {
		free(rel);
		return fs_fail(err, "%s: not valid UTF-8", path);
	}
	full = malloc((wcslen(root->dir) + wcslen(wrel) + 1) * sizeof *full);
	if (!full) {
		free(rel);
		free(wrel);
		return fs_fail(err, "out of memory");
	}
	wcscpy(full, root->dir);
	for (wchar_t *p = wrel; *p; p++)
		if (*p == L'/')
			*p = L'\\';
	wcscat(full, wrel); /* "\\" too: "Z:" alone would be the volume */
	free(wrel);
	if (!(full = fs_win_long(full))) {
		free(rel);
		return fs_fail(err, "out of memory");
	}
	h = fs_win_open_meta(full, 0);
	e = GetLastError();
	if (h == INVALID_HANDLE_VALUE) {
		free(full);
		if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND) {
			t->path = rel; /* missing: the lexical path */
			return 0;
		}
		free(rel);
		return fs_win_fail(err, e, "%s", path);
	}
	fin = fs_win_final_name(h, full);
	free(full);
	if (!fin || fs_win_handle_info(h, &info) < 0) {
		e = GetLastError();
		CloseHandle(h);
		free(fin);
		free(rel);
		return fs_win_fail(err, e, "%s", path);
	}
	CloseHandle(h);
	if (_wcsnicmp(fin, root->final, root->final_len) != 0 ||
	    (fin[root->final_len] != L'\\' && fin[root->final_len] != L'\0')) {
		free(fin);
		free(rel);
		return fs_fail(err, "%s: a link leads outside the root", path);
	}
	tail = fs_win_mixed(fin + root->final_len, wcslen(fin + root->final_len));
	free(fin);
	free(rel);
	if (!tail)
		return fs_fail(err, "out of memory");
	if (!*tail) {
		free(tail);
		tail = strdup("/");
		if (!tail)
			return fs_fail(err, "out of memory");
	}
	t->path = tail;
	t->exists = 1;
	t->id = info.id;
	t->size = info.size;
	t->mtime_ns = info.mtime_ns;
	t->is_dir = (info.attrs & FILE_ATTRIBUTE_DIRECTORY) != 0;
	return 0;
}

int fs_os_resolve_all(fs_os_root *first, const char *root, size_t n,
		      const char *const *paths, fs_target *out, unsigned char *ok,
		      fs_err *errs, fs_err *err)
{
	(void)root;
	(void)err;
	for (size_t i = 0; i < n; i++)
		ok[i] = fs_os_resolve(first, paths[i], &out[i], &errs[i]) == 0;
	return 0;
}
