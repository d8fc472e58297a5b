/*
 * forksafe.h - everything libforksafe offers inside this tree: the public
 * API (forksafe/inuse.h, installed, exported by libforksafe.so.0; see
 * docs/api.md) and the wider private interface below it, which the CLI,
 * the tests, the fuzzers and the benchmarks use through the static
 * archive.  This header is not installed and nothing below is exported.
 *
 * libforksafe answers "which running process maps which executable image?"
 * by file identity, and (in later layers) keeps replaced images alive for
 * processes that still need them.  Everything here is platform-neutral; the
 * OS backends live under plugin/os/<os>/ and are reached only through the
 * functions declared in plugin/core/os.h.
 *
 * Conventions: functions return 0 on success and -1 on failure, filling the
 * caller's fs_err with a one-line message.  Objects are freed with the
 * matching *_free() function, which accepts NULL.
 */
#ifndef FORKSAFE_H
#define FORKSAFE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "forksafe/inuse.h"
#include "forksafe/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Version of every JSON document forksafe writes (docs/json.md). */
#define FS_JSON_SCHEMA 1

/* Longest target line or path accepted (bytes, without the newline). */
#define FS_LINE_MAX 4096
/* Most targets one list holds, and most bytes read as one target list
 * (docs/cli.md): beyond either the list is refused as a whole. */
#define FS_TARGETS_MAX (8u * 1024 * 1024)
#define FS_TARGETS_INPUT_MAX (256u * 1024 * 1024)

/* Most directories a kept file's path (relative to the root) may have:
 * guard refuses a deeper file before it creates anything, and every walk
 * of a snapshot's files/ goes exactly this deep (core/relpath.h). */
#define FS_KEEP_DEPTH 256

typedef struct fs_err {
	char msg[512];
} fs_err;

/*
 * A file's identity: (st_dev, st_ino) on POSIX, (volume serial, file ID) on
 * Windows.  Identity, never path, decides whether a file is in use.
 */
typedef struct fs_id {
	uint64_t dev;
	uint64_t ino;
} fs_id;

/* Writes "MAJ:MIN" (POSIX) or the volume serial (Windows) into buf. */
void fs_id_dev_str(fs_id id, char *buf, size_t len);

/* Readies a program's arguments and standard streams: on Windows argv is
 * rebuilt as UTF-8 from the wide command line and stdio is set to binary;
 * elsewhere nothing changes.  0, or -1 when out of memory. */
int fs_args_init(int *argc, char ***argv);

/* What to tell a user whose scan missed processes: "" when we run with
 * every privilege, else " (run as root)" or " (run as administrator)". */
const char *fs_privilege_hint(void);

/* ---- identity set: identity -> dense index, O(1) look-ups ---------------- */

typedef struct fs_idset fs_idset;

fs_idset *fs_idset_new(size_t expected);
void fs_idset_free(fs_idset *s);
/* Adds id if absent.  Returns its index (0, 1, 2, ... in insertion order),
 * or -1 when out of memory.  *added tells whether it was new. */
long fs_idset_add(fs_idset *s, fs_id id, int *added);
/* Index of id, or -1 if absent. */
long fs_idset_find(const fs_idset *s, fs_id id);
size_t fs_idset_count(const fs_idset *s);
/* Forgets every member, keeping the allocation (cost: members, not size). */
void fs_idset_clear(fs_idset *s);

/* ---- scan: running processes and the images they map -------------------- */

enum {
	FS_IMAGE_DELETED = 1u << 0, /* the kernel says the mapped path is gone */
	FS_IMAGE_NO_ID = 1u << 1,   /* its identity is unknown: its file cannot be
				     * opened any more (Windows); id is {0, 0} */
};

/*
 * Paths are as the kernel shows them to us: from our root where the file is
 * reachable from it, else (another mount namespace) as the process sees it.
 * A scan with opts.process_view shows every path as the process sees it.
 */
typedef struct fs_image {
	fs_id id;
	const char *path;
	unsigned flags;   /* FS_IMAGE_* */
	const char *package; /* owning package once labelled (fs_pkgdb_label_scan) */
} fs_image;

typedef struct fs_proc {
	int pid;
	long uid;            /* effective uid, -1 if unknown */
	uint64_t start_time; /* clock ticks after boot: (pid, start) names a process */
	const char *comm;    /* short command name, "" if unknown */
	const char *exe;     /* main executable, NULL if unknown */
	int exe_deleted;
	/* with opts.process_view, else NULL and 0: */
	const char *root;    /* its root directory seen from here, NULL if unknown */
	int foreign_mntns;   /* lives in another mount namespace than ours */
	const char *mntns;   /* its mount namespace ("mnt:[4026531841]"), NULL if unknown */
	/* with opts.units where systemd runs, else NULL: its path in systemd's
	 * cgroup hierarchy ("/system.slice/x.service"), at most FS_LINE_MAX
	 * bytes, as the kernel gives it (text its owner may choose in part) */
	const char *cgroup;
	size_t nimages;
	const fs_image *images; /* one per identity, in address order */
} fs_proc;

