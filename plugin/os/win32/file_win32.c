/*
 * file_win32.c - files inside a directory handle (os.h): stat, read, atomic
 * write, markers and removal.  Each works on the handle's path plus one
 * name, opened with FILE_FLAG_OPEN_REPARSE_POINT: a reparse point is never
 * followed (and refused where a file is expected).  The names are the
 * core's (core/store.h); nothing here knows what they mean.
 */
#include "win32.h"

#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

wchar_t *fs_win_dir_name(const fs_os_dir *d, const char *name, fs_err *err)
{
	wchar_t *w;

	if (!name[0] || strpbrk(name, "/\\:") || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		fs_fail(err, "%s/%s: not a name", FS_WIN_SHOWN(d), name);
		return NULL;
	}
	if (!(w = fs_win_join(d->dir, name)))
		fs_fail(err, "%s/%s: not UTF-8, or out of memory", FS_WIN_SHOWN(d), name);
	return w;
}

/* Is the error one of "it is not there"? */
static int absent(DWORD e)
{
	return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND;
}

/* FS_OS_* of attributes: a reparse point is neither file nor directory. */
static int kind_of(DWORD attrs)
{
	if (attrs & FILE_ATTRIBUTE_REPARSE_POINT)
		return FS_OS_OTHER;
	return attrs & FILE_ATTRIBUTE_DIRECTORY ? FS_OS_DIR : FS_OS_FILE;
}

/* bytes: the file's size (what the backend reported before the seam; the
 * allocation would need one more query per file). */
fs_presence fs_os_stat(fs_os_dir *d, const char *name, fs_os_info *st, fs_err *err)
{
	wchar_t *p = fs_win_dir_name(d, name, err);
	fs_win_info info;
	HANDLE h;
	int ok;

	if (!p)
		return FS_PRESENCE_ERROR;
	h = fs_win_open_meta(p, 1);
	free(p);
	if (h == INVALID_HANDLE_VALUE) {
		if (absent(GetLastError()))
			return FS_ABSENT;
		fs_win_fail(err, GetLastError(), "%s/%s", FS_WIN_SHOWN(d), name);
		return FS_PRESENCE_ERROR;
	}
	ok = fs_win_handle_info(h, &info) == 0;
	CloseHandle(h);
	if (!ok) {
		fs_fail(err, "%s/%s: cannot read its facts", FS_WIN_SHOWN(d), name);
		return FS_PRESENCE_ERROR;
	}
	*st = (fs_os_info){ .kind = kind_of(info.attrs), .id = info.id, .bytes = info.size,
			    .links = info.links };
	return FS_PRESENT;
}

/* name in d opened as access and how ask: a regular file on disk (not a
 * directory, a reparse point or a device), never through a link. */
static HANDLE open_file(fs_os_dir *d, const char *name, DWORD access, DWORD how,
			fs_err *err)
{
	wchar_t *p = fs_win_dir_name(d, name, err);
	fs_win_info info;
	HANDLE h;

	if (!p)
		return INVALID_HANDLE_VALUE;
	h = CreateFileW(p, access, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL, how,
			FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	free(p);
	if (h == INVALID_HANDLE_VALUE) {
		fs_win_fail(err, GetLastError(), "%s/%s", FS_WIN_SHOWN(d), name);
		return h;
	}
	if (GetFileType(h) != FILE_TYPE_DISK || fs_win_handle_info(h, &info) < 0 ||
	    (info.attrs & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT))) {
		CloseHandle(h);
		fs_fail(err, "%s/%s is not a regular file", FS_WIN_SHOWN(d), name);
		return INVALID_HANDLE_VALUE;
	}
	return h;
}

/* name opened for reading, at most max bytes: *size its size. */
static HANDLE open_bounded(fs_os_dir *d, const char *name, size_t max, size_t *size,
			   fs_err *err)
{
	HANDLE h = open_file(d, name, GENERIC_READ, OPEN_EXISTING, err);
	LARGE_INTEGER n;

	if (h == INVALID_HANDLE_VALUE)
		return h;
	if (!GetFileSizeEx(h, &n) || n.QuadPart < 0 || (uint64_t)n.QuadPart > max ||
	    (uint64_t)n.QuadPart > MAXDWORD) {
		CloseHandle(h);
		fs_fail(err, "%s/%s: not a regular file of sane size", FS_WIN_SHOWN(d), name);
		return INVALID_HANDLE_VALUE;
	}
	*size = (size_t)n.QuadPart;
	return h;
}

