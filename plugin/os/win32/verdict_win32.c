/*
 * verdict_win32.c - what the fork verdict needs of one process: each module
 * by the path it was loaded from (GetModuleFileNameExW: the path the
 * runtime's fork reloads it from), the file its section maps now
 * (GetMappedFileNameW, opened: the loaded file, wherever it was renamed
 * to), the file at the loaded path now, and whether the loaded file opens
 * by its file ID relative to the cygfork directory, as the runtime's retry
 * opens it (dll::create_forkable, FILE_OPEN_BY_FILE_ID).
 *
 * Under Wine a renamed module keeps the name it was loaded by
 * (docs/windows.md): there the mapped name is the loaded path again.
 */
#include "win32.h"
#include "../../core/err.h"
#include "../../core/os_fork.h"
#include "../../core/vec.h"

#include <psapi.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define NAME_MAX_W 32768

/* A Win32 path for an NT name (\??\X:\..., \Device\...), malloc'ed. */
static wchar_t *win32_of_nt(const wchar_t *nt)
{
	size_t n = wcslen(nt);
	wchar_t *w = malloc((n + 16) * sizeof *w), dev[MAX_PATH];

	if (!w)
		return NULL;
	if (wcsncmp(nt, L"\\??\\", 4) == 0) {
		wcscpy(w, nt + 4);
		return w;
	}
	for (int d = 0; d < 26; d++) {
		wchar_t drive[3] = { (wchar_t)(L'A' + d), L':', 0 };
		size_t dl;

		if (!QueryDosDeviceW(drive, dev, MAX_PATH))
			continue;
		dl = wcslen(dev);
		if (_wcsnicmp(nt, dev, dl) == 0 && nt[dl] == L'\\') {
			swprintf(w, n + 16, L"%lc:%ls", (wint_t)drive[0], nt + dl);
			return w;
		}
	}
	swprintf(w, n + 16, L"\\\\?\\GLOBALROOT%ls", nt);
	return w;
}

static int id_of(const wchar_t *path, fs_id *id)
{
	HANDLE h = fs_win_open_meta(path, 0);
	fs_win_info info;
	int ok;

	if (h == INVALID_HANDLE_VALUE)
		return 0;
	ok = fs_win_handle_info(h, &info) == 0;
	CloseHandle(h);
	if (ok)
		*id = info.id;
	return ok;
}

/* Opens id by its file ID relative to dir (the runtime's way): is it id? */
static int reachable(HANDLE dir, fs_id id)
{
	FILE_ID_DESCRIPTOR fd = { .dwSize = sizeof fd, .Type = FileIdType };
	fs_win_info info;
	HANDLE h;
	int ok;

	if (dir == INVALID_HANDLE_VALUE)
		return 0;
	fd.FileId.QuadPart = (LONGLONG)id.ino;
	h = OpenFileById(dir, &fd, FILE_READ_ATTRIBUTES,
			 FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, 0);
	if (h == INVALID_HANDLE_VALUE)
		return 0;
	ok = fs_win_handle_info(h, &info) == 0 && info.id.dev == id.dev && info.id.ino == id.ino;
	CloseHandle(h);
	return ok;
}

/* The root directory of path's volume, opened: file IDs are per volume, and
 * the runtime opens them relative to the volume (under Wine only files
 * below the directory given are found, so the volume's root is what it
 * searches, as Windows does). */
static HANDLE volume_root(const wchar_t *path)
{
	wchar_t vol[MAX_PATH + 1];

	if (!GetVolumePathNameW(path, vol, MAX_PATH + 1))
		return INVALID_HANDLE_VALUE;
	return CreateFileW(vol, FILE_READ_ATTRIBUTES | FILE_LIST_DIRECTORY,
			   FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
			   FILE_FLAG_BACKUP_SEMANTICS, NULL);
}

static int one_module(HANDLE proc, HMODULE mod, HANDLE dir, wchar_t *buf, fs_os_loaded *l)
{
	DWORD len = GetModuleFileNameExW(proc, mod, buf, NAME_MAX_W);
	wchar_t *w;

	memset(l, 0, sizeof *l);
	if (len == 0 || len >= NAME_MAX_W)
		return 0; /* unloaded meanwhile */
	buf[len] = L'\0';
	if (!(l->path = fs_win_mixed(buf, len)))
		return -1;
	l->now = id_of(buf, &l->now_id);
	len = GetMappedFileNameW(proc, mod, buf, NAME_MAX_W);
	if (len == 0 || len >= NAME_MAX_W)
		return 1;
	buf[len] = L'\0';
	if (!(w = win32_of_nt(buf)))
		return -1;
	if (id_of(w, &l->id)) {
		if (!(l->mapped = fs_win_mixed(w, wcslen(w)))) {
			free(w);
			return -1;
		}
	} else {
		l->denied = GetLastError() == ERROR_ACCESS_DENIED;
	}
	free(w);
	if (l->mapped && (!l->now || l->now_id.dev != l->id.dev || l->now_id.ino != l->id.ino))
		l->reachable = reachable(dir, l->id);
	return 1;
}