/* A process for good: pids are reused, (pid, start time) is not. */
typedef struct fs_pidstart {
	int pid;
	uint64_t start_time;
} fs_pidstart;

typedef struct fs_scan_opts {
	/* When set, only images whose identity is in filter are recorded, and
	 * only processes with at least one such image are returned. */
	const fs_idset *filter;
	/* Worker threads reading /proc (0 = one per online CPU, at most 8). */
	unsigned threads;
	/* Show paths as each process sees them (inside its chroot) and fill
	 * fs_proc.root and foreign_mntns: two more look-ups per process. */
	int process_view;
	/* Where systemd runs (/run/systemd/system is a directory, as
	 * sd_booted() asks), read each process's /proc/PID/cgroup into
	 * fs_proc.cgroup and set fs_scan.systemd: one more read per process. */
	int units;
	/* Fill fs_proc.root, foreign_mntns and mntns, leaving the paths as
	 * the kernel shows them to us (report judges each view itself). */
	int views;
} fs_scan_opts;

typedef struct fs_scan {
	size_t nprocs;
	fs_proc *procs;       /* sorted by pid */
	size_t seen;          /* processes looked at (kernel threads excluded) */
	size_t unreadable;    /* processes whose images could not be read */
	fs_pidstart *unreadable_procs; /* which ones (start time 0 if unknown) */
	int complete;         /* unreadable == 0 */
	int systemd;          /* opts.units and systemd runs: cgroups were read */
	struct fs_scan_priv *priv;
} fs_scan;

int fs_scan_run(const fs_scan_opts *opts, fs_scan **out, fs_err *err);
void fs_scan_free(fs_scan *scan);

/* ---- targets: files named by a user or a package manager ----------------- */

typedef struct fs_target {
	char *request;  /* as given */
	char *path;     /* resolved inside the root, absolute ("/usr/lib/x.so") */
	char *link;     /* when the last component is a symbolic link: the link's
			 * own path (its directories resolved, as dpkg -S and
			 * pacman -Qo name it), else NULL.  Shares path's
			 * allocation: freeing path frees both. */
	fs_id id;       /* valid when exists, as are: */
	uint64_t size;
	int64_t mtime_ns;
	int exists;
	int is_dir;
} fs_target;

/* A target left out: it cannot name a file inside the root (a symlink
 * loop, ".." above the root, an overlong or garbled line...). */
typedef struct fs_target_skip {
	const char *request; /* as given (an overlong line: its first bytes) */
	const char *problem; /* one line: why */
} fs_target_skip;

typedef struct fs_targets fs_targets;

/* root: the directory targets live under ("/" when NULL). */
fs_targets *fs_targets_new(const char *root, fs_err *err);
void fs_targets_free(fs_targets *t);
const char *fs_targets_root(const fs_targets *t);
size_t fs_targets_count(const fs_targets *t);
const fs_target *fs_targets_get(const fs_targets *t, size_t i);
/* The targets left out, each with its problem (fs_target_skip). */
size_t fs_targets_skipped(const fs_targets *t);
const fs_target_skip *fs_targets_skip_get(const fs_targets *t, size_t i);

/*
 * Adds one target.  path is taken inside the root whether or not it starts
 * with '/'; a path ending in '/' names a directory and is skipped (returns 0).
 * Symlinks are followed inside the root.  A missing file is not an error: it
 * is recorded with exists = 0.  A path that names no file inside the root
 * (".." above it, a symlink loop, too long or too deep, unreadable) is not
 * an error either: it is recorded with its problem (fs_targets_skipped) and
 * the call returns 0; one bad target never cancels the others.  -1 only
 * when the list cannot grow (out of memory, FS_TARGETS_MAX).
 */
int fs_targets_add(fs_targets *t, const char *path, fs_err *err);

/* Same, for a path a user typed: with root "/", a relative path is taken
 * from the current directory (it stays the request as shown). */
int fs_targets_add_user(fs_targets *t, const char *path, fs_err *err);

/* From now on, targets that resolve to a directory are left out (package
 * file lists name their directories without a trailing '/'). */
void fs_targets_skip_dirs(fs_targets *t);

/*
 * A target list in one call, as every command takes it: paths typed by a
 * user (fs_targets_add_user), then, unless fd is -1, lines read from fd.
 */
fs_targets *fs_targets_from(const char *root, char *const *paths, size_t npaths,
			    int fd, fs_err *err);

