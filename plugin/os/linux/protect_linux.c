/*
 * protect_linux.c - replace an in-use file by a fresh copy of itself, so a
 * writer that truncates and rewrites the path in place (cp, some linkers)
 * writes a new inode instead of the one running processes map.
 *
 * The copy keeps content, mode, owner, timestamps and extended attributes
 * (security.capability included), is fsync'ed, and is renamed over the
 * path only if the path still names the file it copies.  It is built inside
 * the store when the store shares the file's filesystem, so an interrupted
 * run leaves a .tmp-protect-* that retire removes; otherwise next to the
 * file, as .forksafe-protect-<pid>-<name>.
 */
#define _GNU_SOURCE
#include "linux.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static int copy_data(int src, int dst, off_t size)
{
	off_t left = size;
	char buf[65536];
	ssize_t n;

	if (ioctl(dst, FICLONE, src) == 0)
		return 0;
	while (left > 0 && (n = copy_file_range(src, NULL, dst, NULL, (size_t)left, 0)) > 0)
		left -= n;
	if (left > 0 && lseek(src, size - left, SEEK_SET) >= 0) {
		while (left > 0 && (n = read(src, buf, sizeof buf)) > 0) {
			if (write(dst, buf, (size_t)n) != n)
				return -1;
			left -= n;
		}
	}
	return left == 0 ? 0 : -1;
}

/* Owner, mode, then xattrs: chown clears set-id bits and capabilities. */
static int copy_attrs(int src, int dst, const struct stat *st)
{
	char *names = NULL, *val = NULL;
	ssize_t len = flistxattr(src, NULL, 0);
	int rc = 0;

	if (fchown(dst, st->st_uid, st->st_gid) < 0 || fchmod(dst, st->st_mode & 07777) < 0)
		return -1;
	if (len < 0)
		return errno == ENOTSUP ? 0 : -1;
	names = malloc((size_t)len + 1);
	if (!names || (len = flistxattr(src, names, (size_t)len)) < 0) {
		free(names);
		return -1;
	}
	for (char *n = names; rc == 0 && n < names + len; n += strlen(n) + 1) {
		ssize_t vlen = fgetxattr(src, n, NULL, 0);

		if (vlen < 0) {
			rc = -1;
			break;
		}
		free(val);
		val = malloc((size_t)vlen + 1);
		if (!val || fgetxattr(src, n, val, (size_t)vlen) != vlen ||
		    fsetxattr(dst, n, val, (size_t)vlen, 0) < 0)
			rc = -1;
	}
	free(val);
	free(names);
	return rc;
}

int fs_os_replace_with_copy(fs_os_store *s, const char *snap, fs_os_root *root,
			    const char *relpath, fs_id id, fs_err *err)
{
	static unsigned counter;
	char resolved[FS_LINE_MAX + 2], tmp[NAME_MAX + 1];
	const char *name;
	int dir, src = -1, dst = -1, tdir, rc = -1;
	struct stat st, dst_st, now;

	(void)snap; /* the copy is renamed over the path: nothing goes aside */

	snprintf(resolved, sizeof resolved, "/%s", relpath);
	if (fs_os_root_parent(root, resolved, &dir, &name, err) < 0)
		return -1; /* dir belongs to the root's cache */
	src = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (src < 0 || fstat(src, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_dev != id.dev || (uint64_t)st.st_ino != id.ino) {
		fs_fail(err, "%s: changed before it could be protected", resolved);
		goto out;
	}
	if (st.st_dev == s->dev) {
		tdir = s->fd;
		snprintf(tmp, sizeof tmp, ".tmp-protect-%d-%u", (int)getpid(), counter++);
	} else {
		tdir = dir;
		snprintf(tmp, sizeof tmp, ".forksafe-protect-%d-%.200s", (int)getpid(), name);
	}
	dst = openat(tdir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (dst < 0) {
		fs_fail_errno(err, errno, "%s: cannot create its copy", resolved);
		goto out;
	}
	if (copy_data(src, dst, st.st_size) < 0 || copy_attrs(src, dst, &st) < 0 ||
	    futimens(dst, (struct timespec[2]){ st.st_atim, st.st_mtim }) < 0 ||
	    fsync(dst) < 0 || fstat(dst, &dst_st) < 0) {
		fs_fail_errno(err, errno, "%s: cannot copy", resolved);
		goto fail_tmp;
	}
	/* rename over the path only if it still names the file copied */
	if (fstatat(dir, name, &now, AT_SYMLINK_NOFOLLOW) < 0 || now.st_ino != st.st_ino ||
	    now.st_dev != st.st_dev) {
		fs_fail(err, "%s: changed while being protected", resolved);
		goto fail_tmp;
	}
	if (renameat(tdir, tmp, dir, name) < 0) {
		fs_fail_errno(err, errno, "%s: cannot replace", resolved);
		goto fail_tmp;
	}
	fsync(dir);
	rc = 0;
	goto out;
fail_tmp:
	unlinkat(tdir, tmp, 0);
out:
	if (dst >= 0)
		close(dst);
	if (src >= 0)
		close(src);
	return rc;
}
