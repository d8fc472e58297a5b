/*
 * store_win32.c - directory handles (os.h's fs_os_dir) on Windows: a
 * directory held open without FILE_SHARE_DELETE (so it cannot be renamed
 * or removed while we work in it) and directories under it, each held the
 * same way; listing, renaming, removing a tree and the exclusive lock.
 * Nothing here follows a reparse point (symlink, junction, mount point):
 * one met where a directory is expected is refused, one met by a removal is
 * removed as itself, never entered, which also keeps every walk on the
 * safe root's volume.  Files inside a directory: file_win32.c.  Nothing
 * here knows the store's layout (core/store.h).
 */
#include "win32.h"
#include "../../core/err.h"
#include "../../core/sort.h"
#include "../../core/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* A made handle: dir and h are taken (freed/closed on failure). */
static fs_os_dir *dir_new(wchar_t *dir, HANDLE h, fs_id root, const char *shown,
			  const char *path, fs_err *err)
{
	fs_os_dir *d = calloc(1, sizeof *d);

	if (!d) {
		free(dir);
		CloseHandle(h);
		fs_fail(err, "out of memory");
		return NULL;
	}
	*d = (fs_os_dir){ .dir = dir, .h = h, .lockh = INVALID_HANDLE_VALUE, .root = root,
			  .shown = strdup(shown), .path = strdup(path) };
	if (!d->shown || !d->path) {
		fs_os_dir_close(d);
		fs_fail(err, "out of memory");
		return NULL;
	}
	return d;
}

/*
 * dir held open: a plain directory (not a reparse point), its facts in
 * *info.  INVALID_HANDLE_VALUE with the Windows error in *e, or *e = 0 when
 * it is there but not a plain directory.
 */
static HANDLE hold_dir(const wchar_t *dir, fs_win_info *info, DWORD *e)
{
	HANDLE h = CreateFileW(dir, FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES,
			       FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
			       FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);

	*e = GetLastError();
	if (h == INVALID_HANDLE_VALUE)
		return h;
	if (fs_win_handle_info(h, info) < 0 || !(info->attrs & FILE_ATTRIBUTE_DIRECTORY) ||
	    (info->attrs & FILE_ATTRIBUTE_REPARSE_POINT)) {
		CloseHandle(h);
		*e = 0;
		return INVALID_HANDLE_VALUE;
	}
	return h;
}

/* path made absolute, in our form ('/'-separated); NULL when out of memory. */
static char *absolute(const wchar_t *dir)
{
	wchar_t full[32768];
	DWORD n = GetFullPathNameW(dir, 32768, full, NULL);

	return n > 0 && n < 32768 ? fs_win_mixed(full, n) : NULL;
}

/* The failure of hold_dir() (e) at what, and *missing when it is absent. */
static void dir_fail(DWORD e, int *missing, const char *what, fs_err *err)
{
	if (e == 0) {
		fs_fail(err, "%s: a reparse point or not a directory", what);
		return;
	}
	if (missing && (e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND))
		*missing = 1;
	if (e == ERROR_NOT_SAME_DEVICE)
		fs_fail(err, "%s: leaves the store's volume", what);
	else
		fs_win_fail(err, e, "%s", what);
}

/*
 * The safe root: made (each missing directory, never through a reparse
 * point: fs_win_mkdir_path) when create, then held open and checked to be
 * a plain directory.  Windows has no mode bits to check: who may change it
 * is its ACL's business (docs/windows.md).
 */