/*
 * Reads targets one per line from fd, in pacman's NeedsTargets form, as a
 * stream (memory grows with the targets kept, not with the input).  A line
 * with a NUL byte or longer than FS_LINE_MAX is skipped with its problem;
 * more than FS_TARGETS_INPUT_MAX bytes fail the whole list.
 */
int fs_targets_read_fd(fs_targets *t, int fd, fs_err *err);

/*
 * Line splitter behind fs_targets_read_fd, exposed for tests and fuzzing:
 * calls fn for each non-empty line (the final line may lack '\n').  A bad
 * line (a NUL byte, longer than FS_LINE_MAX) is given with problem set:
 * line is then its first FS_LINE_SHOW bytes at most.  -1 when fn fails.
 */
#define FS_LINE_SHOW 128
typedef int (*fs_line_fn)(void *ctx, const char *line, const char *problem,
			  fs_err *err);
typedef struct fs_lines {
	char line[FS_LINE_MAX + 1];
	size_t len;      /* bytes of the current line kept in line */
	size_t lineno;
	int bad;         /* the current line has a NUL byte (1) or is too long (2) */
} fs_lines;
void fs_lines_init(fs_lines *l);
/* Feeds the next len bytes; lines may cross calls. */
int fs_lines_feed(fs_lines *l, const char *buf, size_t len, fs_line_fn fn, void *ctx,
		  fs_err *err);
/* The last line when it lacks a newline. */
int fs_lines_end(fs_lines *l, fs_line_fn fn, void *ctx, fs_err *err);
int fs_lines_split(const char *buf, size_t len, fs_line_fn fn, void *ctx,
		   fs_err *err);

/* ---- in-use query -------------------------------------------------------- */

typedef struct fs_inuse {
	const fs_targets *targets;
	fs_scan *scan;
	/* users[i]: indexes into scan->procs of the processes mapping target i */
	size_t *nusers;
	size_t **users;
	size_t targets_in_use;
} fs_inuse;

int fs_inuse_run(const fs_targets *targets, const fs_scan_opts *opts,
		 fs_inuse **out, fs_err *err);
/* The same, on a scan the caller made (filtered or not); takes the scan. */
int fs_inuse_attribute(const fs_targets *targets, fs_scan *scan, fs_inuse **out,
		       fs_err *err);
void fs_inuse_free(fs_inuse *q);

/* ---- snapshot manifests -------------------------------------------------- */

/* How a snapshot keeps a file: a hardlink (same inode), a reflink or a copy. */
enum { FS_KEEP_LINK, FS_KEEP_REFLINK, FS_KEEP_COPY };

const char *fs_keep_method_name(int method);

typedef struct fs_manifest_entry {
	char *path;          /* relative to the root, no leading '/' */
	fs_id id;            /* the original file's identity */
	uint64_t size;
	int64_t mtime_ns;
	int method;          /* FS_KEEP_* */
	size_t nprocs;
	fs_pidstart *procs; /* processes mapping it at guard time */
} fs_manifest_entry;

typedef struct fs_manifest {
	char *root;          /* absolute path the entries are relative to */
	int64_t created;     /* seconds since the epoch */
	size_t n, cap;
	fs_manifest_entry *v;
} fs_manifest;

/*
 * Strict parser: rejects anything but the format fs_manifest_write()
 * produces, absolute paths, "." and ".." components, empty components, bad
 * escapes and NUL bytes.  On failure *m is left empty.
 */
int fs_manifest_parse(const char *buf, size_t len, fs_manifest *m, fs_err *err);
/* Writes the manifest text into a malloc'ed buffer. */
int fs_manifest_format(const fs_manifest *m, char **buf, size_t *len);
/* Appends an entry (copies path and procs). */
int fs_manifest_add(fs_manifest *m, const fs_manifest_entry *e);
void fs_manifest_free(fs_manifest *m);

/* ---- snapshot store ------------------------------------------------------ */

typedef struct fs_store_opts {
	const char *root;      /* "/" when NULL */
	const char *store;     /* <root>/var/lib/forksafe when NULL */
	fs_scan_opts scan;
	int all_in_use;        /* guard: every in-use image under the root */
	int post_transaction;  /* retire: the transaction ended: close snapshots */
	int dry_run;           /* retire: decide and report, change nothing */
	/* guard: the most bytes the copies of one snapshot may write (a file is
	 * copied when the store is on another filesystem); a file beyond it is
	 * reported as not kept.  FS_COPY_BUDGET_DEFAULT unless copy_budget_set. */
	uint64_t copy_budget;
	int copy_budget_set;
} fs_store_opts;

/* The default copy budget of a snapshot: 1 GiB (docs/store.md). */
#define FS_COPY_BUDGET_DEFAULT (UINT64_C(1) << 30)

/* The store directory opts name (malloc'ed). */
char *fs_store_path(const fs_store_opts *opts);

