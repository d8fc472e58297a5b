/*
 * os.h - what the platform-neutral core asks of an OS backend
 * (plugin/os/linux/, plugin/os/win32/).  Each backend implements every
 * function here and nothing else is OS-specific.
 */
#ifndef FS_OS_H
#define FS_OS_H

#include "forksafe.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/* ---- snapshot store: plugin/os/<os>/store_<os>.c ---------------------------
 * Every operation is relative to the store directory opened once; nothing
 * follows a symlink or leaves the store's filesystem.  Names of store
 * entries and snapshot files are single components.
 */
typedef struct fs_os_store fs_os_store;

/* Opens the store (creating it, mode 0700, when create), refusing it when
 * it or a parent directory is a symlink or writable by another user.
 * *missing (if given) is set when it fails because the store does not exist. */
fs_os_store *fs_os_store_open(const char *path, int create, int *missing,
			      fs_err *err);
void fs_os_store_close(fs_os_store *s);
/* The store-wide lock: exclusive, waits; released by unlock or close. */
int fs_os_store_lock(fs_os_store *s, fs_err *err);
void fs_os_store_unlock(fs_os_store *s);
/* Names in the store directory, sorted (caller frees each and the array). */
int fs_os_store_list(fs_os_store *s, char ***names, size_t *n, fs_err *err);
/* Renames a store entry; fails if to exists. */
int fs_os_store_rename(fs_os_store *s, const char *from, const char *to, fs_err *err);
/* Removes a store entry and everything under it. */
int fs_os_store_remove(fs_os_store *s, const char *name, fs_err *err);

int fs_os_snap_mkdir(fs_os_store *s, const char *snap, fs_err *err);
/* A snapshot's own file (manifest, lock, open marker): read, atomic write,
 * exists, remove.  snap NULL: a file of the store itself (pkgdb.solv). */
int fs_os_snap_read(fs_os_store *s, const char *snap, const char *file,
		    char **buf, size_t *len, fs_err *err);
/* The same file open for reading (a regular file, never through a symlink):
 * an fd to close, or -1 with err filled. */
int fs_os_snap_open(fs_os_store *s, const char *snap, const char *file, fs_err *err);
int fs_os_snap_write(fs_os_store *s, const char *snap, const char *file,
		     const char *buf, size_t len, fs_err *err);
int fs_os_snap_exists(fs_os_store *s, const char *snap, const char *file);
/* Creates an empty marker file (lock, open) without syncing: the next
 * fs_os_snap_write() in the same snapshot makes its name durable. */
int fs_os_snap_touch(fs_os_store *s, const char *snap, const char *file, fs_err *err);
int fs_os_snap_unlink(fs_os_store *s, const char *snap, const char *file, fs_err *err);

/*
 * Keeps the root's file at relpath (already resolved, identity id) under
 * snap/files/: a hardlink, else a reflink, else a copy with its holes, without
 * set-uid, set-gid and sticky bits or any extended attribute, and no copy
 * budget (Windows: a hardlink only, a copy would not keep the file ID Cygwin
 * re-links by).  Fills method and
 * stored: the identity of the file in the store (id itself for a link).
 * A link is made without a stat of its own: fs_os_snap_verify() checks all
 * of a snapshot's links at once.
 */
int fs_os_snap_keep(fs_os_store *s, const char *snap, fs_os_root *root,
		    const char *relpath, fs_id id, int *method, fs_id *stored,
		    fs_err *err);
/*
 * fs_os_snap_keep() for n files of the root at path root, in worker threads
 * when there are many: ok[i] says whether relpaths[i] (identity ids[i]) was
 * kept, with methods[i] and stored[i], else errs[i] says why.  Copies
 * together write at most copy_budget bytes (their holes are kept, and cost
 * nothing); a file beyond it is not kept.  Returns -1 only when nothing
 * could be tried.
 */
int fs_os_snap_keep_all(fs_os_store *s, const char *snap, const char *root,
			uint64_t copy_budget, size_t n,
			const char *const *relpaths, const fs_id *ids, int *methods,
			fs_id *stored, unsigned char *ok, fs_err *errs, fs_err *err);

/*
 * Checks every file under snap/files/ against stored (identities returned
 * by fs_os_snap_keep): found[k] is set for each one present; any other
 * file (a name swapped while it was linked) is removed.  Returns the
 * number removed, or -1 on error.
 */
long fs_os_snap_verify(fs_os_store *s, const char *snap, const fs_idset *stored,
		       unsigned char *found, fs_err *err);
/* Removes snap/files/relpath and the directories it leaves empty. */
int fs_os_snap_drop(fs_os_store *s, const char *snap, const char *relpath, fs_err *err);
/* A kept file: 1 and its facts if present, 0 if missing, -1 on error.
 * bytes: what it costs the store alone (0 while another link shares it). */
int fs_os_snap_stat(fs_os_store *s, const char *snap, const char *relpath,
		    fs_id *id, uint64_t *bytes, fs_err *err);

/*
 * Replaces the root's file at relpath (which must have identity id) by a
 * fresh copy of itself: same content, mode, owner, timestamps and xattrs,
 * synced, renamed over it.  Running processes keep the old file.  Windows
 * cannot rename over a loaded file: there the old file is renamed aside
 * into snap (snap/aside/relpath) and the copy made at the freed path.
 */
int fs_os_replace_with_copy(fs_os_store *s, const char *snap, fs_os_root *root,
			    const char *relpath, fs_id id, fs_err *err);

/* The snapshot's lock: 1 if a holder has it, 0 if free, -1 on error. */
int fs_os_snap_lock_held(fs_os_store *s, const char *snap, fs_err *err);
/* Takes the snapshot's lock, in this process only, until
 * fs_os_hold_release() (a shared flock on its lock file, close-on-exec;
 * on Windows a handle to its mutex).  Call it WITHOUT the store lock: it
 * may wait, for a bounded time, while another process has the lock
 * exclusively.  Then fs_os_hold_check(), under the store lock, says
 * whether the snapshot is still there with that lock (retire may have
 * removed it meanwhile). */
typedef struct fs_os_hold fs_os_hold;
int fs_os_snap_hold(fs_os_store *s, const char *snap, fs_os_hold **h, fs_err *err);
int fs_os_hold_check(fs_os_store *s, const char *snap, const fs_os_hold *h, fs_err *err);
void fs_os_hold_release(fs_os_hold *h);

/* Gives the snapshot's lock to running processes, so that it lasts while
 * they and the children they start live (Windows: the mutex handle
 * duplicated into each; POSIX has no way, processes take it themselves
 * with forksafe hold).  Returns how many got it. */
size_t fs_os_snap_share(fs_os_store *s, const char *snap, const fs_pidstart *procs,
			size_t n);

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