int fs_os_open_read(fs_os_dir *d, const char *name, size_t max, fs_err *err)
{
	size_t size;
	HANDLE h = open_bounded(d, name, max, &size, err);
	int fd;

	if (h == INVALID_HANDLE_VALUE)
		return -1;
	fd = _open_osfhandle((intptr_t)h, _O_RDONLY | _O_BINARY);
	if (fd < 0) {
		CloseHandle(h);
		return fs_fail(err, "%s/%s: cannot open", FS_WIN_SHOWN(d), name);
	}
	return fd;
}

int fs_os_read_file(fs_os_dir *d, const char *name, size_t max, char **buf, size_t *len,
		    fs_err *err)
{
	size_t size;
	HANDLE h = open_bounded(d, name, max, &size, err);
	DWORD got = 0;

	*buf = NULL;
	*len = 0;
	if (h == INVALID_HANDLE_VALUE)
		return -1;
	if (!(*buf = malloc(size + 1))) {
		CloseHandle(h);
		return fs_fail(err, "out of memory");
	}
	if (!ReadFile(h, *buf, (DWORD)size, &got, NULL) || got != size) {
		CloseHandle(h);
		free(*buf);
		*buf = NULL;
		return fs_fail(err, "%s/%s: cannot read", FS_WIN_SHOWN(d), name);
	}
	CloseHandle(h);
	(*buf)[got] = '\0';
	*len = got;
	return 0;
}

/* buf into the new file tmp in d, flushed to disk. */
static int write_new(fs_os_dir *d, const char *tmp, const char *buf, size_t len,
		     fs_err *err)
{
	HANDLE h = open_file(d, tmp, GENERIC_WRITE, CREATE_NEW, err);
	DWORD put = 0;
	int rc = 0;

	if (h == INVALID_HANDLE_VALUE)
		return -1;
	if (!WriteFile(h, buf, (DWORD)len, &put, NULL) || put != len || !FlushFileBuffers(h))
		rc = fs_win_fail(err, GetLastError(), "cannot write %s/%s", FS_WIN_SHOWN(d), tmp);
	CloseHandle(h);
	return rc;
}

/* MOVEFILE_WRITE_THROUGH makes the rename durable when it returns: what the
 * directory's sync is on POSIX. */
int fs_os_write_atomic(fs_os_dir *d, const char *name, const char *buf, size_t len,
		       fs_err *err)
{
	char tmp[256];
	wchar_t *from = NULL, *to = NULL;
	int n = snprintf(tmp, sizeof tmp, ".%s.new", name), rc = -1;

	if (n < 0 || (size_t)n >= sizeof tmp || len > MAXDWORD)
		return fs_fail(err, "%s/%s: name or content too long", FS_WIN_SHOWN(d), name);
	if (!(to = fs_win_dir_name(d, name, err)) || !(from = fs_win_dir_name(d, tmp, err)))
		goto out;
	DeleteFileW(from); /* left by a run that was cut short */
	if (write_new(d, tmp, buf, len, err) < 0)
		goto out;
	if (MoveFileExW(from, to, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
		rc = 0;
	else
		fs_win_fail(err, GetLastError(), "cannot write %s/%s", FS_WIN_SHOWN(d), name);
out:
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
	wchar_t *p = fs_win_dir_name(d, name, err);
	int rc = 0;

	if (!p)
		return -1;
	if (!CreateDirectoryW(p, NULL))
		rc = fs_win_fail(err, GetLastError(), "cannot create %s/%s", FS_WIN_SHOWN(d), name);
	free(p);
	return rc;
}

/* DeleteFileW removes a file or a file's symlink itself, never a directory. */
int fs_os_unlink(fs_os_dir *d, const char *name, fs_err *err)
{
	wchar_t *p = fs_win_dir_name(d, name, err);
	int rc = 0;

	if (!p)
		return -1;
	if (!DeleteFileW(p) && !absent(GetLastError()))
		rc = fs_win_fail(err, GetLastError(), "cannot remove %s/%s", FS_WIN_SHOWN(d), name);
	free(p);
	return rc;
}

/*
 * Win32 offers no sync of a directory's names (FlushFileBuffers needs a
 * handle with write access, which a held directory does not have), and
 * NTFS logs every change of a name in its journal: nothing to do.  The
 * renames that must be on disk when they return are made with
 * MOVEFILE_WRITE_THROUGH.
 */
int fs_os_sync(fs_os_dir *d, fs_err *err)
{
	(void)d;
	(void)err;
	return 0;
}

int fs_os_remove_if_empty(fs_os_dir *d, const char *name)
{
	wchar_t *p = fs_win_dir_name(d, name, NULL);
	DWORD a = p ? GetFileAttributesW(p) : INVALID_FILE_ATTRIBUTES;
	int removed = a != INVALID_FILE_ATTRIBUTES && fs_win_remove_one(p, a) == 0;

	free(p);
	return removed;
}
