/* store.c - what guard, retire and status share about the store. */
#include "store.h"
#include "err.h"

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

static int name_chars_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

int fs_store_is_snapshot(const char *name)
{
	size_t n = strlen(SNAP_PREFIX);

	return strncmp(name, SNAP_PREFIX, n) == 0 && name[n] && strlen(name) < 128 &&
	       name_chars_ok(name + n);
}

int fs_store_is_leftover(const char *name)
{
	size_t t = strlen(TMP_PREFIX), p = strlen(PROTECT_PREFIX);

	return (strncmp(name, TMP_PREFIX, t) == 0 && fs_store_is_snapshot(name + t)) ||
	       (strncmp(name, TMP_PREFIX, t) == 0 && strncmp(name + t, PROTECT_PREFIX, p) == 0 &&
		name[t + p] && name_chars_ok(name + t + p)) ||
	       (strncmp(name, DEAD_PREFIX, strlen(DEAD_PREFIX)) == 0 &&
		fs_store_is_snapshot(name + strlen(DEAD_PREFIX)));
}

fs_os_store *fs_store_open(const fs_store_opts *opts, int create, int *missing,
			   fs_err *err)
{
	char *path = fs_store_path(opts);
	fs_os_store *s;

	*missing = 0;
	if (!path) {
		fs_fail(err, "out of memory");
		return NULL;
	}
	s = fs_os_store_open(path, create, missing, err);
	free(path);
	return s;
}

int fs_store_load(fs_os_store *s, const char *snap, fs_manifest *m, fs_err *err)
{
	char *buf;
	size_t len;
	int rc;

	if (fs_os_snap_read(s, snap, "manifest", &buf, &len, err) < 0)
		return -1;
	rc = fs_manifest_parse(buf, len, m, err);
	free(buf);
	return rc;
}

int fs_store_save(fs_os_store *s, const char *snap, const fs_manifest *m, fs_err *err)
{
	char *buf;
	size_t len;
	int rc;

	if (fs_manifest_format(m, &buf, &len) < 0)
		return fs_fail(err, "out of memory");
	rc = fs_os_snap_write(s, snap, "manifest", buf, len, err);
	free(buf);
	return rc;
}

int fs_store_add_ids(fs_idset *ids, const fs_manifest *m)
{
	int added;

	for (size_t i = 0; i < m->n; i++)
		if (fs_idset_add(ids, m->v[i].id, &added) < 0)
			return -1;
	return 0;
}
