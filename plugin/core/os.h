/*
 * os.h - what the platform-neutral core asks of an OS backend
 * (plugin/os/linux/, plugin/os/win32/).  Each backend implements every
 * function here and nothing else is OS-specific.
 */
#ifndef FS_OS_H
#define FS_OS_H

#include "budget.h"
#include "forksafe.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <stdatomic.h>
#include <stdint.h>

/*
 * Fills scan->procs, nprocs, seen and unreadable (procs sorted by pid).
 * Strings and image arrays live in arenas handed to fs_scan_adopt().
 */
int fs_os_scan(const fs_scan_opts *opts, fs_scan *scan, fs_err *err);

/*
 * size bytes (a multiple of FS_OS_HUGE) of zeroed memory the OS may back
 * with huge pages: one page fault for what would take hundreds.  NULL when
 * it cannot (the caller uses malloc instead); fs_os_huge_free() returns it.
 */
#define FS_OS_HUGE (2u * 1024 * 1024)
void *fs_os_huge_alloc(size_t size);
void fs_os_huge_free(void *p, size_t size);

/* Is the image at path a runtime component whose replacement can never be
 * made safe for running processes (dynamic loader and libc on Linux,
 * cygwin1.dll and msys-2.0.dll on Windows)? */
int fs_os_is_runtime(const char *path);
/* Does guard keep those runtime images when in use?  Linux: yes, the
 * loader and the C library are files like the others; Windows: no, the
 * Cygwin runtime DLL is never kept (guard.c), so only a look at every
 * image finds who runs a replaced one. */
int fs_os_runtime_kept(void);
/* Is path a name the kernel gives memory that no package installs
 * (memfd, shared memory, devices)? */
int fs_os_is_pseudo(const char *path);

/* The part of path (absolute, as a scan shows it) inside root: "/x" for
 * "<root>/x", or NULL when it is elsewhere.  On Windows root "/" is the
 * installation forksafe.exe belongs to, and case does not matter. */
const char *fs_os_under_root(const char *path, const char *root);
/* Is path, as a user typed it, absolute ("/x"; "C:/x" on Windows)? */
int fs_os_path_absolute(const char *path);

/* A directory that target paths are resolved inside. */
typedef struct fs_os_root fs_os_root;

fs_os_root *fs_os_root_open(const char *path, fs_err *err);
/* The root directory of process pid as it sees it (its chroot in its mount
 * namespace), if pid is still the process started at start_time; NULL with
 * err when it cannot be opened (exited, not ours to read; on Windows, where
 * processes share one view, always). */
fs_os_root *fs_os_proc_root_open(int pid, uint64_t start_time, fs_err *err);
void fs_os_root_close(fs_os_root *root);

/*
 * Resolves path (relative to the root, with or without a leading '/')
 * component by component, following symlinks inside the root.  On success
 * t->path is a malloc'ed absolute path inside the root, and t->exists,
 * t->id, t->size and t->mtime_ns describe the file.  A missing file gives
 * exists = 0 and the path resolved so far plus the remaining components.
 * Leaving the root through ".." in path is an error; a symlink that points
 * above the root stays at the root, as in a chroot.  t->request is not set.
 */
int fs_os_resolve(fs_os_root *root, const char *path, fs_target *t, fs_err *err);

/*
 * fs_os_resolve() for n paths inside the root at path root, in worker
 * threads when there are many (first, the calling thread's, walks with
 * the open root given): out[i] as fs_os_resolve() fills it, or errs[i]
 * and ok[i] = 0.  Returns -1 only when nothing could be tried.
 */
int fs_os_resolve_all(fs_os_root *first, const char *root, size_t n,
		      const char *const *paths, fs_target *out, unsigned char *ok,
		      fs_err *errs, fs_err *err);

/* ---- file-system primitives: a directory handle and names inside it --------
 * What the store is built of.  None of these knows what a snapshot is: the
 * store's layout (its names and prefixes, what a snapshot holds, when a file
 * is verified or dropped) is the core's (store.h, snapshot.c).
 *
 * Common contract, for every function below that takes a directory handle:
 *   - name is ONE component: not empty, no '/', not "." or ".." (and on
 *     Windows no '\\' or ':'); anything else fails with err set.
 *   - relpath is components joined by '/', each one a name as above.
 *   - nothing follows a symlink (or a reparse point on Windows): a symlink
 *     met where a directory or file is expected is an error, and one met by
 *     a removal is removed itself, never what it points to;
 *   - nothing enters, creates in or removes from another file system than
 *     the one of the handle that fs_os_dir_open_safe() opened (a mount
 *     inside is left alone, with an error);
 *   - every descriptor/handle made is close-on-exec / not inheritable;
 *   - every failure fills err (fs_fail/fs_fail_errno style: one line that
 *     names the path as "<shown>/<name>", shown being the handle's path
 *     below its safe root, "." for the safe root itself);
 *     err may be NULL where a caller only wants the verdict.
 * Return values: 0 / -1 unless said otherwise; fs_presence where the
 * answer has three outcomes.
 */
