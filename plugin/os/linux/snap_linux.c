/*
 * snap_linux.c - inside one snapshot directory of the store: its own files
 * (manifest, lock, open marker), its lock, and the walk to a kept file under
 * files/.  Same rules as store_linux.c: relative to the store's directory
 * fd, O_NOFOLLOW everywhere, never onto another filesystem.
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

/* ---- a snapshot's own files ---------------------------------------------- */

/* For messages: a snapshot's name, or "." for the store itself. */
#define SNAP_NAME(snap) ((snap) ? (snap) : ".")

/* Opens snap (a directory of the store, same filesystem) as an fd; NULL
 * names the store directory itself. */
int fs_linux_snap_open(fs_os_store *s, const char *snap, fs_err *err)
{
	int fd = snap ? openat(s->fd, snap, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
		      : fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
	struct stat st;

	if (!snap && fd < 0)
		return fs_fail_errno(err, errno, "store %s", s->path);
	if (fd < 0)
		return fs_fail_errno(err, errno, "snapshot %s", snap);
	if (fstat(fd, &st) < 0 || st.st_dev != s->dev) {
		close(fd);
		return fs_fail(err, "snapshot %s is on another filesystem", snap);
	}
	return fd;
}

int fs_os_snap_mkdir(fs_os_store *s, const char *snap, fs_err *err)
{
	int fd;

	if (mkdirat(s->fd, snap, 0700) < 0)
		return fs_fail_errno(err, errno, "cannot create snapshot %s", snap);
	fd = fs_linux_snap_open(s, snap, err);
	if (fd < 0)
		return -1;
	if (mkdirat(fd, "files", 0700) < 0) {
		close(fd);
		return fs_fail_errno(err, errno, "cannot create snapshot %s", snap);
	}
	close(fd);
	return 0;
}

int fs_os_snap_open(fs_os_store *s, const char *snap, const char *file, fs_err *err)
{
	int dfd = fs_linux_snap_open(s, snap, err), fd;
	struct stat st;

	if (dfd < 0)
		return -1;
	fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return fs_fail_errno(err, errno, "%s/%s", SNAP_NAME(snap), file);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > 64 * 1024 * 1024) {
		close(fd);
		return fs_fail(err, "%s/%s: not a regular file of sane size", SNAP_NAME(snap), file);
	}
	return fd;
}

int fs_os_snap_read(fs_os_store *s, const char *snap, const char *file,
		    char **buf, size_t *len, fs_err *err)
{
	int fd = fs_os_snap_open(s, snap, file, err);
	struct stat st;
	size_t have = 0;

	*buf = NULL;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return fs_fail_errno(err, errno, "%s/%s", SNAP_NAME(snap), file);
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
		return fs_fail(err, "%s/%s: cannot read", SNAP_NAME(snap), file);
	}
	(*buf)[have] = '\0';
	*len = have;
	return 0;
}

int fs_os_snap_write(fs_os_store *s, const char *snap, const char *file,
		     const char *buf, size_t len, fs_err *err)
{
	int dfd = fs_linux_snap_open(s, snap, err), fd;
	char tmp[NAME_MAX + 1];
	size_t done = 0;

	if (dfd < 0)
		return -1;
	snprintf(tmp, sizeof tmp, ".%s.new", file);
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		close(dfd);
		return fs_fail_errno(err, errno, "%s/%s", SNAP_NAME(snap), tmp);
	}
	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (done != len || fsync(fd) < 0 || close(fd) < 0 ||
	    renameat(dfd, tmp, dfd, file) < 0 || fsync(dfd) < 0) {
		int e = errno;

		unlinkat(dfd, tmp, 0);
		close(dfd);
		return fs_fail_errno(err, e, "cannot write %s/%s", SNAP_NAME(snap), file);
	}
	close(dfd);
	return 0;
}

