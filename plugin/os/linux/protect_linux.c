/*
 * protect_linux.c - replace an in-use file by a fresh copy of itself, so a
 * writer that truncates and rewrites the path in place (cp, some linkers)
 * writes a new inode instead of the one running processes map.
 *
 * Nobody may read the copy who could not read the original, at any moment.
 * The copy is born without a name (O_TMPFILE; where the filesystem cannot,
 * a name of mode 0) and with mode 0, which masks every entry a default ACL
 * of its directory adds (acl(5): the new file's mask and other entries are
 * ANDed with the mode).  That inherited ACL is removed while the mode is
 * still 0; then the copy gets the content (fs_linux_copy(): a reflink, else
 * the data with its holes kept), the original's owner, mode, ACL and other
 * xattrs (security.capability only if the original has it), timestamps, an
 * fsync, and only then a name.  It is swapped with the path
 * atomically (RENAME_EXCHANGE) and the swap is undone unless what came out
 * is the file copied.  Everything is relative to the directory walked to
 * without following links; no name is trusted twice.
 *
 * The copy is built in the caller's scratch directory (the store) when that
 * shares the file's filesystem, under the caller's prefix (the store's
 * .tmp-protect-*, which retire removes if a run is cut short between link
 * and swap); otherwise beside the file, as .forksafe-protect-<random>.
 * The Linux backend renames over the path: nothing is put aside.
 */
#define _GNU_SOURCE
#include "linux.h"
#include "../../core/err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define ACL_ACCESS "system.posix_acl_access"
#define XATTR_LIST_LIMIT 65536  /* the kernel's XATTR_LIST_MAX */
#define XATTR_VALUE_LIMIT 65536 /* the kernel's XATTR_SIZE_MAX */
#define NAME_TRIES 16           /* names tried for the copy before giving up */

/* An xattr name list or value of fd, read with its size from the same call
 * that reads the bytes (the size may change between two calls): *len bytes
 * in a malloc'ed buffer, -1 with errno on failure. */
static char *xattr_read(int fd, const char *name, size_t limit, ssize_t *len)
{
	size_t cap = 256;

	for (;;) {
		char *buf = malloc(cap + 1);

		if (!buf)
			return NULL;
		*len = name ? fgetxattr(fd, name, buf, cap) : flistxattr(fd, buf, cap);
		if (*len >= 0) {
			buf[*len] = '\0';
			return buf;
		}
		free(buf);
		if (errno != ERANGE || cap >= limit)
			return NULL;
		cap = cap * 4 < limit ? cap * 4 : limit;
	}
}

/* Those of security.* that only label the file for an LSM (SELinux, IMA)
 * are copied where we may; every other xattr must arrive. */
static int must_copy(const char *name)
{
	return strncmp(name, "security.", 9) != 0 || strcmp(name, "security.capability") == 0;
}

static int copy_xattr(int src, int dst, const char *name)
{
	ssize_t vlen;
	char *val = xattr_read(src, name, XATTR_VALUE_LIMIT, &vlen);
	int rc = 0;

	if (!val)
		return errno == ENODATA || errno == ENOTSUP ? 0 : -1; /* none (any more) */
	if (fsetxattr(dst, name, val, (size_t)vlen, 0) < 0 && must_copy(name))
		rc = -1;
	free(val);
	return rc;
}

/* Every xattr of src but the ACL (copy_attrs places that first). */
static int copy_xattrs(int src, int dst)
{
	ssize_t len;
	char *names = xattr_read(src, NULL, XATTR_LIST_LIMIT, &len);
	int rc = 0;

	if (!names)
		return errno == ENOTSUP ? 0 : -1;
	for (char *n = names; rc == 0 && n < names + len; n += strlen(n) + 1)
		if (strcmp(n, ACL_ACCESS) != 0)
			rc = copy_xattr(src, dst, n);
	free(names);
	return rc;
}

/*
 * The original's metadata, in the order that never opens the copy wider
 * than the original: the ACL a default ACL gave it goes while its mode is
 * still 0; chown first (it clears set-id bits and security.capability);
 * then the original's ACL, which sets the permission bits (group: its
 * mask); then the mode with its set-id bits; then the other xattrs.
 */
static int copy_attrs(int src, int dst, const struct stat *st)
{
	struct stat now;

	if (fremovexattr(dst, ACL_ACCESS) < 0 && errno != ENODATA && errno != ENOTSUP)
		return -1;
	if (fchown(dst, st->st_uid, st->st_gid) < 0 || copy_xattr(src, dst, ACL_ACCESS) < 0 ||
	    fchmod(dst, st->st_mode & 07777) < 0 || copy_xattrs(src, dst) < 0 ||
	    futimens(dst, (struct timespec[2]){ st->st_atim, st->st_mtim }) < 0 ||
	    fstat(dst, &now) < 0)
		return -1;
	if (now.st_uid != st->st_uid || now.st_gid != st->st_gid || now.st_mode != st->st_mode) {
		errno = EPERM; /* the filesystem would not take the original's */
		return -1;
	}
	return 0;
}

/* The copy's name in tdir: in the scratch directory (prefix: the caller's)
 * or beside the file (prefix NULL), unpredictable there. */
static void copy_name(char *buf, size_t len, const char *prefix)
{
	static unsigned counter;
	unsigned long long r;

	if (prefix) {
		snprintf(buf, len, "%s%d-%u", prefix, (int)getpid(), counter++);
		return;
	}
	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
		r = (unsigned long long)getpid() << 32 | counter++; /* only a name */
	snprintf(buf, len, ".forksafe-protect-%016llx", r);
}

/* A new file in tdir nobody else can open: without a name (O_TMPFILE) or
 * where the filesystem cannot, named (*named set) with mode 0. */
