/*
 * mutex_win32.c - a hold lock (os.h's fs_os_hold_*) on Windows is a named
 * mutex, one per directory, as in Cygwin's forkables protocol.  guard
 * creates it and duplicates an inheritable handle into every process that
 * maps a kept image (fs_os_hold_share), so the kernel keeps the mutex
 * exactly as long as those processes and the children they fork (or
 * start: handles are inherited); retire asks whether the name still exists
 * (fs_os_hold_held).
 *
 * Namespace: Global\, because one store serves every session of the
 * machine (services in session 0, users over RDP), and a Local\ name is
 * seen only inside its own session.  Creating a Global\ object needs
 * SeCreateGlobalPrivilege (administrators and services have it); without
 * it guard falls back to Local\, and retire looks in both.  Where no
 * handle could be placed, retire still has the module scan.
 */
#include "win32.h"
#include "../../core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The name of d's mutex (wide, malloc'ed): Global\ or Local\, the safe
 * root's identity (it keeps two installations apart) and d's shown path.
 * These are the names guard gave its mutexes before the seam (the shown
 * path was the snapshot's name then too), so a retire after an upgrade
 * still sees the mutexes an older guard placed.  One hold lock per
 * directory, then: the name the core gives is the file that marks it, not
 * part of the mutex's.
 */
static wchar_t *mutex_name(const fs_os_dir *d, int global, fs_err *err)
{
	char name[MAX_PATH];
	wchar_t *w;
	int n = snprintf(name, sizeof name, "%s\\forksafe@%08llX-%016llX@%s",
			 global ? "Global" : "Local", (unsigned long long)d->root.dev,
			 (unsigned long long)d->root.ino, d->shown);

	/* a mutex's name has no '\\' after its namespace: shown has none */
	if (n < 0 || (size_t)n >= sizeof name) {
		fs_fail(err, "%s: too long a path for a mutex's name", FS_WIN_SHOWN(d));
		return NULL;
	}
	if (!(w = fs_win_wide(name)))
		fs_fail(err, "out of memory");
	return w;
}

/* 1 when the named mutex exists, 0 when not, -1 when we cannot tell. */
static int exists(const wchar_t *name)
{
	HANDLE h = CreateMutexW(NULL, TRUE, name);
	DWORD e = GetLastError();

	if (h) {
		if (e == ERROR_ALREADY_EXISTS) {
			CloseHandle(h);
			return 1;
		}
		ReleaseMutex(h); /* ours alone: gone with the handle */
		CloseHandle(h);
		return 0;
	}
	/* a Global\ name we may open but not create */
	h = OpenMutexW(SYNCHRONIZE, FALSE, name);
	e = GetLastError();
	if (h) {
		CloseHandle(h);
		return 1;
	}
	if (e == ERROR_FILE_NOT_FOUND)
		return 0;
	return e == ERROR_ACCESS_DENIED ? 1 : -1; /* exists, someone else's */
}

/* Needs the mutex only: the file that marks the lock is not looked at
 * (as before the seam). */
fs_presence fs_os_hold_held(fs_os_dir *d, const char *name, fs_err *err)
{
	int r = 0;

	(void)name;
	for (int global = 1; global >= 0 && r == 0; global--) {
		wchar_t *w = mutex_name(d, global, err);

		if (!w)
			return FS_PRESENCE_ERROR;
		r = exists(w);
		free(w);
	}
	if (r < 0) {
		fs_win_fail(err, GetLastError(), "%s lock", FS_WIN_SHOWN(d));
		return FS_PRESENCE_ERROR;
	}
	return r ? FS_PRESENT : FS_ABSENT;
}

/* Our own handle to d's mutex, created if need be (Global\ first). */
static HANDLE open_mutex(const fs_os_dir *d, int inherit)
{
	SECURITY_ATTRIBUTES sa = { .nLength = sizeof sa, .bInheritHandle = inherit };
	HANDLE h = NULL;

	for (int global = 1; global >= 0 && !h; global--) {
		wchar_t *name = mutex_name(d, global, NULL);

		if (name)
			h = CreateMutexW(&sa, FALSE, name);
		free(name);
	}
	return h;
}

int fs_os_hold_make(fs_os_dir *d, const char *name, fs_err *err)
{
	return fs_os_touch(d, name, err);
}

/* The hold: the mutex, and the identity of the file that marked the lock
 * when it was taken (fs_os_hold_same compares it). */
struct fs_os_hold {
	HANDLE mutex;
	fs_id file;
};

/* The file that marks the lock: present, a plain file; its identity. */
static int marker(fs_os_dir *d, const char *name, fs_id *id, fs_err *err)
{
	fs_os_info info;
	fs_presence p = fs_os_stat(d, name, &info, err);

	if (p == FS_PRESENCE_ERROR)
		return -1;
	if (p == FS_ABSENT || info.kind != FS_OS_FILE)
		return fs_fail(err, "%s has no lock %s", FS_WIN_SHOWN(d), name);
	*id = info.id;
	return 0;
}

/* A mutex is never waited for: it is made, or opened, inheritable (so the
 * command hold runs keeps it). */
int fs_os_hold_take(fs_os_dir *d, const char *name, fs_os_hold **h, fs_err *err)
{
	fs_id file;
	HANDLE m;

	if (marker(d, name, &file, err) < 0)
		return -1;
	if (!(m = open_mutex(d, 1)))
		return fs_win_fail(err, GetLastError(), "%s lock", FS_WIN_SHOWN(d));
	if (!(*h = malloc(sizeof **h))) {
		CloseHandle(m);
		return fs_fail(err, "out of memory");
	}
	**h = (fs_os_hold){ .mutex = m, .file = file };
	return 0;
}

/* The mutex is d's by its name; the file that marks the lock must still be
 * the one seen when it was taken (not removed and made again). */
int fs_os_hold_same(fs_os_dir *d, const char *name, const fs_os_hold *h, fs_err *err)
{
	fs_id now = { 0 };

	if (marker(d, name, &now, err) < 0)
		return -1;
	if (now.dev != h->file.dev || now.ino != h->file.ino)
		return fs_fail(err, "%s/%s was removed meanwhile", FS_WIN_SHOWN(d), name);
	return 0;
}

void fs_os_hold_release(fs_os_hold *h)
{
	if (h) {
		CloseHandle(h->mutex);
		free(h);
	}
}

/* Is the process open as h the one (pid, start) names? */
static int same_start(HANDLE h, uint64_t start)
{
	FILETIME c, x1, x2, x3;

	return GetProcessTimes(h, &c, &x1, &x2, &x3) &&
	       (((uint64_t)c.dwHighDateTime << 32) | c.dwLowDateTime) == start;
}

size_t fs_os_hold_share(fs_os_dir *d, const char *name, const fs_pidstart *procs, size_t n)
{
	HANDLE m = open_mutex(d, 0);
	size_t count = 0;

	(void)name; /* the mutex is the directory's */
	if (!m)
		return 0;
	for (size_t i = 0; i < n; i++) {
		HANDLE p = OpenProcess(PROCESS_DUP_HANDLE | PROCESS_QUERY_INFORMATION, FALSE,
				       (DWORD)procs[i].pid);
		HANDLE remote;

		if (!p)
			continue;
		/* inheritable: the process's fork and exec children keep it too */
		if (same_start(p, procs[i].start_time) &&
		    DuplicateHandle(GetCurrentProcess(), m, p, &remote, SYNCHRONIZE, TRUE, 0))
			count++;
		CloseHandle(p);
	}
	CloseHandle(m); /* from now on only the processes keep it */
	return count;
}
