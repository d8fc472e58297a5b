/*
 * file.c - opening and reading a root's database files, which may come from
 * anyone: only regular files, opened without blocking (a FIFO in place of a
 * .list would otherwise hang the reader forever), never larger than the
 * caller's limit, and every load within FS_DB_TOTAL_MAX.
 */
#define _GNU_SOURCE
#include "load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail_keep_errno(fs_err *err, int e, const char *shown, const char *why)
{
	fs_load_fail(err, "%s: %s", shown, why);
	errno = e;
	return -1;
}

int fs_load_open(int dirfd, const char *path, const char *shown, int nofollow,
		 unsigned long long max, fs_err *err)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
				     (nofollow ? O_NOFOLLOW : 0));
	struct stat st;
	int e, flags;

	if (fd < 0) {
		e = errno;
		return fail_keep_errno(err, e, shown, e == ELOOP && nofollow
				       ? "a symbolic link, not a regular file" : strerror(e));
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		return fail_keep_errno(err, e, shown, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fail_keep_errno(err, EINVAL, shown, "not a regular file");
	}
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		fs_load_fail(err, "%s: larger than %llu MiB", shown, max >> 20);
		errno = EFBIG;
		return -1;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		e = errno;
		close(fd);
		return fail_keep_errno(err, e, shown, strerror(e));
	}
	return fd;
}

/* Reads fd to its end, at most max bytes (the file may have grown); on
 * failure errno says why, as the callers tell "absent" (ENOENT) apart. */
static int read_all(int fd, const char *shown, size_t max, char **buf, size_t *len,
		    fs_err *err)
{
	size_t cap = 0, n = 0;
	char *b = NULL;

	for (;;) {
		ssize_t r;

		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 4096;
			char *nb = realloc(b, ncap + 1);

			if (!nb) {
				free(b);
				return fail_keep_errno(err, ENOMEM, shown, "out of memory");
			}
			b = nb;
			cap = ncap;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(b);
			return fail_keep_errno(err, e, shown, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(b);
			fs_load_fail(err, "%s: larger than %zu MiB", shown, max >> 20);
			errno = EFBIG; /* never a stale ENOENT: callers read errno */
			return -1;
		}
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int fs_load_read(int dirfd, const char *path, const char *shown, size_t max,
		 fs_load_budget *budget, char **buf, size_t *len, fs_err *err)
{
	int fd = fs_load_open(dirfd, path, shown, 1, max, err), rc;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return -1;
	rc = read_all(fd, shown, max, buf, len, err);
	if (rc < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	if (budget && (budget->used += *len) > FS_DB_TOTAL_MAX) {
		free(*buf);
		*buf = NULL;
		fs_load_fail(err, "%s: the database is larger than %llu MiB in all", shown,
			     FS_DB_TOTAL_MAX >> 20);
		errno = EFBIG;
		return -1;
	}
	return 0;
}
