/*
 * keep_win32.c - kept files under snap\files\: hardlinks made with
 * CreateHardLinkW (same volume: same file index); checking, dropping and
 * measuring them; protect's rename-aside and its copy.
 *
 * Only a link is worth keeping on Windows: Cygwin's fork retry re-links
 * the old image by its file ID, which a copy does not have.  A store on
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

int fs_os_snap_keep(fs_os_store *s, const char *snap, fs_os_root *root,
		    const char *relpath, fs_id id, int *method, fs_id *stored, fs_err *err)
{
	wchar_t *files = fs_win_store_path(s, snap, "files", NULL);
	wchar_t *dst = fs_win_store_path(s, snap, "files", relpath);
	wchar_t *src = fs_win_join(root->dir, relpath);
	int rc = -1;

	if (fs_win_relpath_check(relpath, err) < 0)
		goto out;
	if (!files || !dst || !src) {
		fs_fail(err, "out of memory");
		goto out;
	}
	if (fs_win_mkdirs(files, relpath, err) < 0)
		goto out;
	if (!CreateHardLinkW(dst, src, NULL)) {
		DWORD e = GetLastError();

		if (e == ERROR_NOT_SAME_DEVICE)
			fs_fail(err, "cannot keep %s: the store %s is on another volume "
				"(on Windows a snapshot is a hardlink)", relpath, s->path);
		else
			fs_win_fail(err, e, "cannot keep %s", relpath);
		goto out;
	}
	*method = FS_KEEP_LINK;
	*stored = id; /* fs_os_snap_verify() checks the link */
	rc = 0;
out:
	free(files);
	free(dst);
	free(src);
	return rc;
}

int fs_os_snap_keep_all(fs_os_store *s, const char *snap, const char *root,
			uint64_t copy_budget, size_t n,
			const char *const *relpaths, const fs_id *ids, int *methods,
			fs_id *stored, unsigned char *ok, fs_err *errs, fs_err *err)
{
	fs_os_root *r = fs_os_root_open(root, err);

	(void)copy_budget; /* links only: nothing is ever copied */
	if (!r)
		return -1;
	for (size_t i = 0; i < n; i++)
		ok[i] = fs_os_snap_keep(s, snap, r, relpaths[i], ids[i], &methods[i], &stored[i],
					&errs[i]) == 0;
	fs_os_root_close(r);
	return 0;
}

struct verify {
	const fs_idset *stored;
	unsigned char *found;
	long removed;
};

/* One entry under files\: a directory is walked, a file with a kept
 * identity found, anything else (a name swapped meanwhile) removed. */
static int verify_entry(void *ctx, const wchar_t *path, const WIN32_FIND_DATAW *fd,
			fs_err *err)
{
	struct verify *v = ctx;
	fs_win_info info;
	long k;

	if (fd->dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)
		;
	else if (fd->dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
		return fs_win_each(path, verify_entry, v, err);
	else if (identify(path, &info) == 1 && (k = fs_idset_find(v->stored, info.id)) >= 0) {
		v->found[k] = 1;
		return 0;
	}
	if (fs_win_remove_tree(path, err) < 0)
		return -1;
	v->removed++;
	return 0;
}

long fs_os_snap_verify(fs_os_store *s, const char *snap, const fs_idset *stored,
		       unsigned char *found, fs_err *err)
{
	wchar_t *files = fs_win_store_path(s, snap, "files", NULL);
	struct verify v = { stored, found, 0 };
	int r;

	if (!files)
		return fs_fail(err, "out of memory");
	r = fs_win_each(files, verify_entry, &v, err);
	free(files);
	return r < 0 ? -1 : v.removed;
}

int fs_os_snap_drop(fs_os_store *s, const char *snap, const char *relpath, fs_err *err)
{
	wchar_t *files = fs_win_store_path(s, snap, "files", NULL);
	wchar_t *p = fs_win_store_path(s, snap, "files", relpath);
	size_t base;
	int rc = 0;

	if (fs_win_relpath_check(relpath, err) < 0 || !files || !p) {
		free(files);
		free(p);
		return files && p ? -1 : fs_fail(err, "out of memory");
	}
	if (!DeleteFileW(p) && GetLastError() != ERROR_FILE_NOT_FOUND &&
	    GetLastError() != ERROR_PATH_NOT_FOUND)
		rc = fs_win_fail(err, GetLastError(), "cannot drop %s/files/%s", snap, relpath);
	/* then the directories it leaves empty, up to files\ */
	base = wcslen(files);
	for (wchar_t *cut = wcsrchr(p, L'\\'); rc == 0 && cut && (size_t)(cut - p) > base;
	     cut = wcsrchr(p, L'\\')) {
		*cut = L'\0';
		if (!RemoveDirectoryW(p))
			break;
	}
	free(files);
	free(p);
	return rc;
}

int fs_os_snap_stat(fs_os_store *s, const char *snap, const char *relpath, fs_id *id,
		    uint64_t *bytes, fs_err *err)
{
	wchar_t *p;
	fs_win_info info;
	int r;

	if (fs_win_relpath_check(relpath, err) < 0)
		return -1;
	if (!(p = fs_win_store_path(s, snap, "files", relpath)))
		return fs_fail(err, "out of memory");
	r = identify(p, &info);
	if (r < 0)
		fs_win_fail(err, GetLastError(), "%s/files/%s", snap, relpath);
	free(p);
	if (r == 1) {
		*id = info.id;
		*bytes = info.links > 1 ? 0 : info.size;
	}
	return r;
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

int fs_os_replace_with_copy(fs_os_store *s, const char *snap, fs_os_root *root,
			    const char *relpath, fs_id id, fs_err *err)
{
	wchar_t *path = fs_win_join(root->dir, relpath);
	wchar_t *base = fs_win_store_path(s, snap, NULL, NULL);
	wchar_t *aside = fs_win_store_path(s, snap, "aside", relpath);
	HANDLE orig = INVALID_HANDLE_VALUE;
	fs_win_info info;
	char *rel = NULL;
	int rc = -1;

	if (fs_win_relpath_check(relpath, err) < 0)
		goto out;
	if (!path || !base || !aside || !(rel = malloc(strlen(relpath) + sizeof "aside/"))) {
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
	strcpy(rel, "aside/");
	strcat(rel, relpath);
	if (fs_win_mkdirs(base, rel, err) < 0)
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
	free(base);
	free(aside);
	return rc;
}