typedef enum fs_presence {
	FS_PRESENCE_ERROR = -1, /* could not tell: err says why */
	FS_ABSENT = 0,
	FS_PRESENT = 1
} fs_presence;

typedef struct fs_os_dir fs_os_dir;

/*
 * Opens the directory at path (absolute; relative: to the working
 * directory), walking from the file system's root one component at a time
 * without following symlinks ('.' and '..' refused).  Each directory on the
 * way must be owned by root or by us and not writable by group or others,
 * except that a parent (not the last) may be world-writable with the sticky
 * bit (like /tmp).  create: missing directories are made (mode 0755, the
 * last 0700).  When path does not exist, *missing (if given) is set and NULL
 * returned with err.  The handle's file system is the one every other
 * primitive stays on.  Its shown name (for messages) is empty: what is
 * inside it is named by its own name.
 */
fs_os_dir *fs_os_dir_open_safe(const char *path, int create, int *missing,
			       fs_err *err);
/*
 * Opens relpath under d as a directory of its own, on d's file system.
 * create: missing directories on the way are made (mode 0700; one made
 * meanwhile by another is fine).  Without create, a missing component sets
 * *missing (if given) and returns NULL with err.  Its shown name is
 * d's shown name + "/" + relpath (without the "/" when d's is "").
 */
fs_os_dir *fs_os_dir_open_at(fs_os_dir *d, const char *relpath, int create,
			     int *missing, fs_err *err);
/* Closes d and releases a lock fs_os_lock() took through it.  NULL is fine. */
void fs_os_dir_close(fs_os_dir *d);

/* Names in d but "." and "..", sorted by strcmp (caller frees each and the
 * array). */
int fs_os_list(fs_os_dir *d, char ***names, size_t *n, fs_err *err);

/* What fs_os_stat() tells of an entry, without following a symlink. */
enum { FS_OS_FILE, FS_OS_DIR, FS_OS_OTHER }; /* other: symlink, FIFO, ... */
typedef struct fs_os_info {
	int kind;          /* FS_OS_* */
	fs_id id;          /* identity, comparable with fs_target.id */
	uint64_t bytes;    /* space it takes (allocated blocks; 0 if unknown) */
	uint64_t links;    /* hard links to it */
} fs_os_info;
fs_presence fs_os_stat(fs_os_dir *d, const char *name, fs_os_info *st, fs_err *err);

/* A regular file of at most max bytes, never through a symlink, opened
 * for reading without blocking (a FIFO fails): an fd to close (Windows: a
 * CRT descriptor), or -1 with err. */
int fs_os_open_read(fs_os_dir *d, const char *name, size_t max, fs_err *err);
/* The same file read whole: *buf (malloc'ed, NUL after the *len bytes). */
int fs_os_read_file(fs_os_dir *d, const char *name, size_t max, char **buf,
		    size_t *len, fs_err *err);
/* Replaces name by buf atomically: written under a temporary name of the
 * backend's own (".NAME.new"), synced, renamed over name, directory synced.
 * Mode 0600.  After a crash, name is the old or the new content, whole. */
int fs_os_write_atomic(fs_os_dir *d, const char *name, const char *buf, size_t len,
		       fs_err *err);
/* Creates name as an empty file (mode 0600) if absent, WITHOUT syncing: the
 * next fs_os_write_atomic() in d makes the name durable. */
int fs_os_touch(fs_os_dir *d, const char *name, fs_err *err);
/* Creates directory name (mode 0700); fails when it exists. */
int fs_os_mkdir(fs_os_dir *d, const char *name, fs_err *err);
/* Removes name, a file or symlink (never a directory); absent is success.
 * Not synced: fs_os_sync() makes it durable (once for many). */
int fs_os_unlink(fs_os_dir *d, const char *name, fs_err *err);
/* Makes the names in d durable (fsync of the directory). */
int fs_os_sync(fs_os_dir *d, fs_err *err);
/* Removes name, a file or an empty directory, without a message when it
 * cannot: 1 removed, 0 not (absent, not empty, anything else). */
