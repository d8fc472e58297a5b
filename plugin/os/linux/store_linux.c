/*
 * store_linux.c - the snapshot store on Linux: one directory fd, and every
 * operation relative to it (after systemd's rm-rf/chase).  Directories are
 * opened with O_NOFOLLOW, files are examined with AT_SYMLINK_NOFOLLOW, and
 * a walk never enters another filesystem.  The store is refused when it or
 * a directory above it could be changed by another user.  What lives inside
 * a snapshot directory is in snap_linux.c.
 */
#define _GNU_SOURCE
#include "linux.h"
#include "../../core/err.h"
#include "../../core/sort.h"
#include "../../core/vec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* May a directory be changed by someone other than us (or root)? */
static int unsafe_dir(const struct stat *st, int is_store)
{
	uid_t me = geteuid();

	if (st->st_uid != me && st->st_uid != 0)
		return 1;
	if (is_store)
		return (st->st_mode & 022) != 0;
	/* a parent may be world-writable only with the sticky bit (/tmp) */
	return (st->st_mode & 022) != 0 && !(st->st_mode & S_ISVTX);
}

/* Opens every directory from / down to path, without following symlinks,
 * checking each; creates the missing ones when create. */
static int open_checked(const char *path, int create, int *missing, fs_err *err)
{
	const char *p = path;
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return fs_fail_errno(err, errno, "store %s", path);
	for (;;) {
		char comp[NAME_MAX + 1];
		size_t n;
		int next, last;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n > NAME_MAX) {
			close(fd);
			return fs_fail(err, "store %s: name too long", path);
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		last = p[strspn(p, "/")] == '\0';
		if (strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0) {
			close(fd);
			return fs_fail(err, "store %s: '.' and '..' are not allowed", path);
		}
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, comp, last ? 0700 : 0755) < 0 && errno != EEXIST) {
				fs_fail_errno(err, errno, "cannot create store %s", path);
				close(fd);
				return -1;
			}
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			int e = errno;

			close(fd);
			if (e == ENOENT && missing)
				*missing = 1;
			if (e == ELOOP || e == ENOTDIR)
				return fs_fail(err, "store %s: '%s' is a symlink or not a directory",
					       path, comp);
			return fs_fail_errno(err, e, "store %s", path);
		}
		close(fd);
		fd = next;
		if (fstat(fd, &st) < 0 || unsafe_dir(&st, last)) {
			close(fd);
			return fs_fail(err, "store %s: refused, '%s' is writable by another user "
				       "or not owned by root", path, comp);
		}
	}
	if (fstat(fd, &st) < 0 || unsafe_dir(&st, 1)) {
		close(fd);
		return fs_fail(err, "store %s: refused, writable by another user", path);
	}
	return fd;
}

fs_os_store *fs_os_store_open(const char *path, int create, int *missing,
			       fs_err *err)
{
	fs_os_store *s = calloc(1, sizeof *s);
	char cwd[PATH_MAX];
	struct stat st;

	if (!s) {
		fs_fail(err, "out of memory");
		return NULL;
	}
	s->fd = s->lockfd = -1;
	fs_dircache_init(&s->files);
	if (path[0] != '/') {
		if (!getcwd(cwd, sizeof cwd) || strlen(cwd) + strlen(path) + 2 > sizeof cwd) {
			fs_fail(err, "store %s: cannot make the path absolute", path);
			goto fail;
		}
		strcat(cwd, "/");
		strcat(cwd, path);
		path = cwd;
	}
	s->path = strdup(path);
	s->fd = open_checked(path, create, missing, err);
	if (!s->path || s->fd < 0 || fstat(s->fd, &st) < 0)
		goto fail;
	s->dev = st.st_dev;
	return s;
fail:
	fs_os_store_close(s);
	return NULL;
}

void fs_os_store_close(fs_os_store *s)
{
	if (!s)
		return;
	fs_dircache_drop(&s->files);
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	free(s);
}

