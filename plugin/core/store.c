/*
 * store.c - what guard, retire and status share about the store, on any
 * backend: its path, manifests, the markers of a snapshot; built on
 * snapshot.c's operations on a snapshot's own files.
 */
#include "store.h"
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