int fs_os_remove_if_empty(fs_os_dir *d, const char *name);
/* Renames from to to, both in d; fails when to exists.  d is synced. */
int fs_os_rename(fs_os_dir *d, const char *from, const char *to, fs_err *err);
/*
 * Removes name and everything under it; absent is success.  The walk holds
 * one descriptor per level and goes depth levels deep at most: a directory
 * deeper than that is moved up to the top of name and removed by a later
 * pass (bounded), so any tree can be removed with bounded resources.  Every
 * error is remembered (the first is returned) and the walk goes on with
 * the rest, as systemd's rm_rf does.  d is synced.
 */
int fs_os_remove_tree(fs_os_dir *d, const char *name, unsigned depth, fs_err *err);
/*
 * Walks every non-directory under d (depth directories deep at most; a
 * deeper one is an error) and asks keep(ctx, id) about each, with the
 * identity the directory listing gives where it can (no stat per file);
 * each one keep() answers 0 for is removed.  Returns the number removed,
 * or -1 on error.
 */
long fs_os_sweep(fs_os_dir *d, unsigned depth, int (*keep)(void *ctx, fs_id id),
		 void *ctx, fs_err *err);

/* ---- locks ------------------------------------------------------------------
 * Two kinds, both named by the core (a directory handle and a name):
 *   fs_os_lock:  exclusive, waited for, held by the handle until closed
 *                (POSIX: flock() of the file name, made if absent;
 *                Windows: LockFileEx() on the file name);
 *   fs_os_hold_*: a lock many processes hold shared and that can outlive
 *                this process in others (POSIX: a shared flock() of the
 *                file name; Windows: a named mutex, named after d's path
 *                below its safe root and the safe root's identity, so a
 *                directory has ONE hold lock there, whatever name says;
 *                the file name is still made, as a marker).
 */
int fs_os_lock(fs_os_dir *d, const char *name, fs_err *err);

/* Makes the hold lock name in d exist (POSIX: an empty file, not synced, as
 * fs_os_touch(); Windows: the same file; its mutex is made by share). */
int fs_os_hold_make(fs_os_dir *d, const char *name, fs_err *err);
/* Is the hold lock held by anyone?  Never waits. */
fs_presence fs_os_hold_held(fs_os_dir *d, const char *name, fs_err *err);
/* Takes the hold lock, in this process only, until fs_os_hold_release()
 * (close-on-exec / not inherited).  Waits a bounded time (5 s, polling)
 * while another process has it exclusively, then fails.  Call it without
 * any fs_os_lock() held. */
typedef struct fs_os_hold fs_os_hold;
int fs_os_hold_take(fs_os_dir *d, const char *name, fs_os_hold **h, fs_err *err);
/* Is h still the hold lock at d/name (it was not removed and made again)?
 * (Windows: the mutex is d's by its name; the file name, its marker, must
 * still be the file it was when the lock was taken.) */
int fs_os_hold_same(fs_os_dir *d, const char *name, const fs_os_hold *h, fs_err *err);
void fs_os_hold_release(fs_os_hold *h);
/* Gives the hold lock to running processes, so that it lasts while they
 * and their children live (Windows: the mutex handle duplicated into each;
 * POSIX has no way: 0).  Returns how many got it. */
size_t fs_os_hold_share(fs_os_dir *d, const char *name, const fs_pidstart *procs,
			size_t n);

/* ---- files of the root kept and replaced ------------------------------------ */

/*
 * Keeps the root's file at relpath (resolved already; identity id) as dst's
 * name: a hardlink, else a reflink, else a copy of its data with its holes
 * charged to b (b NULL: no limit), without set-uid, set-gid and sticky bits
 * or any extended attribute (Windows: a hardlink only: a copy would not keep
 * the file ID Cygwin re-links by).  The original is opened without
 * following a link and without blocking, and must still be identity id
 * and a regular file ("changed while being kept" otherwise).  *method is
 * FS_KEEP_*; *stored the identity of dst's name (id itself for a link,
 * which is made without a stat: fs_os_sweep() checks links in bulk).  No
 * fsync.
 */
int fs_os_keep(fs_os_root *root, const char *relpath, fs_id id, fs_os_dir *dst,
	       const char *name, fs_budget *b, int *method, fs_id *stored, fs_err *err);

/* Where fs_os_replace() may put things it needs besides the file's own
 * directory. */
typedef struct fs_os_spare {
	/* a copy is built here (as prefix + a unique tail) when this handle
	 * shares the file's file system; beside the file otherwise */
	fs_os_dir *scratch;
	const char *prefix;
	/* a backend that cannot rename over a loaded file (Windows) moves the
	 * original to aside/sub/relpath (directories made as needed) */
	fs_os_dir *aside;
	const char *sub;
} fs_os_spare;
/*
 * Replaces the root's file at relpath (which must have identity id) by a
 * fresh copy of itself: same content (holes kept, no budget), mode, owner,
 * ACL, timestamps and xattrs, synced, then swapped in atomically; nobody
 * can open the copy who could not open the original, at any moment.
 * Running processes keep the old file.
 */