typedef struct fs_guard_result {
	char *snapshot;        /* published snapshot, NULL when nothing was kept */
	fs_manifest kept;      /* what it keeps */
	size_t in_use;         /* targets found in use */
	size_t already_kept;   /* in use, but an open snapshot keeps them already */
	size_t failed;         /* in use, but could not be kept (see messages) */
	size_t replaced;       /* protect: paths replaced by fresh copies */
	size_t lock_holders;   /* processes given the snapshot's lock (Windows) */
	char **messages;       /* one line each: what could not be kept and why */
	int complete;          /* every process could be read */
	size_t unreadable;
	size_t nskipped;       /* targets left out (fs_targets_skipped): */
	fs_target_skip *skipped; /* never a failure: they name no file */
	size_t runtime_in_use; /* in use, counted in in_use, never kept: cygwin1.dll,
				* msys-2.0.dll (no process survives their change) */
	/* Cygwin/MSYS2 (guard with targets): each process's fork verdict once
	 * the transaction has replaced them (docs/windows.md); NULL elsewhere */
	struct fs_fork_forecast *fork;
} fs_guard_result;

/* targets: the files to protect (NULL with opts->all_in_use). */
int fs_guard(const fs_targets *targets, const fs_store_opts *opts,
	     fs_guard_result **out, fs_err *err);
/* guard, then replace each kept path by a fresh copy of itself, so an
 * in-place rewrite of the path cannot touch what processes map. */
int fs_protect(const fs_targets *targets, const fs_store_opts *opts,
	       fs_guard_result **out, fs_err *err);
void fs_guard_result_free(fs_guard_result *r);
int fs_guard_write_json(const fs_guard_result *r, FILE *f);
int fs_guard_write_text(const fs_guard_result *r, FILE *f);

typedef struct fs_retire_snap {
	char *name;
	int was_open, closed_now, lock_held, removed;
	size_t kept, dropped, redundant;
	char *problem;         /* why it was left alone, or NULL */
} fs_retire_snap;

typedef struct fs_retire_result {
	size_t n;
	fs_retire_snap *v;
	size_t leftovers;      /* remains of interrupted runs removed */
	size_t nleftovers_failed;
	char **leftovers_failed; /* "NAME: why" for each that could not be */
	int dry_run;
	int complete;
	size_t unreadable;
	/* Cygwin/MSYS2: the runtime's own cygfork directories retired
	 * (docs/windows.md); NULL elsewhere */
	struct fs_cygfork_result *cygfork;
} fs_retire_result;

int fs_retire(const fs_store_opts *opts, fs_retire_result **out, fs_err *err);
void fs_retire_result_free(fs_retire_result *r);
int fs_retire_write_json(const fs_retire_result *r, FILE *f);
int fs_retire_write_text(const fs_retire_result *r, FILE *f);

typedef struct fs_status_entry {
	const fs_manifest_entry *e;
	const char *package;   /* owning package once labelled */
	int present;           /* the kept file is in the store */
	uint64_t cost;         /* bytes only the store keeps alive */
	size_t nholders;
	const fs_proc **holders; /* live processes mapping it */
} fs_status_entry;

typedef struct fs_status_snap {
	char *name;
	fs_manifest m;
	int open, lock_held;
	char *problem;         /* unreadable manifest: why */
	uint64_t cost;
	size_t n;
	fs_status_entry *v;
} fs_status_snap;

typedef struct fs_status_result {
	char *store;
	int64_t now;
	size_t n;
	fs_status_snap *v;
	fs_scan *scan;
} fs_status_result;

int fs_status(const fs_store_opts *opts, fs_status_result **out, fs_err *err);
void fs_status_result_free(fs_status_result *r);
int fs_status_write_json(const fs_status_result *r, FILE *f);
int fs_status_write_text(const fs_status_result *r, FILE *f);

/* Runs argv (searched in PATH) holding snapshot's lock, which everything it
 * starts inherits, so retire keeps the snapshot while any of them lives.
 * *status: the command's exit status (128 + signal when killed). */
int fs_hold_run(const fs_store_opts *opts, const char *snapshot, char *const *argv,
		int *status, fs_err *err);

/* One line each for package-manager hooks: after guard, and after retire
 * plus report (rp may be NULL). */
int fs_guard_write_summary(const fs_guard_result *r, FILE *f);
/* A warning line for each of the first max targets guard left out, and
 * one for how many more. */
int fs_guard_write_skipped(const fs_guard_result *r, FILE *f, size_t max);
struct fs_report_result;
int fs_post_write_summary(const fs_retire_result *rt, const struct fs_report_result *rp,
			  FILE *f);

/* ---- configuration: /etc/forksafe.conf (docs/hooks.md) ------------------- */

