/*
 * snapshot.c - the store built on os.h's file-system primitives: where each
 * thing of store.h's layout lives, how many files are kept at once, and the
 * walk to a kept file (with the last directory remembered: the files of a
 * snapshot are sorted, so the next one usually shares it).  The backend
 * knows none of these names.
 */
#include "err.h"
#include "relpath.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ------------------------------------------------------------------- */

static int name_chars_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static int has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int fs_store_is_snapshot(const char *name)
{
	size_t n = strlen(SNAP_PREFIX);

	return has_prefix(name, SNAP_PREFIX) && name[n] && strlen(name) < 128 &&
	       name_chars_ok(name + n);
}

int fs_store_is_protect_copy(const char *name)
{
	return has_prefix(name, TMP_PREFIX) && has_prefix(name + strlen(TMP_PREFIX), PROTECT_PREFIX);
}

int fs_store_is_leftover(const char *name)
{
	const char *tail = name + strlen(TMP_PREFIX) + strlen(PROTECT_PREFIX);

	return (has_prefix(name, TMP_PREFIX) && fs_store_is_snapshot(name + strlen(TMP_PREFIX))) ||
	       (fs_store_is_protect_copy(name) && tail[0] && name_chars_ok(tail)) ||
	       (has_prefix(name, DEAD_PREFIX) && fs_store_is_snapshot(name + strlen(DEAD_PREFIX)));
}

/* ---- the store's directory -------------------------------------------------- */

struct fs_store {
	fs_os_dir *dir;
	/* the files/ of the last snapshot walked into, and its name */
	fs_os_dir *top;
	char *top_snap;
	/* the last directory under it walked to, under its key
	 * "<snap>/<directories>" */
	fs_os_dir *files;
	char *key;
};

fs_store *fs_store_open_path(const char *path, int create, int *missing, fs_err *err)
{
	fs_store *s = calloc(1, sizeof *s);

	if (!s) {
		fs_fail(err, "out of memory");
		return NULL;
	}
	s->dir = fs_os_dir_open_safe(path, create, missing, err);
	if (!s->dir) {
		free(s);
		return NULL;
	}
	return s;
}

/* Forgets the remembered directory under files/ (after removing one). */
static void forget_parent(fs_store *s)
{
	fs_os_dir_close(s->files);
	free(s->key);
	s->files = NULL;
	s->key = NULL;
}

/* Forgets every remembered directory (after anything that may remove a
 * snapshot). */
static void forget(fs_store *s)
{
	forget_parent(s);
	fs_os_dir_close(s->top);
	free(s->top_snap);
	s->top = NULL;
	s->top_snap = NULL;
}

/* snap's files/ (remembered by s: not to be closed), or NULL with err. */
static fs_os_dir *files_top(fs_store *s, const char *snap, fs_err *err)
{
	char sub[FS_LINE_MAX + 16];

	if (s->top && strcmp(s->top_snap, snap) == 0)
		return s->top;
	forget(s);
	if (strlen(snap) > FS_LINE_MAX) {
		fs_fail(err, "%s: name too long", snap);
		return NULL;
	}
	snprintf(sub, sizeof sub, "%s/" SNAP_FILES, snap);
	if (!(s->top = fs_os_dir_open_at(s->dir, sub, 0, NULL, err)))
		return NULL;
	if (!(s->top_snap = strdup(snap))) {
		forget(s);
		fs_fail(err, "out of memory");
		return NULL;
	}
	return s->top;
}

void fs_store_close(fs_store *s)
{
	if (!s)
		return;
	forget(s);
	fs_os_dir_close(s->dir);
	free(s);
}

int fs_store_lock(fs_store *s, fs_err *err)
{
	return fs_os_lock(s->dir, STORE_LOCK, err);
}

int fs_store_list(fs_store *s, char ***names, size_t *n, fs_err *err)
{
	return fs_os_list(s->dir, names, n, err);
}

int fs_store_rename(fs_store *s, const char *from, const char *to, fs_err *err)
{
	forget(s);
	return fs_os_rename(s->dir, from, to, err);
}

int fs_store_remove(fs_store *s, const char *name, fs_err *err)
{
	fs_os_info info;

	forget(s);
	if (fs_store_is_protect_copy(name)) {
		fs_presence p = fs_os_stat(s->dir, name, &info, err);

		if (p == FS_PRESENCE_ERROR)
			return -1;
		/* protect's copies are files: a directory under that name came
		 * in from a user's path (a swap cut short), never emptied */
		if (p == FS_PRESENT && info.kind == FS_OS_DIR)
			return fs_fail(err, "store entry %s is a directory, not a copy protect "
				       "made: left alone", name);
	}
	return fs_os_remove_tree(s->dir, name, SNAP_DEPTH, err);
}

