/*
 * keep_linux.c - keeping a root's file under a name of a directory handle
 * (os.h's fs_os_keep): a hardlink when both share a filesystem (same
 * inode, no space), else a reflink (FICLONE), else a copy of its data
 * (holes kept, within the caller's copy budget); the caller is told which.
 * A copy is root's file, whoever owned the original: it never carries the
 * set-uid, set-gid or sticky bit, nor any extended attribute (a file
 * capability among them: nothing but the data is copied).
 */
#define _GNU_SOURCE
#include "linux.h"
#include "../../core/err.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int same_id(const struct stat *st, fs_id id)
{
	return (uint64_t)st->st_dev == id.dev && (uint64_t)st->st_ino == id.ino;
}

/* A copy of src (its stat *st) as dst's dname: root's file, permission
 * bits only, synced; *st becomes the copy's stat.  Removed on failure. */
static int copy_into(int src, struct stat *st, fs_os_dir *dst, const char *dname,
		     fs_budget *b, const char *what, int *method, fs_err *err)
{
	int dfd = openat(dst->fd, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			 0600);
	uint64_t bytes;
	int rc;

	if (dfd < 0)
		return fs_fail_errno(err, errno, "cannot create the kept copy of %s", what);
	rc = fs_linux_copy_file(src, st, dfd, b, what, "kept", method, &bytes, err);
	/* permissions only: never set-uid, set-gid or sticky on root's copy */
	if (rc == 0 && (fchmod(dfd, st->st_mode & 0777) < 0 || fsync(dfd) < 0 ||
			fstat(dfd, st) < 0)) {
		rc = fs_fail_errno(err, errno, "cannot copy %s", what);
		if (b && *method == FS_KEEP_COPY) /* the copy goes: so does its charge */
			fs_budget_give(b, bytes);
	}
	close(dfd);
	if (rc < 0)
		unlinkat(dst->fd, dname, 0);
	return rc;
}

int fs_os_keep(fs_os_root *root, const char *relpath, fs_id id, fs_os_dir *dst,
	       const char *dname, fs_budget *b, int *method, fs_id *stored, fs_err *err)
{
	char resolved[FS_LINE_MAX + 2];
	const char *sname;
	size_t len = strlen(relpath);
	int sdir, src, rc;
	struct stat st;

	/* the root's directory belongs to its cache: not closed here */
	if (len > FS_LINE_MAX)
		return fs_fail(err, "%s: path too long", relpath);
	resolved[0] = '/';
	memcpy(resolved + 1, relpath, len + 1);
	if (fs_os_root_parent(root, resolved, &sdir, &sname, err) < 0)
		return -1;
	/*
	 * No fsync per link: a kept file only matters to processes that map
	 * it, and none survives a power loss; the caller syncs what names it.
	 * The name may have been swapped since it was resolved: the caller
	 * checks the links in bulk (fs_os_sweep).
	 */
	if (linkat(sdir, sname, dst->fd, dname, 0) == 0) {
		*method = FS_KEEP_LINK;
		*stored = id;
		return 0;
	}
	if (errno != EXDEV && errno != EPERM)
		return fs_fail_errno(err, errno, "cannot link %s into the store", resolved);
	/*
	 * The name may be a FIFO by now, or a user's file under a lease: never
	 * wait for a writer or a lease break (O_NONBLOCK; EWOULDBLOCK is a
	 * refusal like any other).
	 */
	src = openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (src < 0 || fstat(src, &st) < 0 || !S_ISREG(st.st_mode) || !same_id(&st, id)) {
		if (src >= 0)
			close(src);
		return fs_fail(err, "%s: changed while being kept", resolved);
	}
	rc = copy_into(src, &st, dst, dname, b, resolved, method, err);
	close(src);
	if (rc < 0)
		return -1;
	stored->dev = st.st_dev;
	stored->ino = st.st_ino;
	return 0;
}