int fs_os_store_lock(fs_os_store *s, fs_err *err)
{
	struct stat st;

	if (s->lockfd < 0) {
		s->lockfd = openat(s->fd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (s->lockfd < 0)
			return fs_fail_errno(err, errno, "store lock");
		if (fstat(s->lockfd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(s->lockfd);
			s->lockfd = -1;
			return fs_fail(err, "store lock is not a regular file");
		}
	}
	while (flock(s->lockfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return fs_fail_errno(err, errno, "store lock");
	return 0;
}

void fs_os_store_unlock(fs_os_store *s)
{
	if (s->lockfd >= 0)
		flock(s->lockfd, LOCK_UN);
}

int fs_os_store_list(fs_os_store *s, char ***names, size_t *n, fs_err *err)
{
	DIR *d = fs_linux_opendir(s->fd, ".");
	struct dirent *de;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return fs_fail_errno(err, errno, "cannot list the store");
	while ((de = readdir(d))) {
		char **slot;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		slot = fs_grow((void **)names, n, &cap, sizeof **names);
		if (!slot || !(*slot = strdup(de->d_name))) {
			if (slot)
				(*n)--;
			closedir(d);
			return fs_fail(err, "out of memory");
		}
	}
	closedir(d);
	if (*n > 1)
		qsort(*names, *n, sizeof **names, fs_cmp_name);
	return 0;
}

int fs_os_store_rename(fs_os_store *s, const char *from, const char *to, fs_err *err)
{
	fs_dircache_drop(&s->files);
	if (renameat2(s->fd, from, s->fd, to, RENAME_NOREPLACE) < 0)
		return fs_fail_errno(err, errno, "cannot rename %s to %s", from, to);
	if (fsync(s->fd) < 0)
		return fs_fail_errno(err, errno, "cannot sync the store");
	return 0;
}

/*
 * Removing a tree.  A snapshot is at most FS_KEEP_DEPTH + 2 levels deep
 * (files/, the kept path's directories); the walk holds one descriptor per
 * level and goes no deeper than that.  A directory deeper than that (left by
 * an older forksafe) is not refused but lifted: renamed to the top of the
 * entry being removed, and removed by a later pass.  Every error is
 * remembered (the first one is returned) and the walk goes on with the rest,
 * as systemd's rm_rf does.
 */
#define WALK_DEPTH (FS_KEEP_DEPTH + 2)
#define MAX_PASSES 64 /* of lifting: trees up to 64 * WALK_DEPTH levels */

struct rm {
	dev_t dev;
	int top;            /* the entry being removed */
	unsigned lifted;    /* directories moved to the top in this pass */
	unsigned serial;    /* for their names */
	int failed;
	fs_err *err;
};

/* Fills err with the first failure only; returns -1. */
static int rm_fail(struct rm *rm, int errnum, const char *fmt, const char *name)
{
	fs_err e;

	if (!rm->failed)
		errnum ? fs_fail_errno(&e, errnum, fmt, name) : fs_fail(&e, fmt, name);
	if (!rm->failed && rm->err)
		*rm->err = e;
	rm->failed = 1;
	return -1;
}

/* Moves the directory name (in fd) to the top under a fresh name. */
static void lift(struct rm *rm, int fd, const char *name)
{
	for (unsigned tries = 0; tries < 1000; tries++) {
		char to[32];

		snprintf(to, sizeof to, "lifted-%u", rm->serial++);
		if (renameat2(fd, name, rm->top, to, RENAME_NOREPLACE) == 0) {
			rm->lifted++;
			return;
		}
		if (errno != EEXIST)
			break;
	}
	rm_fail(rm, errno, "cannot remove %s: nested too deep and cannot be moved up", name);
}

static void empty_dir(struct rm *rm, int fd, int depth, const char *name);

/* Removes one entry of the directory fd (at depth). */
static void remove_entry(struct rm *rm, int fd, const char *name, int depth)
{
	struct stat st;
	int sub;

	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			rm_fail(rm, errno, "store entry %s", name);
		return;
	}
	if (st.st_dev != rm->dev) {
		rm_fail(rm, 0, "store entry %s is on another filesystem: left alone", name);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		/* files, and symlinks themselves: never what they point to */
		if (unlinkat(fd, name, 0) < 0 && errno != ENOENT)
			rm_fail(rm, errno, "cannot remove %s", name);
		return;
	}
	if (depth + 1 > WALK_DEPTH) {
		lift(rm, fd, name);
		return;
	}
	sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0) {
		rm_fail(rm, errno, "store directory %s", name);
		return;
	}
	empty_dir(rm, sub, depth + 1, name);
	if (unlinkat(fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && errno != ENOTEMPTY)
		rm_fail(rm, errno, "cannot remove %s", name);
}

/* Removes everything inside directory fd (name, taking fd), depth-first. */
static void empty_dir(struct rm *rm, int fd, int depth, const char *name)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;

	if (!d) {
		rm_fail(rm, errno, "cannot read the store directory %s", name);
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			remove_entry(rm, dirfd(d), de->d_name, depth);
	}
	closedir(d);
}

/* Empties directory fd (the store's name, on dev): passes until nothing
 * was lifted. */
static int empty_tree(int fd, const char *name, dev_t dev, fs_err *err)
{
	struct rm rm = { .dev = dev, .top = fd, .err = err };

	for (int pass = 0; pass < MAX_PASSES; pass++) {
		int sub = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (sub < 0)
			return fs_fail_errno(err, errno, "cannot read the store entry %s", name);
		rm.lifted = 0;
		empty_dir(&rm, sub, 0, name);
		if (rm.failed || rm.lifted == 0)
			return rm.failed ? -1 : 0;
	}
	return fs_fail(err, "store directory nested deeper than %d levels: left alone",
		       MAX_PASSES * WALK_DEPTH);
}

int fs_os_store_remove(fs_os_store *s, const char *name, fs_err *err)
{
	struct stat st;
	int fd, rc;

	fs_dircache_drop(&s->files);
	if (fstatat(s->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : fs_fail_errno(err, errno, "store entry %s", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(s->fd, name, 0) < 0 && errno != ENOENT)
			return fs_fail_errno(err, errno, "cannot remove %s", name);
		return 0;
	}
	if (st.st_dev != s->dev)
		return fs_fail(err, "store entry %s is on another filesystem: left alone", name);
	/* protect's copies are files (protect_linux.c): a directory under that
	 * name came in from a user's path (a swap cut short), never emptied */
	if (strncmp(name, ".tmp-protect-", sizeof ".tmp-protect-" - 1) == 0)
		return fs_fail(err, "store entry %s is a directory, not a copy protect made: "
			       "left alone", name);
	fd = openat(s->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fs_fail_errno(err, errno, "store entry %s", name);
	rc = empty_tree(fd, name, s->dev, err);
	close(fd);
	if (rc == 0 && unlinkat(s->fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = fs_fail_errno(err, errno, "cannot remove %s", name);
	fsync(s->fd);
	return rc;
}
