/*
 * store.c - what guard, retire and status share about the store, on any
 * backend: its path, the names of its entries, manifests, the markers of a
 * snapshot, and the copy budget backends charge.
 */
#include "store.h"
#include "store_layer.h"
#include "err.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *fs_store_path(const fs_store_opts *opts)
{
	const char *root = opts->root ? opts->root : "/";
	size_t n = strlen(root);
	char *p;

	if (opts->store)
		return strdup(opts->store);
	p = malloc(n + sizeof "/var/lib/forksafe");
	if (p) {
		strcpy(p, root);
		if (n == 0 || root[n - 1] != '/')
			strcat(p, "/");
		strcat(p, "var/lib/forksafe");
	}
	return p;
}

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

fs_store *fs_store_open(const fs_store_opts *opts, int create, int *missing, fs_err *err)
{
	char *path = fs_store_path(opts);
	fs_store *s;

	*missing = 0;
	if (!path) {
		fs_fail(err, "out of memory");
		return NULL;
	}
	s = fs_store_open_path(path, create, missing, err);
	free(path);
	return s;
}

/* ---- manifests and markers ------------------------------------------------------ */

int fs_store_load(fs_store *s, const char *snap, fs_manifest *m, fs_err *err)
{
	char *buf;
	size_t len;
	int rc;

	if (fs_snap_file_read(s, snap, SNAP_MANIFEST, STORE_FILE_MAX, &buf, &len, err) < 0)
		return -1;
	rc = fs_manifest_parse(buf, len, m, err);
	free(buf);
	return rc;
}

int fs_store_save(fs_store *s, const char *snap, const fs_manifest *m, fs_err *err)
{
	char *buf;
	size_t len;
	int rc;

	if (fs_manifest_text(m, &buf, &len, err) < 0)
		return -1;
	/* what retire could never read would stay in the store for good */
	rc = len > FS_MANIFEST_MAX
		     ? fs_fail(err, "%s: manifest larger than %u MiB: not saved", snap,
			       FS_MANIFEST_MAX >> 20)
		     : fs_snap_file_write(s, snap, SNAP_MANIFEST, buf, len, err);
	free(buf);
	return rc;
}

int fs_store_add_ids(fs_idset *ids, const fs_manifest *m, fs_err *err)
{
	int added;

	for (size_t i = 0; i < m->n; i++)
		if (fs_idset_add(ids, m->v[i].id, &added) < 0)
			return fs_fail(err, "out of memory");
	return 0;
}

int fs_snap_mark(fs_store *s, const char *snap, fs_err *err)
{
	if (fs_snap_hold_make(s, snap, SNAP_LOCK, err) < 0)
		return -1;
	return fs_snap_file_touch(s, snap, SNAP_OPEN, err);
}

fs_presence fs_snap_is_open(fs_store *s, const char *snap, fs_err *err)
{
	return fs_snap_file_present(s, snap, SNAP_OPEN, err);
}

int fs_snap_close(fs_store *s, const char *snap, fs_err *err)
{
	return fs_snap_file_unlink(s, snap, SNAP_OPEN, err);
}

/* ---- the copy budget (os.h: backends charge it) ------------------------------------ */

int fs_budget_take(fs_budget *b, uint64_t n)
{
	uint64_t used = atomic_load(&b->used);

	do {
		if (n > b->limit || used > b->limit - n)
			return -1;
	} while (!atomic_compare_exchange_weak(&b->used, &used, used + n));
	return 0;
}

void fs_budget_give(fs_budget *b, uint64_t n)
{
	atomic_fetch_sub(&b->used, n);
}

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

int fs_budget_refuse(const fs_budget *b, uint64_t bytes, const char *what, fs_err *err)
{
	char need[32], limit[32], left[32];
	uint64_t used = atomic_load(&((fs_budget *)b)->used);

	return fs_fail(err, "%s: its copy (%s of data) is beyond what is left of the "
		       "snapshot's copy budget (%s of %s; copy_budget in "
		       FS_CONFIG_PATH ", guard --copy-budget)", what,
		       human(bytes, need, sizeof need),
		       human(used < b->limit ? b->limit - used : 0, left, sizeof left),
		       human(b->limit, limit, sizeof limit));
}
