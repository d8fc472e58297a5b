/*
 * scan_linux.c - every process in /proc and the files it maps.
 *
 * One pass: the pids are listed once, then worker threads (the cost is the
 * kernel generating maps text, so both cores help) each take batches of
 * pids from a share of the list, read /proc/PID/maps with large reads and
 * keep one image per identity.  Processes that exit meanwhile are skipped;
 * processes we may not read are counted, never dropped silently.
 * forksafe itself is no process of the scan (docs/cli.md): its own pid
 * (all its threads) and the hook's process that runs it as a worker.
 */
#define _GNU_SOURCE
#include "linux.h"
#include "../../core/arena.h"
#include "../../core/err.h"
#include "../../core/scan.h"
#include "../../core/sort.h"
#include "../../core/units.h"
#include "../../core/vec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_BUF (64 * 1024)
#define READ_MORE 4096  /* what one read of maps gives at most, mostly */
#define BATCH 8

struct shared {
	const fs_scan_opts *opts;
	int procfd;
	char our_mntns[64];
	int units;              /* opts->units and systemd runs */
	const int *pids;
	size_t npids;
	/*
	 * A contiguous share of the pids per worker, taken a batch at a time;
	 * a worker done with its own helps with the others'.  Neighbouring
	 * processes (started one after the other) have their kernel objects
	 * side by side: two CPUs reading neighbours cost measurably more.
	 */
	struct share {
		atomic_size_t next;
		size_t end;
	} share[FS_LINUX_MAX_WORKERS];
	unsigned nshares;
	pthread_t caller;       /* the thread that called fs_os_scan() */
};

struct worker {
	struct shared *sh;
	fs_arena arena;
	fs_proc *procs;
	size_t nprocs, cap;
	fs_image *img;          /* images of the current process */
	size_t nimg, imgcap;
	/*
	 * Per identity, by its index in the filter (or, without one, in known):
	 * the last process that mapped it, so each process gets one image per
	 * identity, and its path as last seen, so most processes share one
	 * copy of each path.
	 */
	fs_idset *known;
	struct per_id { unsigned serial; size_t len; const char *path; } *ids;
	size_t idcap;
	unsigned serial;        /* of the process being read, from 1 */
	char *buf;
	size_t seen, unreadable;
	fs_pidstart *denied;    /* the unreadable ones */
	size_t denied_cap;
	long uid;               /* of the process being read */
	int tid;                /* its live thread whose files stand for its own
				 * (its main thread has exited), or 0 */
	unsigned self;          /* its share */
	int failed;             /* out of memory */
};

/* READ_TEXT: the kernel's queries cannot answer for the process, its
 * maps text must be read */
enum { READ_OK, READ_GONE, READ_DENIED, READ_EMPTY, READ_TEXT };

/* "PID/what" into rel (room for 12 + strlen(what) bytes): snprintf() costs
 * more than the system call it names a file for. */
static const char *pid_file(char *rel, int pid, const char *what)
{
	char digits[12];
	size_t n = 0, len = strlen(what);

	do
		digits[n++] = (char)('0' + pid % 10);
	while ((pid /= 10) > 0);
	for (size_t i = 0; i < n; i++)
		rel[i] = digits[n - 1 - i];
	rel[n] = '/';
	memcpy(rel + n + 1, what, len + 1);
	return rel;
}

/* "PID/what", or "PID/task/TID/what" when the worker reads the process
 * through a thread (rel: room for 64 bytes; what: at most 32). */
static const char *task_file(char *rel, const struct worker *w, int pid, const char *what)
{
	if (!w->tid)
		return pid_file(rel, pid, what);
	pid_file(rel, pid, "task/");
	pid_file(rel + strlen(rel), w->tid, what);
	return rel;
}

static int classify(int e)
{
	return e == EACCES || e == EPERM ? READ_DENIED : READ_GONE;
}

