/*
 * store_win32.c - the snapshot store on Windows: one directory, opened once
 * and held open (so it cannot be renamed away meanwhile), on one volume.
 * Nothing here follows a reparse point (symlink, junction): one met inside
 * the store is refused, or removed as itself, never entered.
 */
#include "win32.h"

#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define SNAP_NAME(snap) ((snap) ? (snap) : ".")

wchar_t *fs_win_store_path(const fs_os_store *s, const char *a, const char *b,
			   const char *c)
{
	const char *parts[3] = { a, b, c };
	size_t n = wcslen(s->dir) + 1;
	wchar_t *w;

	for (int i = 0; i < 3; i++) {
		if (parts[i] && strpbrk(parts[i], "\\:"))
			return NULL; /* would leave the store */
		n += parts[i] ? strlen(parts[i]) + 1 : 0;
	}
	if (!(w = malloc(n * sizeof *w)))
		return NULL;
	wcscpy(w, s->dir);
	for (int i = 0; i < 3; i++) {
		wchar_t *p;

		if (!parts[i])
			continue;
		if (!(p = fs_win_wide(parts[i]))) {
			free(w);
			return NULL;
		}
		wcscat(w, L"\\");
		wcscat(w, p);
		free(p);
	}
	for (wchar_t *p = w + wcslen(s->dir); *p; p++)
		if (*p == L'/')
			*p = L'\\';
	return w;
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

static void store_unlock(fs_os_store *s);

fs_os_store *fs_os_store_open(const char *path, int create, int *missing, fs_err *err)
{
	fs_os_store *s = calloc(1, sizeof *s);
	fs_win_info info;
	wchar_t *lock;
	DWORD e;

	if (missing)
		*missing = 0;
	if (!s || !(s->path = strdup(path)) || !(s->dir = fs_win_path(path))) {
		fs_os_store_close(s);
		fs_fail(err, "out of memory");
		return NULL;
	}
	s->lockh = INVALID_HANDLE_VALUE;
	for (size_t n = wcslen(s->dir); n > 3 && s->dir[n - 1] == L'\\'; n--)
		s->dir[n - 1] = L'\0';
	if (create && fs_win_mkdir_path(s->dir, 0, NULL, NULL, path, err) < 0) {
		fs_os_store_close(s);
		return NULL;
	}
	s->dirh = CreateFileW(s->dir, FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES,
			      FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
			      FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	e = GetLastError();
	if (s->dirh == INVALID_HANDLE_VALUE) {
		if (missing && (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND))
			*missing = 1;
		fs_win_fail(err, e, "store %s", path);
		fs_os_store_close(s);
		return NULL;
	}
	if (fs_win_handle_info(s->dirh, &info) < 0 || !(info.attrs & FILE_ATTRIBUTE_DIRECTORY) ||
	    (info.attrs & FILE_ATTRIBUTE_REPARSE_POINT)) {
		fs_fail(err, "store %s: not a plain directory", path);
		fs_os_store_close(s);
		return NULL;
	}
	s->id = info.id;
	lock = fs_win_store_path(s, "lock", NULL, NULL);
	if (lock)
		s->lockh = CreateFileW(lock, GENERIC_READ | GENERIC_WRITE,
				       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
				       create ? OPEN_ALWAYS : OPEN_EXISTING,
				       FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	e = GetLastError();
	free(lock);
	if (s->lockh == INVALID_HANDLE_VALUE && !(create == 0 && e == ERROR_FILE_NOT_FOUND)) {
		fs_win_fail(err, e, "store %s lock", path);
		fs_os_store_close(s);
		return NULL;
	}
	return s;
}

void fs_os_store_close(fs_os_store *s)
{
	if (!s)
		return;
	store_unlock(s);
	if (s->lockh && s->lockh != INVALID_HANDLE_VALUE)
		CloseHandle(s->lockh);
	if (s->dirh && s->dirh != INVALID_HANDLE_VALUE)
		CloseHandle(s->dirh);
	free(s->dir);
	free(s->path);
	free(s);
}

int fs_os_store_lock(fs_os_store *s, fs_err *err)
{
	OVERLAPPED o = { 0 };

	if (s->locked)
		return 0;
	if (s->lockh == INVALID_HANDLE_VALUE) /* a store made before: make the lock */
		return fs_fail(err, "store %s has no lock file", s->path);
	if (!LockFileEx(s->lockh, LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &o))
		return fs_win_fail(err, GetLastError(), "store %s lock", s->path);
	s->locked = 1;
	return 0;
}

static void store_unlock(fs_os_store *s)
{
	OVERLAPPED o = { 0 };

	if (s->locked)
		UnlockFileEx(s->lockh, 0, 1, 0, &o);
	s->locked = 0;
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

int fs_os_store_list(fs_os_store *s, char ***names, size_t *n, fs_err *err)
{
	struct listing l = { 0 };

	if (fs_win_each(s->dir, list_entry, &l, err) < 0) {
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

int fs_os_store_rename(fs_os_store *s, const char *from, const char *to, fs_err *err)
{
	wchar_t *a = fs_win_store_path(s, from, NULL, NULL);
	wchar_t *b = fs_win_store_path(s, to, NULL, NULL);
	int rc = 0;

	if (!a || !b)
		rc = fs_fail(err, "out of memory");
	else if (!MoveFileExW(a, b, MOVEFILE_WRITE_THROUGH))
		rc = fs_win_fail(err, GetLastError(), "cannot rename %s to %s", from, to);
	free(a);
	free(b);
	return rc;
}

int fs_os_store_remove(fs_os_store *s, const char *name, fs_err *err)
{
	wchar_t *p = fs_win_store_path(s, name, NULL, NULL);
	int rc;

	if (!p)
		return fs_fail(err, "out of memory");
	rc = fs_win_remove_tree(p, err);
	free(p);
	if (rc < 0) {
		size_t n = strlen(err->msg);

		snprintf(err->msg + n, sizeof err->msg - n, " (%s)", name);
	}
	return rc;
}

/* ---- a snapshot's own files ---------------------------------------------- */

int fs_os_snap_mkdir(fs_os_store *s, const char *snap, fs_err *err)
{
	wchar_t *d = fs_win_store_path(s, snap, NULL, NULL);
	wchar_t *f = fs_win_store_path(s, snap, "files", NULL);
	int rc = 0;

	if (!d || !f)
		rc = fs_fail(err, "out of memory");
	else if (!CreateDirectoryW(d, NULL) || !CreateDirectoryW(f, NULL))
		rc = fs_win_fail(err, GetLastError(), "cannot create snapshot %s", snap);
	free(d);
	free(f);
	return rc;
}

/* A snapshot file opened as access asks, never through a link. */
static HANDLE open_file(fs_os_store *s, const char *snap, const char *file, DWORD access,
			DWORD how, fs_err *err)
{
	wchar_t *p = fs_win_store_path(s, snap, file, NULL);
	fs_win_info info;
	HANDLE h;

	if (!p) {
		fs_fail(err, "out of memory");
		return INVALID_HANDLE_VALUE;
	}
	h = CreateFileW(p, access, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL, how,
			FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	free(p);
	if (h == INVALID_HANDLE_VALUE) {
		fs_win_fail(err, GetLastError(), "%s/%s", SNAP_NAME(snap), file);
		return h;
	}
	if (fs_win_handle_info(h, &info) < 0 ||
	    (info.attrs & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT))) {
		CloseHandle(h);
		fs_fail(err, "%s/%s is not a regular file", SNAP_NAME(snap), file);
		return INVALID_HANDLE_VALUE;
	}
	return h;
}

int fs_os_snap_read(fs_os_store *s, const char *snap, const char *file, char **buf,
		    size_t *len, fs_err *err)
{
	HANDLE h = open_file(s, snap, file, GENERIC_READ, OPEN_EXISTING, err);
	LARGE_INTEGER size;
	DWORD got = 0;

	*buf = NULL;
	*len = 0;
	if (h == INVALID_HANDLE_VALUE)
		return -1;
	if (!GetFileSizeEx(h, &size) || size.QuadPart > (64 << 20)) {
		CloseHandle(h);
		return fs_fail(err, "%s/%s: unreadable or too large", SNAP_NAME(snap), file);
	}
	if (!(*buf = malloc((size_t)size.QuadPart + 1))) {
		CloseHandle(h);
		return fs_fail(err, "out of memory");
	}
	if (!ReadFile(h, *buf, (DWORD)size.QuadPart, &got, NULL) || got != size.QuadPart) {
		CloseHandle(h);
		free(*buf);
		*buf = NULL;
		return fs_fail(err, "%s/%s: read failed", SNAP_NAME(snap), file);
	}
	CloseHandle(h);
	(*buf)[got] = '\0';
	*len = got;
	return 0;
}

int fs_os_snap_open(fs_os_store *s, const char *snap, const char *file, fs_err *err)
{
	HANDLE h = open_file(s, snap, file, GENERIC_READ, OPEN_EXISTING, err);
	int fd;

	if (h == INVALID_HANDLE_VALUE)
		return -1;
	fd = _open_osfhandle((intptr_t)h, _O_RDONLY | _O_BINARY);
	if (fd < 0) {
		CloseHandle(h);
		return fs_fail(err, "%s/%s: cannot open", SNAP_NAME(snap), file);
	}
	return fd;
}

int fs_os_snap_write(fs_os_store *s, const char *snap, const char *file, const char *buf,
		     size_t len, fs_err *err)
{
	char tmp[256];
	wchar_t *from, *to;
	HANDLE h;
	DWORD put = 0;
	int rc = 0;

	snprintf(tmp, sizeof tmp, ".%s.tmp", file);
	h = open_file(s, snap, tmp, GENERIC_WRITE, CREATE_ALWAYS, err);
	if (h == INVALID_HANDLE_VALUE)
		return -1;
	if (!WriteFile(h, buf, (DWORD)len, &put, NULL) || put != len || !FlushFileBuffers(h))
		rc = fs_win_fail(err, GetLastError(), "cannot write %s/%s", SNAP_NAME(snap), file);
	CloseHandle(h);
	from = fs_win_store_path(s, snap, tmp, NULL);
	to = fs_win_store_path(s, snap, file, NULL);
	if (rc == 0 && (!from || !to))
		rc = fs_fail(err, "out of memory");
	if (rc == 0 && !MoveFileExW(from, to, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
		rc = fs_win_fail(err, GetLastError(), "cannot write %s/%s", SNAP_NAME(snap), file);
	if (rc < 0 && from)
		DeleteFileW(from);
	free(from);
	free(to);
	return rc;
}

int fs_os_snap_exists(fs_os_store *s, const char *snap, const char *file)
{
	wchar_t *p = fs_win_store_path(s, snap, file, NULL);
	DWORD a = p ? GetFileAttributesW(p) : INVALID_FILE_ATTRIBUTES;

	free(p);
	return a != INVALID_FILE_ATTRIBUTES;
}

int fs_os_snap_touch(fs_os_store *s, const char *snap, const char *file, fs_err *err)
{
	HANDLE h = open_file(s, snap, file, GENERIC_WRITE, OPEN_ALWAYS, err);

	if (h == INVALID_HANDLE_VALUE)
		return -1;
	CloseHandle(h);
	return 0;
}

int fs_os_snap_unlink(fs_os_store *s, const char *snap, const char *file, fs_err *err)
{
	wchar_t *p = fs_win_store_path(s, snap, file, NULL);
	int rc = 0;

	if (!p)
		return fs_fail(err, "out of memory");
	if (!DeleteFileW(p) && GetLastError() != ERROR_FILE_NOT_FOUND)
		rc = fs_win_fail(err, GetLastError(), "cannot remove %s/%s", SNAP_NAME(snap), file);
	free(p);
	return rc;
}