int fs_os_snap_touch(fs_os_store *s, const char *snap, const char *file, fs_err *err)
{
	int dfd = fs_linux_snap_open(s, snap, err), fd;

	if (dfd < 0)
		return -1;
	fd = openat(dfd, file, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	close(dfd);
	if (fd < 0)
		return fs_fail_errno(err, errno, "cannot create %s/%s", SNAP_NAME(snap), file);
	close(fd);
	return 0;
}

int fs_os_snap_exists(fs_os_store *s, const char *snap, const char *file)
{
	int dfd = fs_linux_snap_open(s, snap, NULL);
	struct stat st;
	int r;

	if (dfd < 0)
		return 0;
	r = fstatat(dfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0;
	close(dfd);
	return r;
}

int fs_os_snap_unlink(fs_os_store *s, const char *snap, const char *file, fs_err *err)
{
	int dfd = fs_linux_snap_open(s, snap, err);
	int rc = 0;

	if (dfd < 0)
		return -1;
	if (unlinkat(dfd, file, 0) < 0 && errno != ENOENT)
		rc = fs_fail_errno(err, errno, "cannot remove %s/%s", snap, file);
	else if (fsync(dfd) < 0)
		rc = fs_fail_errno(err, errno, "cannot sync %s", snap);
	close(dfd);
	return rc;
}

/* ---- the snapshot's lock --------------------------------------------------- */

/*
 * How long hold waits for a snapshot's lock while another process has it
 * exclusively.  Store commands take it exclusively only for an instant
 * (fs_os_snap_lock_held); a longer holder is foreign, and hold gives up.
 */
#define HOLD_WAIT_MS 5000
#define HOLD_POLL_MS 10

/* Read-only and close-on-exec: flock needs no more, and no command we
 * start may inherit it (or write to it). */
static int open_snap_lock(fs_os_store *s, const char *snap, fs_err *err)
{
	int dfd = fs_linux_snap_open(s, snap, err), fd;
	struct stat st;

	if (dfd < 0)
		return -1;
	fd = openat(dfd, "lock", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return fs_fail_errno(err, errno, "snapshot %s lock", snap);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fs_fail(err, "snapshot %s lock is not a regular file", snap);
	}
	return fd;
}

int fs_os_snap_lock_held(fs_os_store *s, const char *snap, fs_err *err)
{
	int fd = open_snap_lock(s, snap, err), held;

	if (fd < 0)
		return -1;
	held = flock(fd, LOCK_EX | LOCK_NB) < 0;
	if (held && errno != EWOULDBLOCK) {
		close(fd);
		return fs_fail_errno(err, errno, "snapshot %s lock", snap);
	}
	close(fd); /* releases our own test lock */
	return held;
}

struct fs_os_hold {
	int fd;
};

/* Shared, never blocking: polled for at most HOLD_WAIT_MS. */
static int lock_shared(int fd, const char *snap, fs_err *err)
{
	for (int waited = 0;; waited += HOLD_POLL_MS) {
		if (flock(fd, LOCK_SH | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return fs_fail_errno(err, errno, "snapshot %s lock", snap);
		if (waited >= HOLD_WAIT_MS)
			return fs_fail(err, "snapshot %s is locked exclusively by another process: "
				       "gave up after %d s", snap, HOLD_WAIT_MS / 1000);
		nanosleep(&(struct timespec){ 0, HOLD_POLL_MS * 1000000L }, NULL);
	}
}

int fs_os_snap_hold(fs_os_store *s, const char *snap, fs_os_hold **h, fs_err *err)
{
	int fd = open_snap_lock(s, snap, err);

	if (fd < 0)
		return -1;
	if (lock_shared(fd, snap, err) < 0) {
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

int fs_os_hold_check(fs_os_store *s, const char *snap, const fs_os_hold *h, fs_err *err)
{
	int dfd = fs_linux_snap_open(s, snap, NULL);
	struct stat held, now;
	int same;

	if (dfd < 0)
		return fs_fail(err, "snapshot %s was removed meanwhile", snap);
	same = fstat(h->fd, &held) == 0 && fstatat(dfd, "lock", &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	       held.st_dev == now.st_dev && held.st_ino == now.st_ino &&
	       faccessat(dfd, "manifest", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	close(dfd);
	return same ? 0 : fs_fail(err, "snapshot %s was removed meanwhile", snap);
}

void fs_os_hold_release(fs_os_hold *h)
{
	if (h) {
		close(h->fd);
		free(h);
	}
}

size_t fs_os_snap_share(fs_os_store *s, const char *snap, const fs_pidstart *procs,
			size_t n)
{
	(void)s;
	(void)snap;
	(void)procs;
	(void)n; /* no way to hand a lock to another process */
	return 0;
}

/* ---- kept files: snap/files/<relpath> -------------------------------------- */

void fs_linux_files_forget(fs_os_store *s)
{
	fs_dircache_drop(&s->files);
}

int fs_linux_files_parent(fs_os_store *s, const char *snap, const char *relpath,
			  int create, int *dirfd, const char **name, fs_err *err)
{
	const char *last = strrchr(relpath, '/'), *p = relpath;
	char key[2 * FS_LINE_MAX + 2];
	fs_err why;
	size_t klen;
	int sfd, fd;

	/* also bounds the walk below: FS_KEEP_DEPTH directories at most */
	if (fs_relpath_check(relpath, &why) < 0)
		return fs_fail(err, "%s/files/%s: %s", snap, relpath, why.msg);
	*name = last ? last + 1 : relpath;
	klen = (size_t)snprintf(key, sizeof key, "%s/%.*s", snap,
				last ? (int)(last - relpath) : 0, relpath);
	if (klen < sizeof key && (*dirfd = fs_dircache_get(&s->files, key, klen)) >= 0)
		return 0;
	sfd = fs_linux_snap_open(s, snap, err);
	if (sfd < 0)
		return -1;
	fd = openat(sfd, "files", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(sfd);
	while (fd >= 0 && last && p < last) {
		char comp[NAME_MAX + 1];
		size_t n = strcspn(p, "/");
		struct stat st;
		int next;

		if (n > NAME_MAX) {
			close(fd);
			return fs_fail(err, "%s: name too long", relpath);
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n + 1;
		if (create && mkdirat(fd, comp, 0700) < 0 && errno != EEXIST) {
			close(fd);
			return fs_fail_errno(err, errno, "%s/files/%s", snap, relpath);
		}
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
		if (fd >= 0 && (fstat(fd, &st) < 0 || st.st_dev != s->dev)) {
			close(fd);
			return fs_fail(err, "%s/files/%s: leaves the store's filesystem", snap, relpath);
		}
	}
	if (fd < 0 && !create && (errno == ENOENT || errno == ENOTDIR))
		return 1; /* a directory on the way is missing */
	if (fd < 0)
		return fs_fail_errno(err, errno, "%s/files/%s", snap, relpath);
	*dirfd = fs_dircache_put(&s->files, key, klen, fd);
	return *dirfd < 0 ? fs_fail(err, "%s: path too long", relpath) : 0;
}
