/*
 * keep_win32.c - kept files under snap\files\: hardlinks made with
 * CreateHardLinkW (same volume: same file index); checking, dropping and
 * measuring them; protect's rename-aside.
 *
 * Only a link is worth keeping on Windows: Cygwin's fork retry re-links
 * the old image by its file ID, which a copy does not have.  A store on
 * another volume (or a file system without links) is an error.
 */
#include "win32.h"

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

int fs_os_replace_with_copy(fs_os_store *s, const char *snap, fs_os_root *root,
			    const char *relpath, fs_id id, fs_err *err)
{
	wchar_t *path = fs_win_join(root->dir, relpath);
	wchar_t *base = fs_win_store_path(s, snap, NULL, NULL);
	wchar_t *aside = fs_win_store_path(s, snap, "aside", relpath);
	fs_win_info info;
	int rc = -1;

	if (fs_win_relpath_check(relpath, err) < 0)
		goto out;
	if (!path || !base || !aside) {
		fs_fail(err, "out of memory");
		goto out;
	}
	if (identify(path, &info) != 1 || info.id.dev != id.dev || info.id.ino != id.ino) {
		fs_fail(err, "%s changed since it was kept: left alone", relpath);
		goto out;
	}
	{
		char *rel = malloc(strlen(relpath) + sizeof "aside/");

		if (!rel) {
			fs_fail(err, "out of memory");
			goto out;
		}
		strcpy(rel, "aside/");
		strcat(rel, relpath);
		rc = fs_win_mkdirs(base, rel, err);
		free(rel);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	/* a loaded file may be renamed, not replaced or deleted */
	if (!MoveFileExW(path, aside, MOVEFILE_WRITE_THROUGH)) {
		fs_win_fail(err, GetLastError(), "cannot move %s aside", relpath);
		goto out;
	}
	if (!CopyFileW(aside, path, TRUE)) {
		fs_win_fail(err, GetLastError(), "cannot copy %s back", relpath);
		MoveFileExW(aside, path, MOVEFILE_WRITE_THROUGH); /* as it was */
		goto out;
	}
	rc = 0;
out:
	free(path);
	free(base);
	free(aside);
	return rc;
}