#define FS_CONFIG_PATH "/etc/forksafe.conf"

/* timeout: how long a hook's work may take, in seconds */
#define FS_CONFIG_TIMEOUT_DEFAULT 60u
#define FS_CONFIG_TIMEOUT_MAX 3600u

typedef struct fs_config {
	int strict;            /* hooks: fail the transaction when protection fails */
	unsigned timeout;      /* hooks: seconds before their work is stopped */
	uint64_t copy_budget;  /* copy_budget = SIZE, when copy_budget_set */
	int copy_budget_set;
} fs_config;

/* The defaults: strict = no, timeout = 60. */
void fs_config_defaults(fs_config *c);
/* Reads "key = value" lines ('#' comments) of a regular file (anything
 * else is refused without blocking).  A missing file gives the defaults;
 * an unknown key or bad value is an error, and c then holds the defaults. */
int fs_config_load(const char *path, fs_config *c, fs_err *err);

/* One key of the configuration, as forksafe.conf(5) documents it. */
typedef struct fs_config_key {
	const char *name;     /* "timeout" */
	const char *value;    /* the value's form: "SECONDS" */
	const char *fallback; /* the default, as the file would say it */
	const char *want;     /* what a value must be, for messages */
	const char *help;     /* what it does */
	int (*set)(fs_config *c, const char *value); /* 0, or -1 for a bad value */
} fs_config_key;
/* Every key fs_config_load takes, *n of them. */
const fs_config_key *fs_config_keys(size_t *n);

/* A size as settings give it: bytes, or a number with K, M, G or T (powers
 * of 1024; "KiB", "MiB", ... too), or "unlimited" (UINT64_MAX).  0 or -1. */
int fs_parse_size(const char *s, uint64_t *out);

/* ---- work in a child process with a deadline (the hooks) -------------------
 * The hooks' work (scan, store, databases) runs so that whatever happens to
 * it - a crash, an abort, a hang - the caller lives to say so.  On POSIX a
 * forked child calls run(arg) and exits with what it returns; Windows
 * cannot fork and starts this program again with argv[1...] (argv[0]
 * stands for its own path), which must do the same work.  The child has
 * our standard streams.  Past timeout seconds (1 to FS_CONFIG_TIMEOUT_MAX)
 * it is killed with everything it started.
 */
typedef struct fs_child {
	int (*run)(void *arg);
	void *arg;
	char *const *argv;
} fs_child;

enum { FS_CHILD_EXITED, FS_CHILD_KILLED, FS_CHILD_TIMED_OUT };
typedef struct fs_child_end {
	int how;        /* FS_CHILD_* */
	int code;       /* EXITED: exit status; KILLED: signal or exception code */
	char what[40];  /* KILLED: "SIGSEGV", "exception 0xC0000005" */
} fs_child_end;

/* -1 with err when the child could not be started or waited for. */
int fs_run_limited(const fs_child *c, unsigned timeout, fs_child_end *end, fs_err *err);

/* ---- the package-manager hooks' work (plugin/core/hook.c, docs/hooks.md) ---
 * pre-transaction guards the transaction's targets (standard input, as
 * pacman's NeedsTargets gives them; every in-use image with all_in_use);
 * post-transaction closes the snapshots, retires what nothing holds and
 * counts who runs replaced images.  One line on stdout; each problem is a
 * "forksafe: warning: ..." line on stderr ("error" when cfg.strict).
 */
typedef enum fs_hook_when { FS_HOOK_PRE_TRANSACTION, FS_HOOK_POST_TRANSACTION } fs_hook_when;

typedef struct fs_hook {
	fs_hook_when when;
	const char *config;        /* the configuration's path, for messages */
	fs_config cfg;             /* as fs_config_load read it */
	const fs_store_opts *so;   /* root, store, all_in_use (pre) */
} fs_hook;

/* "pre-transaction" or "post-transaction" -> *when: 0, or -1 for any other word. */
int fs_hook_when_parse(const char *word, fs_hook_when *when);
const char *fs_hook_when_name(fs_hook_when when);
/* The work itself (in the worker): 0, or 1 when strict and a problem was said. */
int fs_hook_work(const fs_hook *h);
/* Runs fs_hook_work in a worker with cfg.timeout (fs_run_limited; on Windows
 * worker_argv is the command line that makes this program call fs_hook_work,
 * NULL is "out of memory").  A crash, an exit status other than the work's
 * or the limit is one problem line.  Returns the hook's exit status: 0, or
 * 1 when strict and a problem was said. */
int fs_hook_supervise(fs_hook *h, char *const *worker_argv);

/* ---- report: who still runs replaced images ------------------------------- */

/* What a process reaches now at the path of an image it maps, in its own
 * view (its root, its mount namespace). */
