/*
 * resolve_linux.c - resolves target paths inside a root, fd-relative, one
 * component at a time (after systemd's chase()): a symlink is read with
 * readlinkat() and spliced in, absolute links restart at the root, and ".."
 * never climbs above the root.  The directories of the last walk stay open:
 * a package's files share directories, so the next target starts from the
 * deepest one its path has in common.
 *
 * In the real root ("/", no --root) a symlink of /proc is followed by the
 * kernel, as stat -L does: opened with O_PATH, never by its text, so
 * /proc/PID/exe is the process's executable even when deleted or in
 * another mount namespace, and /proc/PID/root is that process's root
 * directory: the walk goes on in its view, an absolute symlink there
 * starting again at that root and ".." never climbing above it.
 */
#define _GNU_SOURCE
#include "linux.h"
#include "../../core/err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define MAX_LINKS 40
#define MAX_DEPTH 1024
#define PROCFS_MAGIC 0x9fa0 /* PROC_SUPER_MAGIC, linux/magic.h */

struct walk {
	int dirfd[MAX_DEPTH]; /* dirfd[0] is the root (not owned) */
	size_t name_end[MAX_DEPTH]; /* end of each component in out */
	size_t depth;
	size_t floor;     /* depth of the root "/" and ".." stop at */
	int via_proc;     /* went through a /proc link: not reused */
	char out[2 * FS_LINE_MAX + 2];
	size_t out_len;
};

struct fs_os_root {
	int fd;
	struct stat st;
	struct walk *w; /* directories of the last walk, kept open */
	fs_dircache parent; /* the last fs_os_root_parent() directory */
	int real_root;      /* "/": links of /proc are followed */
};

/* Back to the walk's root: the root, or the process root it went into. */
static void walk_to_root(struct walk *w)
{
	while (w->depth > w->floor)
		close(w->dirfd[w->depth--]);
	w->out_len = w->depth ? w->name_end[w->depth] : 0;
	w->out[w->out_len] = '\0';
}

static void walk_reset(struct walk *w)
{
	w->floor = 0;
	w->via_proc = 0;
	walk_to_root(w);
}

/*
 * How many directories of the last walk the new path can start from: its
 * leading components, up to its last, spelled as the walk's directories.
 */
static const char *reuse(struct walk *w, const char *path)
{
	size_t d = 0;

	for (;;) {
		size_t n, start, len;

		while (*path == '/')
			path++;
		n = strcspn(path, "/");
		if (path[n] != '/' || d >= w->depth)
			break;
		start = (d ? w->name_end[d] : 0) + 1;
		len = w->name_end[d + 1] - start;
		if (n != len || memcmp(path, w->out + start, n) != 0)
			break;
		d++;
		path += n;
	}
	while (w->depth > d)
		close(w->dirfd[w->depth--]);
	w->out_len = d ? w->name_end[d] : 0;
	w->out[w->out_len] = '\0';
	return path;
}

/* A root around fd (owned: closed on failure); what names it for errors;
 * real: it is our own "/", where links of /proc are the kernel's to follow. */
static fs_os_root *root_from_fd(int fd, const char *what, int real, fs_err *err)
{
	fs_os_root *r = calloc(1, sizeof *r);

	if (!r || !(r->w = calloc(1, sizeof *r->w))) {
		fs_fail(err, "out of memory");
		free(r);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	fs_dircache_init(&r->parent);
	r->real_root = real;
	r->fd = fd;
	r->w->dirfd[0] = r->fd;
	if (r->fd < 0 || fstat(r->fd, &r->st) < 0) {
		fs_fail_errno(err, errno, "root %s", what);
		fs_os_root_close(r);
		return NULL;
	}
	return r;
}

fs_os_root *fs_os_root_open(const char *path, fs_err *err)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		fs_fail_errno(err, errno, "root %s", path);
		return NULL;
	}
	return root_from_fd(fd, path, strcmp(path, "/") == 0, err);
}

