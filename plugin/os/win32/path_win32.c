/*
 * path_win32.c - text and paths: UTF-8 <-> UTF-16, our '/' form <-> Win32,
 * the installation root, Windows error messages, facts of a handle.
 */
#include "win32.h"
#include "../../core/err.h"
#include "../../core/relpath.h"

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

/* The installation, found once (InitOnce: scans and resolves may run in
 * threads): the directory above the bin\ or usr\bin\ forksafe.exe is in. */
static struct {
	INIT_ONCE once;
	char *root; /* NULL: unknown, why says so */
	char why[512];
} inst = { INIT_ONCE_STATIC_INIT, NULL, "" };

static BOOL CALLBACK find_install_root(INIT_ONCE *once, void *arg, void **ctx)
{
	wchar_t *exe = malloc(FS_WIN_PATH_MAX * sizeof *exe);
	DWORD n = exe ? GetModuleFileNameW(NULL, exe, FS_WIN_PATH_MAX) : 0;
	char *m = n > 0 && n < FS_WIN_PATH_MAX ? fs_win_mixed(exe, n) : NULL;
	char *slash = m ? strrchr(m, '/') : NULL;
	size_t len;

	(void)once, (void)arg, (void)ctx;
	free(exe);
	if (!slash) {
		free(m);
		snprintf(inst.why, sizeof inst.why,
			 "cannot tell the installation forksafe.exe belongs to: its own path "
			 "cannot be read (give --root)");
		return TRUE;
	}
	*slash = '\0';
	len = strlen(m);
	if (len >= 8 && _stricmp(m + len - 8, "/usr/bin") == 0)
		m[len - 8] = '\0';
	else if (len >= 4 && _stricmp(m + len - 4, "/bin") == 0)
		m[len - 4] = '\0';
	else {
		snprintf(inst.why, sizeof inst.why,
			 "cannot tell the installation forksafe.exe belongs to: %.400s is not "
			 "a bin\\ or usr\\bin\\ directory (give --root)", m);
		free(m);
		return TRUE;
	}
	inst.root = m; /* kept for the process's life */
	return TRUE;
}

const char *fs_win_install_root(fs_err *err)
{
	InitOnceExecuteOnce(&inst.once, find_install_root, NULL, NULL);
	if (!inst.root)
		fs_fail(err, "%s", inst.why);
	return inst.root;
}

static int drive_path_w(const wchar_t *w)
{
	return (((w[0] | 0x20) >= L'a' && (w[0] | 0x20) <= L'z') && w[1] == L':' &&
		w[2] == L'\\') || (w[0] == L'\\' && w[1] == L'\\');
}

int fs_win_drive_path(const char *path)
{
	return (((path[0] | 0x20) >= 'a' && (path[0] | 0x20) <= 'z') && path[1] == ':' &&
		(path[2] == '/' || path[2] == '\\')) ||
	       ((path[0] == '/' || path[0] == '\\') && (path[1] == '/' || path[1] == '\\'));
}

static wchar_t *to_long(wchar_t *w, int always)
{
	wchar_t *full, *out;
	DWORD n;
	int unc;

	if (!w || (!always && wcslen(w) < MAX_PATH - 12) || wcsncmp(w, L"\\\\?\\", 4) == 0 ||
	    wcsncmp(w, L"\\\\.\\", 4) == 0)
		return w; /* short (CreateDirectoryW's limit is MAX_PATH - 12) */
	n = GetFullPathNameW(w, 0, NULL, NULL);
	full = n ? malloc((size_t)n * sizeof *full) : NULL;
	if (!full || GetFullPathNameW(w, n, full, NULL) >= n || !drive_path_w(full)) {
		free(full);
		return w; /* Win32 then says why it cannot */
	}
	free(w);
	unc = full[0] == L'\\' && full[1] == L'\\';
	out = malloc((wcslen(full) + 8) * sizeof *out);
	if (out) {
		wcscpy(out, unc ? L"\\\\?\\UNC" : L"\\\\?\\");
		wcscat(out, unc ? full + 1 : full);
	}
	free(full);
	return out;
}

wchar_t *fs_win_long(wchar_t *w)
{
	return to_long(w, 0);
}

wchar_t *fs_win_long_always(wchar_t *w)
{
	return to_long(w, 1);
}

wchar_t *fs_win_path(const char *path)
{
	const char *base = "";
	char *full;
	wchar_t *w;

	if ((path[0] == '/' || path[0] == '\\') && path[1] != '/' && path[1] != '\\' &&
	    !(base = fs_win_install_root(NULL)))
		return NULL; /* fs_win_install_root(err) says why */
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
	return fs_win_long(w);
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

/*
 * The name when GetFinalPathNameByHandleW cannot give it (Wine names no
 * handle past MAX_PATH): the handle's path on its volume (FileNameInfo),
 * on the drive of the path it was opened by - only if that drive is the
 * handle's volume (same serial), as a link to another volume is not.
 */
static wchar_t *final_name_by_volume(HANDLE h, const wchar_t *opened)
{
	size_t size = sizeof(FILE_NAME_INFO) + FS_WIN_PATH_MAX * sizeof(wchar_t);
	FILE_NAME_INFO *fi = malloc(size);
	wchar_t drive[4], *w = NULL;
	DWORD serial = 0;
	fs_win_info info;
	size_t n;

	if (wcsncmp(opened, L"\\\\?\\", 4) == 0)
		opened += 4;
	if (!fi || !iswalpha(opened[0]) || opened[1] != L':' || opened[2] != L'\\' ||
	    !GetFileInformationByHandleEx(h, FileNameInfo, fi, (DWORD)size) ||
	    fi->FileNameLength / sizeof(wchar_t) >= FS_WIN_PATH_MAX ||
	    fs_win_handle_info(h, &info) < 0)
		goto out;
	swprintf(drive, 4, L"%lc:\\", opened[0]);
	if (!GetVolumeInformationW(drive, NULL, 0, &serial, NULL, NULL, NULL, 0) ||
	    serial != info.id.dev)
		goto out;
	n = fi->FileNameLength / sizeof(wchar_t);
	if ((w = malloc((n + 8) * sizeof *w))) {
		swprintf(w, 8, L"\\\\?\\%lc:", opened[0]);
		memcpy(w + 6, fi->FileName, n * sizeof *w);
		w[6 + n] = L'\0';
	}
out:
	free(fi);
	return w;
}

wchar_t *fs_win_final_name(HANDLE h, const wchar_t *opened)
{
	DWORD size = MAX_PATH + 1;

	for (int tries = 0; tries < 4; tries++) {
		wchar_t *w = malloc(size * sizeof *w);
		DWORD n;

		if (!w)
			return NULL;
		n = GetFinalPathNameByHandleW(h, w, size, FILE_NAME_NORMALIZED);
		if (n > 0 && n < size)
			return w;
		free(w);
		if (n == 0 || n > 65536) /* NT names hold at most 32767 */
			return opened ? final_name_by_volume(h, opened) : NULL;
		size = n + 1;
	}
	return opened ? final_name_by_volume(h, opened) : NULL;
}
