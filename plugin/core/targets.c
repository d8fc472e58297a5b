/*
 * targets.c - the list of files a query is about, resolved inside a root
 * by the OS backend (fs_os_resolve).
 */
#include "os.h"
#include "arena.h"
#include "err.h"
#include "targets.h"
#include "vec.h"

#include <stdlib.h>
#include <string.h>

/* Resolved together: bounds the scratch arrays of a call, whatever n is. */
#define SLICE 8192
#define POOL_CHUNK (64 * 1024)

struct fs_targets {
	char *root;
	fs_os_root *os;
	fs_target *v;
	size_t n, cap;
	fs_target_skip *skips;
	size_t nskips, skipcap;
	fs_arena strings; /* every request, path and problem: */
	char *pool;       /* packed side by side in its chunks */
	size_t pool_left;
	int skip_dirs;
};

fs_targets *fs_targets_new(const char *root, fs_err *err)
{
	fs_targets *t = calloc(1, sizeof *t);

	if (!t) {
		fs_fail(err, "out of memory");
		return NULL;
	}
	t->root = strdup(root ? root : "/");
	if (!t->root) {
		fs_fail(err, "out of memory");
		fs_targets_free(t);
		return NULL;
	}
	t->os = fs_os_root_open(t->root, err);
	if (!t->os) {
		fs_targets_free(t);
		return NULL;
	}
	return t;
}

void fs_targets_free(fs_targets *t)
{
	if (!t)
		return;
	free(t->v);
	free(t->skips);
	fs_arena_free(&t->strings);
	fs_os_root_close(t->os);
	free(t->root);
	free(t);
}

const char *fs_targets_root(const fs_targets *t) { return t->root; }
void fs_targets_skip_dirs(fs_targets *t) { t->skip_dirs = 1; }
size_t fs_targets_count(const fs_targets *t) { return t->n; }
const fs_target *fs_targets_get(const fs_targets *t, size_t i) { return &t->v[i]; }
size_t fs_targets_skipped(const fs_targets *t) { return t->nskips; }
const fs_target_skip *fs_targets_skip_get(const fs_targets *t, size_t i)
{
	return &t->skips[i];
}

/* A copy of s[0..len) packed in the list's strings (the arena aligns
 * each allocation: a chunk at a time, not a string). */
static char *pool_strndup(fs_targets *t, const char *s, size_t len)
{
	char *p;

	if (t->pool_left < len + 1) {
		size_t size = len + 1 > POOL_CHUNK ? len + 1 : POOL_CHUNK;

		if (!(t->pool = fs_arena_alloc(&t->strings, size)))
			return NULL;
		t->pool_left = size;
	}
	p = t->pool;
	memcpy(p, s, len);
	p[len] = '\0';
	t->pool += len + 1;
	t->pool_left -= len + 1;
	return p;
}

/* Room for one more target or skip: FS_TARGETS_MAX counts both. */
static int room(const fs_targets *t, fs_err *err)
{
	if (t->n + t->nskips >= FS_TARGETS_MAX)
		return fs_fail(err, "more than %u targets", FS_TARGETS_MAX);
	return 0;
}

int fs_targets_skip(fs_targets *t, const char *request, const char *problem,
		    fs_err *err)
{
	fs_target_skip *s;

	if (room(t, err) < 0)
		return -1;
	s = fs_grow((void **)&t->skips, &t->nskips, &t->skipcap, sizeof *s);
	if (!s)
		return fs_fail(err, "out of memory");
	s->request = pool_strndup(t, request, strnlen(request, FS_LINE_MAX));
	/* many targets skipped for one reason share its text */
	s->problem = t->nskips > 1 && strcmp(s[-1].problem, problem) == 0
		     ? s[-1].problem : pool_strndup(t, problem, strlen(problem));
	if (!s->request || !s->problem) {
		t->nskips--;
		return fs_fail(err, "out of memory");
	}
	return 0;
}

/* Whether path cannot be a target, whatever the root holds (why in e). */
static int refused(const char *path, fs_err *e)
{
	size_t len = strlen(path);

	if (len == 0)
		return fs_fail(e, "empty target path") < 0;
	if (len > FS_LINE_MAX)
		return fs_fail(e, "target path is longer than %d bytes", FS_LINE_MAX) < 0;
	return 0;
}

/* Room for t->v[t->n]. */
static int grow(fs_targets *t, fs_err *err)
{
	size_t want = t->cap ? t->cap * 2 : 64;

	if (t->n < t->cap)
		return 0;
	if (want > FS_TARGETS_MAX)
		want = FS_TARGETS_MAX;
	return fs_reserve((void **)&t->v, &t->cap, want, sizeof *t->v, err);
}

/* Moves a resolved target into the list: its strings into the arena, the
 * request shared with the path when it is the same text. */
static int keep(fs_targets *t, fs_target *tg, const char *request, fs_err *err)
{
	size_t plen = strlen(tg->path);
	char *path = pool_strndup(t, tg->path, plen);
	char *req = NULL;

	if (path)
		req = strcmp(request, path) == 0 ? path
		      : strcmp(request, path + 1) == 0 ? path + 1
		      : pool_strndup(t, request, strlen(request));
	if (req && tg->link && !(tg->link = pool_strndup(t, tg->link, strlen(tg->link))))
		req = NULL;
	if (!req)
		return fs_fail(err, "out of memory");
	free(tg->path);
	tg->path = path;
	tg->request = req;
	t->v[t->n++] = *tg;
	tg->path = NULL;
	return 0;
}

