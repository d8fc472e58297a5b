/*
 * keep_win32.c - a root's file kept under a name of a directory handle:
 * a hardlink made with CreateHardLinkW (same volume: same file index); the
 * bulk check of a tree of them (sweep); protect's rename-aside and its
 * copy; workers (none: in turn).
 *
 * Only a link is worth keeping on Windows: Cygwin's fork retry re-links
 * the old image by its file ID, which a copy does not have.  A store on
 * another volume (or a file system without links) is an error.
 */
#include "win32.h"

#include <aclapi.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

int fs_os_keep(fs_os_root *root, const char *relpath, fs_id id, fs_os_dir *dst,
	       const char *name, fs_budget *b, int *method, fs_id *stored, fs_err *err)
{
	wchar_t *to = NULL, *src = NULL;
	int rc = -1;

	(void)b; /* links only: nothing is ever copied */
	if (fs_win_relpath_check(relpath, err) < 0 || !(to = fs_win_dir_join(dst, name, err)))
		goto out;
	if (!(src = fs_win_join(root->dir, relpath))) {
		fs_fail(err, "out of memory");
		goto out;
	}
	if (!CreateHardLinkW(to, src, NULL)) {
		DWORD e = GetLastError();

		if (e == ERROR_NOT_SAME_DEVICE)
			fs_fail(err, "cannot keep %s: the store %s is on another volume "
				"(on Windows a snapshot is a hardlink)", relpath, dst->path);
		else
			fs_win_fail(err, e, "cannot keep %s", relpath);
		goto out;
	}
	*method = FS_KEEP_LINK;
	*stored = id; /* the caller checks the link (fs_os_sweep) */
	rc = 0;
out:
	free(to);
	free(src);
	return rc;
}

/* No threads here: the records run in turn. */
size_t fs_os_workers(size_t n, size_t per_worker, size_t max)
{
	(void)n;
	(void)per_worker;
	(void)max;
	return 1;
}

void fs_os_run_all(void *(*fn)(void *), void *items, size_t n, size_t size)
{
	for (size_t i = 0; i < n; i++)
		fn((char *)items + i * size);
}

struct sweep {
	int (*keep)(void *ctx, fs_id id);
	void *ctx;
	unsigned depth, max;
	long removed;
};

/* One entry: a directory is walked (max levels deep at most), a file
 * keep() knows is left, anything else (a name swapped meanwhile, a reparse
 * point) removed as itself. */
static int sweep_entry(void *ctx, const wchar_t *path, const WIN32_FIND_DATAW *fd,
		       fs_err *err)
{
	struct sweep *sw = ctx;
	fs_win_info info;
	int r;

	if (fd->dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)
		;
	else if (fd->dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
		if (sw->depth >= sw->max)
			return fs_fail(err, "snapshot nested deeper than %u directories", sw->max);
		sw->depth++;
		r = fs_win_each(path, sweep_entry, sw, err);
		sw->depth--;
		return r;
	} else if (fs_win_identify(path, &info) == 1 && sw->keep(sw->ctx, info.id))
		return 0;
	if (fs_win_remove_tree(path, err) < 0)
		return -1;
	sw->removed++;
	return 0;
}

long fs_os_sweep(fs_os_dir *d, unsigned depth, int (*keep)(void *ctx, fs_id id), void *ctx,
		 fs_err *err)
{
	struct sweep sw = { keep, ctx, 0, depth, 0 };

	return fs_win_each(d->dir, sweep_entry, &sw, err) < 0 ? -1 : sw.removed;
}

/* ---- protect ----------------------------------------------------------------
 * The loaded file is opened once, by its path, and everything after works
 * from that handle: its identity is checked on it, its security descriptor
 * read from it, it is renamed aside by it (FileRenameInfo) and its data read
 * through it; the path is used once more only to create the copy there
 * (CREATE_NEW: never an existing file).  The copy is born with the
 * original's owner, group and DACL (its ACEs made explicit), the DACL
 * marked protected, so no ACE its directory would let it inherit ever
 * reaches it: nobody may open it who could not open the original.  Where we may not give it the
 * original's owner (that takes SeRestorePrivilege), it is ours, with the
 * same DACL.
 */
#define COPY_BUF 65536

/* Makes every ACE of dacl explicit: a protected DACL keeps them all, where
 * the system might drop ACEs marked inherited from a creator's DACL. */
