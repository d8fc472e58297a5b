/*
 * linux.h - pieces of the Linux backend shared between its files.
 */
#ifndef FS_LINUX_H
#define FS_LINUX_H

#include "../../core/os.h"

#include <dirent.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The resolved path's parent directory (an fd the root keeps open until the
 * next call: do not close it) and the last component, walked without
 * following any symlink: a symlink met on the way means the tree changed
 * since resolution, and is an error. */
int fs_os_root_parent(fs_os_root *root, const char *resolved, int *dirfd,
		      const char **name, fs_err *err);

/* The root's directory (O_PATH; owned by the root). */
int fs_linux_root_fd(const fs_os_root *root);

/* One parsed line of /proc/PID/maps. */
typedef struct fs_maps_line {
	fs_id id;
	const char *range;  /* "START-END", for /proc/PID/map_files */
	size_t range_len;
	const char *path;   /* as printed: "\012" escapes, " (deleted)" removed */
	size_t path_len;
	int deleted;
	const char *tail;   /* "MAJ:MIN INODE   PATH..." up to the line's end */
	size_t tail_len;
} fs_maps_line;

/*
 * Parses one maps line (without its '\n').  Returns 1 for a mapping of a
 * file (inode != 0, path starting with '/'), 0 for anything else (anonymous,
 * [heap], [vdso], ...), -1 for a line that is not in the kernel's format.
 */
int fs_maps_parse(const char *line, size_t len, fs_maps_line *out);

/*
 * The lines of maps text, read a buffer at a time: a process's mappings
 * of one file come as consecutive lines (one per region) that differ only
 * in range and offset, and only the first of them is parsed.  Start with
 * a zeroed cursor, feed it each buffer (the complete lines are used; the
 * text from c->p on is the start of an incomplete one when fs_maps_next()
 * returns 0).  fs_maps_next() returns 1 with the next file line whose
 * identity differs from the last file line's, 0 when no complete line is
 * left.  out points into the buffer.
 */
typedef struct fs_maps_cursor {
	const char *p, *end;   /* the next line; the end of the buffer */
	fs_id last;            /* identity of the last file line (any buffer) */
	const char *tail;      /* its text after OFFSET, if in this buffer */
	size_t tail_len, tail_off, range_len;
} fs_maps_cursor;

void fs_maps_feed(fs_maps_cursor *c, const char *buf, size_t len);
int fs_maps_next(fs_maps_cursor *c, fs_maps_line *out);

/* Does text end with the line of x86-64's vsyscall area?  The kernel lists
 * that "gate" area after every other mapping: the text is complete, and
 * no read is needed to learn so. */
int fs_maps_at_gate(const char *text, size_t len);

/*
 * Copies a maps path into dst (room for len + 1 bytes) turning the kernel's
 * "\012" escapes back into newlines.  Returns the new length.
 */
size_t fs_maps_unescape(const char *src, size_t len, char *dst);

/* Does name (len bytes) print as text (text_len bytes) in /proc/PID/maps,
 * where the kernel writes a newline as "\012" and every other byte as it
 * is?  A name read apart from the text must pass this to stand for it. */
int fs_maps_prints_as(const char *name, size_t len, const char *text, size_t text_len);

/*
 * One mapping of a file, asked of the kernel (vma_linux.c): the first that
 * covers or follows addr in the process whose /proc/PID/maps maps_fd is.
 * With name (size bytes, at least 2), also the mapped name: name_len bytes
 * at name (NUL-terminated), " (deleted)" removed and told by deleted.
 * Returns 1, 0 when no mapping of a file is left, -1 with errno: ENOTTY
 * (EINVAL) when the kernel has no such query (before Linux 6.11),
 * ENAMETOOLONG when the name does not fit (the kernel gives none longer
 * than PATH_MAX), ESRCH when the process has no memory map (a kernel
 * thread, an exited process or main thread), EIO for an answer outside
 * the kernel's contract (an end not past addr, a name not NUL-ended).
 */
