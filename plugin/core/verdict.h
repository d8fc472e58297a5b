/*
 * verdict.h - the fork verdict of each process of a Cygwin or MSYS2
 * installation (verdict.c); what a transaction will leave is forecast.h,
 * the retiring of the runtime's own cygfork directories cygfork.h.  On
 * Linux there is no installation: every function says "not applicable"
 * and writes nothing.
 */
#ifndef FS_VERDICT_H
#define FS_VERDICT_H

#include "forksafe.h"
#include "err.h"
#include "json.h"

/* What the next fork() of a process will do (docs/windows.md). */
enum fs_fork_verdict {
	FS_FORK_OK,      /* every loaded image is still the file at its path */
	FS_FORK_RETRY,   /* replaced, and the runtime's retry re-links the old file */
	FS_FORK_FAILS,   /* replaced, and the retry is off or cannot reach the old file */
	FS_FORK_RESTART, /* the runtime DLL itself was replaced */
};

/* Whether the installation's runtime decided its retry is on. */
enum fs_fork_retry { FS_RETRY_OFF, FS_RETRY_ON, FS_RETRY_UNPROVEN };

typedef struct fs_fork_proc {
	int pid;
	uint64_t start_time;
	const fs_proc *proc;  /* in the scan given */
	int verdict;          /* FS_FORK_* */
	char *reason;         /* one line */
} fs_fork_proc;

typedef struct fs_fork_info {
	char *runtime;        /* the runtime DLL's path */
	const char *runtime_name;
	char *objdir;         /* the runtime's object directory */
	char *cygfork;        /* <root>/var/run/cygfork */
	int retry;            /* FS_RETRY_* */
	char *retry_reason;
	size_t n;
	fs_fork_proc *v;      /* the installation's processes, by pid */
	size_t unread;        /* of the scan's, those whose modules could not be read */
} fs_fork_info;

/* The verdict of every process of scan that loaded root's runtime: 1 with
 * *out, 0 when root is no Cygwin or MSYS2 installation (always on Linux),
 * -1 with err.  store_opts (may be NULL) names the store whose manifests
 * say what guard saw processes map. */
int fs_fork_verdicts(const char *root, const fs_scan *scan, const fs_store_opts *store_opts,
		     fs_fork_info **out, fs_err *err);
void fs_fork_info_free(fs_fork_info *fi);
const fs_fork_proc *fs_fork_find(const fs_fork_info *fi, int pid, uint64_t start_time);
/* Windows paths compared as Windows does: case and '/' or '\\' do not matter. */
int fs_fork_same_path(const char *a, const char *b);
/* A malloc'ed printf result, or NULL when out of memory (reasons, lines). */
char *fs_fork_strf(const char *f, ...) FS_PRINTF(1, 2);
const char *fs_fork_verdict_name(int verdict);
const char *fs_fork_retry_name(int retry);

/* ps: the member "fork" of a process object ({"verdict","reason"}, or null
 * for a process of no installation); nothing at all when fi is NULL. */
void fs_fork_proc_json(fs_json *j, const fs_fork_info *fi, const fs_proc *p);
/* ps text: " [fork VERDICT: reason]" after a process of the installation. */
void fs_fork_proc_text(FILE *f, const fs_fork_info *fi, const fs_proc *p);
/* report: the member "fork" (the installation and every process's verdict)
 * and its text lines; nothing when fi is NULL. */
void fs_fork_json(fs_json *j, const fs_fork_info *fi);
void fs_fork_text(FILE *f, const fs_fork_info *fi);

#endif
