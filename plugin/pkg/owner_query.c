/*
 * owner_query.c - `forksafe owner`'s question as one call: which installed
 * packages own each of these paths.  As dpkg -S and pacman -Qo take them:
 * "DIR/" asks about DIR, and a symbolic link is looked up as the link's own
 * path (fs_target.link), not as its target.
 */
#include "../core/os.h"
#include "../core/err.h"

#include <stdlib.h>
#include <string.h>

void fs_owner_result_free(fs_owner_result *r)
{
	if (!r)
		return;
	free(r->owners);
	fs_pkgdb_free(r->db);
	fs_targets_free(r->targets);
	free(r);
}

/* The paths with their trailing slashes dropped ("/" stays), malloc'ed:
 * in a target list "DIR/" is a package's directory entry, never listed. */
static char **dir_names(char *const *paths, size_t n)
{
	char **v = calloc(n ? n : 1, sizeof *v);

	for (size_t i = 0; v && i < n; i++) {
		size_t len = strlen(paths[i]);

		while (len > 1 && paths[i][len - 1] == '/')
			len--;
		if (!(v[i] = malloc(len + 1))) {
			while (i)
				free(v[--i]);
			free(v);
			return NULL;
		}
		memcpy(v[i], paths[i], len);
		v[i][len] = '\0';
	}
	return v;
}

static fs_targets *targets_of(const char *root, char *const *paths, size_t n, int fd,
			      fs_err *err)
{
	char **names = dir_names(paths, n);
	fs_targets *t;

	if (!names) {
		fs_fail(err, "out of memory");
		return NULL;
	}
	t = fs_targets_from(root, names, n, fd, err);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return t;
}

static int look_up(fs_owner_result *r, fs_err *err)
{
	size_t n = fs_targets_count(r->targets);
	const char **paths = malloc((n ? n : 1) * sizeof *paths);
	int rc;

	r->owners = malloc((n ? n : 1) * sizeof *r->owners);
	if (!paths || !r->owners) {
		free(paths);
		return fs_fail(err, "out of memory");
	}
	for (size_t i = 0; i < n; i++) { /* a symbolic link: the link's own path */
		const fs_target *tg = fs_targets_get(r->targets, i);

		paths[i] = tg->link ? tg->link : tg->path;
	}
	rc = fs_pkgdb_owners(r->db, paths, n, r->owners, err);
	free(paths);
	r->unowned = fs_targets_skipped(r->targets); /* a skipped target: owner unknown */
	for (size_t i = 0; rc == 0 && i < n; i++)
		r->unowned += !r->owners[i].name;
	return rc;
}

int fs_owner_query(const char *root, const char *store, char *const *paths, size_t n,
		   int fd, fs_owner_result **out, fs_err *err)
{
	fs_owner_result *r = calloc(1, sizeof *r);

	*out = NULL;
	if (!r)
		return fs_fail(err, "out of memory");
	if (!(r->targets = targets_of(root, paths, n, fd, err)) ||
	    fs_pkgdb_open(root, store, &r->db, err) < 0 || look_up(r, err) < 0) {
		fs_owner_result_free(r);
		return -1;
	}
	*out = r;
	return 0;
}