/*
 * The root directory of process pid, as it sees it (its chroot, in its
 * mount namespace), if it is still the process started at start_time: the
 * /proc/PID directory opened once stands for that process only (after it
 * exits, nothing under it opens), so its start time read through it and
 * its root opened through it belong to the same process.
 */
fs_os_root *fs_os_proc_root_open(int pid, uint64_t start_time, fs_err *err)
{
	char dir[32], buf[1024], comm[64];
	unsigned long long start = 0;
	ssize_t n = -1;
	int dfd, sfd, fd;

	snprintf(dir, sizeof dir, "/proc/%d", pid);
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		fs_fail_errno(err, errno, "%s", dir);
		return NULL;
	}
	sfd = openat(dfd, "stat", O_RDONLY | O_CLOEXEC);
	if (sfd >= 0) {
		n = read(sfd, buf, sizeof buf - 1);
		close(sfd);
	}
	if (n > 0)
		buf[n] = '\0';
	if (n <= 0 || fs_proc_parse_stat(buf, (size_t)n, comm, sizeof comm, &start) < 0 ||
	    start != start_time) {
		close(dfd);
		fs_fail(err, "process %d has exited", pid);
		return NULL;
	}
	fd = openat(dfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	close(dfd);
	if (fd < 0) {
		fs_fail_errno(err, errno, "%s/root", dir);
		return NULL;
	}
	return root_from_fd(fd, "of a process", 0, err); /* its /proc: text */
}

int fs_linux_root_fd(const fs_os_root *r)
{
	return r->fd;
}