int fs_store_file_open(fs_store *s, const char *name, size_t max, fs_err *err)
{
	return fs_os_open_read(s->dir, name, max, err);
}

int fs_store_file_write(fs_store *s, const char *name, const char *buf, size_t len,
			fs_err *err)
{
	return fs_os_write_atomic(s->dir, name, buf, len, err);
}

/* ---- a snapshot's own files ------------------------------------------------------ */

/* snap's directory, to close; NULL with "snapshot <snap>: why". */
static fs_os_dir *snap_dir(fs_store *s, const char *snap, fs_err *err)
{
	fs_err why;
	fs_os_dir *d = fs_os_dir_open_at(s->dir, snap, 0, NULL, &why);

	if (!d && err)
		fs_fail(err, "snapshot %s", why.msg);
	return d;
}

int fs_snap_create(fs_store *s, const char *snap, fs_err *err)
{
	fs_os_dir *d;
	int rc;

	if (fs_os_mkdir(s->dir, snap, err) < 0 || !(d = snap_dir(s, snap, err)))
		return -1;
	rc = fs_os_mkdir(d, SNAP_FILES, err);
	fs_os_dir_close(d);
	return rc;
}

int fs_snap_file_read(fs_store *s, const char *snap, const char *name, size_t max,
		      char **buf, size_t *len, fs_err *err)
{
	fs_os_dir *d = snap_dir(s, snap, err);
	int rc = d ? fs_os_read_file(d, name, max, buf, len, err) : -1;

	fs_os_dir_close(d);
	return rc;
}

int fs_snap_file_write(fs_store *s, const char *snap, const char *name, const char *buf,
		       size_t len, fs_err *err)
{
	fs_os_dir *d = snap_dir(s, snap, err);
	int rc = d ? fs_os_write_atomic(d, name, buf, len, err) : -1;

	fs_os_dir_close(d);
	return rc;
}

int fs_snap_file_touch(fs_store *s, const char *snap, const char *name, fs_err *err)
{
	fs_os_dir *d = snap_dir(s, snap, err);
	int rc = d ? fs_os_touch(d, name, err) : -1;

	fs_os_dir_close(d);
	return rc;
}

fs_presence fs_snap_file_present(fs_store *s, const char *snap, const char *name,
				 fs_err *err)
{
	fs_os_dir *d = snap_dir(s, snap, err);
	fs_os_info info;
	fs_presence p = d ? fs_os_stat(d, name, &info, err) : FS_PRESENCE_ERROR;

	fs_os_dir_close(d);
	return p;
}

int fs_snap_file_unlink(fs_store *s, const char *snap, const char *name, fs_err *err)
{
	fs_os_dir *d = snap_dir(s, snap, err);
	int rc = d && fs_os_unlink(d, name, err) == 0 ? fs_os_sync(d, err) : -1;

	fs_os_dir_close(d);
	return rc;
}

int fs_snap_hold_make(fs_store *s, const char *snap, const char *name, fs_err *err)
{
	fs_os_dir *d = snap_dir(s, snap, err);
	int rc = d ? fs_os_hold_make(d, name, err) : -1;

	fs_os_dir_close(d);
	return rc;
}

/* ---- kept files ------------------------------------------------------------------- */

/*
 * The directory of snap/files/relpath (remembered by s: not to be closed)
 * and its last component.  create makes missing directories.  0, 1 when
 * (without create) a directory on the way is missing, -1 on error.
 */
