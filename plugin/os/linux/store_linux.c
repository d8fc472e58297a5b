/*
 * store_linux.c - directory handles (os.h's fs_os_dir) on Linux: a directory
 * fd opened safely once, and directories under it; listing, renaming,
 * removing a tree and the exclusive lock, all relative to an fd (after
 * systemd's rm-rf/chase).  Directories are opened with O_NOFOLLOW, files are
 * examined with AT_SYMLINK_NOFOLLOW, and a walk never enters another
 * filesystem.  A safe root is refused when it or a directory above it could
 * be changed by another user.  Files inside a directory: snap_linux.c.
 * Nothing here knows the store's layout (core/store.h).
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

/* One component of the walk: comp in fd opened (made first when create
 * and missing) and checked; the next fd, or -1 with err. */
static int open_step(int fd, const char *comp, int last, int create, const char *path,
		     int *missing, fs_err *err)
{
	struct stat st;
	int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (next < 0 && errno == ENOENT && create) {
		if (mkdirat(fd, comp, last ? 0700 : 0755) < 0 && errno != EEXIST)
			return fs_fail_errno(err, errno, "cannot create store %s", path);
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (next < 0) {
		int e = errno;

		if (e == ENOENT && missing)
			*missing = 1;
		if (e == ELOOP || e == ENOTDIR)
			return fs_fail(err, "store %s: '%s' is a symlink or not a directory", path,
				       comp);
		return fs_fail_errno(err, e, "store %s", path);
	}
	if (fstat(next, &st) < 0 || unsafe_dir(&st, last)) {
		close(next);
		return fs_fail(err, "store %s: refused, '%s' is writable by another user "
			       "or not owned by root", path, comp);
	}
	return next;
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
		int next;

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
		if (strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0) {
			close(fd);
			return fs_fail(err, "store %s: '.' and '..' are not allowed", path);
		}
		next = open_step(fd, comp, p[strspn(p, "/")] == '\0', create, path, missing, err);
		close(fd);
		if (next < 0)
			return -1;
		fd = next;
	}
	if (fstat(fd, &st) < 0 || unsafe_dir(&st, 1)) {
		close(fd);
		return fs_fail(err, "store %s: refused, writable by another user", path);
	}
	return fd;
}

static fs_os_dir *dir_new(int fd, dev_t dev, const char *shown, fs_err *err)
{
	fs_os_dir *d = calloc(1, sizeof *d);

	if (d) {
		d->fd = fd;
		d->lockfd = -1;
		d->dev = dev;
		d->shown = strdup(shown);
	}
	if (!d || !d->shown) {
		fs_os_dir_close(d);
		if (!d)
			close(fd);
		fs_fail(err, "out of memory");
		return NULL;
	}
	return d;
}

fs_os_dir *fs_os_dir_open_safe(const char *path, int create, int *missing, fs_err *err)
{
	char cwd[PATH_MAX];
	struct stat st;
	int fd;

	if (missing)
		*missing = 0;
	if (path[0] != '/') {
		if (!getcwd(cwd, sizeof cwd) || strlen(cwd) + strlen(path) + 2 > sizeof cwd) {
			fs_fail(err, "store %s: cannot make the path absolute", path);
			return NULL;
		}
		strcat(cwd, "/");
		strcat(cwd, path);
		path = cwd;
	}
	fd = open_checked(path, create, missing, err);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		fs_fail_errno(err, errno, "store %s", path);
		close(fd);
		return NULL;
	}
	return dir_new(fd, st.st_dev, "", err);
}