/*
 * Reads a small /proc file (NUL-terminated) with one read: the kernel
 * writes such a file whole into a large enough buffer.  -1 on error.
 */
static ssize_t read_small(int procfd, const char *rel, char *buf, size_t size)
{
	int fd = openat(procfd, rel, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* A /proc link's target, copied by the length its one readlink() gave;
 * NULL when unreadable or longer than FS_LINE_MAX (it would be cut). */
static char *read_link(struct worker *w, int pid, const char *what)
{
	char rel[64], buf[FS_LINE_MAX + 1];
	ssize_t n = readlinkat(w->sh->procfd, task_file(rel, w, pid, what), buf, sizeof buf);

	if (n < 0 || (size_t)n >= sizeof buf)
		return NULL;
	return fs_arena_strndup(&w->arena, buf, (size_t)n);
}

/*
 * The name of a mapping whose maps text holds "\012", which may be a
 * newline or literal text: the kernel's name of it from map_files, if that
 * name prints as the text we read (the file may have been renamed or
 * unmapped since); NULL otherwise.  Its length and bytes come from the one
 * readlink(), and it is copied by that length.
 */
static char *named_path(struct worker *w, int pid, const fs_maps_line *ml)
{
	char rel[128], exact[FS_LINE_MAX + 1];
	ssize_t got;
	size_t n;

	if (ml->range_len > 64)
		return NULL;
	snprintf(rel, sizeof rel, "%d/map_files/%.*s", pid, (int)ml->range_len, ml->range);
	got = readlinkat(w->sh->procfd, rel, exact, sizeof exact);
	if (got <= 0 || (size_t)got >= sizeof exact)
		return NULL; /* gone, or longer than any name we keep */
	n = (size_t)got;
	if (ml->deleted)
		fs_name_deleted(exact, &n);
	if (!fs_maps_prints_as(exact, n, ml->path, ml->path_len))
		return NULL;
	return fs_arena_strndup(&w->arena, exact, n);
}

/* The path of a mapping, written for people; NULL when out of memory. */
static char *exact_path(struct worker *w, int pid, const fs_maps_line *ml)
{
	char *path;

	if (memmem(ml->path, ml->path_len, "\\012", 4) && (path = named_path(w, pid, ml)))
		return path;
	/* else the text, unescaped: never longer than the text */
	path = fs_arena_alloc(&w->arena, ml->path_len + 1);
	if (path)
		fs_maps_unescape(ml->path, ml->path_len, path);
	return path;
}

/* The path of a mapping, one copy while the maps text is the same. */
static const char *image_path(struct worker *w, int pid, const fs_maps_line *ml,
			      struct per_id *e)
{
	if (memchr(ml->path, '\\', ml->path_len))
		return exact_path(w, pid, ml); /* escaped text differs from the name */
	if (!e->path || e->len != ml->path_len || memcmp(e->path, ml->path, ml->path_len) != 0) {
		e->path = exact_path(w, pid, ml);
		e->len = ml->path_len;
	}
	return e->path;
}

/* ml's identity's entry, NULL when it is not wanted; sets w->failed when
 * out of memory. */
static struct per_id *per_id(struct worker *w, fs_id id)
{
	const fs_idset *filter = w->sh->opts->filter;
	int added;
	long k = filter ? fs_idset_find(filter, id) : fs_idset_add(w->known, id, &added);

	if (k < 0) {
		if (!filter)
			w->failed = 1;
		return NULL;
	}
	if ((size_t)k >= w->idcap) {
		size_t cap = w->idcap ? w->idcap * 2 : 64;
		struct per_id *ids;

		while (cap <= (size_t)k)
			cap *= 2;
		ids = realloc(w->ids, cap * sizeof *ids);
		if (!ids) {
			w->failed = 1;
			return NULL;
		}
		memset(ids + w->idcap, 0, (cap - w->idcap) * sizeof *ids);
		w->ids = ids;
		w->idcap = cap;
	}
	return &w->ids[k];
}

/* id's entry when the process being read is to get an image of it (it is
 * wanted and not yet the process's), else NULL. */
static struct per_id *claim(struct worker *w, fs_id id)
{
	struct per_id *e = per_id(w, id);

	return e && e->serial != w->serial ? e : NULL;
}

/* The process's image of e's identity, at path (NULL: out of memory). */
static void push_image(struct worker *w, struct per_id *e, fs_id id, const char *path,
		       int deleted)
{
	fs_image *img;

	e->serial = w->serial;
	img = fs_grow((void **)&w->img, &w->nimg, &w->imgcap, sizeof *img);
	if (!img || !path) {
		w->failed = 1;
		return;
	}
	img->id = id;
	img->path = path;
	img->flags = deleted ? FS_IMAGE_DELETED : 0;
	img->package = NULL;
}

static void add_image(struct worker *w, int pid, const fs_maps_line *ml)
{
	struct per_id *e = claim(w, ml->id);

	if (e)
		push_image(w, e, ml->id, image_path(w, pid, ml, e), ml->deleted);
}

/*
 * Drops the rest of a line longer than the read buffer from the text read
 * next (have bytes at buf): the path of a mapping is text its owner
 * chooses, and its end must never be parsed as a line of its own.  Clears
 * *skip once the line has ended.
 */
static size_t skip_rest(char *buf, size_t have, int *skip)
{
	const char *nl = memchr(buf, '\n', have);
	size_t rest;

	if (!nl)
		return 0;
	rest = have - (size_t)(nl + 1 - buf);
	memmove(buf, nl + 1, rest);
	*skip = 0;
	return rest;
}

/* The maps text of fd, parsed; READ_EMPTY when it was empty (a kernel
 * thread, a zombie, or a process whose main thread has exited). */
static int read_text(struct worker *w, int pid, int fd)
{
	size_t have = 0, total = 0;
	fs_maps_cursor c = { 0 };
	fs_maps_line ml;

	/*
	 * The kernel gives a page of text per read: gather the whole text (or
	 * a full buffer) first, then parse it in one go.  After the gate area
	 * nothing follows, and the read that would say so is spared.
	 */
	for (int end = 0, skip = 0; !end;) {
		ssize_t n = read(fd, w->buf + have, READ_BUF - have);
		size_t used;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return classify(errno);
		have += (size_t)n;
		total += (size_t)n;
		if (skip)
			have = skip_rest(w->buf, have, &skip);
		end = n == 0 || fs_maps_at_gate(w->buf, have);
		if (!end && READ_BUF - have >= READ_MORE)
			continue;
		fs_maps_feed(&c, w->buf, have);
		while (fs_maps_next(&c, &ml))
			add_image(w, pid, &ml);
		used = (size_t)(c.p - w->buf);
		if (used == 0 && have == READ_BUF) {
			/* a line longer than the buffer: not a path we keep */
			used = have;
			skip = 1;
		}
		memmove(w->buf, w->buf + used, have - used);
		have -= used;
	}
	return total ? READ_OK : READ_EMPTY;
}

/* The kernel has no PROCMAP_QUERY, or the text was asked for: every scan
 * reads maps text (set once, by the first query or fs_os_scan()). */
static atomic_int text_only;

/*
 * What a failed query means for the process: any is whether one answered.
 * ESRCH after an answer: its memory map went away mid-walk (an exec, or
 * its exit): what was found stands, as when the text read ends early.
 */
static int query_failed(int e, int any)
{
	if ((e == ENOTTY || e == EINVAL) && !any)
		atomic_store(&text_only, 1); /* before Linux 6.11 */
	if (e == ESRCH)
		return any ? READ_OK : READ_EMPTY;
	/* a name too long for it (over PATH_MAX), an answer out of contract,
	 * or a policy refusing the ioctl where the open was allowed */
	return READ_TEXT;
}

/*
 * The mapping that covers or follows at, asked again with its name (the
 * query without it, at the same address, found a file the scan wants):
 * its image unless unwanted or had.  The walk goes on after it (*addr),
 * and *last becomes its identity, the one that regions after it of the
 * same file are skipped for.  This answer alone counts: the mapping may
 * have been replaced since the first, or split (tests/attack/
 * test_scanner.sh, 1d and 1e).
 */
static int add_named(struct worker *w, int fd, uint64_t at, uint64_t *addr, fs_id *last)
{
	fs_vma named;
	struct per_id *e;
	int r = fs_vma_query(fd, at, &named, w->buf, READ_BUF);

	if (r <= 0)
		return r;
	*addr = named.end; /* past at: it covers or follows at */
	*last = named.id;
	if (!(e = claim(w, named.id)) || w->buf[0] != '/')
		return 1; /* unwanted, had, or no file's path (anon_inode:...) */
	if (!e->path || e->len != named.name_len || memcmp(e->path, w->buf, named.name_len) != 0) {
		e->path = fs_arena_strndup(&w->arena, w->buf, named.name_len);
		e->len = named.name_len;
	}
	push_image(w, e, named.id, e->path, named.deleted);
	return 1;
}

/*
 * The process's mappings of files asked of the kernel one at a time
 * (vma_linux.c): each file's name only once, and only when the scan wants
 * the file.  READ_TEXT when the text must be read instead.
 */
static int read_queries(struct worker *w, int fd)
{
	uint64_t addr = 0;
	fs_id last = { 0, 0 };
	fs_vma v;
	int any = 0;

	for (;;) {
		uint64_t at = addr;
		int r = fs_vma_query(fd, at, &v, NULL, 0);

		if (r == 0)
			return READ_OK;
		if (r < 0)
			return query_failed(errno, any);
		any = 1;
		addr = v.end;
		if (v.id.dev == last.dev && v.id.ino == last.ino)
			continue; /* the next region of the same file */
		last = v.id;
		if (!claim(w, v.id))
			continue;
		r = add_named(w, fd, at, &addr, &last);
		if (r == 0)
			return READ_OK;
		if (r < 0)
			return query_failed(errno, any);
	}
}

/* The process's images from /proc/PID/maps: asked of the kernel where it
 * can answer, else read as text. */
static int read_maps(struct worker *w, int pid)
{
	char rel[64];
	struct stat st;
	int fd, r = READ_TEXT;

	w->uid = -1;
	fd = openat(w->sh->procfd, task_file(rel, w, pid, "maps"), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return classify(errno);
	if (!atomic_load_explicit(&text_only, memory_order_relaxed))
		r = read_queries(w, fd);
	if (r == READ_TEXT) {
		w->nimg = 0;
		w->serial++; /* what the queries claimed is the text's again */
		r = read_text(w, pid, fd);
	}
	/* the owner of /proc/PID files is the process's: see fill_details() */
	if (r == READ_OK && w->nimg > 0 && fstat(fd, &st) == 0)
		w->uid = (long)st.st_uid;
	close(fd);
	return r;
}

/*
 * A process whose main thread has exited (pthread_exit() in main, other
 * threads running) shows no memory map, executable or root under
 * /proc/PID: its live threads do, under /proc/PID/task/TID.  The link
 * count of /proc/PID/task is 2 plus its threads, so a kernel thread or a
 * zombie costs one fstatat().  Every listed thread may be tried: an ended
 * thread kept as a zombie by a tracer (its owner can make many) has no map
 * either, and a fixed number of tries hid the process behind them.  The
 * cost is one open per thread, which costs its owner more.  Sets w->tid to
 * the thread read.
 */
static int read_via_thread(struct worker *w, int pid)
{
	char rel[64];
	struct stat st;
	struct dirent *de;
	DIR *d;
	int r = READ_EMPTY;

	if (fstatat(w->sh->procfd, pid_file(rel, pid, "task"), &st, 0) < 0 || st.st_nlink <= 3)
		return READ_EMPTY;
	if (!(d = fs_linux_opendir(w->sh->procfd, rel)))
		return READ_EMPTY;
	while ((r == READ_EMPTY || r == READ_GONE) && (de = readdir(d))) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);

		if (*end || tid <= 0 || tid > 0x7fffffff || tid == pid)
			continue;
		w->tid = (int)tid;
		r = read_maps(w, pid);
	}
	closedir(d);
	if (r != READ_OK)
		w->tid = 0;
	return r == READ_GONE ? READ_EMPTY : r;
}

/* A path as the process sees it: without its root's prefix. */
static const char *in_root(const char *path, const char *root)
{
	size_t n;

	if (!path || !root || strcmp(root, "/") == 0)
		return path;
	n = strlen(root);
	if (strncmp(path, root, n) == 0 && path[n] == '/')
		return path + n;
	return path;
}

/*
 * The path in systemd's cgroup hierarchy from /proc/PID/cgroup, read into
 * the maps buffer (free once the maps are read): NULL when unreadable,
 * filling the buffer (READ_BUF - 1 bytes: more than the kernel's paths
 * allow on any sane system) or not naming one path (fs_cgroup_path()).
 */
static const char *read_cgroup(struct worker *w, int pid)
{
	char rel[64];
	const char *path;
	size_t len;
	ssize_t n = read_small(w->sh->procfd, task_file(rel, w, pid, "cgroup"), w->buf, READ_BUF);

	if (n <= 0 || (size_t)n >= READ_BUF - 1 ||
	    fs_cgroup_path(w->buf, (size_t)n, &path, &len) < 0)
		return NULL;
	return fs_arena_strndup(&w->arena, path, len);
}

/*
 * comm and start time from /proc/PID/stat.  The uid (read_maps()) is the
 * owner of the process's /proc files, as lsof and fuser report it: the
 * effective uid, or 0 for a process that made itself non-dumpable
 * (docs/json.md).
 */
static int fill_details(struct worker *w, fs_proc *p, fs_image *imgs)
{
	char rel[64], buf[4096], comm[64];
	unsigned long long start = 0;
	ssize_t n;
	const char *ns;
	char *exe;

	n = read_small(w->sh->procfd, pid_file(rel, p->pid, "stat"), buf, sizeof buf);
	comm[0] = '\0';
	if (n > 0)
		fs_proc_parse_stat(buf, (size_t)n, comm, sizeof comm, &start);
	p->uid = w->uid;
	p->start_time = start;
	p->comm = fs_arena_strdup(&w->arena, comm);
	exe = read_link(w, p->pid, "exe");
	if (exe) {
		size_t len = strlen(exe);

		p->exe_deleted = fs_name_deleted(exe, &len);
		exe[len] = '\0';
	}
	p->exe = exe;
	if (w->sh->units)
		p->cgroup = read_cgroup(w, p->pid);
	if (!w->sh->opts->process_view && !w->sh->opts->views)
		return p->comm ? 0 : -1;
	p->root = read_link(w, p->pid, "root");
	ns = read_link(w, p->pid, "ns/mnt");
	p->mntns = ns;
	p->foreign_mntns = ns && w->sh->our_mntns[0] && strcmp(ns, w->sh->our_mntns) != 0;
	if (!w->sh->opts->process_view)
		return p->comm ? 0 : -1;
	p->exe = in_root(p->exe, p->root);
	for (size_t i = 0; i < p->nimages; i++)
		imgs[i].path = in_root(imgs[i].path, p->root);
	return p->comm ? 0 : -1;
}

static void scan_one(struct worker *w, int pid)
{
	fs_proc *p;
	fs_image *imgs;
	int r;

	w->nimg = 0;
	w->serial++;
	w->tid = 0;
	r = read_maps(w, pid);
	if (r == READ_EMPTY)
		r = read_via_thread(w, pid);
	if (r == READ_GONE)
		return;
	w->seen++;
	if (r == READ_DENIED) {
		fs_pidstart *d = fs_grow((void **)&w->denied, &w->unreadable,
					 &w->denied_cap, sizeof *d);
		char rel[32], buf[1024], comm[64];
		unsigned long long start = 0;
		ssize_t n;

		if (!d) {
			w->failed = 1;
			return;
		}
		n = read_small(w->sh->procfd, pid_file(rel, pid, "stat"), buf, sizeof buf);
		if (n > 0)
			fs_proc_parse_stat(buf, (size_t)n, comm, sizeof comm, &start);
		d->pid = pid;
		d->start_time = start;
		return;
	}
	if (w->nimg == 0)
		return; /* kernel thread, zombie, or nothing of interest */
	imgs = fs_arena_alloc(&w->arena, w->nimg * sizeof *imgs);
	p = fs_grow((void **)&w->procs, &w->nprocs, &w->cap, sizeof *p);
	if (!imgs || !p) {
		w->failed = 1;
		return;
	}
	memcpy(imgs, w->img, w->nimg * sizeof *imgs);
	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->images = imgs;
	p->nimages = w->nimg;
	if (fill_details(w, p, imgs) < 0)
		w->failed = 1;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;

	/*
	 * A file table of its own: every open and close takes the table's lock
	 * and a shared table bounces it between CPUs (measured: +15 % CPU).
	 * Failing to unshare is harmless, only slower.
	 */
	if (!pthread_equal(pthread_self(), sh->caller))
		unshare(CLONE_FILES);

	for (unsigned s = 0; s < sh->nshares; s++) {
		struct share *share = &sh->share[(w->self + s) % sh->nshares];

		for (;;) {
			size_t i = atomic_fetch_add(&share->next, BATCH);

			if (i >= share->end || w->failed)
				break;
			for (size_t k = i; k < i + BATCH && k < share->end; k++)
				scan_one(w, sh->pids[k]);
		}
	}
	return NULL;
}

static pid_t supervisor; /* set once, in the worker, before any scan */

void fs_linux_scan_not(pid_t pid)
{
	supervisor = pid;
}

static int list_pids(int procfd, int **pids, size_t *n, fs_err *err)
{
	pid_t self = getpid();

	DIR *d = fs_linux_opendir(procfd, ".");
	struct dirent *de;
	size_t cap = 0;

	if (!d)
		return fs_fail_errno(err, errno, "cannot list /proc");
	*pids = NULL;
	*n = 0;
	while ((de = readdir(d))) {
		char *end;
		long v;
		int *slot;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		v = strtol(de->d_name, &end, 10);
		if (*end || v <= 0 || v > 0x7fffffff || v == self || (supervisor && v == supervisor))
			continue;
		slot = fs_grow((void **)pids, n, &cap, sizeof **pids);
		if (!slot) {
			closedir(d);
			return fs_fail(err, "out of memory");
		}
		*slot = (int)v;
	}
	closedir(d);
	return 0;
}

static unsigned thread_count(const fs_scan_opts *opts, size_t npids)
{
	long cpus = opts->threads ? (long)opts->threads : sysconf(_SC_NPROCESSORS_ONLN);
	size_t t = cpus > 0 ? (size_t)cpus : 1;

	if (t > FS_LINUX_MAX_WORKERS)
		t = FS_LINUX_MAX_WORKERS;
	if (t > npids / BATCH + 1)
		t = npids / BATCH + 1;
	return (unsigned)t;
}

/* What every worker reads from: /proc, our mount namespace, whether
 * systemd runs. */
static int shared_open(struct shared *sh, const fs_scan_opts *opts, fs_err *err)
{
	struct stat st;
	ssize_t n;

	sh->opts = opts;
	sh->procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (sh->procfd < 0)
		return fs_fail_errno(err, errno, "cannot open /proc");
	n = readlinkat(sh->procfd, "self/ns/mnt", sh->our_mntns, sizeof sh->our_mntns);
	sh->our_mntns[n > 0 && (size_t)n < sizeof sh->our_mntns ? n : 0] = '\0'; /* cut: unknown */
	/* sd_booted(): systemd runs when /run/systemd/system is a directory */
	sh->units = opts->units && lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
	return 0;
}

/* nt workers, each with its contiguous share of the pids. */
static int workers_init(struct shared *sh, struct worker *w, unsigned nt, fs_err *err)
{
	const fs_scan_opts *opts = sh->opts;

	sh->nshares = nt;
	for (unsigned i = 0; i < nt; i++) {
		atomic_init(&sh->share[i].next, sh->npids * i / nt);
		sh->share[i].end = sh->npids * (i + 1) / nt;
		w[i].self = i;
		w[i].sh = sh;
		/* zeroed once: valgrind cannot know that a query writes the
		 * name into it (the kernel's own bytes are never read unset) */
		w[i].buf = calloc(1, READ_BUF);
		w[i].known = opts->filter ? NULL : fs_idset_new(1024);
		if (!w[i].buf || (!opts->filter && !w[i].known))
			return fs_fail(err, "out of memory");
	}
	return 0;
}

/* Appends n elements of size bytes to *all (of *count). */
static int append_all(void **all, size_t *count, const void *v, size_t n, size_t size,
		      fs_err *err)
{
	char *dst;

	if (n == 0)
		return 0;
	dst = realloc(*all, (*count + n) * size);
	if (!dst)
		return fs_fail(err, "out of memory");
	memcpy(dst + *count * size, v, n * size);
	*all = dst;
	*count += n;
	return 0;
}

/* One worker's results into the scan. */
static int gather(fs_scan *scan, const struct worker *w, fs_err *err)
{
	if (w->failed)
		return fs_fail(err, "out of memory while scanning processes");
	scan->seen += w->seen;
	if (append_all((void **)&scan->unreadable_procs, &scan->unreadable, w->denied,
		       w->unreadable, sizeof *w->denied, err) < 0)
		return -1;
	return append_all((void **)&scan->procs, &scan->nprocs, w->procs, w->nprocs,
			  sizeof *w->procs, err);
}

static void worker_free(fs_scan *scan, struct worker *w)
{
	fs_scan_adopt(scan, &w->arena);
	free(w->procs);
	free(w->denied);
	free(w->img);
	free(w->buf);
	fs_idset_free(w->known);
	free(w->ids);
}

int fs_os_scan(const fs_scan_opts *opts, fs_scan *scan, fs_err *err)
{
	struct shared sh = { 0 };
	struct worker w[FS_LINUX_MAX_WORKERS];
	unsigned nt = 0;
	int *pids = NULL, rc = -1;
	const char *text;

	memset(w, 0, sizeof w);
	text = getenv("FORKSAFE_SCAN_MAPS");
	if (text && strcmp(text, "text") == 0)
		atomic_store(&text_only, 1); /* docs/cli.md, "Environment" */
	if (shared_open(&sh, opts, err) < 0)
		return -1;
	scan->systemd = sh.units;
	if (list_pids(sh.procfd, &pids, &sh.npids, err) < 0)
		goto out;
	sh.pids = pids;
	nt = thread_count(opts, sh.npids);
	if (workers_init(&sh, w, nt, err) < 0)
		goto out;
	/* a worker whose thread cannot start runs last in this one, and finds
	 * its share taken by the others */
	sh.caller = pthread_self();
	fs_linux_run_all(work, w, nt, sizeof *w);
	for (unsigned i = 0; i < nt; i++)
		if (gather(scan, &w[i], err) < 0)
			goto out;
	if (scan->nprocs > 1)
		qsort(scan->procs, scan->nprocs, sizeof *scan->procs, fs_cmp_proc_pid);
	rc = 0;
out:
	for (unsigned i = 0; i < nt; i++)
		worker_free(scan, &w[i]);
	free(pids);
	close(sh.procfd);
	return rc;
}