static int make_explicit(PACL dacl)
{
	for (DWORD i = 0; dacl && i < dacl->AceCount; i++) {
		ACE_HEADER *ace;

		if (!GetAce(dacl, i, (void **)&ace))
			return -1;
		ace->AceFlags &= (BYTE)~INHERITED_ACE;
	}
	return 0;
}

/* The original's DACL (and owner and group, when with_owner) as a
 * descriptor for the copy: the same ACEs, explicit, the DACL protected, so
 * nothing of the directory's is added; LocalFree it. */
static PSECURITY_DESCRIPTOR copy_sd(HANDLE orig, int with_owner, DWORD *e)
{
	SECURITY_INFORMATION what = DACL_SECURITY_INFORMATION;
	PSECURITY_DESCRIPTOR sd = NULL;
	PACL dacl = NULL;
	BOOL present = FALSE, defaulted;

	if (with_owner)
		what |= OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION;
	*e = GetSecurityInfo(orig, SE_FILE_OBJECT, what, NULL, NULL, NULL, &dacl, &sd);
	if (*e != ERROR_SUCCESS)
		return NULL;
	/* no DACL at all would let the copy's come from its directory */
	if (!GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) || !present ||
	    make_explicit(dacl) < 0 ||
	    !SetSecurityDescriptorControl(sd, SE_DACL_PROTECTED, SE_DACL_PROTECTED)) {
		*e = present ? GetLastError() : ERROR_INVALID_SECURITY_DESCR;
		LocalFree(sd);
		return NULL;
	}
	return sd;
}

/* A new file at path with orig's security, open for writing. */
static HANDLE create_copy(const wchar_t *path, HANDLE orig, DWORD *e)
{
	HANDLE h = INVALID_HANDLE_VALUE;

	for (int with_owner = 1; with_owner >= 0; with_owner--) {
		SECURITY_ATTRIBUTES sa = { .nLength = sizeof sa };

		if (!(sa.lpSecurityDescriptor = copy_sd(orig, with_owner, e)))
			return INVALID_HANDLE_VALUE;
		h = CreateFileW(path, GENERIC_READ | GENERIC_WRITE | DELETE, 0, &sa, CREATE_NEW,
				FILE_ATTRIBUTE_NORMAL, NULL);
		*e = GetLastError();
		LocalFree(sa.lpSecurityDescriptor);
		if (h != INVALID_HANDLE_VALUE || (*e != ERROR_INVALID_OWNER &&
						  *e != ERROR_INVALID_PRIMARY_GROUP &&
						  *e != ERROR_PRIVILEGE_NOT_HELD))
			break;
	}
	return h;
}

/* orig's data (size bytes, then its end) into copy: 0, -1 with *e set, 1
 * when orig's size changed meanwhile. */
static int copy_data(HANDLE orig, HANDLE copy, uint64_t size, DWORD *e)
{
	char *buf = malloc(COPY_BUF);
	uint64_t done = 0;
	DWORD n, w;
	int r = -1;

	if (!buf)
		return *e = ERROR_NOT_ENOUGH_MEMORY, -1;
	for (;;) {
		if (!ReadFile(orig, buf, COPY_BUF, &n, NULL)) {
			*e = GetLastError();
			break;
		}
		if (n == 0) {
			r = done == size ? 0 : 1; /* shorter than it was: 1 */
			break;
		}
		if (n > size - done) {
			r = 1; /* longer than it was */
			break;
		}
		if (!WriteFile(copy, buf, n, &w, NULL)) {
			*e = GetLastError();
			break;
		}
		if (w != n) {
			*e = ERROR_WRITE_FAULT; /* a short write to a disk file */
			break;
		}
		done += n;
	}
	free(buf);
	return r;
}

/* copy_data(), then orig's times and attributes, flushed. */
static int copy_content(HANDLE orig, HANDLE copy, uint64_t size, DWORD *e)
{
	FILE_BASIC_INFO basic;
	int r = copy_data(orig, copy, size, e);

	if (r != 0)
		return r;
	if (!GetFileInformationByHandleEx(orig, FileBasicInfo, &basic, sizeof basic) ||
	    !SetFileInformationByHandle(copy, FileBasicInfo, &basic, sizeof basic) ||
	    !FlushFileBuffers(copy))
		return *e = GetLastError(), -1;
	return 0;
}