static int create_blank(int tdir, const char *prefix, char *name, size_t len, int *named)
{
	int fd = openat(tdir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0);

	*named = 0;
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	for (int i = 0; i < NAME_TRIES; i++) {
		copy_name(name, len, prefix);
		fd = openat(tdir, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	*named = fd >= 0;
	return fd;
}

/* Gives the finished copy fd a name in tdir. */
static int link_copy(int fd, int tdir, const char *prefix, char *name, size_t len)
{
	char proc[64];

	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	for (int i = 0; i < NAME_TRIES; i++) {
		copy_name(name, len, prefix);
		if (linkat(fd, "", tdir, name, AT_EMPTY_PATH) == 0)
			return 0;
		/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH: else through /proc */
		if ((errno == ENOENT || errno == EPERM) &&
		    linkat(AT_FDCWD, proc, tdir, name, AT_SYMLINK_FOLLOW) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

static int same_file(int dir, const char *name, const struct stat *st)
{
	struct stat now;

	return fstatat(dir, name, &now, AT_SYMLINK_NOFOLLOW) == 0 && now.st_dev == st->st_dev &&
	       now.st_ino == st->st_ino;
}

static void sync_dir(int dir)
{
	int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* dir may be O_PATH */

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * Puts the copy (tdir/tmp) at dir/name if dir/name is still
 * the original (st).  1: done, tmp names the original now; 2: done by a
 * plain rename; 0: the path changed, nothing replaced; -1: error.
 */
static int swap_in(int tdir, const char *tmp, int dir, const char *name,
		   const struct stat *st)
{
	if (renameat2(tdir, tmp, dir, name, RENAME_EXCHANGE) == 0) {
		if (same_file(tdir, tmp, st))
			return 1;
		/* something else was at the path: put it back */
		if (renameat2(tdir, tmp, dir, name, RENAME_EXCHANGE) < 0)
			return -1;
		return 0;
	}
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return -1;
	/* no exchange on this filesystem: check, then rename over (racy) */
	if (!same_file(dir, name, st))
		return 0;
	if (renameat(tdir, tmp, dir, name) < 0)
		return -1;
	return 2; /* the original has no name left here */
}

/* src (st) copied into dst: content, attributes, synced; *cp its stat.
 * -1 with err; dst stays open for the caller. */
static int make_copy(int src, const struct stat *st, int dst, struct stat *cp,
		     const char *resolved, fs_err *err)
{
	int method;
	uint64_t bytes;

	if (fs_linux_copy_file(src, st, dst, NULL, resolved, "protected", &method, &bytes,
			       err) < 0)
		return -1;
	if (copy_attrs(src, dst, st) < 0 || fsync(dst) < 0 || fstat(dst, cp) < 0)
		return fs_fail_errno(err, errno, "%s: cannot copy", resolved);
	return 0;
}

/* Puts the named copy (tdir/tmp) at dir/name: 0, or -1 with err. */
static int put_in_place(int tdir, const char *tmp, int dir, const char *name,
			const struct stat *st, const char *resolved, fs_err *err)
{
	int r = swap_in(tdir, tmp, dir, name, st);

	if (r < 0)
		return fs_fail_errno(err, errno, "%s: cannot replace", resolved);
	if (r == 0)
		return fs_fail(err, "%s: changed while being protected", resolved);
	/* after an exchange, tmp names the original: the snapshot and the
	 * processes keep it, the name goes */
	if (r == 1 && same_file(tdir, tmp, st))
		unlinkat(tdir, tmp, 0);
	sync_dir(dir);
	if (tdir != dir)
		sync_dir(tdir);
	return 0;
}

int fs_os_replace(fs_os_root *root, const char *relpath, fs_id id, const fs_os_spare *spare,
		  fs_err *err)
{
	char resolved[FS_LINE_MAX + 2], tmp[NAME_MAX + 1] = "";
	const char *name, *prefix;
	int dir, src = -1, dst = -1, tdir, named = 0, rc = -1;
	struct stat st, cp;

	snprintf(resolved, sizeof resolved, "/%s", relpath);
	if (fs_os_root_parent(root, resolved, &dir, &name, err) < 0)
		return -1; /* dir belongs to the root's cache */
	/* O_NONBLOCK: a FIFO swapped in does not hang us (refused below) */
	src = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (src < 0 || fstat(src, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_dev != id.dev || (uint64_t)st.st_ino != id.ino) {
		fs_fail(err, "%s: changed before it could be protected", resolved);
		goto out;
	}
	prefix = spare->scratch && st.st_dev == spare->scratch->dev ? spare->prefix : NULL;
	tdir = prefix ? spare->scratch->fd : dir;
	dst = create_blank(tdir, prefix, tmp, sizeof tmp, &named);
	if (dst < 0) {
		fs_fail_errno(err, errno, "%s: cannot create its copy", resolved);
		goto out;
	}
	if (make_copy(src, &st, dst, &cp, resolved, err) < 0)
		goto fail_tmp;
	if (!named && link_copy(dst, tdir, prefix, tmp, sizeof tmp) < 0) {
		fs_fail_errno(err, errno, "%s: cannot name its copy", resolved);
		goto out;
	}
	named = 1;
	if (put_in_place(tdir, tmp, dir, name, &st, resolved, err) < 0)
		goto fail_tmp;
	rc = 0;
	goto out;
fail_tmp:
	/* only our copy, never what another put at its name */
	if (named && fstat(dst, &cp) == 0 && same_file(tdir, tmp, &cp))
		unlinkat(tdir, tmp, 0);
out:
	if (dst >= 0)
		close(dst);
	if (src >= 0)
		close(src);
	return rc;
}