/* msg without the "path: " the backend starts it with: the request is
 * shown beside it. */
static const char *problem_of(const char *msg, const char *path)
{
	size_t len = strlen(path);

	if (strncmp(msg, path, len) == 0 && msg[len] == ':' && msg[len + 1] == ' ')
		return msg + len + 2;
	return msg;
}

/*
 * What becomes of a resolved target whose path ends in '/' (a directory
 * entry of a package, pacman's NeedsTargets form): a directory, or nothing
 * yet, is not listed (nothing maps a directory); anything else is skipped,
 * as the kernel refuses such a path (ENOTDIR), never answered "not in use".
 */
enum dir_entry { DIR_ENTRY_FAILED = -1, DIR_ENTRY_NOT = 0, DIR_ENTRY_LEFT_OUT = 1 };

static enum dir_entry dir_entry(fs_targets *t, const char *request, const char *path,
		     const fs_target *tg, fs_err *err)
{
	if (path[strlen(path) - 1] != '/')
		return DIR_ENTRY_NOT;
	if (tg->exists && !tg->is_dir && fs_targets_skip(t, request, "not a directory", err) < 0)
		return DIR_ENTRY_FAILED;
	return DIR_ENTRY_LEFT_OUT;
}

/*
 * n <= SLICE targets.  Resolved in parallel; a target that failed there is
 * tried once more alone (a worker's failure may have been another's doing:
 * descriptors all workers share), then skipped with its problem.
 */
static int add_slice(fs_targets *t, const char *const *requests,
		     const char *const *paths, size_t n, fs_err *err)
{
	fs_target *out = calloc(n + 1, sizeof *out);
	unsigned char *ok = calloc(n + 1, 1);
	fs_err *errs = malloc((n + 1) * sizeof *errs);
	const char **todo = calloc(n + 1, sizeof *todo);
	size_t *from = malloc((n + 1) * sizeof *from), m = 0;
	int rc = -1;

	if (!out || !ok || !errs || !todo || !from) {
		fs_fail(err, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		fs_err why;

		if (refused(paths[k], &why)) {
			if (fs_targets_skip(t, requests[k], why.msg, err) < 0)
				goto out;
			continue;
		}
		from[m] = k;
		todo[m++] = paths[k];
	}
	if (fs_os_resolve_all(t->os, t->root, m, todo, out, ok, errs, err) < 0)
		goto out;
	for (size_t i = 0; i < m; i++) {
		enum dir_entry dir;

		if (!ok[i])
			ok[i] = fs_os_resolve(t->os, todo[i], &out[i], &errs[i]) == 0;
		if (ok[i] && strlen(out[i].path) > FS_LINE_MAX) {
			ok[i] = 0;
			snprintf(errs[i].msg, sizeof errs[i].msg,
				 "resolves to a path longer than %d bytes", FS_LINE_MAX);
		}
		if (!ok[i] ? fs_targets_skip(t, requests[from[i]],
					     problem_of(errs[i].msg, todo[i]), err) < 0
			   : room(t, err) < 0)
			goto out;
		if (!ok[i])
			continue;
		if ((dir = dir_entry(t, requests[from[i]], todo[i], &out[i], err)) == DIR_ENTRY_FAILED)
			goto out;
		if (dir == DIR_ENTRY_LEFT_OUT || (out[i].is_dir && t->skip_dirs))
			continue;
		if (grow(t, err) < 0 || keep(t, &out[i], requests[from[i]], err) < 0)
			goto out;
	}
	rc = 0;
out:
	for (size_t k = 0; out && k < m; k++)
		free(out[k].path);
	free(out);
	free(ok);
	free(errs);
	free(todo);
	free(from);
	return rc;
}

/*
 * Adds n targets: requests[i] as given, for reports; paths[i] what is
 * resolved inside the root (the backend resolves many in parallel).  A path
 * that names no file inside the root is skipped with its problem.
 */
int fs_targets_add_many(fs_targets *t, const char *const *requests,
			const char *const *paths, size_t n, fs_err *err)
{
	for (size_t k = 0; k < n; k += SLICE) {
		size_t len = n - k < SLICE ? n - k : SLICE;

		if (add_slice(t, requests + k, paths + k, len, err) < 0)
			return -1;
	}
	return 0;
}

static int add(fs_targets *t, const char *request, const char *path, fs_err *err)
{
	return fs_targets_add_many(t, &request, &path, 1, err);
}

int fs_targets_add(fs_targets *t, const char *path, fs_err *err)
{
	return add(t, path, path, err);
}

int fs_targets_add_user(fs_targets *t, const char *path, fs_err *err)
{
	char *cwd, *full;
	const char *inside;
	int rc;

	if (strcmp(t->root, "/") != 0)
		return add(t, path, path, err);
	if (fs_os_path_absolute(path)) {
		full = NULL;
	} else {
		if (!(cwd = fs_os_cwd(err)))
			return -1;
		full = malloc(strlen(cwd) + strlen(path) + 2);
		if (full)
			sprintf(full, "%s/%s", cwd, path);
		free(cwd);
		if (!full)
			return fs_fail(err, "out of memory");
	}
	/* Windows: a drive path in the installation ("/") is the
	 * installation's file; one elsewhere is answered by the backend
	 * wherever it lies (Linux: every path is inside "/") */
	inside = fs_os_under_root(full ? full : path, "/");
	rc = add(t, path, inside ? inside : full ? full : path, err);
	free(full);
	return rc;
}