static int files_parent(fs_store *s, const char *snap, const char *relpath, int create,
			fs_os_dir **dir, const char **name, fs_err *err)
{
	const char *last = strrchr(relpath, '/');
	size_t dlen = last ? (size_t)(last - relpath) : 0;
	char key[2 * FS_LINE_MAX + 2], sub[FS_LINE_MAX + 16];
	fs_os_dir *top;
	fs_err why;
	int missing;

	/* also bounds the walk: FS_KEEP_DEPTH directories at most */
	if (fs_relpath_check(relpath, &why) < 0)
		return fs_fail(err, "%s/" SNAP_FILES "/%s: %s", snap, relpath, why.msg);
	*name = last ? last + 1 : relpath;
	if (!(top = files_top(s, snap, err)))
		return -1;
	if (!dlen) {
		*dir = top;
		return 0;
	}
	snprintf(key, sizeof key, "%s/%.*s", snap, (int)dlen, relpath);
	if (s->files && strcmp(s->key, key) == 0) {
		*dir = s->files;
		return 0;
	}
	forget_parent(s);
	snprintf(sub, sizeof sub, "%.*s", (int)dlen, relpath);
	if (!(*dir = fs_os_dir_open_at(top, sub, create, &missing, err)))
		return !create && missing ? 1 : -1;
	s->files = *dir;
	if (!(s->key = strdup(key))) {
		forget_parent(s);
		return fs_fail(err, "out of memory");
	}
	return 0;
}

/* Each worker keeps a contiguous share of the (path-sorted) files, with a
 * root and a remembered directory of its own, so workers meet only where
 * their shares touch one directory (a directory made meanwhile is fine). */
#define KEEP_PER_WORKER 2000 /* fewer files than this: not worth a thread */
#define KEEP_WORKERS 4

struct keeper {
	fs_store view;        /* the store, with its own remembered directory */
	fs_os_root *root;
	const char *snap;
	fs_budget *budget;
	size_t from, to;
	const char *const *relpaths;
	const fs_id *ids;
	int *methods;
	fs_id *stored;
	unsigned char *ok;
	fs_err *errs;
};

static int keep_one(struct keeper *k, size_t i)
{
	fs_os_dir *dir;
	const char *name;

	if (files_parent(&k->view, k->snap, k->relpaths[i], 1, &dir, &name, &k->errs[i]) != 0)
		return -1;
	return fs_os_keep(k->root, k->relpaths[i], k->ids[i], dir, name, k->budget,
			  &k->methods[i], &k->stored[i], &k->errs[i]);
}

static void *keep_share(void *arg)
{
	struct keeper *k = arg;

	for (size_t i = k->from; i < k->to; i++)
		k->ok[i] = keep_one(k, i) == 0;
	return NULL;
}

int fs_snap_keep_all(fs_store *s, const char *snap, const char *root,
		     uint64_t copy_budget, size_t n, const char *const *relpaths,
		     const fs_id *ids, int *methods, fs_id *stored, unsigned char *ok,
		     fs_err *errs, fs_err *err)
{
	fs_budget budget = { .limit = copy_budget };
	struct keeper k[KEEP_WORKERS];
	size_t nk = fs_os_workers(n, KEEP_PER_WORKER, KEEP_WORKERS), opened = 0;

	if (nk > KEEP_WORKERS)
		nk = KEEP_WORKERS;
	for (; opened < nk; opened++) {
		k[opened] = (struct keeper){
			.view = { .dir = s->dir }, .snap = snap, .budget = &budget,
			.from = n * opened / nk, .to = n * (opened + 1) / nk, .relpaths = relpaths,
			.ids = ids, .methods = methods, .stored = stored, .ok = ok, .errs = errs };
		if (!(k[opened].root = fs_os_root_open(root, err)))
			break;
	}
	if (opened == nk)
		fs_os_run_all(keep_share, k, nk, sizeof *k);
	for (size_t t = 0; t < opened; t++) {
		fs_os_root_close(k[t].root);
		forget(&k[t].view);
	}
	return opened == nk ? 0 : -1;
}

struct found {
	const fs_idset *stored;
	unsigned char *found;
};

static int is_stored(void *ctx, fs_id id)
{
	struct found *f = ctx;
	long k = fs_idset_find(f->stored, id);

	if (k < 0)
		return 0;
	f->found[k] = 1;
	return 1;
}

long fs_snap_verify(fs_store *s, const char *snap, const fs_idset *stored,
		    unsigned char *found, fs_err *err)
{
	struct found f = { stored, found };
	char sub[FS_LINE_MAX + 16];
	fs_os_dir *files;
	long r;

	snprintf(sub, sizeof sub, "%s/" SNAP_FILES, snap);
	forget(s);
	if (!(files = fs_os_dir_open_at(s->dir, sub, 0, NULL, err)))
		return -1;
	r = fs_os_sweep(files, FS_KEEP_DEPTH, is_stored, &f, err);
	fs_os_dir_close(files);
	return r;
}

