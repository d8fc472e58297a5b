/*
 * child_win32.c - work in a child process with a deadline
 * (fs_os_run_limited, os.h).  Windows cannot fork: this program is started
 * again (its own path, c->argv[1...]) in a job object, with our standard
 * handles; WaitForSingleObject() until the deadline, then the job (the
 * child and what it started) is terminated.  The parent only starts,
 * waits and terminates.
 */
#include "win32.h"
#include "../../core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* After terminating, how long to wait for the child to be gone. */
#define REAP_MS 2000
/* Longest path GetModuleFileNameW may give (\\?\ paths). */
#define SELF_MAX 32768

/* The standard handle, made inheritable so the child gets it (a console
 * handle may refuse: the child then gets its own console's). */
static HANDLE std_handle(DWORD which)
{
	HANDLE h = GetStdHandle(which);

	if (h && h != INVALID_HANDLE_VALUE)
		SetHandleInformation(h, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
	return h;
}

/* A job that kills its processes when its last handle closes: if this
 * process dies, the child does too.  NULL when there is none to have. */
static HANDLE new_job(void)
{
	JOBOBJECT_EXTENDED_LIMIT_INFORMATION li;
	HANDLE job = CreateJobObjectW(NULL, NULL);

	if (!job)
		return NULL;
	memset(&li, 0, sizeof li);
	li.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
	SetInformationJobObject(job, JobObjectExtendedLimitInformation, &li, sizeof li);
	return job;
}

static wchar_t *self_cmdline(const fs_child *c, wchar_t **self, fs_err *err)
{
	DWORD n;

	*self = malloc(SELF_MAX * sizeof **self);
	if (!*self) {
		fs_fail(err, "out of memory");
		return NULL;
	}
	n = GetModuleFileNameW(NULL, *self, SELF_MAX);
	if (n == 0 || n >= SELF_MAX) {
		fs_win_fail(err, GetLastError(), "cannot find this program's own path");
		free(*self);
		*self = NULL;
		return NULL;
	}
	return fs_win_cmdline(*self, c->argv, err);
}

static void ended(DWORD code, fs_child_end *end)
{
	/* an unhandled exception ends a process with its NTSTATUS code */
	if (code >= 0xC0000000u) {
		end->how = FS_CHILD_KILLED;
		end->code = (int)code;
		snprintf(end->what, sizeof end->what, "exception 0x%08lX", (unsigned long)code);
		return;
	}
	end->how = FS_CHILD_EXITED;
	end->code = (int)code;
}

int fs_os_run_limited(const fs_child *c, unsigned timeout, fs_child_end *end, fs_err *err)
{
	STARTUPINFOW si = { .cb = sizeof si, .dwFlags = STARTF_USESTDHANDLES };
	PROCESS_INFORMATION pi;
	wchar_t *self, *cmd = self_cmdline(c, &self, err), me[16];
	HANDLE job;
	DWORD code = 0;
	BOOL ok;

	memset(end, 0, sizeof *end);
	if (!cmd) {
		free(self);
		return -1;
	}
	si.hStdInput = std_handle(STD_INPUT_HANDLE);
	si.hStdOutput = std_handle(STD_OUTPUT_HANDLE);
	si.hStdError = std_handle(STD_ERROR_HANDLE);
	/* no "stopped working" dialog waiting for a click: the child inherits it */
	SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
	fflush(NULL);
	job = new_job();
	/* the worker's scans leave this process out (scan_win32.c) */
	swprintf(me, sizeof me / sizeof *me, L"%lu", (unsigned long)GetCurrentProcessId());
	SetEnvironmentVariableW(FS_WIN_SUPERVISOR_VAR, me);
	ok = CreateProcessW(self, cmd, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &si, &pi);
	SetEnvironmentVariableW(FS_WIN_SUPERVISOR_VAR, NULL);
	free(cmd);
	free(self);
	if (!ok) {
		if (job)
			CloseHandle(job);
		return fs_win_fail(err, GetLastError(), "cannot start the worker process");
	}
	/* inside a job that allows none of its own (before Windows 8): the
	 * child alone is terminated at the deadline */
	if (job && !AssignProcessToJobObject(job, pi.hProcess)) {
		CloseHandle(job);
		job = NULL;
	}
	ResumeThread(pi.hThread);
	if (WaitForSingleObject(pi.hProcess, (DWORD)timeout * 1000) == WAIT_OBJECT_0 &&
	    GetExitCodeProcess(pi.hProcess, &code)) {
		ended(code, end);
	} else {
		if (!job || !TerminateJobObject(job, 1))
			TerminateProcess(pi.hProcess, 1);
		end->how = FS_CHILD_TIMED_OUT;
		WaitForSingleObject(pi.hProcess, REAP_MS);
	}
	if (job)
		CloseHandle(job);
	CloseHandle(pi.hThread);
	CloseHandle(pi.hProcess);
	return 0;
}
