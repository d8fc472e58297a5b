/*
 * snap_linux.c - files inside a directory handle (os.h): stat, read, atomic
 * write, markers, removal, the bulk check of a tree (sweep), and the hold
 * lock.  Same rules as store_linux.c: relative to the handle's fd,
 * O_NOFOLLOW everywhere, never onto another filesystem.  The names are the
 * core's (core/store.h); nothing here knows what they mean.
 */
#define _GNU_SOURCE
#include "linux.h"
#include "../../core/err.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* "<shown>/<name>" for messages, or name alone in the safe root. */
#define SHOWN(d) ((d)->shown[0] ? (d)->shown : ".")

/* Is name one component (os.h's contract)?  Fails with err if not. */
static int one_name(const fs_os_dir *d, const char *name, fs_err *err)
{
	if (!name[0] || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return fs_fail(err, "%s/%s: not a name", SHOWN(d), name);
	return 0;
}

fs_presence fs_os_stat(fs_os_dir *d, const char *name, fs_os_info *info, fs_err *err)
{
	struct stat st;

	if (one_name(d, name, err) < 0)
		return FS_PRESENCE_ERROR;
	if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return FS_ABSENT;
		fs_fail_errno(err, errno, "%s/%s", SHOWN(d), name);
		return FS_PRESENCE_ERROR;
	}
	info->kind = S_ISREG(st.st_mode) ? FS_OS_FILE : S_ISDIR(st.st_mode) ? FS_OS_DIR : FS_OS_OTHER;
	info->id = (fs_id){ (uint64_t)st.st_dev, (uint64_t)st.st_ino };
	info->bytes = (uint64_t)st.st_blocks * 512;
	info->links = (uint64_t)st.st_nlink;
	return FS_PRESENT;
}

int fs_os_open_read(fs_os_dir *d, const char *name, size_t max, fs_err *err)
{
	struct stat st;
	int fd;

	if (one_name(d, name, err) < 0)
		return -1;
	fd = openat(d->fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return fs_fail_errno(err, errno, "%s/%s", SHOWN(d), name);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		return fs_fail(err, "%s/%s: not a regular file of sane size", SHOWN(d), name);
	}
	return fd;
}

int fs_os_read_file(fs_os_dir *d, const char *name, size_t max, char **buf, size_t *len,
		    fs_err *err)
{
	int fd = fs_os_open_read(d, name, max, err);
	struct stat st;
	size_t have = 0;

	*buf = NULL;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return fs_fail_errno(err, errno, "%s/%s", SHOWN(d), name);
	}
	*buf = malloc((size_t)st.st_size + 1);
	while (*buf && have < (size_t)st.st_size) {
		ssize_t n = read(fd, *buf + have, (size_t)st.st_size - have);

		if (n <= 0)
			break;
		have += (size_t)n;
	}
	close(fd);
	if (!*buf || have != (size_t)st.st_size) {
		free(*buf);
		*buf = NULL;
		return fs_fail(err, "%s/%s: cannot read", SHOWN(d), name);
	}
	(*buf)[have] = '\0';
	*len = have;
	return 0;
}

