/*
 * enable_linux.c - enable's two questions on a POSIX file system: make a
 * world-writable sticky directory under the root, and name the file system
 * a directory is on.  Walked from the root's fd, never through a symlink.
 */
#define _GNU_SOURCE
#include "linux.h"
#include "../../core/err.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

/* Opens relpath's directories one by one (creating them when create):
 * an fd of the last, or -1. */
static int walk(fs_os_root *root, const char *relpath, int create, int *created,
		fs_err *err)
{
	int fd = fcntl(fs_linux_root_fd(root), F_DUPFD_CLOEXEC, 0);
	const char *p = relpath;

	if (fd < 0)
		return fs_fail_errno(err, errno, "root");
	while (*p) {
		char comp[256];
		size_t n = strcspn(p, "/");
		int last = p[n] == '\0', next;

		if (n == 0 || n >= sizeof comp || (n <= 2 && strncmp(p, "..", n) == 0)) {
			close(fd);
			return fs_fail(err, "%s: not a plain relative path", relpath);
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (create && mkdirat(fd, comp, last ? 01777 : 0755) == 0) {
			*created |= last;
		} else if (create && errno != EEXIST) {
			close(fd);
			return fs_fail_errno(err, errno, "cannot create %s", relpath);
		}
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next < 0)
			return fs_fail_errno(err, errno, "%s", relpath);
		fd = next;
		p += n + !last;
	}
	return fd;
}

int fs_os_mkdir_shared(fs_os_root *root, const char *relpath, int *created, fs_err *err)
{
	int fd;

	*created = 0;
	fd = walk(root, relpath, 1, created, err);
	if (fd < 0)
		return -1;
	/* mkdir's mode passed through the umask */
	if (*created && fchmod(fd, 01777) < 0) {
		close(fd);
		return fs_fail_errno(err, errno, "cannot set the mode of %s", relpath);
	}
	close(fd);
	return 0;
}

int fs_os_fs_type(fs_os_root *root, const char *relpath, char *buf, size_t len,
		  fs_err *err)
{
	static const struct {
		long magic;
		const char *name;
	} types[] = {
		{ 0x5346544e, "NTFS" },    /* ntfs-3g, the old ntfs driver */
		{ 0x7366746e, "NTFS" },    /* ntfs3 */
		{ EXT4_SUPER_MAGIC, "ext4" },
		{ BTRFS_SUPER_MAGIC, "btrfs" },
		{ XFS_SUPER_MAGIC, "xfs" },
		{ TMPFS_MAGIC, "tmpfs" },
		{ OVERLAYFS_SUPER_MAGIC, "overlay" },
		{ MSDOS_SUPER_MAGIC, "FAT" },
		{ 0x2011bab0, "exFAT" },
		{ 0x65735546, "fuse" },
	};
	struct statfs st;
	int unused = 0, fd = walk(root, relpath, 0, &unused, err), rc;

	if (fd < 0)
		return -1;
	rc = fstatfs(fd, &st);
	close(fd);
	if (rc < 0)
		return fs_fail_errno(err, errno, "%s", relpath);
	for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
		if ((long)st.f_type == types[i].magic) {
			snprintf(buf, len, "%s", types[i].name);
			return 0;
		}
	}
	snprintf(buf, len, "0x%lx", (unsigned long)st.f_type);
	return 0;
}

int fs_os_shared_dir_check(fs_os_root *root, const char *relpath, uint64_t *birth,
			   char *why, char *weak, size_t len, fs_err *err)
{
	struct stat st;
	int unused = 0, fd = walk(root, relpath, 0, &unused, err), rc;

	*birth = 0; /* no Cygwin process runs here: nothing to compare with */
	why[0] = weak[0] = '\0';
	if (fd < 0)
		return -1;
	rc = fstat(fd, &st);
	close(fd);
	if (rc < 0)
		return fs_fail_errno(err, errno, "%s", relpath);
	if ((st.st_mode & 0333) != 0333)
		snprintf(why, len, "mode %04o: not every user may add entries",
			 (unsigned)(st.st_mode & 07777));
	if (!(st.st_mode & S_ISVTX))
		snprintf(weak, len, "mode %04o: not sticky, any user may remove others' entries",
			 (unsigned)(st.st_mode & 07777));
	return 0;
}