fs_os_dir *fs_os_dir_open_safe(const char *path, int create, int *missing, fs_err *err)
{
	wchar_t *dir = fs_win_path(path);
	char *abs, what[FS_LINE_MAX + 16];
	fs_win_info info;
	fs_os_dir *d;
	HANDLE h;
	DWORD e;

	if (missing)
		*missing = 0;
	if (!dir) {
		fs_fail(err, "store %s: not UTF-8, or out of memory", path);
		return NULL;
	}
	for (size_t n = wcslen(dir); n > 3 && dir[n - 1] == L'\\'; n--)
		dir[n - 1] = L'\0';
	snprintf(what, sizeof what, "store %s", path);
	if (create && fs_win_mkdir_path(dir, 0, NULL, NULL, path, err) < 0) {
		free(dir);
		return NULL;
	}
	if ((h = hold_dir(dir, &info, &e)) == INVALID_HANDLE_VALUE) {
		dir_fail(e, missing, what, err);
		free(dir);
		return NULL;
	}
	if (!(abs = absolute(dir))) {
		CloseHandle(h);
		free(dir);
		fs_fail(err, "%s: cannot make the path absolute", what);
		return NULL;
	}
	d = dir_new(dir, h, info.id, "", abs, err);
	free(abs);
	return d;
}

/* One directory of a walk: made first when create, then held (on volume
 * vol); INVALID_HANDLE_VALUE with *e as hold_dir() sets it. */
static HANDLE walk_step(const wchar_t *dir, int create, uint64_t vol, DWORD *e)
{
	fs_win_info info;
	HANDLE h;

	if (create && !CreateDirectoryW(dir, NULL) && GetLastError() != ERROR_ALREADY_EXISTS) {
		*e = GetLastError();
		return INVALID_HANDLE_VALUE;
	}
	h = hold_dir(dir, &info, e);
	if (h != INVALID_HANDLE_VALUE && info.id.dev != vol) {
		CloseHandle(h);
		*e = ERROR_NOT_SAME_DEVICE;
		return INVALID_HANDLE_VALUE;
	}
	return h;
}

/* Holds each directory of full after full[from] in turn (the one above
 * stays held until the next is), returning the last one's handle. */
static HANDLE walk(wchar_t *full, size_t from, int create, uint64_t vol, DWORD *e)
{
	HANDLE h = INVALID_HANDLE_VALUE;

	for (wchar_t *p = full + from + 1;; p++) {
		wchar_t c = *p;
		HANDLE next;

		if (c != L'\\' && c != L'\0')
			continue;
		*p = L'\0';
		next = walk_step(full, create, vol, e);
		*p = c;
		if (h != INVALID_HANDLE_VALUE)
			CloseHandle(h);
		h = next;
		if (h == INVALID_HANDLE_VALUE || c == L'\0')
			return h;
	}
}

fs_os_dir *fs_os_dir_open_at(fs_os_dir *d, const char *relpath, int create, int *missing,
			     fs_err *err)
{
	char shown[2 * FS_LINE_MAX + 2];
	wchar_t *full;
	HANDLE h;
	DWORD e;
	int n = d->shown[0] ? snprintf(shown, sizeof shown, "%s/%s", d->shown, relpath)
			    : snprintf(shown, sizeof shown, "%s", relpath);

	if (missing)
		*missing = 0;
	if (n < 0 || (size_t)n >= sizeof shown || fs_win_relpath_check(relpath, NULL) < 0) {
		fs_fail(err, "%s: not a relative path", relpath);
		return NULL;
	}
	if (!(full = fs_win_join(d->dir, relpath))) {
		fs_fail(err, "%s: not UTF-8, or out of memory", shown);
		return NULL;
	}
	if ((h = walk(full, wcslen(d->dir), create, d->root.dev, &e)) == INVALID_HANDLE_VALUE) {
		dir_fail(e, create ? NULL : missing, shown, err);
		free(full);
		return NULL;
	}
	return dir_new(full, h, d->root, shown, d->path, err);
}

void fs_os_dir_close(fs_os_dir *d)
{
	OVERLAPPED o = { 0 };

	if (!d)
		return;
	/* unlocked first: a lock closed with its handle is released only
	 * when the system gets round to it (LockFileEx's documentation) */
	if (d->lockh != INVALID_HANDLE_VALUE) {
		UnlockFileEx(d->lockh, 0, 1, 0, &o);
		CloseHandle(d->lockh);
	}
	if (d->h && d->h != INVALID_HANDLE_VALUE)
		CloseHandle(d->h);
	free(d->dir);
	free(d->shown);
	free(d->path);
	free(d);
}

