/*
 * keep_linux.c - putting a file into a snapshot and taking it out again.
 * A hardlink when the store shares the file's filesystem (same inode, no
 * space), else a reflink (FICLONE), else a copy of its data (holes kept,
 * within the snapshot's copy budget); the caller is told which.
 */
#define _GNU_SOURCE
#include "linux.h"
#include "../../core/err.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int same_id(const struct stat *st, fs_id id)
{
	return (uint64_t)st->st_dev == id.dev && (uint64_t)st->st_ino == id.ino;
}

/* ---- copies ----------------------------------------------------------------
 * A copy is root's file, whoever owned the original: it never carries the
 * set-uid, set-gid or sticky bit, nor any extended attribute (a file
 * capability among them: nothing but the data is copied).  The data is
 * copied by fs_linux_copy() (copy_linux.c: holes kept), charged to the
 * snapshot's copy budget, shared by the workers; a reflink shares the
 * original's blocks and costs nothing.
 */

/* A size for a message, in the largest unit that fits. */
static const char *human(uint64_t n, char *buf, size_t size)
{
	static const char units[] = "KMGTPE";
	int u = -1;
	double v = (double)n;

	while (v >= 1024 && u < 5)
		v /= 1024, u++;
	if (u < 0)
		snprintf(buf, size, "%" PRIu64 " bytes", n);
	else
		snprintf(buf, size, "%.1f %ciB", v, units[u]);
	return buf;
}

/* The message for a copy beyond the budget (bytes: its data). */
static int over_budget(fs_linux_budget *b, uint64_t bytes, const char *what, fs_err *err)
{
	char need[32], limit[32], left[32];
	uint64_t used = atomic_load(&b->used);

	return fs_fail(err, "%s: its copy (%s of data) is beyond what is left of the "
		       "snapshot's copy budget (%s of %s; copy_budget in "
		       FS_CONFIG_PATH ", guard --copy-budget)", what,
		       human(bytes, need, sizeof need),
		       human(used < b->limit ? b->limit - used : 0, left, sizeof left),
		       human(b->limit, limit, sizeof limit));
}

/* Reflink, else copy, of src (what: its path, for messages) into a new file
 * dname in dfd. */