typedef enum fs_stale {
	FS_STALE_REPLACED = 1,   /* another file */
	FS_STALE_REMOVED,        /* no file */
	FS_STALE_UNKNOWN,        /* its view cannot be read: never "replaced" */
} fs_stale;

typedef struct fs_report_image {
	const fs_image *image;   /* in the scan */
	const char *package;     /* owning package (with a database), or NULL */
	const char *snapshot;    /* a snapshot keeping the old file, or NULL */
	int runtime;             /* loader/libc/runtime DLL: never safe */
	fs_stale state;
	const char *root_path;   /* its path inside the root when the file the
				  * process sees there is the root's (the root's
				  * database names it), else NULL */
} fs_report_image;

/* The systemd unit a process belongs to, from its cgroup (units.c). */
#define FS_UNIT_NAME_MAX 255 /* systemd's UNIT_NAME_MAX less its NUL */
enum fs_unit_kind {
	FS_UNIT_NONE,    /* none, unknown, or systemd does not run */
	FS_UNIT_SYSTEM,  /* a unit of the system manager: "x.service", "init.scope" */
	FS_UNIT_USER,    /* a unit of user uid's manager (systemctl --user) */
	FS_UNIT_SESSION, /* a login session's scope of user uid: "session-3.scope" */
};
typedef struct fs_unit {
	enum fs_unit_kind kind;
	long uid;                        /* FS_UNIT_USER, FS_UNIT_SESSION: else -1 */
	char name[FS_UNIT_NAME_MAX + 1]; /* "" with FS_UNIT_NONE */
} fs_unit;

typedef struct fs_report_proc {
	const fs_proc *proc;
	fs_unit unit;            /* with a scan made with opts.units */
	size_t n;
	fs_report_image *v;      /* its images that were replaced, removed or unknown */
	int must_restart;        /* a replaced or removed one is a runtime component */
	int unknown_only;        /* every one of them is FS_STALE_UNKNOWN */
	const char *container;   /* its mount namespace when it lives in another
				  * one than ours (judged in its own view), or NULL */
} fs_report_proc;

typedef struct fs_report_result {
	char *root;
	fs_scan *scan;
	size_t n;
	fs_report_proc *v;       /* processes listed, by pid */
	size_t unknown;          /* of them, those with unknown images only */
	size_t must_restart;
	/* processes running replaced or removed files of the root itself
	 * (root_path set): what the transaction changed; and of them those
	 * with a runtime component among these */
	size_t root_affected, root_must_restart;
	char **snapshots;        /* backs fs_report_image.snapshot */
	size_t nsnapshots;
	int systemd;             /* units were looked for: systemd runs */
	/* Cygwin/MSYS2: the fork verdict of every process of the root's
	 * installation (docs/windows.md); NULL elsewhere */
	struct fs_fork_info *fork;
} fs_report_result;

struct fs_pkgdb;
/* After a transaction: processes mapping images under opts->root whose path
 * no longer has that identity (replaced or removed) in the process's own
 * view: its root and mount namespace.  db (may be NULL) labels the images
 * whose path in that view is the root's. */
int fs_report(const fs_store_opts *opts, const struct fs_pkgdb *db,
	      fs_report_result **out, fs_err *err);
void fs_report_result_free(fs_report_result *r);
int fs_report_write_json(const fs_report_result *r, FILE *f);
int fs_report_write_text(const fs_report_result *r, FILE *f);
/* Labels status entries with their owning packages. */
int fs_status_label(fs_status_result *r, const struct fs_pkgdb *db, fs_err *err);

/* ---- enable: Cygwin's fork retry (Cygwin and MSYS2 roots) --------------- */

#define FS_CYGFORK_DIR "var/run/cygfork"

typedef struct fs_enable_result {
	char *root;
	const char *runtime;  /* "cygwin1.dll", "msys-2.0.dll", or NULL: none found */
	const char *bin;      /* where the binaries are: "/bin" or "/usr/bin", or NULL */
	int created;          /* the cygfork directory was made now */
	char fs_type[32];     /* of the cygfork directory: "NTFS", "ext4", ... */
	int ntfs;
	int same_volume;      /* cygfork and the binaries on one volume (-1: no binaries) */
	char problem[128];    /* what its ACL (mode) or kind gets wrong, "" if nothing */
	char weakness[128];   /* it serves, but users may remove others' entries, "" if not */
	uint64_t birth;       /* when it was made (fs_proc.start_time's unit), 0 unknown */
	int ready;            /* all of the above holds: the runtime can use it */
	/* running processes of the installation (they map its runtime DLL) that
	 * started before the directory existed, or when that is unknown: the
	 * runtime decided without it, once for the installation, so they are
	 * covered only once every process of the installation has exited */
	size_t nuncovered;
	fs_proc *uncovered;   /* strings live in the scan (kept below) */
	int complete;         /* every process could be read */
	struct fs_scan *scan;
	int protected_;       /* ready, and no uncovered process: fork retries can
			       * use hardlinks in every process of the installation */
} fs_enable_result;

