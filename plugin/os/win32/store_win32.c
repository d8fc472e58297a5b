/*
 * store_win32.c - directory handles (os.h's fs_os_dir) on Windows: a path
 * opened once and held open (so it cannot be renamed away meanwhile), on
 * the safe root's volume, and the files inside.  Nothing here follows a
 * reparse point (symlink, junction): one met is refused, or removed as
 * itself, never entered.  Nothing here knows the store's layout
 * (core/store.h).
 */
#include "win32.h"

#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* For messages: "<shown>/<name>", or "./<name>" in the safe root. */
#define SHOWN(d) ((d)->shown[0] ? (d)->shown : ".")

wchar_t *fs_win_dir_join(const fs_os_dir *d, const char *name, fs_err *err)
{
	wchar_t *w;

	if (!name[0] || strpbrk(name, "/\\:") || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		fs_fail(err, "%s/%s: not a name", SHOWN(d), name);
		return NULL;
	}
	if (!(w = fs_win_join(d->dir, name)))
		fs_fail(err, "out of memory");
	return w;
}

int fs_win_identify(const wchar_t *path, fs_win_info *info)
{
	HANDLE h = fs_win_open_meta(path, 1);
	int ok;

	if (h == INVALID_HANDLE_VALUE)
		return GetLastError() == ERROR_FILE_NOT_FOUND ||
				       GetLastError() == ERROR_PATH_NOT_FOUND
			       ? 0
			       : -1;
	ok = fs_win_handle_info(h, info) == 0;
	CloseHandle(h);
	return ok ? 1 : -1;
}

int fs_win_mkdirs(const wchar_t *base, const char *relpath, fs_err *err)
{
	wchar_t *full = fs_win_join(base, relpath), *last;
	int rc;

	if (!full)
		return fs_fail(err, "out of memory");
	last = wcsrchr(full, L'\\');
	if (last && (size_t)(last - full) > wcslen(base)) {
		*last = L'\0'; /* the parent; only what lies below base is made */
		rc = fs_win_mkdir_path(full, wcslen(base), NULL, NULL, relpath, err);
	} else {
		rc = 0;
	}
	free(full);
	return rc;
}

static int remove_entry(void *ctx, const wchar_t *path, const WIN32_FIND_DATAW *fd,
			fs_err *err)
{
	(void)ctx;
	(void)fd;
	return fs_win_remove_tree(path, err);
}

int fs_win_remove_tree(const wchar_t *path, fs_err *err)
{
	DWORD a = GetFileAttributesW(path);

	if (a == INVALID_FILE_ATTRIBUTES)
		return GetLastError() == ERROR_FILE_NOT_FOUND ||
				       GetLastError() == ERROR_PATH_NOT_FOUND
			       ? 0
			       : fs_win_fail(err, GetLastError(), "cannot remove a store entry");
	if (a & FILE_ATTRIBUTE_READONLY)
		SetFileAttributesW(path, a & ~FILE_ATTRIBUTE_READONLY);
	if (!(a & FILE_ATTRIBUTE_DIRECTORY))
		return DeleteFileW(path) ? 0
					 : fs_win_fail(err, GetLastError(), "cannot remove a kept file");
	/* a reparse point goes as itself, its target is never entered */
	if (!(a & FILE_ATTRIBUTE_REPARSE_POINT) && fs_win_each(path, remove_entry, NULL, err) < 0)
		return -1;
	return RemoveDirectoryW(path) ? 0
				      : fs_win_fail(err, GetLastError(), "cannot remove a store directory");
}

/* ---- directory handles ------------------------------------------------------ */

void fs_os_dir_close(fs_os_dir *d)
{
	OVERLAPPED o = { 0 };

	if (!d)
		return;
	if (d->lockh && d->lockh != INVALID_HANDLE_VALUE) {
		UnlockFileEx(d->lockh, 0, 1, 0, &o);
		CloseHandle(d->lockh);
	}
	if (d->dirh && d->dirh != INVALID_HANDLE_VALUE)
		CloseHandle(d->dirh);
	free(d->dir);
	free(d->shown);
	free(d->path);
	free(d);
}

/* Opens d->dir (set) as a plain directory and holds it; its facts in
 * *info.  *missing (if given) when it does not exist. */