/* name in d opened for LockFileEx (made if absent): a regular file. */
static HANDLE open_lock(fs_os_dir *d, const char *name, fs_err *err)
{
	wchar_t *p = fs_win_dir_name(d, name, err);
	fs_win_info info;
	HANDLE h;

	if (!p)
		return INVALID_HANDLE_VALUE;
	h = CreateFileW(p, GENERIC_READ | GENERIC_WRITE,
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_ALWAYS,
			FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	free(p);
	if (h == INVALID_HANDLE_VALUE) {
		fs_win_fail(err, GetLastError(), "%s/%s", FS_WIN_SHOWN(d), name);
		return h;
	}
	if (fs_win_handle_info(h, &info) < 0 ||
	    (info.attrs & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT))) {
		CloseHandle(h);
		fs_fail(err, "%s/%s is not a regular file", FS_WIN_SHOWN(d), name);
		return INVALID_HANDLE_VALUE;
	}
	return h;
}

/* The lock is taken once per handle: LockFileEx twice on one handle would
 * wait for itself. */
int fs_os_lock(fs_os_dir *d, const char *name, fs_err *err)
{
	OVERLAPPED o = { 0 };

	if (d->lockh != INVALID_HANDLE_VALUE)
		return 0;
	if ((d->lockh = open_lock(d, name, err)) == INVALID_HANDLE_VALUE)
		return -1;
	if (!LockFileEx(d->lockh, LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &o)) {
		fs_win_fail(err, GetLastError(), "%s/%s", FS_WIN_SHOWN(d), name);
		CloseHandle(d->lockh);
		d->lockh = INVALID_HANDLE_VALUE;
		return -1;
	}
	return 0;
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

	*names = NULL;
	*n = 0;
	if (fs_win_each(d->dir, list_entry, &l, err) < 0) {
		while (l.n > 0)
			free(l.names[--l.n]);
		free(l.names);
		return -1;
	}
	if (l.n > 1)
		qsort(l.names, l.n, sizeof *l.names, fs_cmp_name);
	*names = l.names;
	*n = l.n;
	return 0;
}

/* MOVEFILE_WRITE_THROUGH: the rename is on disk when it returns (what the
 * directory sync is on POSIX); without REPLACE_EXISTING it fails when to
 * exists.  A reparse point is renamed as itself. */
int fs_os_rename(fs_os_dir *d, const char *from, const char *to, fs_err *err)
{
	wchar_t *a = fs_win_dir_name(d, from, err);
	wchar_t *b = a ? fs_win_dir_name(d, to, err) : NULL;
	int rc = 0;

	if (!a || !b)
		rc = -1;
	else if (!MoveFileExW(a, b, MOVEFILE_WRITE_THROUGH))
		rc = fs_win_fail(err, GetLastError(), "cannot rename %s/%s to %s",
				 FS_WIN_SHOWN(d), from, to);
	free(a);
	free(b);
	return rc;
}

/*
 * Removing a tree.  The walk goes no deeper than the caller's depth (one
 * FindFirstFile handle and one frame per level); a directory deeper than
 * that (left by an older forksafe) is not refused but lifted: moved to the
 * top of the entry being removed, and removed by a later pass.  Every error
 * is remembered (the first one is returned) and the walk goes on with the
 * rest, as systemd's rm_rf does.
 */
#define MAX_PASSES 64 /* of lifting: trees up to 64 * depth levels */

struct rm {
	const wchar_t *top;  /* the entry being removed */
	unsigned depth;      /* levels walked at most */
	unsigned lifted;     /* directories moved to the top in this pass */
	unsigned serial;     /* for their names */
	int failed;
	const fs_os_dir *d;  /* for messages: d/name */
	const char *name;
	fs_err *err;
};

struct rm_level {
	struct rm *rm;
	unsigned depth;
};

/* Fills err with the first failure only. */
static void rm_fail(struct rm *rm, DWORD code)
{
	if (!rm->failed)
		fs_win_fail(rm->err, code, "cannot remove %s/%s", FS_WIN_SHOWN(rm->d), rm->name);
	rm->failed = 1;
}