typedef struct fs_vma {
	fs_id id;
	uint64_t start, end;
	size_t name_len;
	int deleted;
} fs_vma;

int fs_vma_query(int maps_fd, uint64_t addr, fs_vma *out, char *name, size_t size);

/* Does name (*len bytes, not empty without it) end with the " (deleted)"
 * the kernel appends to a removed file's name (maps text, PROCMAP_QUERY,
 * readlink of exe and map_files)?  *len then no longer counts it. */
int fs_name_deleted(const char *name, size_t *len);

/* Per-process facts read from /proc/PID/stat. */
int fs_proc_parse_stat(const char *buf, size_t len, char *comm, size_t comm_size,
		       unsigned long long *start_time);

/* One open directory remembered under its path (dircache_linux.c).  The
 * fd a get or put returns belongs to the cache: callers never close it.
 * put takes fd and returns it, or -1 (fd closed) for an overlong key. */
typedef struct fs_dircache {
	int fd;
	size_t len;
	char key[2 * FS_LINE_MAX + 2];
} fs_dircache;

void fs_dircache_init(fs_dircache *c);
int fs_dircache_get(const fs_dircache *c, const char *key, size_t len);
int fs_dircache_put(fs_dircache *c, const char *key, size_t len, int fd);
void fs_dircache_drop(fs_dircache *c);

/* name (relative to dirfd, never through a symlink) opened for readdir(),
 * with a descriptor of its own; NULL with errno set on failure. */
DIR *fs_linux_opendir(int dirfd, const char *name);

/* forksafe's own processes, never a user of any file (scan_linux.c): the
 * scanning process, and the one that runs it as a worker with a deadline
 * (child_linux.c says which, in the worker). */
void fs_linux_scan_not(pid_t supervisor);

/* Batches split between threads (workers_linux.c): the number of workers
 * for n items (at least per_worker items each, at most max and the CPUs),
 * and fn run on each of n worker records (items, size bytes apart): record
 * 0 in the calling thread, the others in threads (or here, when a thread
 * cannot be made). */
#define FS_LINUX_MAX_WORKERS 8
size_t fs_linux_workers(size_t n, size_t per_worker, size_t max);
void fs_linux_run_all(void *(*fn)(void *), void *items, size_t n, size_t size);

/* Copies of a file's data (copy_linux.c), for guard and protect alike. */
#define FS_COPY_CHANGED (-2) /* the source changed while it was copied */
#define FS_COPY_BUDGET (-3)  /* its data is beyond what is left of the budget */

/*
 * src's first size bytes into dst, a new empty file: a reflink where the
 * filesystem can (*method FS_KEEP_REFLINK), else the data extents only,
 * holes kept, then the size (FS_KEEP_COPY; *bytes: its data, charged to b
 * unless b is NULL).  Returns 0, -1 (errno set), FS_COPY_CHANGED or
 * FS_COPY_BUDGET; dst holds part of a copy after a failure.
 */
int fs_linux_copy(int src, off_t size, int dst, fs_budget *b, int *method,
		  uint64_t *bytes);
/*
 * The one copy of a file for keep and protect: fs_linux_copy() of src (its
 * stat sst) into dst, each failure turned into its message about what (the
 * path shown), which "changed while being <verb>" names.  A copy that fails
 * after it was charged gives its bytes back to b.
 */
int fs_linux_copy_file(int src, const struct stat *sst, int dst, fs_budget *b,
		       const char *what, const char *verb, int *method, uint64_t *bytes,
		       fs_err *err);

/* A directory handle (store_linux.c); snap_linux.c works on files in it. */
struct fs_os_dir {
	int fd;        /* the directory */
	int lockfd;    /* fs_os_lock()'s file, flock()ed until closed */
	dev_t dev;     /* the safe root's filesystem: no walk leaves it */
	char *shown;   /* for messages: relative to the safe root */
};

#endif
