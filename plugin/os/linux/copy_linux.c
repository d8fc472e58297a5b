/*
 * copy_linux.c - the one copy of a file's data in the Linux backend: guard's
 * copy into a store on another filesystem (keep_linux.c) and protect's fresh
 * copy (protect_linux.c) both come here.
 *
 * A reflink first (FICLONE: the original's blocks are shared, nothing is
 * written).  Else only the data extents are written (SEEK_DATA/SEEK_HOLE),
 * each by copy_file_range() or, where the filesystem refuses it, by
 * pread/pwrite at the same offset, and the size is set last: a hole stays a
 * hole, so a 300 MiB file with 36 KiB of data takes 36 KiB.  Every size is
 * checked: a source with more data than was counted, shorter than its size
 * or of another size at the end is reported as changed, never copied in
 * part.  A budget, when given, is charged the data bytes before anything is
 * written and given back if the copy fails.
 */
#define _GNU_SOURCE
#include "../../core/err.h"
#include "linux.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_CHUNK ((off_t)1 << 30) /* the most one copy_file_range() is asked for */

/* The next data extent of src at or after off, below size: 1 with [*d, *h),
 * 0 when only holes are left, -1 on error.  A filesystem without SEEK_DATA
 * gives the whole rest as data. */
static int next_data(int src, off_t off, off_t size, off_t *d, off_t *h)
{
	*d = lseek(src, off, SEEK_DATA);
	if (*d < 0 && errno == ENXIO)
		return 0;
	if (*d < 0 && errno != EINVAL && errno != EOPNOTSUPP)
		return -1;
	if (*d < 0)
		*d = off;
	if (*d >= size)
		return 0;
	*h = lseek(src, *d, SEEK_HOLE);
	if (*h <= *d || *h > size)
		*h = size; /* no hole reported (or truncated meanwhile: found below) */
	return 1;
}

/* The bytes of data (holes left out) in src's first size bytes: 0 or -1. */
static int data_bytes(int src, off_t size, uint64_t *bytes)
{
	off_t off = 0, d, h;
	int r;

	*bytes = 0;
	while ((r = next_data(src, off, size, &d, &h)) > 0) {
		*bytes += (uint64_t)(h - d);
		off = h;
	}
	return r;
}

/* All n bytes of buf to dst at off: 0 or -1 (errno). */
static int write_all(int dst, const char *buf, size_t n, off_t off)
{
	while (n > 0) {
		ssize_t w = pwrite(dst, buf, n, off);

		if (w < 0)
			return -1;
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		buf += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

/* Copies [off, off + len) of src to the same place in dst: 0, -1 (errno),
 * or FS_COPY_CHANGED when src ends before off + len. */
static int copy_range(int src, int dst, off_t off, off_t len)
{
	loff_t in = off, out = off;
	char buf[65536];

	while (len > 0) {
		ssize_t n = copy_file_range(src, &in, dst, &out,
					    (size_t)(len < COPY_CHUNK ? len : COPY_CHUNK), 0);

		if (n <= 0 || n > len)
			break; /* refused here (or at the end): the plain copy says which */
		len -= n;
	}
	while (len > 0) {
		ssize_t n = pread(src, buf, len < (off_t)sizeof buf ? (size_t)len : sizeof buf, in);

		if (n < 0)
			return -1;
		if (n == 0)
			return FS_COPY_CHANGED; /* shorter than its size now */
		if (write_all(dst, buf, (size_t)n, out) < 0)
			return -1;
		in += n;
		out += n;
		len -= n;
	}
	return 0;
}

/* The data of src's first size bytes into dst, at most max bytes of it, then
 * dst's size; src must still have that size afterwards. */
static int copy_extents(int src, int dst, off_t size, uint64_t max)
{
	off_t off = 0, d, h;
	uint64_t done = 0;
	struct stat now;
	int r;

	while ((r = next_data(src, off, size, &d, &h)) > 0) {
		if ((uint64_t)(h - d) > max - done)
			return FS_COPY_CHANGED; /* more data than was counted */
		if ((r = copy_range(src, dst, d, h - d)) != 0)
			return r;
		done += (uint64_t)(h - d);
		off = h;
	}
	if (r < 0 || ftruncate(dst, size) < 0 || fstat(src, &now) < 0)
		return -1;
	return now.st_size == size ? 0 : FS_COPY_CHANGED;
}

int fs_linux_copy(int src, off_t size, int dst, fs_budget *b, int *method,
		  uint64_t *bytes)
{
	struct stat now;
	int r;

	*bytes = 0;
	if (size < 0) {
		errno = EINVAL;
		return -1;
	}
	if (ioctl(dst, FICLONE, src) == 0) {
		*method = FS_KEEP_REFLINK;
		if (fstat(dst, &now) < 0)
			return -1;
		return now.st_size == size ? 0 : FS_COPY_CHANGED;
	}
	*method = FS_KEEP_COPY;
	if (!b) /* unlimited: the data cannot be more than the size */
		return copy_extents(src, dst, size, (uint64_t)size);
	if (data_bytes(src, size, bytes) < 0)
		return -1;
	if (fs_budget_take(b, *bytes) < 0)
		return FS_COPY_BUDGET;
	r = copy_extents(src, dst, size, *bytes);
	if (r != 0)
		fs_budget_give(b, *bytes);
	return r;
}

int fs_linux_copy_file(int src, const struct stat *sst, int dst, fs_budget *b,
		       const char *what, const char *verb, int *method, uint64_t *bytes,
		       fs_err *err)
{
	switch (fs_linux_copy(src, sst->st_size, dst, b, method, bytes)) {
	case 0:
		return 0;
	case FS_COPY_BUDGET:
		return fs_budget_refuse(b, *bytes, what, err);
	case FS_COPY_CHANGED:
		return fs_fail(err, "%s: changed while being %s", what, verb);
	default:
		return fs_fail_errno(err, errno, "cannot copy %s", what);
	}
}