static int clone_or_copy(int src, const struct stat *sst, int dfd, const char *dname,
			 fs_linux_budget *b, const char *what, int *method, fs_err *err)
{
	int dst = openat(dfd, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	uint64_t bytes;
	int rc;

	if (dst < 0)
		return fs_fail_errno(err, errno, "cannot create the kept copy of %s", what);
	switch (fs_linux_copy(src, sst->st_size, dst, b, method, &bytes)) {
	case 0:
		rc = 0;
		break;
	case FS_COPY_BUDGET:
		rc = over_budget(b, bytes, what, err);
		break;
	case FS_COPY_CHANGED:
		rc = fs_fail(err, "%s: changed while being kept", what);
		break;
	default:
		rc = fs_fail_errno(err, errno, "cannot copy %s", what);
	}
	/* permissions only: never set-uid, set-gid or sticky on root's copy */
	if (rc == 0 && (fchmod(dst, sst->st_mode & 0777) < 0 || fsync(dst) < 0)) {
		rc = fs_fail_errno(err, errno, "cannot copy %s", what);
		if (b && *method == FS_KEEP_COPY) /* the copy goes: so does its charge */
			atomic_fetch_sub(&b->used, bytes);
	}
	close(dst);
	if (rc < 0)
		unlinkat(dfd, dname, 0);
	return rc;
}

static int keep_one(fs_os_store *s, const char *snap, fs_os_root *root,
		    const char *relpath, fs_id id, fs_linux_budget *b, int *method,
		    fs_id *stored, fs_err *err)
{
	char resolved[FS_LINE_MAX + 2];
	const char *sname, *dname;
	size_t len = strlen(relpath);
	int sdir, ddir, src, rc;
	struct stat st;

	/* both directories belong to caches: not closed here */
	if (len > FS_LINE_MAX)
		return fs_fail(err, "%s: path too long", relpath);
	resolved[0] = '/';
	memcpy(resolved + 1, relpath, len + 1);
	if (fs_os_root_parent(root, resolved, &sdir, &sname, err) < 0 ||
	    fs_linux_files_parent(s, snap, relpath, 1, &ddir, &dname, err) != 0)
		return -1;
	/*
	 * No fsync per link: a kept file only matters to processes that map
	 * it, and none survives a power loss; the manifest is synced.  The
	 * name may have been swapped since it was resolved: the snapshot is
	 * verified as a whole before it is published.
	 */
	if (linkat(sdir, sname, ddir, dname, 0) == 0) {
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
	rc = clone_or_copy(src, &st, ddir, dname, b, resolved, method, err);
	close(src);
	if (rc < 0 || fstatat(ddir, dname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return rc < 0 ? -1 : fs_fail_errno(err, errno, "%s", resolved);
	stored->dev = st.st_dev;
	stored->ino = st.st_ino;
	return 0;
}

int fs_os_snap_keep(fs_os_store *s, const char *snap, fs_os_root *root,
		    const char *relpath, fs_id id, int *method, fs_id *stored,
		    fs_err *err)
{
	return keep_one(s, snap, root, relpath, id, NULL, method, stored, err);
}

/* ---- many at once ---------------------------------------------------------
 * Each worker links a contiguous share of the (path-sorted) files, with a
 * root and a store walk cache of its own, so workers meet only where their
 * shares touch one directory (mkdirat's EEXIST is expected there).  Links
 * into different directories proceed in parallel in the kernel.
 */
#define KEEP_PER_WORKER 2000 /* fewer files than this: not worth a thread */
#define KEEP_WORKERS 4

struct keeper {
	fs_os_store view;     /* the store, with its own walk cache */
	fs_os_root *root;
	const char *snap;
	fs_linux_budget *budget;
	size_t from, to;
	const char *const *relpaths;
	const fs_id *ids;
	int *methods;
	fs_id *stored;
	unsigned char *ok;
	fs_err *errs;
};

static void *keep_share(void *arg)
{
	struct keeper *k = arg;

	for (size_t i = k->from; i < k->to; i++)
		k->ok[i] = keep_one(&k->view, k->snap, k->root, k->relpaths[i], k->ids[i],
				    k->budget, &k->methods[i], &k->stored[i], &k->errs[i]) == 0;
	return NULL;
}

int fs_os_snap_keep_all(fs_os_store *s, const char *snap, const char *root,
			uint64_t copy_budget, size_t n,
			const char *const *relpaths, const fs_id *ids, int *methods,
			fs_id *stored, unsigned char *ok, fs_err *errs, fs_err *err)
{
	fs_linux_budget budget = { .limit = copy_budget };
	struct keeper k[KEEP_WORKERS];
	size_t nk = fs_linux_workers(n, KEEP_PER_WORKER, KEEP_WORKERS), opened = 0;

	for (; opened < nk; opened++) {
		k[opened] = (struct keeper){
			.view = *s, .snap = snap, .budget = &budget, .from = n * opened / nk,
			.to = n * (opened + 1) / nk, .relpaths = relpaths, .ids = ids,
			.methods = methods, .stored = stored, .ok = ok, .errs = errs };
		fs_dircache_init(&k[opened].view.files);
		if (!(k[opened].root = fs_os_root_open(root, err)))
			break;
	}
	if (opened == nk)
		fs_linux_run_all(keep_share, k, nk, sizeof *k);
	for (size_t t = 0; t < opened; t++) {
		fs_os_root_close(k[t].root);
		fs_dircache_drop(&k[t].view.files);
	}
	return opened == nk ? 0 : -1;
}

/* The verification walk: d_ino from the directory listing names each file
 * without a stat; only a file that does not match is looked at closer.  It
 * takes fd (files/ at depth 0) and goes FS_KEEP_DEPTH directories deep, as
 * deep as guard creates them (fs_relpath_check): anything deeper is an error,
 * and the unfinished snapshot is removed by its guard. */
static long verify_dir(int fd, dev_t dev, const fs_idset *stored, unsigned char *found,
		       int depth, fs_err *err)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	long removed = 0;

	if (!d) {
		close(fd);
		return fs_fail_errno(err, errno, "cannot verify a snapshot");
	}
	while ((de = readdir(d))) {
		fs_id id = { (uint64_t)dev, (uint64_t)de->d_ino };
		int isdir = de->d_type == DT_DIR;
		struct stat st;
		long k = -1;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!isdir && (k = fs_idset_find(stored, id)) < 0 &&
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			isdir = S_ISDIR(st.st_mode); /* DT_UNKNOWN on some filesystems */
			if (!isdir)
				k = fs_idset_find(stored, (fs_id){ (uint64_t)st.st_dev,
								   (uint64_t)st.st_ino });
		}
		if (isdir) {
			int sub = depth < FS_KEEP_DEPTH
					  ? openat(dirfd(d), de->d_name,
						   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
					  : -1;
			long r;

			if (depth >= FS_KEEP_DEPTH)
				r = fs_fail(err, "snapshot nested deeper than %d directories",
					    FS_KEEP_DEPTH);
			else if (sub < 0)
				r = fs_fail_errno(err, errno, "cannot verify a snapshot");
			else
				r = verify_dir(sub, dev, stored, found, depth + 1, err);
			if (r < 0) {
				closedir(d);
				return -1;
			}
			removed += r;
			continue;
		}
		if (k >= 0) {
			found[k] = 1;
		} else if (unlinkat(dirfd(d), de->d_name, 0) == 0) {
			removed++;
		}
	}
	closedir(d);
	return removed;
}

long fs_os_snap_verify(fs_os_store *s, const char *snap, const fs_idset *stored,
		       unsigned char *found, fs_err *err)
{
	int sfd = fs_linux_snap_open(s, snap, err), fd;

	if (sfd < 0)
		return -1;
	fd = openat(sfd, "files", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(sfd);
	if (fd < 0)
		return fs_fail_errno(err, errno, "%s/files", snap);
	return verify_dir(fd, s->dev, stored, found, 0, err);
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
	/* remove the directories the file leaves empty, deepest first */
	dirs = strdup(relpath);
	while (rc == 0 && dirs) {
		char *slash = strrchr(dirs, '/');

		if (!slash)
			break;
		*slash = '\0';
		if (fs_linux_files_parent(s, snap, dirs, 0, &dfd, &name, NULL) != 0)
			break;
		if (unlinkat(dfd, name, AT_REMOVEDIR) < 0)
			break; /* not empty (or gone): stop */
		fs_linux_files_forget(s); /* the cached directory may be the one removed */
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
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : fs_fail_errno(err, errno, "%s/files/%s", snap, relpath);
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	*bytes = st.st_nlink > 1 ? 0 : (uint64_t)st.st_blocks * 512;
	return 1;
}
