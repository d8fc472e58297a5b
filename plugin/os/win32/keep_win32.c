/*
 * keep_win32.c - keeping a root's file under a name of a directory handle
 * (os.h's fs_os_keep): a hardlink made with CreateHardLinkW (same volume:
 * same file index); the bulk check of the links (fs_os_sweep); and the
 * replacement of a loaded file by a copy (fs_os_replace: rename-aside, copy).
 *
 * Only a link is worth keeping on Windows: Cygwin's fork retry re-links
 * the old image by its file ID, which a copy does not have.  A directory on
 * another volume (or a file system without links) is an error.
 */
#include "win32.h"
#include "../../core/err.h"

#include <aclapi.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Identity of the file at path, not following a link: 1 found, 0 missing. */
static int identify(const wchar_t *path, fs_win_info *info)
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

/*
 * No copy is made, so the budget is never charged, and no check of the
 * original: the name may have been swapped since it was resolved, and the
 * caller checks the links in bulk (fs_os_sweep).  No flush per link, as on
 * POSIX: a kept file only matters to processes that map it.
 */
int fs_os_keep(fs_os_root *root, const char *relpath, fs_id id, fs_os_dir *dst,
	       const char *name, fs_budget *b, int *method, fs_id *stored, fs_err *err)
{
	wchar_t *to, *src = NULL;
	int rc = -1;

	(void)b;
	if (fs_win_relpath_check(relpath, err) < 0 || !(to = fs_win_dir_name(dst, name, err)))
		return -1;
	if (!(src = fs_win_join(root->dir, relpath))) {
		fs_fail(err, "out of memory");
	} else if (CreateHardLinkW(to, src, NULL)) {
		*method = FS_KEEP_LINK;
		*stored = id;
		rc = 0;
	} else if (GetLastError() == ERROR_NOT_SAME_DEVICE) {
		fs_fail(err, "cannot keep %s: the store %s is on another volume "
			"(on Windows a file is kept by a hardlink)", relpath, dst->path);
	} else {
		fs_win_fail(err, GetLastError(), "cannot keep %s", relpath);
	}
	free(to);
	free(src);
	return rc;
}

/* ---- sweep: the bulk check of a tree ----------------------------------------
 * FindFirstFile gives no file ID: each file is identified by a handle of
 * its own, opened for attributes only.
 */
struct sweep {
	unsigned depth;
	int (*keep)(void *ctx, fs_id id);
	void *ctx;
	long removed;
	const fs_os_dir *d;
};

struct sweep_level {
	struct sweep *sw;
	unsigned depth;
};

static int sweep_entry(void *ctx, const wchar_t *path, const WIN32_FIND_DATAW *fd,
		       fs_err *err);

/* A directory met at l's depth: swept one level deeper, or an error. */
static int sweep_sub(const struct sweep_level *l, const wchar_t *path, fs_err *err)
{
	struct sweep_level sub = { l->sw, l->depth + 1 };

	if (l->depth >= l->sw->depth)
		return fs_fail(err, "%s: nested deeper than %u directories",
			       FS_WIN_SHOWN(l->sw->d), l->sw->depth);
	return fs_win_each(path, sweep_entry, &sub, err);
}

/* One entry: a plain directory is swept, a file keep() knows stays, anything
 * else (a name swapped meanwhile, a reparse point: as itself) is removed. */
static int sweep_entry(void *ctx, const wchar_t *path, const WIN32_FIND_DATAW *fd,
		       fs_err *err)
{
	struct sweep_level *l = ctx;
	DWORD a = fd->dwFileAttributes;
	fs_win_info info;

	if (!(a & FILE_ATTRIBUTE_REPARSE_POINT)) {
		if (a & FILE_ATTRIBUTE_DIRECTORY)
			return sweep_sub(l, path, err);
		if (identify(path, &info) == 1 && l->sw->keep(l->sw->ctx, info.id))
			return 0;
	}
	if (fs_win_remove_one(path, a) < 0)
		return fs_win_fail(err, GetLastError(), "%s: cannot remove a file that is not "
				   "the one kept", FS_WIN_SHOWN(l->sw->d));
	l->sw->removed++;
	return 0;
}