/*
 * Makes sure ROOT/var/run/cygfork exists (everyone may add entries, only
 * their owner removes them: mode 1777, or its NTFS equivalent) and checks
 * what Cygwin's fork retry needs of it: NTFS, the volume of the binaries,
 * rights that serve every user; names the running processes it does not
 * cover yet.
 */
int fs_enable(const char *root, fs_enable_result **out, fs_err *err);
/*
 * What the post-transaction hook runs: on a root with a Cygwin or MSYS2
 * runtime DLL, fs_enable() - quietly: one line to f only when it made the
 * directory (and which running processes wait for the next start of the
 * installation) or when the directory cannot serve (why); nothing when
 * nothing changed and all is well.  A root without a runtime DLL (Linux,
 * a plain tree) is left alone: nothing made, nothing said.  -1 with err
 * only when it could not look (the hook warns and goes on).
 */
int fs_enable_hook(const char *root, FILE *f, fs_err *err);
void fs_enable_result_free(fs_enable_result *r);
int fs_enable_write_json(const fs_enable_result *r, FILE *f);
int fs_enable_write_text(const fs_enable_result *r, FILE *f);
/* The post-transaction hook's quiet line (fs_enable_hook): none when the
 * directory was there already and can serve. */
int fs_enable_write_hook(const fs_enable_result *r, FILE *f);

/* ---- packages: libsolv, libarchive, zstd ----------------------------------
 * Present when built with FORKSAFE_PACKAGES (fs_features() says "packages");
 * otherwise every function here fails with "built without package support".
 */

/* Space-separated optional features this build has ("" for none). */
const char *fs_features(void);

/* The installed-package database of a root: pacman's local db and/or
 * dpkg's status, with file lists, loaded through libsolv. */
typedef struct fs_pkgdb fs_pkgdb;

typedef struct fs_pkg_name {
	const char *name, *version;
} fs_pkg_name;

typedef struct fs_pkg {
	const char *name;     /* NULL: no package; else the first of packages[] */
	const char *version;
	size_t npackages;     /* every package owning the path (a directory */
	const fs_pkg_name *packages; /* many share), sorted by name */
	/* The path is one side of a dpkg diversion: diverted is FS_DIVERTED_FROM
	 * (the path is the diverted one) or FS_DIVERTED_TO (the diversion's
	 * target, where the other packages' file goes), 0 for none.  diverted_by
	 * is NULL for a local one; from and to as dpkg names them. */
	const char *diverted_by, *diverted_from, *diverted_to;
	int diverted;
} fs_pkg;

enum { FS_DIVERTED_FROM = 1, FS_DIVERTED_TO = 2 };

/*
 * Loads root's database ("/" when NULL).  The loaded repository is cached in
 * libsolv's .solv format as store/pkgdb.solv (store NULL: the root's default
 * store) and reused while the database is unchanged; without a usable store
 * the database is simply read each time.
 */
int fs_pkgdb_open(const char *root, const char *store, fs_pkgdb **out, fs_err *err);
/* For labels only (report, the post-transaction hook): as fs_pkgdb_open,
 * but a root without a package database, or a build without package
 * support, is 0 with *out NULL; -1 means a database is there and cannot be
 * used (past a limit, not a regular file, ...): say so, go on without. */
int fs_pkgdb_open_labels(const char *root, const char *store, fs_pkgdb **out, fs_err *err);
void fs_pkgdb_free(fs_pkgdb *db);
/* "pacman", "dpkg" or "pacman+dpkg". */
const char *fs_pkgdb_source(const fs_pkgdb *db);
/* Whether this load came from the .solv cache. */
int fs_pkgdb_cached(const fs_pkgdb *db);

/* owners[i]: the packages that own paths[i] (absolute, inside the root; a
 * symbolic link is looked up as the link's own path), valid while db lives;
 * name NULL when no package owns it.  A path reached through a directory
 * symlink at the top of the root (/lib -> usr/lib) is found under either
 * name.  dpkg's diversions are honoured: the file at a diverted path is the
 * diverting package's, the file at the diversion's target the others'. */
int fs_pkgdb_owners(const fs_pkgdb *db, const char *const *paths, size_t n,
		    fs_pkg *owners, fs_err *err);
/* Labels every image of scan with its owning package. */
int fs_pkgdb_label_scan(const fs_pkgdb *db, fs_scan *scan, fs_err *err);

/* Adds the files of installed package name (directories left out). */
int fs_targets_add_package(fs_targets *t, const fs_pkgdb *db, const char *name,
			   fs_err *err);