static int list_modules(HANDLE h, HMODULE **mods, DWORD *n)
{
	DWORD cap = 256, need = 0;

	for (;;) {
		HMODULE *m = realloc(*mods, cap * sizeof *m);

		if (!m)
			return -1;
		*mods = m;
		if (!EnumProcessModulesEx(h, m, cap * sizeof *m, &need, LIST_MODULES_ALL))
			return 0;
		if (need <= cap * sizeof *m)
			break;
		cap = need / sizeof *m + 64;
	}
	*n = need / sizeof **mods;
	return 1;
}

/* The process, if it is still the one started at start: *gone says
 * whether it has exited when NULL is returned. */
static HANDLE open_proc(int pid, uint64_t start, int *gone, fs_err *why)
{
	HANDLE h = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, (DWORD)pid);
	FILETIME c, x1, x2, x3;

	*gone = 0;
	if (!h) {
		*gone = GetLastError() == ERROR_INVALID_PARAMETER; /* no such process */
		fs_win_fail(why, GetLastError(), "process %d cannot be opened", pid);
		return NULL;
	}
	if (!GetProcessTimes(h, &c, &x1, &x2, &x3) ||
	    (((uint64_t)c.dwHighDateTime << 32) | c.dwLowDateTime) != start) {
		CloseHandle(h);
		*gone = 1;
		fs_fail(why, "process %d has exited", pid);
		return NULL;
	}
	return h;
}

static int exited(HANDLE h)
{
	DWORD code;

	return GetExitCodeProcess(h, &code) && code != STILL_ACTIVE;
}

int fs_os_loaded_images(const fs_os_inst *in, const char *reach_dir, int pid,
			uint64_t start, fs_os_loaded **v, size_t *n, fs_err *why,
			fs_err *err)
{
	wchar_t *buf = NULL, *wdir = fs_win_path(reach_dir);
	HMODULE *mods = NULL;
	HANDLE h, dir = INVALID_HANDLE_VALUE;
	DWORD nmods = 0;
	int rc = -1, r, gone;

	(void)in;
	*v = NULL;
	*n = 0;
	if (!wdir || !(buf = malloc((NAME_MAX_W + 1) * sizeof *buf))) {
		free(wdir);
		return fs_fail(err, "out of memory");
	}
	if (!(h = open_proc(pid, start, &gone, why))) {
		free(wdir);
		free(buf);
		return gone ? 0 : 2;
	}
	dir = volume_root(wdir);
	if ((r = list_modules(h, &mods, &nmods)) <= 0) {
		if (r == 0)
			fs_win_fail(why, GetLastError(), "process %d: modules cannot be read", pid);
		rc = r < 0 ? fs_fail(err, "out of memory") : exited(h) ? 0 : 2;
		goto out;
	}
	if (!(*v = calloc(nmods + 1, sizeof **v))) {
		rc = fs_fail(err, "out of memory");
		goto out;
	}
	for (DWORD i = 0; i < nmods; i++) {
		if ((r = one_module(h, mods[i], dir, buf, &(*v)[*n])) < 0) {
			fs_os_loaded_free(*v, *n + 1);
			*v = NULL;
			*n = 0;
			rc = fs_fail(err, "out of memory");
			goto out;
		}
		*n += (size_t)r;
	}
	rc = 1;
out:
	if (dir != INVALID_HANDLE_VALUE)
		CloseHandle(dir);
	CloseHandle(h);
	free(mods);
	free(buf);
	free(wdir);
	return rc;
}

int fs_os_reachable(const char *dir, fs_id id)
{
	wchar_t *w = fs_win_path(dir);
	HANDLE h;
	int ok;

	if (!w)
		return 0;
	h = volume_root(w);
	free(w);
	ok = reachable(h, id);
	if (h != INVALID_HANDLE_VALUE)
		CloseHandle(h);
	return ok;
}

void fs_os_loaded_free(fs_os_loaded *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].path);
		free(v[i].mapped);
	}
	free(v);
}
