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
#include <wchar.h>

/*
 * A handle's final name (malloc'ed), or NULL.  The name may grow between
 * the call that sizes the buffer and the one that fills it (a rename): only
 * a call that returns fewer characters than the buffer holds wrote the
 * whole name; otherwise it returned the size it needs now.
 */
static wchar_t *final_name(HANDLE h)
{
	DWORD size = MAX_PATH + 1;

	for (int tries = 0; tries < 4; tries++) {
		wchar_t *w = malloc(size * sizeof *w);
		DWORD n;

		if (!w)
			return NULL;
		n = GetFinalPathNameByHandleW(h, w, size, FILE_NAME_NORMALIZED);
		if (n > 0 && n < size)
			return w;
		free(w);
		if (n == 0 || n > 65536) /* NT names hold at most 32767 */
			return NULL;
		size = n + 1;
	}
	return NULL;
}

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

	if (!r || !(r->given = strdup(path)) || !(r->dir = fs_win_path(path))) {
		fs_os_root_close(r);
		fs_fail(err, "out of memory");
		return NULL;
	}
	h = fs_win_open_meta(r->dir, 0);
	if (h == INVALID_HANDLE_VALUE) {
		fs_win_fail(err, GetLastError(), "root %s", path);
		fs_os_root_close(r);
		return NULL;
	}
	if (fs_win_handle_info(h, &info) < 0 || !(info.attrs & FILE_ATTRIBUTE_DIRECTORY) ||
	    !(r->final = final_name(h))) {
		CloseHandle(h);
		fs_fail(err, "root %s: not a directory", path);
		fs_os_root_close(r);
		return NULL;
	}
	CloseHandle(h);
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
	if (wcscmp(wrel, L"\\") != 0)
		wcscat(full, wrel);
	free(wrel);
	h = fs_win_open_meta(full, 0);
	e = GetLastError();
	free(full);
	if (h == INVALID_HANDLE_VALUE) {
		if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND) {
			t->path = rel; /* missing: the lexical path */
			return 0;
		}
		free(rel);
		return fs_win_fail(err, e, "%s", path);
	}
	fin = final_name(h);
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