/* Renames the file open as h to path (a full Win32 path), never over another. */
static int rename_handle(HANDLE h, const wchar_t *path)
{
	size_t len = wcslen(path);
	size_t size = sizeof(FILE_RENAME_INFO) + (len + 1) * sizeof(wchar_t);
	FILE_RENAME_INFO *ri;
	BOOL ok;

	if (len > 32767 || !(ri = calloc(1, size))) {
		SetLastError(ERROR_FILENAME_EXCED_RANGE);
		return -1;
	}
	ri->ReplaceIfExists = FALSE;
	ri->RootDirectory = NULL;
	ri->FileNameLength = (DWORD)(len * sizeof(wchar_t));
	memcpy(ri->FileName, path, (len + 1) * sizeof(wchar_t));
	ok = SetFileInformationByHandle(h, FileRenameInfo, ri, (DWORD)size);
	free(ri);
	return ok ? 0 : -1;
}

/* Removes the (unfinished) copy open as h. */
static void drop_copy(HANDLE h)
{
	FILE_DISPOSITION_INFO del = { .DeleteFile = TRUE };

	SetFileInformationByHandle(h, FileDispositionInfo, &del, sizeof del);
	CloseHandle(h);
}

/* The original is aside (orig); makes the copy at path, else puts the
 * original back. */
static int copy_back(HANDLE orig, const wchar_t *path, uint64_t size, const char *relpath,
		     fs_err *err)
{
	DWORD e = 0;
	HANDLE copy = create_copy(path, orig, &e);
	int r;

	if (copy == INVALID_HANDLE_VALUE) {
		fs_win_fail(err, e, "cannot create the copy of %s", relpath);
	} else if ((r = copy_content(orig, copy, size, &e)) != 0) {
		if (r > 0)
			fs_fail(err, "%s changed while being protected", relpath);
		else
			fs_win_fail(err, e, "cannot copy %s back", relpath);
		drop_copy(copy);
	} else {
		CloseHandle(copy);
		return 0;
	}
	if (rename_handle(orig, path) < 0) /* as it was */
		fs_win_fail(err, GetLastError(), "cannot copy %s back, nor put it back "
			    "(it is in the snapshot's aside/)", relpath);
	return -1;
}

/* Windows cannot rename over a loaded file: the original is renamed aside
 * into spare->aside (spare->sub/relpath, directories made), and the copy
 * made at the freed path; spare->scratch is not needed. */
int fs_os_replace(fs_os_root *root, const char *relpath, fs_id id, const fs_os_spare *spare,
		  fs_err *err)
{
	wchar_t *path = NULL, *aside = NULL;
	HANDLE orig = INVALID_HANDLE_VALUE;
	fs_win_info info;
	char *rel = NULL;
	int rc = -1;

	if (fs_win_relpath_check(relpath, err) < 0)
		goto out;
	path = fs_win_join(root->dir, relpath);
	rel = malloc(strlen(spare->sub) + strlen(relpath) + 2);
	if (rel)
		sprintf(rel, "%s/%s", spare->sub, relpath);
	aside = rel ? fs_win_join(spare->aside->dir, rel) : NULL;
	if (!path || !aside) {
		fs_fail(err, "out of memory");
		goto out;
	}
	/* a loaded file may be renamed (DELETE access), not replaced or deleted */
	orig = CreateFileW(path, GENERIC_READ | DELETE | READ_CONTROL,
			   FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
			   FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_SEQUENTIAL_SCAN, NULL);
	if (orig == INVALID_HANDLE_VALUE || fs_win_handle_info(orig, &info) < 0 ||
	    info.id.dev != id.dev || info.id.ino != id.ino ||
	    (info.attrs & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT))) {
		fs_fail(err, "%s changed since it was kept: left alone", relpath);
		goto out;
	}
	if (fs_win_mkdirs(spare->aside->dir, rel, err) < 0)
		goto out;
	if (rename_handle(orig, aside) < 0) {
		fs_win_fail(err, GetLastError(), "cannot move %s aside", relpath);
		goto out;
	}
	rc = copy_back(orig, path, info.size, relpath, err);
out:
	if (orig != INVALID_HANDLE_VALUE)
		CloseHandle(orig);
	free(rel);
	free(path);
	free(aside);
	return rc;
}