/* All len bytes of buf to fd: 0, or -1 with errno. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int fs_os_write_atomic(fs_os_dir *d, const char *name, const char *buf, size_t len,
		       fs_err *err)
{
	char tmp[NAME_MAX + 1];
	int fd, n;

	if (one_name(d, name, err) < 0)
		return -1;
	n = snprintf(tmp, sizeof tmp, ".%s.new", name);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return fs_fail(err, "%s/%s: name too long", SHOWN(d), name);
	unlinkat(d->fd, tmp, 0);
	fd = openat(d->fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fs_fail_errno(err, errno, "%s/%s", SHOWN(d), tmp);
	if (write_all(fd, buf, len) < 0 || fsync(fd) < 0 || close(fd) < 0 ||
	    renameat(d->fd, tmp, d->fd, name) < 0 || fsync(d->fd) < 0) {
		int e = errno;

		unlinkat(d->fd, tmp, 0);
		return fs_fail_errno(err, e, "cannot write %s/%s", SHOWN(d), name);
	}
	return 0;
}

int fs_os_touch(fs_os_dir *d, const char *name, fs_err *err)
{
	int fd;

	if (one_name(d, name, err) < 0)
		return -1;
	fd = openat(d->fd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fs_fail_errno(err, errno, "cannot create %s/%s", SHOWN(d), name);
	close(fd);
	return 0;
}

int fs_os_mkdir(fs_os_dir *d, const char *name, fs_err *err)
{
	if (one_name(d, name, err) < 0)
		return -1;
	if (mkdirat(d->fd, name, 0700) < 0)
		return fs_fail_errno(err, errno, "cannot create %s/%s", SHOWN(d), name);
	return 0;
}

int fs_os_unlink(fs_os_dir *d, const char *name, fs_err *err)
{
	if (one_name(d, name, err) < 0)
		return -1;
	if (unlinkat(d->fd, name, 0) < 0 && errno != ENOENT)
		return fs_fail_errno(err, errno, "cannot remove %s/%s", SHOWN(d), name);
	return 0;
}

int fs_os_sync(fs_os_dir *d, fs_err *err)
{
	if (fsync(d->fd) < 0)
		return fs_fail_errno(err, errno, "cannot sync %s", SHOWN(d));
	return 0;
}

int fs_os_remove_if_empty(fs_os_dir *d, const char *name)
{
	struct stat st;

	if (one_name(d, name, NULL) < 0 || fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return unlinkat(d->fd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) == 0;
}

/* ---- sweep: the bulk check of a tree --------------------------------------
 * d_ino from the directory listing names each file without a stat; only a
 * file keep() does not know is looked at closer (DT_UNKNOWN on some
 * filesystems, or a listing's inode that differs from stat's).
 */
struct sweep {
	dev_t dev;
	int depth;
	int (*keep)(void *ctx, fs_id id);
	void *ctx;
	fs_err *err;
};

static long sweep_dir(struct sweep *sw, int fd, int depth);

/* A subdirectory name of d (at depth): swept, or an error. */
static long sweep_sub(struct sweep *sw, int dfd, const char *name, int depth)
{
	int sub;

	if (depth >= sw->depth)
		return fs_fail(sw->err, "snapshot nested deeper than %d directories", sw->depth);
	sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return fs_fail_errno(sw->err, errno, "cannot verify a snapshot");
	return sweep_dir(sw, sub, depth + 1);
}

/* One entry: 1 removed, 0 kept, -1 error (a subdirectory's count added). */
static long sweep_entry(struct sweep *sw, int dfd, const struct dirent *de, int depth)
{
	fs_id id = { (uint64_t)sw->dev, (uint64_t)de->d_ino };
	int isdir = de->d_type == DT_DIR, kept = 0;
	struct stat st;

	if (!isdir && !(kept = sw->keep(sw->ctx, id)) &&
	    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		isdir = S_ISDIR(st.st_mode);
		if (!isdir)
			kept = sw->keep(sw->ctx, (fs_id){ (uint64_t)st.st_dev, (uint64_t)st.st_ino });
	}
	if (isdir)
		return sweep_sub(sw, dfd, de->d_name, depth);
	return !kept && unlinkat(dfd, de->d_name, 0) == 0;
}

/* Takes fd. */
static long sweep_dir(struct sweep *sw, int fd, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	long removed = 0;

	if (!d) {
		close(fd);
		return fs_fail_errno(sw->err, errno, "cannot verify a snapshot");
	}
	while ((de = readdir(d))) {
		long r;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = sweep_entry(sw, dirfd(d), de, depth);
		if (r < 0) {
			closedir(d);
			return -1;
		}
		removed += r;
	}
	closedir(d);
	return removed;
}