/* Moves the directory path to the top under a fresh name. */
static void lift(struct rm *rm, const wchar_t *path)
{
	size_t n = wcslen(rm->top) + 32;
	wchar_t *to = malloc(n * sizeof *to);

	for (unsigned tries = 0; to && tries < 1000; tries++) {
		swprintf(to, n, L"%ls\\lifted-%u", rm->top, rm->serial++);
		if (MoveFileExW(path, to, 0)) {
			rm->lifted++;
			free(to);
			return;
		}
		if (GetLastError() != ERROR_ALREADY_EXISTS && GetLastError() != ERROR_FILE_EXISTS)
			break;
	}
	rm_fail(rm, to ? GetLastError() : ERROR_NOT_ENOUGH_MEMORY);
	free(to);
}

static int rm_entry(void *ctx, const wchar_t *path, const WIN32_FIND_DATAW *fd, fs_err *err);

/* Empties the directory path (at depth) of everything below it. */
static void rm_below(struct rm *rm, const wchar_t *path, unsigned depth)
{
	struct rm_level sub = { rm, depth };
	fs_err e;

	if (fs_win_each(path, rm_entry, &sub, &e) < 0 && !rm->failed) {
		if (rm->err)
			*rm->err = e;
		rm->failed = 1;
	}
}

/* One entry of a directory at l->depth: a file or reparse point removed as
 * itself, a directory emptied first (or lifted, when too deep). */
static int rm_entry(void *ctx, const wchar_t *path, const WIN32_FIND_DATAW *fd, fs_err *err)
{
	struct rm_level *l = ctx;
	DWORD a = fd->dwFileAttributes;
	int plain_dir = (a & FILE_ATTRIBUTE_DIRECTORY) && !(a & FILE_ATTRIBUTE_REPARSE_POINT);

	(void)err; /* the walk goes on: errors are remembered in l->rm */
	if (plain_dir && l->depth + 1 > l->rm->depth) {
		lift(l->rm, path);
		return 0;
	}
	if (plain_dir)
		rm_below(l->rm, path, l->depth + 1);
	if (fs_win_remove_one(path, a) < 0 && GetLastError() != ERROR_FILE_NOT_FOUND &&
	    GetLastError() != ERROR_DIR_NOT_EMPTY)
		rm_fail(l->rm, GetLastError());
	return 0;
}

/* Empties the plain directory rm->top: passes until nothing was lifted. */
static int empty_tree(struct rm *rm)
{
	for (int pass = 0; pass < MAX_PASSES; pass++) {
		rm->lifted = 0;
		rm_below(rm, rm->top, 0);
		if (rm->failed || rm->lifted == 0)
			return rm->failed ? -1 : 0;
	}
	return fs_fail(rm->err, "%s/%s: nested deeper than %u levels: left alone",
		       FS_WIN_SHOWN(rm->d), rm->name, MAX_PASSES * rm->depth);
}

int fs_os_remove_tree(fs_os_dir *d, const char *name, unsigned depth, fs_err *err)
{
	wchar_t *p = fs_win_dir_name(d, name, err);
	struct rm rm = { .top = p, .depth = depth, .d = d, .name = name, .err = err };
	DWORD a;
	int rc = 0;

	if (!p)
		return -1;
	a = GetFileAttributesW(p);
	if (a == INVALID_FILE_ATTRIBUTES) {
		if (GetLastError() != ERROR_FILE_NOT_FOUND && GetLastError() != ERROR_PATH_NOT_FOUND)
			rc = fs_win_fail(err, GetLastError(), "%s/%s", FS_WIN_SHOWN(d), name);
		free(p);
		return rc;
	}
	/* a reparse point goes as itself, its target is never entered */
	if ((a & FILE_ATTRIBUTE_DIRECTORY) && !(a & FILE_ATTRIBUTE_REPARSE_POINT))
		rc = empty_tree(&rm);
	if (rc == 0 && fs_win_remove_one(p, a) < 0 && GetLastError() != ERROR_FILE_NOT_FOUND)
		rc = fs_win_fail(err, GetLastError(), "cannot remove %s/%s", FS_WIN_SHOWN(d), name);
	free(p);
	return rc;
}
