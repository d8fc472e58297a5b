/*
 * dir_win32.c - the directory walks the Windows backend needs: create a
 * path's directories one by one (never through a reparse point), visit
 * a directory's entries, and remove one entry as itself.
 */
#include "win32.h"
#include "../../core/err.h"

#include <stdlib.h>
#include <wchar.h>

static int sep(wchar_t c)
{
	return c == L'\\' || c == L'/';
}

int fs_win_mkdir_path(wchar_t *path, size_t from, SECURITY_ATTRIBUTES *last_sa,
		      int *created, const char *shown, fs_err *err)
{
	int rc = 0;

	if (created)
		*created = 0;
	for (wchar_t *p = path + from;; p++) {
		wchar_t c = *p;
		DWORD a;

		if (!sep(c) && c != L'\0')
			continue;
		/* "C:", "\\?" and the like are not directories to make */
		if (p == path || sep(p[-1]) || p[-1] == L':' || p[-1] == L'?') {
			if (c == L'\0')
				break;
			continue;
		}
		*p = L'\0';
		if (CreateDirectoryW(path, c ? NULL : last_sa)) {
			if (created && c == L'\0')
				*created = 1;
		} else if (GetLastError() != ERROR_ALREADY_EXISTS) {
			rc = fs_win_fail(err, GetLastError(), "cannot create %s", shown);
		}
		a = GetFileAttributesW(path);
		if (rc == 0 && (a == INVALID_FILE_ATTRIBUTES || !(a & FILE_ATTRIBUTE_DIRECTORY) ||
				(a & FILE_ATTRIBUTE_REPARSE_POINT)))
			rc = fs_fail(err, "%s: not a plain directory on the way", shown);
		*p = c;
		if (rc < 0 || c == L'\0')
			break;
	}
	return rc;
}

int fs_win_each(const wchar_t *dir, fs_win_entry_fn fn, void *ctx, fs_err *err)
{
	size_t n = wcslen(dir);
	wchar_t *pat = malloc((n + 3) * sizeof *pat), *child = NULL;
	WIN32_FIND_DATAW fd;
	HANDLE f;
	int rc = 0;

	if (!pat)
		return fs_fail(err, "out of memory");
	wcscpy(pat, dir);
	wcscat(pat, L"\\*");
	f = FindFirstFileW(pat, &fd);
	free(pat);
	if (f == INVALID_HANDLE_VALUE)
		return fs_win_fail(err, GetLastError(), "cannot list a directory");
	do {
		if (wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0)
			continue;
		if (!(child = malloc((n + wcslen(fd.cFileName) + 2) * sizeof *child))) {
			rc = fs_fail(err, "out of memory");
			break;
		}
		wcscpy(child, dir);
		wcscat(child, L"\\");
		wcscat(child, fd.cFileName);
		rc = fn(ctx, child, &fd, err);
		free(child);
	} while (rc >= 0 && FindNextFileW(f, &fd));
	FindClose(f);
	return rc < 0 ? -1 : 0;
}

int fs_win_mkdirs(const wchar_t *base, const char *relpath, fs_err *err)
{
	wchar_t *full = fs_win_join(base, relpath), *last;
	int rc = 0;

	if (!full)
		return fs_fail(err, "out of memory");
	last = wcsrchr(full, L'\\');
	if (last && (size_t)(last - full) > wcslen(base)) {
		*last = L'\0'; /* the parent; only what lies below base is made */
		rc = fs_win_mkdir_path(full, wcslen(base), NULL, NULL, relpath, err);
	}
	free(full);
	return rc;
}

int fs_win_remove_one(const wchar_t *path, DWORD attrs)
{
	if (attrs & FILE_ATTRIBUTE_READONLY)
		SetFileAttributesW(path, attrs & ~FILE_ATTRIBUTE_READONLY);
	if (attrs & FILE_ATTRIBUTE_DIRECTORY)
		return RemoveDirectoryW(path) ? 0 : -1;
	return DeleteFileW(path) ? 0 : -1;
}
