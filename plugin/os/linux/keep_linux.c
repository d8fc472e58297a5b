/*
 * keep_linux.c - putting a file into a snapshot and taking it out again.
 * A hardlink when the store shares the file's filesystem (same inode, no
 * space), else a reflink (FICLONE), else a copy; the caller is told which.
 */
#define _GNU_SOURCE
#include "linux.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static int same_id(const struct stat *st, fs_id id)
{
	return (uint64_t)st->st_dev == id.dev && (uint64_t)st->st_ino == id.ino;
}

/* Reflink, else copy, of src into a new file dname in dfd. */
static int clone_or_copy(int src, const struct stat *sst, int dfd, const char *dname,
			 int *method, fs_err *err)
{
	int dst = openat(dfd, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	off_t left = sst->st_size;

	if (dst < 0)
		return fs_fail_errno(err, errno, "cannot create the kept copy of %s", dname);
	if (ioctl(dst, FICLONE, src) == 0) {
		*method = FS_KEEP_REFLINK;
	} else {
		*method = FS_KEEP_COPY;
		while (left > 0) {
			ssize_t n = copy_file_range(src, NULL, dst, NULL, (size_t)left, 0);

			if (n <= 0)
				break;
			left -= n;
		}
		if (left > 0) {
			/* copy_file_range may refuse some filesystems: plain copy */
			char buf[65536];
			ssize_t n;

			if (lseek(src, sst->st_size - left, SEEK_SET) < 0)
				left = -1;
			while (left > 0 && (n = read(src, buf, sizeof buf)) > 0) {
				if (write(dst, buf, (size_t)n) != n)
					break;
				left -= n;
			}
		}
	}
	if (left != 0 || fchmod(dst, sst->st_mode & 07777) < 0 || fsync(dst) < 0) {
		int e = errno;

		close(dst);
		unlinkat(dfd, dname, 0);
		return fs_fail_errno(err, e ? e : EIO, "cannot copy %s", dname);
	}
	close(dst);
	return 0;
}

int fs_os_snap_keep(fs_os_store *s, const char *snap, fs_os_root *root,
		    const char *relpath, fs_id id, int *method, uint64_t *size,
		    int64_t *mtime_ns, fs_err *err)
{
	char resolved[FS_LINE_MAX + 2];
	const char *sname, *dname;
	int sdir = -1, ddir = -1, src = -1, rc = -1;
	struct stat st;

	snprintf(resolved, sizeof resolved, "/%s", relpath);
	if (fs_os_root_parent(root, resolved, &sdir, &sname, err) < 0)
		return -1;
	if (fstatat(sdir, sname, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		fs_fail_errno(err, errno, "%s", resolved);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || !same_id(&st, id)) {
		fs_fail(err, "%s: changed before it could be kept", resolved);
		goto out;
	}
	*size = (uint64_t)st.st_size;
	*mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	if (fs_linux_files_parent(s, snap, relpath, 1, &ddir, &dname, err) != 0)
		goto out;
	if (linkat(sdir, sname, ddir, dname, 0) == 0) {
		/* the name may have been swapped between the check and the link */
		if (fstatat(ddir, dname, &st, AT_SYMLINK_NOFOLLOW) < 0 || !same_id(&st, id)) {
			unlinkat(ddir, dname, 0);
			fs_fail(err, "%s: changed while being kept", resolved);
			goto out;
		}
		*method = FS_KEEP_LINK;
		rc = 0;
		goto out;
	}
	if (errno != EXDEV && errno != EPERM) {
		fs_fail_errno(err, errno, "cannot link %s into the store", resolved);
		goto out;
	}
	src = openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (src < 0 || fstat(src, &st) < 0 || !same_id(&st, id)) {
		fs_fail(err, "%s: changed while being kept", resolved);
		goto out;
	}
	rc = clone_or_copy(src, &st, ddir, dname, method, err);
out:
	if (src >= 0)
		close(src);
	if (sdir >= 0)
		close(sdir);
	if (ddir >= 0) {
		fsync(ddir);
		close(ddir);
	}
	return rc;
}

int fs_os_snap_drop(fs_os_store *s, const char *snap, const char *relpath, fs_err *err)
{
	const char *name;
	char *dirs;
	struct stat st;
	int dfd, r, rc = 0;

	r = fs_linux_files_parent(s, snap, relpath, 0, &dfd, &name, err);
	if (r != 0)
		return r > 0 ? 0 : -1;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(st.st_mode))
			rc = fs_fail(err, "%s/files/%s is a directory: left alone", snap, relpath);
		else if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
			rc = fs_fail_errno(err, errno, "cannot remove %s/files/%s", snap, relpath);
	}
	close(dfd);
	/* remove the directories the file leaves empty, deepest first */
	dirs = strdup(relpath);
	while (rc == 0 && dirs) {
		char *slash = strrchr(dirs, '/');

		if (!slash)
			break;
		*slash = '\0';
		if (fs_linux_files_parent(s, snap, dirs, 0, &dfd, &name, NULL) != 0)
			break;
		if (unlinkat(dfd, name, AT_REMOVEDIR) < 0) {
			close(dfd);
			break; /* not empty (or gone): stop */
		}
		close(dfd);
	}
	free(dirs);
	return rc;
}

int fs_os_snap_stat(fs_os_store *s, const char *snap, const char *relpath,
		    fs_id *id, uint64_t *bytes, fs_err *err)
{
	const char *name;
	struct stat st;
	int dfd, r;

	r = fs_linux_files_parent(s, snap, relpath, 0, &dfd, &name, err);
	if (r != 0)
		return r > 0 ? 0 : -1;
	r = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW);
	close(dfd);
	if (r < 0)
		return errno == ENOENT ? 0 : fs_fail_errno(err, errno, "%s/files/%s", snap, relpath);
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	*bytes = st.st_nlink > 1 ? 0 : (uint64_t)st.st_blocks * 512;
	return 1;
}