void fs_os_root_close(fs_os_root *r)
{
	if (!r)
		return;
	if (r->w) {
		walk_reset(r->w);
		free(r->w);
	}
	fs_dircache_drop(&r->parent);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

/* Lexical check of a request: may its ".." leave the root? */
static int escapes(const char *path)
{
	long depth = 0;

	while (*path) {
		size_t n;

		while (*path == '/')
			path++;
		n = strcspn(path, "/");
		if (n == 2 && path[0] == '.' && path[1] == '.') {
			if (--depth < 0)
				return 1;
		} else if (n > 0 && !(n == 1 && path[0] == '.')) {
			depth++;
		}
		path += n;
	}
	return 0;
}

static int append(struct walk *w, const char *name, size_t n)
{
	if (w->out_len + n + 2 > sizeof w->out)
		return -1;
	w->out[w->out_len++] = '/';
	memcpy(w->out + w->out_len, name, n);
	w->out_len += n;
	w->out[w->out_len] = '\0';
	return 0;
}

/* Builds the result for a missing file: resolved part + remaining text,
 * normalised lexically (nothing exists there to give ".." another sense).
 * Works on a copy: the walk's own path must stay as its directories are,
 * the next target starts from them. */
static int finish_missing(const struct walk *w, const char *name, size_t n,
			  const char *rest, char **resolved)
{
	char *out = malloc(w->out_len + n + strlen(rest) + 3);
	size_t len = w->out_len;

	if (!out)
		return -1;
	memcpy(out, w->out, len);
	out[len++] = '/';
	memcpy(out + len, name, n);
	len += n;
	while (*rest) {
		size_t m;

		while (*rest == '/')
			rest++;
		m = strcspn(rest, "/");
		if (m == 2 && rest[0] == '.' && rest[1] == '.') {
			while (len > 0 && out[--len] != '/')
				;
		} else if (m > 0 && !(m == 1 && rest[0] == '.')) {
			out[len++] = '/';
			memcpy(out + len, rest, m);
			len += m;
		}
		rest += m;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	*resolved = out;
	return 0;
}

/* Is dirfd a directory of procfs, whose links are the kernel's? */
static int on_procfs(int dirfd)
{
	struct statfs sf;

	return fstatfs(dirfd, &sf) == 0 && sf.f_type == PROCFS_MAGIC;
}

enum { LINK_WALK, LINK_FILE, LINK_NONE };

/*
 * The /proc link name in cur, followed by the kernel: opened with O_PATH,
 * never by its text.  The last component (nothing but slashes in rest):
 * LINK_FILE, *st its file, its name in the walk's path.  A directory with
 * more after it: LINK_WALK, the walk goes on in it (a process's root
 * becomes the walk's root).  Nothing there, or a file with more after it:
 * LINK_NONE.  -1 with err on errors.
 */
static int proc_link(struct walk *w, int cur, const char *name, size_t n,
		     const char *rest, struct stat *st, const char *path, fs_err *err)
{
	int fd = openat(cur, name, O_PATH | O_CLOEXEC);

	w->via_proc = 1;
	if (fd < 0 || fstat(fd, st) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		if (e == ENOENT || e == ENOTDIR || e == ESRCH)
			return LINK_NONE; /* a process gone, a kernel thread's exe */
		return fs_fail_errno(err, e, "%s", path);
	}
	rest += strspn(rest, "/");
	if (*rest && !S_ISDIR(st->st_mode)) {
		close(fd);
		return LINK_NONE;
	}
	if (append(w, name, n) < 0 || w->depth + 1 >= MAX_DEPTH) {
		close(fd);
		return fs_fail(err, "%s: path too long", path);
	}
	if (!*rest) {
		close(fd);
		return LINK_FILE;
	}
	w->dirfd[++w->depth] = fd;
	w->name_end[w->depth] = w->out_len;
	if (n == 4 && memcmp(name, "root", 4) == 0)
		w->floor = w->depth;
	return LINK_WALK;
}

static void found(fs_target *t, const struct stat *st)
{
	t->exists = 1;
	t->is_dir = S_ISDIR(st->st_mode);
	t->id.dev = st->st_dev;
	t->id.ino = st->st_ino;
	t->size = (uint64_t)st->st_size;
	t->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* The path of name in the walk's current directory (malloc'ed). */
static char *link_path(const struct walk *w, const char *name, size_t n)
{
	char *s = malloc(w->out_len + n + 2);

	if (s) {
		memcpy(s, w->out, w->out_len);
		s[w->out_len] = '/';
		memcpy(s + w->out_len + 1, name, n);
		s[w->out_len + 1 + n] = '\0';
	}
	return s;
}

/* t->link after t->path, in its allocation (whoever frees path frees it). */
static int with_link(fs_target *t, const char *link)
{
	size_t plen = strlen(t->path);
	char *both = realloc(t->path, plen + strlen(link) + 2);

	if (!both) {
		free(t->path);
		t->path = NULL;
		return -1;
	}
	strcpy(both + plen + 1, link);
	t->path = both;
	t->link = both + plen + 1;
	return 0;
}

/*
 * One resolution under way: the walk, what remains of the path, and the
 * target it fills.  Each step_*() below takes one component and says
 * whether the walk goes on, is done (t->path set), or failed (err set).
 */
struct resolve {
	fs_os_root *root;
	struct walk *w;
	const char *path;   /* as requested: for messages */
	fs_target *t;
	char *todo;         /* what remains to walk (p points into it) */
	char *p;
	char *link;         /* the request's last component, a symlink */
	int links;          /* followed so far */
	fs_err *err;
};

enum step { STEP_FAILED = -1, STEP_DONE = 0, STEP_ON = 1 };

/* The file is found: stat st, path the walk's (or "/"). */
static enum step step_found(struct resolve *r, const struct stat *st)
{
	found(r->t, st);
	r->t->path = strdup(r->w->out_len ? r->w->out : "/");
	if (!r->t->path)
		return fs_fail(r->err, "out of memory");
	return STEP_DONE;
}

/* Nothing exists at name: the rest of the path lexically. */
static enum step step_missing(struct resolve *r, const char *name, size_t n)
{
	if (finish_missing(r->w, name, n, r->p, &r->t->path) < 0)
		return fs_fail(r->err, "%s: path too long", r->path);
	return STEP_DONE;
}

/* "..": one directory up, never above the root. */
static enum step step_up(struct walk *w)
{
	if (w->depth > w->floor) {
		close(w->dirfd[w->depth--]);
		w->out_len = w->depth ? w->name_end[w->depth] : 0;
		w->out[w->out_len] = '\0';
	}
	return STEP_ON;
}

/* A /proc link of the real root, followed by the kernel (proc_link()). */
static enum step step_proc_link(struct resolve *r, int cur, const char *name, size_t n,
				struct stat *st)
{
	int k = ++r->links > MAX_LINKS
		? fs_fail(r->err, "%s: too many levels of symbolic links", r->path)
		: proc_link(r->w, cur, name, n, r->p, st, r->path, r->err);

	if (k == LINK_WALK)
		return STEP_ON;
	if (k == LINK_FILE)
		return step_found(r, st);
	if (k == LINK_NONE)
		return step_missing(r, name, n);
	return STEP_FAILED;
}

/* A symlink: its target spliced before the rest of the path. */
static enum step step_symlink(struct resolve *r, int cur, const char *name, size_t n)
{
	char target[FS_LINE_MAX + 1];
	ssize_t tl;
	char *next;

	/* the request's own last component (a spliced target always ends
	 * in '/'): remember the link's name */
	if (*r->p == '\0' && !r->link && !(r->link = link_path(r->w, name, n)))
		return fs_fail(r->err, "%s: path too long", r->path);
	if (++r->links > MAX_LINKS)
		return fs_fail(r->err, "%s: too many levels of symbolic links", r->path);
	tl = readlinkat(cur, name, target, sizeof target);
	if (tl < 0 || (size_t)tl >= sizeof target)
		return fs_fail_errno(r->err, tl < 0 ? errno : ENAMETOOLONG, "%s", r->path);
	target[tl] = '\0';
	next = malloc((size_t)tl + strlen(r->p) + 2);
	if (!next)
		return fs_fail(r->err, "out of memory");
	sprintf(next, "%s/%s", target, r->p);
	free(r->todo);
	r->todo = r->p = next;
	if (target[0] == '/')
		walk_to_root(r->w);
	return STEP_ON;
}

/* Anything else: the file found when it is the last component, else the
 * directory the walk goes on in. */
static enum step step_into(struct resolve *r, int cur, const char *name, size_t n,
			   const struct stat *st)
{
	struct walk *w = r->w;

	if (append(w, name, n) < 0)
		return fs_fail(r->err, "%s: path too long", r->path);
	while (*r->p == '/')
		r->p++;
	if (*r->p == '\0')
		return step_found(r, st);
	if (!S_ISDIR(st->st_mode)) {
		/* "file/more": nothing can exist there */
		w->out_len -= n + 1;
		w->out[w->out_len] = '\0';
		return step_missing(r, name, n);
	}
	if (w->depth + 1 >= MAX_DEPTH)
		return fs_fail(r->err, "%s: path too deep", r->path);
	w->dirfd[w->depth + 1] = openat(cur, name, O_PATH | O_DIRECTORY |
					O_NOFOLLOW | O_CLOEXEC);
	if (w->dirfd[w->depth + 1] < 0)
		return fs_fail_errno(r->err, errno, "%s", r->path);
	w->depth++;
	w->name_end[w->depth] = w->out_len;
	return STEP_ON;
}

/* The next component of the path, whatever it names. */
static enum step step(struct resolve *r)
{
	int cur = r->w->dirfd[r->w->depth];
	char name[FS_LINE_MAX + 1];
	struct stat st;
	size_t n;

	while (*r->p == '/')
		r->p++;
	if (*r->p == '\0') {
		/* the path named a directory (or the root itself) */
		if (fstat(cur, &st) < 0)
			return fs_fail_errno(r->err, errno, "%s", r->path);
		return step_found(r, &st);
	}
	n = strcspn(r->p, "/");
	memcpy(name, r->p, n);
	name[n] = '\0';
	r->p += n;
	if (n == 1 && name[0] == '.')
		return STEP_ON;
	if (n == 2 && name[0] == '.' && name[1] == '.')
		return step_up(r->w);
	if (fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return step_missing(r, name, n);
		return fs_fail_errno(r->err, errno, "%s", r->path);
	}
	if (S_ISLNK(st.st_mode) && r->root->real_root && on_procfs(cur))
		return step_proc_link(r, cur, name, n, &st);
	if (S_ISLNK(st.st_mode))
		return step_symlink(r, cur, name, n);
	return step_into(r, cur, name, n, &st);
}

int fs_os_resolve(fs_os_root *root, const char *path, fs_target *t, fs_err *err)
{
	struct resolve r = { .root = root, .w = root->w, .path = path, .t = t, .err = err };
	enum step k;

	t->path = NULL;
	t->link = NULL;
	t->exists = 0;
	t->is_dir = 0;
	if (escapes(path))
		return fs_fail(err, "%s: leaves the root through '..'", path);
	if (r.w->via_proc)
		walk_reset(r.w);
	r.todo = r.p = strdup(reuse(r.w, path));
	if (!r.todo)
		return fs_fail(err, "out of memory");
	while ((k = step(&r)) == STEP_ON)
		;
	free(r.todo);
	if (k == STEP_DONE && r.link && with_link(t, r.link) < 0)
		k = fs_fail(err, "out of memory");
	free(r.link);
	return k == STEP_DONE ? 0 : -1;
}

int fs_os_root_parent(fs_os_root *root, const char *resolved, int *dirfd,
		      const char **name, fs_err *err)
{
	const char *last = strrchr(resolved, '/'), *p = resolved;
	size_t dlen;
	int fd;

	if (resolved[0] != '/' || !last || last[1] == '\0' || strlen(resolved) > FS_LINE_MAX)
		return fs_fail(err, "%s: not a file path", resolved);
	dlen = (size_t)(last - resolved);
	*name = last + 1;
	*dirfd = fs_dircache_get(&root->parent, resolved, dlen);
	if (*dirfd >= 0)
		return 0;
	fd = fcntl(root->fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return fs_fail_errno(err, errno, "%s", resolved);
	while (p < last) {
		char comp[FS_LINE_MAX + 1];
		size_t n;
		int next;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (p >= last || n == 0)
			break;
		memcpy(comp, p, n);
		comp[n] = '\0';
		if ((n == 1 && comp[0] == '.') || (n == 2 && comp[0] == '.' && comp[1] == '.')) {
			close(fd);
			return fs_fail(err, "%s: not a resolved path", resolved);
		}
		next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next < 0)
			return fs_fail_errno(err, errno, "%s: changed while being kept", resolved);
		fd = next;
		p += n;
	}
	*dirfd = fs_dircache_put(&root->parent, resolved, dlen, fd);
	return 0;
}

/* ---- many at once: workers with a root (and walk cache) of their own ------ */

#define RESOLVE_PER_WORKER 2000 /* fewer paths than this: not worth a thread */
#define RESOLVE_WORKERS 4

struct resolver {
	fs_os_root *root;
	size_t from, to;
	const char *const *paths;
	fs_target *out;
	unsigned char *ok;
	fs_err *errs;
};

static void *resolve_share(void *arg)
{
	struct resolver *r = arg;

	for (size_t i = r->from; i < r->to; i++)
		r->ok[i] = fs_os_resolve(r->root, r->paths[i], &r->out[i], &r->errs[i]) == 0;
	return NULL;
}

int fs_os_resolve_all(fs_os_root *first, const char *root, size_t n,
		      const char *const *paths, fs_target *out, unsigned char *ok,
		      fs_err *errs, fs_err *err)
{
	struct resolver r[RESOLVE_WORKERS];
	size_t nr = fs_linux_workers(n, RESOLVE_PER_WORKER, RESOLVE_WORKERS), opened = 0;

	for (; opened < nr; opened++) {
		r[opened] = (struct resolver){
			.root = first, .from = n * opened / nr, .to = n * (opened + 1) / nr,
			.paths = paths, .out = out, .ok = ok, .errs = errs };
		if (opened > 0 && !(r[opened].root = fs_os_root_open(root, err)))
			break;
	}
	if (opened == nr)
		fs_linux_run_all(resolve_share, r, nr, sizeof *r);
	for (size_t t = 1; t < opened; t++)
		fs_os_root_close(r[t].root);
	return opened == nr ? 0 : -1;
}