long fs_os_sweep(fs_os_dir *d, unsigned depth, int (*keep)(void *ctx, fs_id id), void *ctx,
		 fs_err *err)
{
	struct sweep sw = { .depth = depth, .keep = keep, .ctx = ctx, .d = d };
	struct sweep_level top = { &sw, 0 };

	return fs_win_each(d->dir, sweep_entry, &top, err) < 0 ? -1 : sw.removed;
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

/* The original is aside (orig, now at where); makes the copy at path, else
 * puts the original back. */
static int copy_back(HANDLE orig, const wchar_t *path, uint64_t size, const char *relpath,
		     const char *where, fs_err *err)
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
			    "(it is at %s)", relpath, where);
	return -1;
}

/* The root's file at path, opened once and checked to be id, a plain file:
 * a loaded file may be renamed (DELETE access), not replaced or deleted. */
static HANDLE open_original(const wchar_t *path, fs_id id, const char *relpath,
			    fs_win_info *info, fs_err *err)
{
	HANDLE h = CreateFileW(path, GENERIC_READ | DELETE | READ_CONTROL,
			       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
			       OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_SEQUENTIAL_SCAN,
			       NULL);

	if (h != INVALID_HANDLE_VALUE && fs_win_handle_info(h, info) == 0 &&
	    info->id.dev == id.dev && info->id.ino == id.ino &&
	    !(info->attrs & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT)))
		return h;
	if (h != INVALID_HANDLE_VALUE)
		CloseHandle(h);
	fs_fail(err, "%s changed since it was kept: left alone", relpath);
	return INVALID_HANDLE_VALUE;
}

/* Where the original goes: spare's aside/sub/relpath, its directories made;
 * the wide path (malloc'ed), its name for messages in where. */
static wchar_t *aside_path(const fs_os_spare *spare, const char *relpath, char *where,
			   size_t size, fs_err *err)
{
	char rel[FS_LINE_MAX + 256];
	wchar_t *w;
	int n;

	if (!spare || !spare->aside || !spare->sub) {
		fs_fail(err, "%s: no directory to move the original aside to", relpath);
		return NULL;
	}
	n = snprintf(rel, sizeof rel, "%s/%s", spare->sub, relpath);
	if (n < 0 || (size_t)n >= sizeof rel || fs_win_relpath_check(rel, err) < 0) {
		fs_fail(err, "%s: cannot be moved aside under %s", relpath, spare->sub);
		return NULL;
	}
	snprintf(where, size, "%s/%s", FS_WIN_SHOWN(spare->aside), rel);
	if (fs_win_mkdirs(spare->aside->dir, rel, err) < 0)
		return NULL;
	if (!(w = fs_win_join(spare->aside->dir, rel)))
		fs_fail(err, "out of memory");
	return w;
}

/* Windows cannot rename over a loaded file: the original is renamed aside
 * (by its handle), then the copy made at the freed path.  spare->scratch
 * and prefix are not used: the copy is built in place. */
int fs_os_replace(fs_os_root *root, const char *relpath, fs_id id, const fs_os_spare *spare,
		  fs_err *err)
{
	char where[2 * FS_LINE_MAX + 512];
	wchar_t *path = NULL, *aside = NULL;
	HANDLE orig = INVALID_HANDLE_VALUE;
	fs_win_info info;
	int rc = -1;

	if (fs_win_relpath_check(relpath, err) < 0)
		return -1;
	if (!(path = fs_win_join(root->dir, relpath))) {
		fs_fail(err, "out of memory");
		goto out;
	}
	orig = open_original(path, id, relpath, &info, err);
	if (orig == INVALID_HANDLE_VALUE ||
	    !(aside = aside_path(spare, relpath, where, sizeof where, err)))
		goto out;
	if (rename_handle(orig, aside) < 0) {
		fs_win_fail(err, GetLastError(), "cannot move %s aside", relpath);
		goto out;
	}
	rc = copy_back(orig, path, info.size, relpath, where, err);
out:
	if (orig != INVALID_HANDLE_VALUE)
		CloseHandle(orig);
	free(path);
	free(aside);
	return rc;
}