static int hold_dir(fs_os_dir *d, int *missing, fs_win_info *info, const char *shown,
		    fs_err *err)
{
	DWORD e;

	d->dirh = CreateFileW(d->dir, FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES,
			      FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
			      FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	e = GetLastError();
	if (d->dirh == INVALID_HANDLE_VALUE) {
		if (missing && (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND))
			*missing = 1;
		return fs_win_fail(err, e, "%s", shown);
	}
	if (fs_win_handle_info(d->dirh, info) < 0 || !(info->attrs & FILE_ATTRIBUTE_DIRECTORY) ||
	    (info->attrs & FILE_ATTRIBUTE_REPARSE_POINT))
		return fs_fail(err, "%s: not a plain directory", shown);
	return 0;
}

fs_os_dir *fs_os_dir_open_safe(const char *path, int create, int *missing, fs_err *err)
{
	fs_os_dir *d = calloc(1, sizeof *d);
	fs_win_info info;
	char shown[FS_LINE_MAX + 16];

	if (missing)
		*missing = 0;
	if (!d || !(d->path = strdup(path)) || !(d->shown = strdup("")) ||
	    !(d->dir = fs_win_path(path))) {
		fs_os_dir_close(d);
		fs_fail(err, "out of memory");
		return NULL;
	}
	d->lockh = INVALID_HANDLE_VALUE;
	d->may_create = create;
	for (size_t n = wcslen(d->dir); n > 3 && d->dir[n - 1] == L'\\'; n--)
		d->dir[n - 1] = L'\0';
	snprintf(shown, sizeof shown, "store %s", path);
	if ((create && fs_win_mkdir_path(d->dir, 0, NULL, NULL, path, err) < 0) ||
	    hold_dir(d, missing, &info, shown, err) < 0) {
		fs_os_dir_close(d);
		return NULL;
	}
	d->root_id = info.id;
	return d;
}

fs_os_dir *fs_os_dir_open_at(fs_os_dir *d, const char *relpath, int create, int *missing,
			     fs_err *err)
{
	fs_os_dir *sub = calloc(1, sizeof *sub);
	size_t n = strlen(d->shown) + strlen(relpath) + 2;
	fs_win_info info;

	if (missing)
		*missing = 0;
	if (!sub || !(sub->path = strdup(d->path)) || !(sub->shown = malloc(n))) {
		fs_os_dir_close(sub);
		fs_fail(err, "out of memory");
		return NULL;
	}
	snprintf(sub->shown, n, "%s%s%s", d->shown, d->shown[0] ? "/" : "", relpath);
	sub->lockh = INVALID_HANDLE_VALUE;
	sub->root_id = d->root_id;
	if (fs_win_relpath_check(relpath, err) < 0)
		goto fail;
	if (!(sub->dir = fs_win_join(d->dir, relpath))) {
		fs_fail(err, "out of memory");
		goto fail;
	}
	if (create && fs_win_mkdir_path(sub->dir, wcslen(d->dir), NULL, NULL, sub->shown, err) < 0)
		goto fail;
	if (hold_dir(sub, create ? NULL : missing, &info, sub->shown, err) < 0)
		goto fail;
	if (info.id.dev != d->root_id.dev) {
		fs_fail(err, "%s: leaves the store's volume", sub->shown);
		goto fail;
	}
	return sub;
fail:
	fs_os_dir_close(sub);
	return NULL;
}

int fs_os_lock(fs_os_dir *d, const char *name, fs_err *err)
{
	OVERLAPPED o = { 0 };
	wchar_t *p;
	DWORD e;

	if (d->lockh != INVALID_HANDLE_VALUE)
		return 0; /* held already, until d is closed */
	if (!(p = fs_win_dir_join(d, name, err)))
		return -1;
	d->lockh = CreateFileW(p, GENERIC_READ | GENERIC_WRITE,
			       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
			       d->may_create ? OPEN_ALWAYS : OPEN_EXISTING,
			       FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	e = GetLastError();
	free(p);
	if (d->lockh == INVALID_HANDLE_VALUE)
		return e == ERROR_FILE_NOT_FOUND
			       ? fs_fail(err, "store %s has no lock file", d->path)
			       : fs_win_fail(err, e, "store %s lock", d->path);
	if (!LockFileEx(d->lockh, LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &o)) {
		e = GetLastError();
		CloseHandle(d->lockh);
		d->lockh = INVALID_HANDLE_VALUE;
		return fs_win_fail(err, e, "store %s lock", d->path);
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct listing {
	char **names;
	size_t n, cap;
};

static int list_entry(void *ctx, const wchar_t *path, const WIN32_FIND_DATAW *fd,
		      fs_err *err)
{
	struct listing *l = ctx;
	char **slot = fs_grow((void **)&l->names, &l->n, &l->cap, sizeof *slot);

	(void)path;
	if (!slot)
		return fs_fail(err, "out of memory");
	if (!(*slot = fs_win_utf8(fd->cFileName, wcslen(fd->cFileName)))) {
		l->n--;
		return fs_fail(err, "out of memory");
	}
	return 0;
}

int fs_os_list(fs_os_dir *d, char ***names, size_t *n, fs_err *err)
{
	struct listing l = { 0 };

	if (fs_win_each(d->dir, list_entry, &l, err) < 0) {
		while (l.n > 0)
			free(l.names[--l.n]);
		free(l.names);
		return -1;
	}
	if (l.n > 1)
		qsort(l.names, l.n, sizeof *l.names, by_name);
	*names = l.names;
	*n = l.n;
	return 0;
}

int fs_os_rename(fs_os_dir *d, const char *from, const char *to, fs_err *err)
{
	wchar_t *a = fs_win_dir_join(d, from, err);
	wchar_t *b = a ? fs_win_dir_join(d, to, err) : NULL;
	int rc = 0;

	if (!a || !b)
		rc = -1;
	else if (!MoveFileExW(a, b, MOVEFILE_WRITE_THROUGH))
		rc = fs_win_fail(err, GetLastError(), "cannot rename %s to %s", from, to);
	free(a);
	free(b);
	return rc;
}

/* The walk is recursive, bounded by Win32's path length (32767). */
int fs_os_remove_tree(fs_os_dir *d, const char *name, unsigned depth, fs_err *err)
{
	wchar_t *p = fs_win_dir_join(d, name, err);
	int rc;

	(void)depth;
	if (!p)
		return -1;
	rc = fs_win_remove_tree(p, err);
	free(p);
	if (rc < 0 && err) {
		size_t n = strlen(err->msg);

		snprintf(err->msg + n, sizeof err->msg - n, " (%s)", name);
	}
	return rc;
}

/* ---- files in a directory ------------------------------------------------------ */

fs_presence fs_os_stat(fs_os_dir *d, const char *name, fs_os_info *st, fs_err *err)
{
	wchar_t *p = fs_win_dir_join(d, name, err);
	fs_win_info info;
	int r;

	if (!p)
		return FS_PRESENCE_ERROR;
	r = fs_win_identify(p, &info);
	free(p);
	if (r < 0) {
		fs_win_fail(err, GetLastError(), "%s/%s", SHOWN(d), name);
		return FS_PRESENCE_ERROR;
	}
	if (r == 0)
		return FS_ABSENT;
	st->kind = (info.attrs & FILE_ATTRIBUTE_REPARSE_POINT) ? FS_OS_OTHER
		   : (info.attrs & FILE_ATTRIBUTE_DIRECTORY)   ? FS_OS_DIR
							       : FS_OS_FILE;
	st->id = info.id;
	st->bytes = info.size;
	st->links = info.links;
	return FS_PRESENT;
}

/* name in d opened as access asks, never through a link, a regular file. */
static HANDLE open_file(fs_os_dir *d, const char *name, DWORD access, DWORD how, fs_err *err)
{
	wchar_t *p = fs_win_dir_join(d, name, err);
	fs_win_info info;
	HANDLE h;

	if (!p)
		return INVALID_HANDLE_VALUE;
	h = CreateFileW(p, access, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL, how,
			FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	free(p);
	if (h == INVALID_HANDLE_VALUE) {
		fs_win_fail(err, GetLastError(), "%s/%s", SHOWN(d), name);
		return h;
	}
	if (fs_win_handle_info(h, &info) < 0 ||
	    (info.attrs & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT))) {
		CloseHandle(h);
		fs_fail(err, "%s/%s is not a regular file", SHOWN(d), name);
		return INVALID_HANDLE_VALUE;
	}
	return h;
}

/* name opened for reading, at most max bytes long. */
static HANDLE open_read(fs_os_dir *d, const char *name, size_t max, LARGE_INTEGER *size,
			fs_err *err)
{
	HANDLE h = open_file(d, name, GENERIC_READ, OPEN_EXISTING, err);

	if (h == INVALID_HANDLE_VALUE)
		return h;
	if (!GetFileSizeEx(h, size) || (uint64_t)size->QuadPart > max) {
		CloseHandle(h);
		fs_fail(err, "%s/%s: unreadable or too large", SHOWN(d), name);
		return INVALID_HANDLE_VALUE;
	}
	return h;
}

int fs_os_open_read(fs_os_dir *d, const char *name, size_t max, fs_err *err)
{
	LARGE_INTEGER size;
	HANDLE h = open_read(d, name, max, &size, err);
	int fd;

	if (h == INVALID_HANDLE_VALUE)
		return -1;
	fd = _open_osfhandle((intptr_t)h, _O_RDONLY | _O_BINARY);
	if (fd < 0) {
		CloseHandle(h);
		return fs_fail(err, "%s/%s: cannot open", SHOWN(d), name);
	}
	return fd;
}

int fs_os_read_file(fs_os_dir *d, const char *name, size_t max, char **buf, size_t *len,
		    fs_err *err)
{
	LARGE_INTEGER size;
	HANDLE h = open_read(d, name, max, &size, err);
	DWORD got = 0;

	*buf = NULL;
	*len = 0;
	if (h == INVALID_HANDLE_VALUE)
		return -1;
	if (!(*buf = malloc((size_t)size.QuadPart + 1))) {
		CloseHandle(h);
		return fs_fail(err, "out of memory");
	}
	if (!ReadFile(h, *buf, (DWORD)size.QuadPart, &got, NULL) || got != size.QuadPart) {
		CloseHandle(h);
		free(*buf);
		*buf = NULL;
		return fs_fail(err, "%s/%s: read failed", SHOWN(d), name);
	}
	CloseHandle(h);
	(*buf)[got] = '\0';
	*len = got;
	return 0;
}

int fs_os_write_atomic(fs_os_dir *d, const char *name, const char *buf, size_t len,
		       fs_err *err)
{
	char tmp[256];
	wchar_t *from, *to;
	HANDLE h;
	DWORD put = 0;
	int rc = 0;

	if (len > MAXDWORD)
		return fs_fail(err, "%s/%s: too large", SHOWN(d), name);
	snprintf(tmp, sizeof tmp, ".%s.tmp", name);
	h = open_file(d, tmp, GENERIC_WRITE, CREATE_ALWAYS, err);
	if (h == INVALID_HANDLE_VALUE)
		return -1;
	if (!WriteFile(h, buf, (DWORD)len, &put, NULL) || put != len || !FlushFileBuffers(h))
		rc = fs_win_fail(err, GetLastError(), "cannot write %s/%s", SHOWN(d), name);
	CloseHandle(h);
	from = fs_win_dir_join(d, tmp, NULL);
	to = fs_win_dir_join(d, name, NULL);
	if (rc == 0 && (!from || !to))
		rc = fs_fail(err, "out of memory");
	if (rc == 0 && !MoveFileExW(from, to, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
		rc = fs_win_fail(err, GetLastError(), "cannot write %s/%s", SHOWN(d), name);
	if (rc < 0 && from)
		DeleteFileW(from);
	free(from);
	free(to);
	return rc;
}

int fs_os_touch(fs_os_dir *d, const char *name, fs_err *err)
{
	HANDLE h = open_file(d, name, GENERIC_WRITE, OPEN_ALWAYS, err);

	if (h == INVALID_HANDLE_VALUE)
		return -1;
	CloseHandle(h);
	return 0;
}

int fs_os_mkdir(fs_os_dir *d, const char *name, fs_err *err)
{
	wchar_t *p = fs_win_dir_join(d, name, err);
	int rc = 0;

	if (!p)
		return -1;
	if (!CreateDirectoryW(p, NULL))
		rc = fs_win_fail(err, GetLastError(), "cannot create %s/%s", SHOWN(d), name);
	free(p);
	return rc;
}

int fs_os_unlink(fs_os_dir *d, const char *name, fs_err *err)
{
	wchar_t *p = fs_win_dir_join(d, name, err);
	int rc = 0;

	if (!p)
		return -1;
	if (!DeleteFileW(p) && GetLastError() != ERROR_FILE_NOT_FOUND)
		rc = fs_win_fail(err, GetLastError(), "cannot remove %s/%s", SHOWN(d), name);
	free(p);
	return rc;
}

/* NTFS makes a rename or removal durable by itself (its journal); a
 * directory handle cannot be flushed from user mode. */
int fs_os_sync(fs_os_dir *d, fs_err *err)
{
	(void)d;
	(void)err;
	return 0;
}

int fs_os_remove_if_empty(fs_os_dir *d, const char *name)
{
	wchar_t *p = fs_win_dir_join(d, name, NULL);
	fs_win_info info;
	int r = 0;

	if (p && fs_win_identify(p, &info) == 1)
		r = (info.attrs & FILE_ATTRIBUTE_DIRECTORY) &&
				    !(info.attrs & FILE_ATTRIBUTE_REPARSE_POINT)
			    ? RemoveDirectoryW(p) != 0
			    : DeleteFileW(p) != 0;
	free(p);
	return r;
}