long fs_os_sweep(fs_os_dir *d, unsigned depth, int (*keep)(void *ctx, fs_id id), void *ctx,
		 fs_err *err)
{
	struct sweep sw = { .dev = d->dev, .depth = (int)depth, .keep = keep, .ctx = ctx,
			    .err = err };
	int fd;

	if (depth > 4 * FS_KEEP_DEPTH)
		return fs_fail(err, "%s: a walk %u levels deep is not made", SHOWN(d), depth);
	/* a listing of its own (a dup would share the handle's offset) */
	fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fs_fail_errno(err, errno, "%s", SHOWN(d));
	return sweep_dir(&sw, fd, 0);
}

/* ---- the hold lock ---------------------------------------------------------- */

/*
 * How long hold waits for the lock while another process has it
 * exclusively.  Store commands take it exclusively only for an instant
 * (fs_os_hold_held); a longer holder is foreign, and hold gives up.
 */
#define HOLD_WAIT_MS 5000
#define HOLD_POLL_MS 10

/* Read-only and close-on-exec: flock needs no more, and no command we
 * start may inherit it (or write to it). */
static int open_lock(fs_os_dir *d, const char *name, fs_err *err)
{
	struct stat st;
	int fd;

	if (one_name(d, name, err) < 0)
		return -1;
	fd = openat(d->fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return fs_fail_errno(err, errno, "snapshot %s lock", SHOWN(d));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fs_fail(err, "snapshot %s lock is not a regular file", SHOWN(d));
	}
	return fd;
}

int fs_os_hold_make(fs_os_dir *d, const char *name, fs_err *err)
{
	return fs_os_touch(d, name, err);
}

fs_presence fs_os_hold_held(fs_os_dir *d, const char *name, fs_err *err)
{
	int fd = open_lock(d, name, err), held;

	if (fd < 0)
		return FS_PRESENCE_ERROR;
	held = flock(fd, LOCK_EX | LOCK_NB) < 0;
	if (held && errno != EWOULDBLOCK) {
		fs_fail_errno(err, errno, "snapshot %s lock", SHOWN(d));
		close(fd);
		return FS_PRESENCE_ERROR;
	}
	close(fd); /* releases our own test lock */
	return held ? FS_PRESENT : FS_ABSENT;
}

struct fs_os_hold {
	int fd;
};

/* Shared, never blocking: polled for at most HOLD_WAIT_MS. */
static int lock_shared(int fd, const char *shown, fs_err *err)
{
	for (int waited = 0;; waited += HOLD_POLL_MS) {
		if (flock(fd, LOCK_SH | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return fs_fail_errno(err, errno, "snapshot %s lock", shown);
		if (waited >= HOLD_WAIT_MS)
			return fs_fail(err, "snapshot %s is locked exclusively by another process: "
				       "gave up after %d s", shown, HOLD_WAIT_MS / 1000);
		nanosleep(&(struct timespec){ 0, HOLD_POLL_MS * 1000000L }, NULL);
	}
}

int fs_os_hold_take(fs_os_dir *d, const char *name, fs_os_hold **h, fs_err *err)
{
	int fd = open_lock(d, name, err);

	if (fd < 0)
		return -1;
	if (lock_shared(fd, SHOWN(d), err) < 0) {
		close(fd);
		return -1;
	}
	if (!(*h = malloc(sizeof **h))) {
		close(fd);
		return fs_fail(err, "out of memory");
	}
	(*h)->fd = fd;
	return 0;
}

int fs_os_hold_same(fs_os_dir *d, const char *name, const fs_os_hold *h, fs_err *err)
{
	struct stat held, now;

	if (one_name(d, name, err) < 0)
		return -1;
	if (fstat(h->fd, &held) == 0 && fstatat(d->fd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	    held.st_dev == now.st_dev && held.st_ino == now.st_ino)
		return 0;
	return fs_fail(err, "snapshot %s was removed meanwhile", SHOWN(d));
}

void fs_os_hold_release(fs_os_hold *h)
{
	if (h) {
		close(h->fd);
		free(h);
	}
}

size_t fs_os_hold_share(fs_os_dir *d, const char *name, const fs_pidstart *procs, size_t n)
{
	(void)d;
	(void)name;
	(void)procs;
	(void)n; /* no way to hand a lock to another process */
	return 0;
}
