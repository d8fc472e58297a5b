/*
 * verdict.h - the fork verdict of each process of a Cygwin or MSYS2
 * installation (verdict.c), and the retiring of the runtime's own cygfork
 * directories (cygfork.c).  On Linux there is no installation: every
 * function says "not applicable" and writes nothing.
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

/* ---- what a transaction will leave (forecast.c) ---------------------------- */

/* Each process of the installation's verdict once the transaction has
 * replaced its targets, judged before anything is replaced. */
typedef struct fs_fork_forecast {
	fs_fork_info *now;    /* the verdicts now (its processes, retry) */
	fs_fork_proc *v;      /* after: now->n of them, in now's order */
	size_t count[4];      /* after, by FS_FORK_* */
	char *problem;        /* no forecast could be made: why (else NULL) */
} fs_fork_forecast;

/* The forecast for targets (NULL, as with --all-in-use: none is made) of
 * opts's root: 1 with *out, 0 when there is none to make (Linux, no
 * installation, no targets); -1 with err. */
int fs_fork_predict(const fs_targets *t, const fs_store_opts *opts, fs_fork_forecast **out,
		    fs_err *err);
void fs_fork_forecast_free(fs_fork_forecast *fc);
/* guard's part: the forecast into r->fork; a failure to make one is said
 * there (problem), never fails guard.  -1 only when out of memory. */
int fs_guard_forecast(const fs_targets *t, const fs_store_opts *opts, fs_guard_result *r,
		      fs_err *err);
/* "; fork after it: N will fail, M must restart" for the hook's line (nothing
 * when none will), and guard's member "fork". */
void fs_fork_forecast_text(FILE *f, const fs_fork_forecast *fc);
void fs_fork_forecast_json(fs_json *j, const fs_fork_forecast *fc);
/* plan's lines: the counts, then each process that will fail or must restart. */
void fs_fork_forecast_lines(FILE *f, const fs_fork_forecast *fc);

/* ---- the runtime's own snapshot directories (cygfork.c) ------------------- */

typedef struct fs_cygfork_result {
	size_t removed;       /* stale: their mutex did not exist */
	size_t held;          /* their mutex exists: left alone */
	size_t nproblems;
	char **problems;      /* "SID/ENTRY: why" for each that could not be checked or removed */
	char **removed_names;
} fs_cygfork_result;

/* Removes var/run/cygfork/<SID>/<EXE>@<PID><TID>/ of root whose mutex no
 * longer exists (dry_run: counts them only).  1 with *out, 0 when root is
 * no Cygwin or MSYS2 installation (Linux), -1 with err. */
int fs_cygfork_retire(const char *root, int dry_run, fs_cygfork_result **out, fs_err *err);
void fs_cygfork_result_free(fs_cygfork_result *r);
/* retire's part: fs_cygfork_retire() of opts's root into r->cygfork; a
 * failure is reported there as a problem ("*: why"), never fails retire.
 * -1 only when out of memory. */
int fs_retire_cygfork(const fs_store_opts *opts, fs_retire_result *r, fs_err *err);
/* retire's member "cygfork" and text lines; nothing when r is NULL. */
void fs_cygfork_json(fs_json *j, const fs_cygfork_result *r);
void fs_cygfork_text(FILE *f, const fs_cygfork_result *r, int dry_run);

#endif