/* Removes the directories of relpath that are empty, deepest first. */
static void drop_empty_dirs(fs_store *s, const char *snap, const char *relpath)
{
	char *dirs = strdup(relpath);

	while (dirs) {
		char *slash = strrchr(dirs, '/');
		fs_os_dir *dir;
		const char *name;

		if (!slash)
			break;
		*slash = '\0';
		if (files_parent(s, snap, dirs, 0, &dir, &name, NULL) != 0 ||
		    !fs_os_remove_if_empty(dir, name))
			break; /* not empty (or gone): stop */
		forget_parent(s); /* the remembered directory may be the one removed */
	}
	free(dirs);
}

int fs_snap_drop(fs_store *s, const char *snap, const char *relpath, fs_err *err)
{
	fs_os_dir *dir;
	const char *name;
	fs_os_info info;
	fs_presence p;
	int r;

	r = files_parent(s, snap, relpath, 0, &dir, &name, err);
	if (r != 0)
		return r > 0 ? 0 : -1;
	p = fs_os_stat(dir, name, &info, err);
	if (p == FS_PRESENCE_ERROR)
		return -1;
	if (p == FS_PRESENT && info.kind == FS_OS_DIR)
		return fs_fail(err, "%s/" SNAP_FILES "/%s is a directory: left alone", snap, relpath);
	if (p == FS_PRESENT && fs_os_unlink(dir, name, err) < 0)
		return -1;
	drop_empty_dirs(s, snap, relpath);
	return 0;
}

fs_presence fs_snap_stat(fs_store *s, const char *snap, const char *relpath, fs_id *id,
			 uint64_t *bytes, fs_err *err)
{
	fs_os_dir *dir;
	const char *name;
	fs_os_info info;
	fs_presence p;
	int r;

	r = files_parent(s, snap, relpath, 0, &dir, &name, err);
	if (r != 0)
		return r > 0 ? FS_ABSENT : FS_PRESENCE_ERROR;
	p = fs_os_stat(dir, name, &info, err);
	if (p == FS_PRESENT) {
		*id = info.id;
		*bytes = info.links > 1 ? 0 : info.bytes;
	}
	return p;
}

int fs_snap_replace(fs_store *s, const char *snap, fs_os_root *root, const char *relpath,
		    fs_id id, fs_err *err)
{
	fs_os_dir *d = snap_dir(s, snap, err);
	fs_os_spare spare = { .scratch = s->dir, .prefix = TMP_PREFIX PROTECT_PREFIX,
			      .aside = d, .sub = SNAP_ASIDE };
	int rc = d ? fs_os_replace(root, relpath, id, &spare, err) : -1;

	fs_os_dir_close(d);
	return rc;
}

/* ---- the snapshot's lock ---------------------------------------------------------- */

fs_presence fs_snap_lock_held(fs_store *s, const char *snap, fs_err *err)
{
	fs_os_dir *d = snap_dir(s, snap, err);
	fs_presence p = d ? fs_os_hold_held(d, SNAP_LOCK, err) : FS_PRESENCE_ERROR;

	fs_os_dir_close(d);
	return p;
}

int fs_snap_hold(fs_store *s, const char *snap, fs_snap_holder **h, fs_err *err)
{
	fs_os_dir *d = snap_dir(s, snap, err);
	int rc = d ? fs_os_hold_take(d, SNAP_LOCK, h, err) : -1;

	fs_os_dir_close(d);
	return rc;
}

/* The same lock, and a manifest: a snapshot retire did not remove. */
int fs_snap_hold_check(fs_store *s, const char *snap, const fs_snap_holder *h, fs_err *err)
{
	fs_os_dir *d = snap_dir(s, snap, NULL);
	fs_os_info info;
	int same = d && fs_os_hold_same(d, SNAP_LOCK, h, NULL) == 0 &&
		   fs_os_stat(d, SNAP_MANIFEST, &info, NULL) == FS_PRESENT;

	fs_os_dir_close(d);
	return same ? 0 : fs_fail(err, "snapshot %s was removed meanwhile", snap);
}

void fs_snap_hold_release(fs_snap_holder *h)
{
	fs_os_hold_release(h);
}

size_t fs_snap_share(fs_store *s, const char *snap, const fs_pidstart *procs, size_t n)
{
	fs_os_dir *d = snap_dir(s, snap, NULL);
	size_t got = d ? fs_os_hold_share(d, SNAP_LOCK, procs, n) : 0;

	fs_os_dir_close(d);
	return got;
}
