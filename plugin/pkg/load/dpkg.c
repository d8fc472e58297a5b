/*
 * dpkg.c - dpkg's installed packages: libsolvext reads var/lib/dpkg/status
 * (repo_add_debdb), which has no file lists; each package's list is
 * var/lib/dpkg/info/NAME:ARCH.list or NAME.list, one absolute path per line,
 * added here to the package's SOLVABLE_FILELIST.
 */
#define _GNU_SOURCE
#include "load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <solv/repo_deb.h>
#include <solv/repodata.h>

/* The package's .list file, or NULL when dpkg keeps none (or for no arch). */
static FILE *open_list(const char *root, Pool *pool, Solvable *s)
{
	const char *name = pool_id2str(pool, s->name), *arch = pool_id2str(pool, s->arch);
	char rel[1024];
	char *full;
	FILE *f = NULL;

	for (int pass = 0; pass < 2 && !f; pass++) {
		if (pass == 0)
			snprintf(rel, sizeof rel, "var/lib/dpkg/info/%s:%s.list", name, arch);
		else
			snprintf(rel, sizeof rel, "var/lib/dpkg/info/%s.list", name);
		full = fs_root_join(root, rel);
		f = full ? fopen(full, "re") : NULL;
		free(full);
	}
	return f;
}

static void add_list(Repodata *data, Id p, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, f)) > 0) {
		char *slash;
		Id dir;

		if (line[n - 1] == '\n')
			line[--n] = '\0';
		slash = strrchr(line, '/');
		if (line[0] != '/' || !slash || !slash[1])
			continue; /* "/." and anything not absolute */
		*slash = '\0';
		dir = repodata_str2dir(data, slash == line ? "/" : line, 1);
		repodata_add_dirstr(data, p, SOLVABLE_FILELIST, dir, slash + 1);
	}
	free(line);
}

int fs_load_dpkg(Repo *repo, const char *root, fs_err *err)
{
	Pool *pool = repo->pool;
	int start = repo->end;
	Repodata *data;
	Solvable *s;
	Id p;

	if (repo_add_debdb(repo, REPO_REUSE_REPODATA | REPO_NO_INTERNALIZE |
			   REPO_USE_ROOTDIR) != 0)
		return fs_load_fail(err, "%s: dpkg status: %s", root, pool_errstr(pool));
	data = repo_last_repodata(repo);
	for (p = start, s = pool->solvables + p; p < repo->end; p++, s++) {
		FILE *f;

		if (s->repo != repo)
			continue;
		f = open_list(root, pool, s);
		if (!f)
			continue; /* a package dpkg knows of but did not unpack */
		add_list(data, p, f);
		fclose(f);
	}
	return 0;
}
