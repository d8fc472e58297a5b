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

#define MAX_DEPTH 256

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

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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
		qsort(*names, *n, sizeof **names, by_name);
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

/* Removes everything inside directory fd (on device dev), depth-first. */
static int empty_dir(int fd, dev_t dev, int depth, fs_err *err)
{
	DIR *d = fs_linux_opendir(fd, ".");
	struct dirent *de;
	int rc = 0;

	if (!d)
		return fs_fail_errno(err, errno, "cannot read a store directory");
	if (depth > MAX_DEPTH) {
		closedir(d);
		return fs_fail(err, "store directory nested too deep");
	}
	while (rc == 0 && (de = readdir(d))) {
		struct stat st;
		int sub;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				rc = fs_fail_errno(err, errno, "store entry %s", de->d_name);
			continue;
		}
		if (st.st_dev != dev) {
			rc = fs_fail(err, "store entry %s is on another filesystem: left alone",
				     de->d_name);
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			/* files, and symlinks themselves: never what they point to */
			if (unlinkat(fd, de->d_name, 0) < 0 && errno != ENOENT)
				rc = fs_fail_errno(err, errno, "cannot remove %s", de->d_name);
			continue;
		}
		sub = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			rc = fs_fail_errno(err, errno, "store directory %s", de->d_name);
			continue;
		}
		rc = empty_dir(sub, dev, depth + 1, err);
		close(sub);
		if (rc == 0 && unlinkat(fd, de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
			rc = fs_fail_errno(err, errno, "cannot remove %s", de->d_name);
	}
	closedir(d);
	return rc;
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
	fd = openat(s->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fs_fail_errno(err, errno, "store entry %s", name);
	rc = empty_dir(fd, s->dev, 0, err);
	close(fd);
	if (rc == 0 && unlinkat(s->fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = fs_fail_errno(err, errno, "cannot remove %s", name);
	fsync(s->fd);
	return rc;
}
