/*
 * path_win32.c - text and paths: UTF-8 <-> UTF-16, our '/' form <-> Win32,
 * the installation root, Windows error messages, facts of a handle.
 */
#include "win32.h"
#include "../../core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

wchar_t *fs_win_wide(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
	wchar_t *w;

	if (n <= 0 || !(w = malloc((size_t)n * sizeof *w)))
		return NULL;
	MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
	return w;
}

char *fs_win_utf8(const wchar_t *w, size_t len)
{
	int n = len ? WideCharToMultiByte(CP_UTF8, 0, w, (int)len, NULL, 0, NULL, NULL) : 0;
	char *s = malloc((size_t)n + 1);

	if (!s)
		return NULL;
	if (n > 0)
		WideCharToMultiByte(CP_UTF8, 0, w, (int)len, s, n, NULL, NULL);
	s[n] = '\0';
	return s;
}

char *fs_win_mixed(const wchar_t *w, size_t len)
{
	char *s;

	if (len >= 4 && wcsncmp(w, L"\\\\?\\", 4) == 0) {
		w += 4;
		len -= 4;
		if (len >= 4 && wcsncmp(w, L"UNC\\", 4) == 0) { /* \\?\UNC\srv -> //srv */
			s = fs_win_mixed(w + 2, len - 2);
			if (s)
				s[0] = '/';
			return s;
		}
	}
	s = fs_win_utf8(w, len);
	for (char *p = s; p && *p; p++)
		if (*p == '\\')
			*p = '/';
	return s;
}

const char *fs_win_install_root(void)
{
	static char root[4 * MAX_PATH];
	wchar_t exe[MAX_PATH];
	DWORD n;
	char *m, *slash;
	size_t len;

	if (root[0])
		return root;
	n = GetModuleFileNameW(NULL, exe, MAX_PATH);
	m = n > 0 && n < MAX_PATH ? fs_win_mixed(exe, n) : NULL;
	if (!m || !(slash = strrchr(m, '/')) || (size_t)(slash - m) >= sizeof root) {
		free(m);
		strcpy(root, "C:");
		return root;
	}
	*slash = '\0';
	len = strlen(m);
	if (len > 8 && _stricmp(m + len - 8, "/usr/bin") == 0)
		m[len - 8] = '\0';
	else if (len > 4 && _stricmp(m + len - 4, "/bin") == 0)
		m[len - 4] = '\0';
	strcpy(root, m);
	free(m);
	return root;
}

wchar_t *fs_win_path(const char *path)
{
	const char *base = "";
	char *full;
	wchar_t *w;

	if ((path[0] == '/' || path[0] == '\\') && path[1] != '/' && path[1] != '\\')
		base = fs_win_install_root();
	full = malloc(strlen(base) + strlen(path) + 1);
	if (!full)
		return NULL;
	strcpy(full, base);
	strcat(full, path);
	w = fs_win_wide(full);
	free(full);
	for (wchar_t *p = w; p && *p; p++)
		if (*p == L'/')
			*p = L'\\';
	return w;
}

int fs_win_fail(fs_err *err, DWORD code, const char *fmt, ...)
{
	wchar_t wmsg[256];
	char *msg = NULL;
	size_t n = 0;
	va_list ap;
	DWORD len;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	len = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
			     NULL, code, MAKELANGID(LANG_ENGLISH, SUBLANG_DEFAULT), wmsg,
			     sizeof wmsg / sizeof *wmsg, NULL);
	while (len > 0 && (wmsg[len - 1] == L'\n' || wmsg[len - 1] == L'\r' ||
			   wmsg[len - 1] == L'.' || wmsg[len - 1] == L' '))
		len--;
	if (len > 0)
		msg = fs_win_utf8(wmsg, len);
	n = strlen(err->msg);
	if (msg)
		snprintf(err->msg + n, sizeof err->msg - n, ": %s", msg);
	else
		snprintf(err->msg + n, sizeof err->msg - n, ": Windows error %lu",
			 (unsigned long)code);
	free(msg);
	return -1;
}

int64_t fs_win_time_ns(FILETIME ft)
{
	int64_t t = (int64_t)(((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime);

	return (t - 116444736000000000LL) * 100;
}

int fs_win_handle_info(HANDLE h, fs_win_info *info)
{
	BY_HANDLE_FILE_INFORMATION bi;

	if (!GetFileInformationByHandle(h, &bi))
		return -1;
	info->id.dev = bi.dwVolumeSerialNumber;
	info->id.ino = ((uint64_t)bi.nFileIndexHigh << 32) | bi.nFileIndexLow;
	info->size = ((uint64_t)bi.nFileSizeHigh << 32) | bi.nFileSizeLow;
	info->mtime_ns = fs_win_time_ns(bi.ftLastWriteTime);
	info->attrs = bi.dwFileAttributes;
	info->links = bi.nNumberOfLinks;
	return 0;
}

HANDLE fs_win_open_meta(const wchar_t *path, int nofollow)
{
	return CreateFileW(path, FILE_READ_ATTRIBUTES,
			   FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
			   OPEN_EXISTING,
			   FILE_FLAG_BACKUP_SEMANTICS |
				   (nofollow ? FILE_FLAG_OPEN_REPARSE_POINT : 0),
			   NULL);
}

int fs_win_relpath_check(const char *relpath, fs_err *err)
{
	fs_err why;

	if (fs_relpath_check(relpath, &why) < 0)
		return fs_fail(err, "%s: %s", relpath, why.msg);
	/* Win32 would take these as a separator or a drive / stream */
	if (strpbrk(relpath, "\\:"))
		return fs_fail(err, "%s: a relative path may not hold '\\' or ':'", relpath);
	return 0;
}

wchar_t *fs_win_join(const wchar_t *dir, const char *relpath)
{
	wchar_t *rel, *w;

	if (strpbrk(relpath, "\\:")) /* callers check first: never leave dir */
		return NULL;
	rel = fs_win_wide(relpath);

	w = rel ? malloc((wcslen(dir) + wcslen(rel) + 2) * sizeof *w) : NULL;
	if (w) {
		wcscpy(w, dir);
		if (rel[0] != L'/')
			wcscat(w, L"\\");
		wcscat(w, rel);
		for (wchar_t *p = w + wcslen(dir); *p; p++)
			if (*p == L'/')
				*p = L'\\';
	}
	free(rel);
	return w;
}