/* Adds the files a package archive (.pkg.tar.zst, .pkg.tar.xz, Cygwin's
 * .tar.xz / .tar.zst, ...) would install or replace. */
int fs_targets_add_archive(fs_targets *t, const char *file, fs_err *err);

/* What the names given to fs_targets_from_names() are. */
enum { FS_NAMES_PATHS, FS_NAMES_PACKAGES, FS_NAMES_ARCHIVES };

/* fs_targets_from(), with names of the given kind: paths, installed
 * packages (their files; store as for fs_pkgdb_open) or package archives. */
fs_targets *fs_targets_from_names(const char *root, const char *store, int kind,
				  char *const *names, size_t n, int fd, fs_err *err);

/* Writes the owners of targets (fs_pkgdb_owners of each resolved path). */
int fs_owners_write_json(const fs_pkgdb *db, const fs_targets *t,
			 const fs_pkg *owners, FILE *f);
int fs_owners_write_text(const fs_targets *t, const fs_pkg *owners, FILE *f);

/* `forksafe owner`'s question (plugin/pkg/owner_query.c): the packages that
 * own each path (paths[0..n), then lines read from fd unless it is -1), as
 * dpkg -S and pacman -Qo answer it: "DIR/" asks about DIR, a symbolic link
 * is the link's own path.  -1 with err when the targets or the database
 * cannot be had. */
typedef struct fs_owner_result {
	fs_targets *targets;   /* the paths asked about, resolved inside the root */
	fs_pkgdb *db;
	fs_pkg *owners;        /* owners[i]: of fs_targets_get(targets, i) */
	size_t unowned;        /* targets owned by no package, skipped ones included */
} fs_owner_result;
int fs_owner_query(const char *root, const char *store, char *const *paths, size_t n,
		   int fd, fs_owner_result **out, fs_err *err);
void fs_owner_result_free(fs_owner_result *r);

/* ---- plan: what an upgrade would do to running processes ------------------ */

enum { FS_PLAN_INSTALL, FS_PLAN_UPGRADE, FS_PLAN_DOWNGRADE, FS_PLAN_REINSTALL,
       FS_PLAN_REPLACE, FS_PLAN_REMOVE };

const char *fs_plan_action_name(int action);

typedef struct fs_plan_pkg {
	const char *name;
	const char *old_version;   /* NULL: not installed now */
	const char *new_name;      /* NULL: removed */
	const char *new_version;
	int action;                /* FS_PLAN_* */
	size_t first, ntargets;    /* its files: inuse->targets[first .. +ntargets) */
} fs_plan_pkg;

typedef struct fs_plan_opts {
	const char *root;          /* "/" when NULL */
	const char *store;         /* for the package database cache */
	int update_all;            /* -u: update every installed package */
	char *const *names;        /* or install/update these */
	size_t nnames;
	fs_scan_opts scan;
} fs_plan_opts;

typedef struct fs_plan {
	char *root;
	size_t nrepos;             /* sync databases read */
	size_t n;
	fs_plan_pkg *v;            /* packages that change, by name */
	fs_inuse *inuse;           /* the files of installed packages that change */
	fs_targets *targets;
	fs_pkgdb *db;              /* owns the strings */
	/* Cygwin/MSYS2: each process's fork verdict after the transaction
	 * (docs/windows.md); NULL elsewhere */
	struct fs_fork_forecast *fork;
} fs_plan;

/* Reads root's pacman local and sync databases, lets libsolv's solver work
 * out the transaction, and answers the in-use question on the files of the
 * installed packages it would upgrade, replace or remove. */
int fs_plan_run(const fs_plan_opts *opts, fs_plan **out, fs_err *err);
void fs_plan_free(fs_plan *p);
int fs_plan_write_json(const fs_plan *p, FILE *f);
int fs_plan_write_text(const fs_plan *p, FILE *f);

/* ---- output -------------------------------------------------------------- */

/* Text for people goes through these two, and nothing else (docs/cli.md):
 * s with every control byte (C0, DEL, C1 raw or as UTF-8, newline, tab)
 * and every byte of invalid UTF-8 shown as \ooo octal. */
void fs_text_write(FILE *f, const char *s);
/* One line for people: printf, then fs_text_write, then '\n'. */
void fs_text_line(FILE *f, const char *fmt, ...)
#if defined(__MINGW32__)
	__attribute__((format(gnu_printf, 2, 3)))
#elif defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

int fs_scan_write_json(const fs_scan *scan, FILE *f);
int fs_scan_write_text(const fs_scan *scan, FILE *f, int brief);
int fs_inuse_write_json(const fs_inuse *q, FILE *f);
int fs_inuse_write_text(const fs_inuse *q, FILE *f);

#ifdef __cplusplus
}
#endif

#endif