/* The shown name of relpath under d. */
static int join_shown(const fs_os_dir *d, const char *relpath, char *buf, size_t size)
{
	int n = d->shown[0] ? snprintf(buf, size, "%s/%s", d->shown, relpath)
			    : snprintf(buf, size, "%s", relpath);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* One component of a walk: opened (made first when create) as a directory
 * on dev, or -1 with errno (EXDEV: another filesystem). */
static int open_sub(int fd, const char *comp, int create, dev_t dev)
{
	struct stat st;
	int next;

	if (create && mkdirat(fd, comp, 0700) < 0 && errno != EEXIST)
		return -1;
	next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (next >= 0 && (fstat(next, &st) < 0 || st.st_dev != dev)) {
		close(next);
		errno = EXDEV;
		return -1;
	}
	return next;
}

fs_os_dir *fs_os_dir_open_at(fs_os_dir *d, const char *relpath, int create, int *missing,
			     fs_err *err)
{
	char shown[2 * FS_LINE_MAX + 2];
	const char *p = relpath;
	int fd, e;

	if (missing)
		*missing = 0;
	if (join_shown(d, relpath, shown, sizeof shown) < 0) {
		fs_fail(err, "%s: path too long", relpath);
		return NULL;
	}
	/* the first component from d itself; "" is d again, with an fd of its own */
	fd = *p ? -1 : openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	e = fd < 0 && !*p ? errno : 0;
	while (*p && e == 0) {
		char comp[NAME_MAX + 1];
		size_t n = strcspn(p, "/");
		int next;

		if (n == 0 || n > NAME_MAX || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.')) {
			if (fd >= 0)
				close(fd);
			fs_fail(err, "%s: not a relative path", shown);
			return NULL;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n + (p[n] == '/');
		next = open_sub(fd >= 0 ? fd : d->fd, comp, create, d->dev);
		e = next < 0 ? errno : 0;
		if (fd >= 0)
			close(fd);
		fd = next;
	}
	if (fd < 0) {
		if (e == EXDEV)
			fs_fail(err, "%s: leaves the store's filesystem", shown);
		else
			fs_fail_errno(err, e, "%s", shown);
		if (missing && !create && (e == ENOENT || e == ENOTDIR))
			*missing = 1;
		return NULL;
	}
	return dir_new(fd, d->dev, shown, err);
}

void fs_os_dir_close(fs_os_dir *d)
{
	if (!d)
		return;
	if (d->lockfd >= 0)
		close(d->lockfd);
	if (d->fd >= 0)
		close(d->fd);
	free(d->shown);
	free(d);
}

int fs_os_lock(fs_os_dir *d, const char *name, fs_err *err)
{
	struct stat st;

	if (d->lockfd < 0) {
		d->lockfd = openat(d->fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (d->lockfd < 0)
			return fs_fail_errno(err, errno, "store lock");
		if (fstat(d->lockfd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(d->lockfd);
			d->lockfd = -1;
			return fs_fail(err, "store lock is not a regular file");
		}
	}
	while (flock(d->lockfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return fs_fail_errno(err, errno, "store lock");
	return 0;
}

int fs_os_list(fs_os_dir *dir, char ***names, size_t *n, fs_err *err)
{
	DIR *d = fs_linux_opendir(dir->fd, ".");
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

int fs_os_rename(fs_os_dir *d, const char *from, const char *to, fs_err *err)
{
	if (renameat2(d->fd, from, d->fd, to, RENAME_NOREPLACE) < 0)
		return fs_fail_errno(err, errno, "cannot rename %s to %s", from, to);
	if (fsync(d->fd) < 0)
		return fs_fail_errno(err, errno, "cannot sync the store");
	return 0;
}

/*
 * Removing a tree.  The walk holds one descriptor per level and goes no
 * deeper than the caller's depth (the store: a snapshot's depth).  A
 * directory deeper than that (left by an older forksafe) is not refused but
 * lifted: renamed to the top of the entry being removed, and removed by a
 * later pass.  Every error is
 * remembered (the first one is returned) and the walk goes on with the rest,
 * as systemd's rm_rf does.
 */
#define MAX_PASSES 64 /* of lifting: trees up to 64 * depth levels */

struct rm {
	dev_t dev;
	int depth;          /* levels walked at most */
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
	if (depth + 1 > rm->depth) {
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
static int empty_tree(int fd, const char *name, dev_t dev, int depth, fs_err *err)
{
	struct rm rm = { .dev = dev, .depth = depth, .top = fd, .err = err };

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
		       MAX_PASSES * depth);
}

int fs_os_remove_tree(fs_os_dir *d, const char *name, unsigned depth, fs_err *err)
{
	struct stat st;
	int fd, rc;

	if (depth > 4 * FS_KEEP_DEPTH)
		return fs_fail(err, "%s: a removal %u levels deep is not made", name, depth);
	if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : fs_fail_errno(err, errno, "store entry %s", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(d->fd, name, 0) < 0 && errno != ENOENT)
			return fs_fail_errno(err, errno, "cannot remove %s", name);
		return 0;
	}
	if (st.st_dev != d->dev)
		return fs_fail(err, "store entry %s is on another filesystem: left alone", name);
	fd = openat(d->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fs_fail_errno(err, errno, "store entry %s", name);
	rc = empty_tree(fd, name, d->dev, (int)depth, err);
	close(fd);
	if (rc == 0 && unlinkat(d->fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = fs_fail_errno(err, errno, "cannot remove %s", name);
	fsync(d->fd);
	return rc;
}
