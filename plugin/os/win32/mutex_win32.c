/*
 * mutex_win32.c - a snapshot's lock on Windows is a named mutex, as in
 * Cygwin's forkables protocol.  guard creates it and duplicates an
 * inheritable handle into every process that maps a kept image, so the
 * kernel keeps the mutex exactly as long as those processes and the
 * children they fork (or start: handles are inherited); retire asks
 * whether the name still exists.
 *
 * Namespace: Global\, because one store serves every session of the
 * machine (services in session 0, users over RDP), and a Local\ name is
 * seen only inside its own session.  Creating a Global\ object needs
 * SeCreateGlobalPrivilege (administrators and services have it); without
 * it guard falls back to Local\, and retire looks in both.  Where no
 * handle could be placed, retire still has the module scan.
 */
#include "win32.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One hold lock per directory: its mutex is named after the directory
 * (its path below the safe root), whatever the lock file is called, so
 * names stay what they were before the seam (retire must see the mutexes
 * of a guard that ran before an upgrade). */
wchar_t *fs_win_mutex_name(const fs_os_dir *d, int global)
{
	char name[FS_LINE_MAX + 96];

	/* the safe root's identity keeps two installations' snapshots apart */
	snprintf(name, sizeof name, "%s\\forksafe@%08llX-%016llX@%s",
		 global ? "Global" : "Local", (unsigned long long)d->root_id.dev,
		 (unsigned long long)d->root_id.ino, d->shown);
	return fs_win_wide(name);
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

fs_presence fs_os_hold_held(fs_os_dir *d, const char *name, fs_err *err)
{
	int r = 0;

	(void)name; /* the mutex is the directory's */
	for (int global = 1; global >= 0 && r == 0; global--) {
		wchar_t *m = fs_win_mutex_name(d, global);

		if (!m) {
			fs_fail(err, "out of memory");
			return FS_PRESENCE_ERROR;
		}
		r = exists(m);
		free(m);
	}
	if (r < 0) {
		fs_win_fail(err, GetLastError(), "snapshot %s lock", d->shown);
		return FS_PRESENCE_ERROR;
	}
	return r ? FS_PRESENT : FS_ABSENT;
}

/* Our own handle to the directory's mutex, created if need be. */
static HANDLE open_mutex(fs_os_dir *d, int inherit)
{
	SECURITY_ATTRIBUTES sa = { .nLength = sizeof sa, .bInheritHandle = inherit };
	HANDLE h = NULL;

	for (int global = 1; global >= 0 && !h; global--) {
		wchar_t *m = fs_win_mutex_name(d, global);

		if (m)
			h = CreateMutexW(&sa, FALSE, m);
		free(m);
	}
	return h;
}

int fs_os_hold_make(fs_os_dir *d, const char *name, fs_err *err)
{
	return fs_os_touch(d, name, err); /* the mutex: fs_os_hold_share() */
}

struct fs_os_hold {
	HANDLE mutex;
};

/* Inheritable: the command forksafe hold runs keeps the snapshot too. */
int fs_os_hold_take(fs_os_dir *d, const char *name, fs_os_hold **h, fs_err *err)
{
	HANDLE m;

	(void)name;
	if (!(m = open_mutex(d, 1)))
		return fs_win_fail(err, GetLastError(), "snapshot %s lock", d->shown);
	if (!(*h = malloc(sizeof **h))) {
		CloseHandle(m);
		return fs_fail(err, "out of memory");
	}
	(*h)->mutex = m;
	return 0;
}

/* A mutex is named, never replaced: the caller checks the directory's
 * content (the core: its manifest). */
int fs_os_hold_same(fs_os_dir *d, const char *name, const fs_os_hold *h, fs_err *err)
{
	(void)d;
	(void)name;
	(void)h;
	(void)err;
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

	(void)name;
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