int fs_os_replace(fs_os_root *root, const char *relpath, fs_id id,
		  const fs_os_spare *spare, fs_err *err);

/* ---- workers ---------------------------------------------------------------- */

/* How many workers for n items (at least per_worker items each, at most max
 * and the CPUs); 1 where there are no threads. */
size_t fs_os_workers(size_t n, size_t per_worker, size_t max);
/* fn on each of n records (items, size bytes apart): record 0 in the
 * calling thread, the others in threads (or in turn, where a thread cannot
 * be made); returns when all are done. */
void fs_os_run_all(void *(*fn)(void *), void *items, size_t n, size_t size);


/* ---- enable: Cygwin's fork retry directory ----------------------------------
 * Creates relpath under the root (missing parents too) as a directory every
 * user may create entries in but only remove their own: mode 1777 on POSIX;
 * on NTFS an ACL with the same meaning (docs/windows.md).  *created tells
 * whether it was made now; an existing one is left as it is.
 */
int fs_os_mkdir_shared(fs_os_root *root, const char *relpath, int *created, fs_err *err);
/* The file system type of the root's relpath ("NTFS", "ext4", ...). */
int fs_os_fs_type(fs_os_root *root, const char *relpath, char *buf, size_t len,
		  fs_err *err);
/*
 * What enable checks of the root's directory relpath, whoever made it:
 * *birth its creation time in the unit of fs_proc.start_time (0: unknown,
 * as on Linux, where no Cygwin process runs); in why (empty when none) what
 * keeps it from serving every user as Cygwin's retry needs (every user may
 * add entries and pass through; a directory, not a link); in weak (empty
 * when none) what lets users harm each other there though it serves (any
 * user may remove or change others' entries: no sticky bit).  Both buffers
 * hold len bytes.  -1 with err when it cannot be read.
 */
int fs_os_shared_dir_check(fs_os_root *root, const char *relpath, uint64_t *birth,
			   char *why, char *weak, size_t len, fs_err *err);

/* ---- odds and ends ---------------------------------------------------------- */

/* fopen() of a path as the backend reads paths (Windows: "/etc/x" is in
 * the installation; errno set on failure).  Mode "r" opens a regular file
 * only, without blocking: anything else (a FIFO, a device) fails with
 * errno EINVAL. */
FILE *fs_os_fopen(const char *path, const char *mode);

/* Runs argv (searched in PATH) and waits: *status is its exit status,
 * 128 + signal when killed.  It inherits the standard streams and what we
 * inherited, nothing we opened (all close-on-exec; Windows: only the
 * handles made inheritable on purpose, a held snapshot's mutex).  Meanwhile a signal
 * sent to us (hangup, interrupt, quit, terminate, user 1 and 2) goes on to
 * the command instead of ending us; one from the terminal reached it
 * already. */
int fs_os_run(char *const *argv, int *status, fs_err *err);

/* fs_run_limited() (forksafe.h): POSIX forks and the child calls
 * c->run(c->arg); Windows starts this program again with c->argv.  At the
 * deadline, the child and what it started are killed (POSIX: its process
 * group; Windows: its job). */
int fs_os_run_limited(const fs_child *c, unsigned timeout, fs_child_end *end, fs_err *err);

/* A stream whose bytes end up in memory (open_memstream where there is
 * one): fs_os_membuf_done() closes it and hands over the bytes. */
typedef struct fs_os_membuf fs_os_membuf;
FILE *fs_os_membuf_open(fs_os_membuf **mb);
int fs_os_membuf_done(fs_os_membuf *mb, FILE *f, char **text, size_t *len);


/* ---- process and clock primitives: plugin/os/<os>/sys_<os>.c ---------------
 * What the core would otherwise ask of POSIX: it uses ISO C and these.
 */

/* Reads up to len bytes of fd, again when a signal interrupts: the count,
 * 0 at its end, -1 with errno set. */
ptrdiff_t fs_os_read(int fd, void *buf, size_t len);
/* The current directory (malloc'ed), or NULL with err filled. */
char *fs_os_cwd(fs_err *err);
/* The wall-clock time: seconds and nanoseconds since the epoch. */
void fs_os_clock_real(int64_t *sec, long *nsec);
/* This process's id. */
int fs_os_pid(void);

#endif
