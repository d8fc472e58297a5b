/*
 * dpkg.c - dpkg's installed packages: var/lib/dpkg/status, checked against
 * the FS_DEB_* limits and then read by libsolvext (repo_add_debpackages),
 * has no file lists; each package's list is var/lib/dpkg/info/NAME:ARCH.list
 * or NAME.list, one absolute path per line, added here to the package's
 * SOLVABLE_FILELIST.  Every file is read as file.c reads a root's files.
 */
#define _GNU_SOURCE
#include "load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <solv/repo_deb.h>
#include <solv/repodata.h>

/* libsolvext reads a NUL as a newline. */
static char at(const char *buf, size_t len, size_t i)
{
	return i >= len ? '\n' : buf[i] ? buf[i] : '\n';
}

/* libsolvext parses "a | b | ..." recursively, one level per alternative:
 * 200 000 of them overflow the stack.  This bounds the alternatives between
 * two commas of any field (so of every dependency, whatever its field is
 * called), the length of a field (with its continuation lines) and the
 * number of stanzas. */
int fs_deb_check(const char *buf, size_t len, const char *shown, fs_err *err)
{
	size_t alts = 1, field = 0, line = 1, stanzas = 0;
	int in_stanza = 0;

	for (size_t i = 0; i < len; i++) {
		char c = at(buf, len, i), next;

		if (c == '\n') {
			line++;
			next = at(buf, len, i + 1);
			if (next == ' ' || next == '\t')
				continue; /* a continuation line: the same field */
			alts = 1;
			field = 0;
			in_stanza &= next != '\n';
			continue;
		}
		if (!in_stanza && ++stanzas > FS_DB_PACKAGES_MAX)
			return fs_load_fail(err, "%s: more than %d packages", shown,
					    FS_DB_PACKAGES_MAX);
		in_stanza = 1;
		if (++field > FS_DEB_FIELD_MAX)
			return fs_load_fail(err, "%s: line %zu: a field longer than %u KiB", shown,
					    line, FS_DEB_FIELD_MAX >> 10);
		if (c == ',')
			alts = 1;
		else if (c == '|' && ++alts > FS_DEB_ALTERNATIVES_MAX)
			return fs_load_fail(err, "%s: line %zu: more than %d alternatives in one "
					    "dependency", shown, line, FS_DEB_ALTERNATIVES_MAX);
	}
	return 0;
}

int fs_load_debpackages(Repo *repo, const char *buf, size_t len, const char *shown,
			fs_err *err)
{
	FILE *f;

	if (fs_deb_check(buf, len, shown, err) < 0)
		return -1;
	if (len == 0)
		return 0;
	f = fmemopen((void *)buf, len, "r");
	if (!f)
		return fs_load_fail(err, "%s: %s", shown, strerror(errno));
	repo_add_debpackages(repo, f, REPO_REUSE_REPODATA | REPO_NO_INTERNALIZE);
	fclose(f);
	return 0;
}

int fs_load_list(Repodata *data, Id p, const char *buf, size_t len, const char *shown,
		 fs_err *err)
{
	char line[FS_LIST_LINE_MAX + 1];
	size_t start = 0, lineno = 0;

	while (start < len) {
		const char *nl = memchr(buf + start, '\n', len - start);
		size_t n = nl ? (size_t)(nl - buf) - start : len - start;
		char *slash;

		lineno++;
		if (n > FS_LIST_LINE_MAX)
			return fs_load_fail(err, "%s: line %zu: longer than %d bytes", shown,
					    lineno, FS_LIST_LINE_MAX);
		memcpy(line, buf + start, n);
		line[n] = '\0';
		start += n + 1;
		slash = strrchr(line, '/');
		if (line[0] != '/' || !slash || !slash[1] || strlen(line) != n)
			continue; /* "/.", anything not absolute, a NUL in a path */
		*slash = '\0';
		repodata_add_dirstr(data, p, SOLVABLE_FILELIST,
				    repodata_str2dir(data, slash == line ? "/" : line, 1), slash + 1);
	}
	return 0;
}

/* One line of buf from *at (without its '\n'), NUL-terminated in line; the
 * line number in *lineno.  0 at the end, -1 (with err) when it breaks the
 * form of a diversions file. */
static int diversion_line(const char *buf, size_t len, size_t *at, size_t *lineno,
			  char line[FS_LIST_LINE_MAX + 1], const char *shown, fs_err *err)
{
	const char *nl;
	size_t n;

	if (*at >= len)
		return 0;
	nl = memchr(buf + *at, '\n', len - *at);
	n = nl ? (size_t)(nl - buf) - *at : len - *at;
	++*lineno;
	if (n > FS_LIST_LINE_MAX)
		return fs_load_fail(err, "%s: line %zu: longer than %d bytes", shown, *lineno,
				    FS_LIST_LINE_MAX);
	memcpy(line, buf + *at, n);
	line[n] = '\0';
	*at += n + 1;
	if (n == 0 || strlen(line) != n)
		return fs_load_fail(err, "%s: line %zu: empty or with a NUL byte", shown, *lineno);
	return 1;
}

int fs_load_diversions(Repodata *data, const char *buf, size_t len, const char *shown,
		       fs_err *err)
{
	Pool *pool = data->repo->pool;
	Id key = pool_str2id(pool, FS_DIVERSIONS_KEY, 1);
	char line[3][FS_LIST_LINE_MAX + 1];
	size_t at = 0, lineno = 0, count = 0;

	for (;;) {
		int rc = 0;

		for (int k = 0; k < 3; k++) {
			rc = diversion_line(buf, len, &at, &lineno, line[k], shown, err);
			if (rc < 0)
				return -1;
			if (rc == 0 && k > 0)
				return fs_load_fail(err, "%s: line %zu: the file ends inside a "
						    "diversion", shown, lineno);
			if (rc == 0)
				return 0;
		}
		if (line[0][0] != '/' || line[1][0] != '/')
			return fs_load_fail(err, "%s: line %zu: a diversion of a path that is not "
					    "absolute", shown, lineno - 1);
		if (++count > FS_DEB_DIVERSIONS_MAX)
			return fs_load_fail(err, "%s: more than %d diversions", shown,
					    FS_DEB_DIVERSIONS_MAX);
		for (int k = 0; k < 3; k++)
			repodata_add_idarray(data, SOLVID_META, key, pool_str2id(pool, line[k], 1));
	}
}

/* var/lib/dpkg/diversions, when there is one. */
static int load_diversions(Repodata *data, int rootfd, const char *root, fs_load_budget *b,
			   fs_err *err)
{
	char *shown = fs_root_join(root, "var/lib/dpkg/diversions"), *buf;
	size_t len;
	int rc;

	if (!shown)
		return fs_load_fail(err, "out of memory");
	rc = fs_load_read(rootfd, "var/lib/dpkg/diversions", shown, FS_DB_FILE_MAX, b, &buf,
			  &len, err);
	if (rc < 0 && errno == ENOENT)
		rc = 0; /* no diversions */
	else if (rc == 0) {
		rc = fs_load_diversions(data, buf, len, shown, err);
		free(buf);
	}
	free(shown);
	return rc;
}

/* The package's .list (NAME:ARCH.list, else NAME.list) into its file list;
 * none is fine (a package dpkg knows of but did not unpack). */
static int add_list(Repodata *data, Id p, int infofd, const char *root, fs_load_budget *b,
		    fs_err *err)
{
	Pool *pool = data->repo->pool;
	Solvable *s = pool->solvables + p;
	const char *name = pool_id2str(pool, s->name), *arch = pool_id2str(pool, s->arch);
	char rel[600], *shown, *buf;
	size_t len;
	int rc;

	if (strchr(name, '/') || strchr(arch, '/'))
		return 0; /* not a name dpkg gives a package: no list */
	for (int pass = 0; pass < 2; pass++) {
		const char *base = rel + sizeof "var/lib/dpkg/info/" - 1;

		int w = pass == 0
			? snprintf(rel, sizeof rel, "var/lib/dpkg/info/%s:%s.list", name, arch)
			: snprintf(rel, sizeof rel, "var/lib/dpkg/info/%s.list", name);

		if (w < 0 || (size_t)w >= sizeof rel)
			return 0;
		shown = fs_root_join(root, rel);
		if (!shown)
			return fs_load_fail(err, "out of memory");
		rc = fs_load_read(infofd, base, shown, FS_DB_FILE_MAX, b, &buf, &len, err);
		if (rc < 0) {
			int absent = errno == ENOENT;

			free(shown);
			if (!absent)
				return -1;
			continue;
		}
		rc = fs_load_list(data, p, buf, len, shown, err);
		free(buf);
		free(shown);
		return rc;
	}
	return 0;
}

static int load_status(Repo *repo, int rootfd, const char *root, fs_load_budget *b,
		       fs_err *err)
{
	char *shown = fs_root_join(root, "var/lib/dpkg/status"), *buf;
	size_t len;
	int rc;

	if (!shown)
		return fs_load_fail(err, "out of memory");
	rc = fs_load_read(rootfd, "var/lib/dpkg/status", shown, FS_DB_FILE_MAX, b, &buf, &len, err);
	if (rc == 0) {
		rc = fs_load_debpackages(repo, buf, len, shown, err);
		free(buf);
	}
	free(shown);
	return rc;
}

int fs_load_dpkg(Repo *repo, const char *root, fs_err *err)
{
	Pool *pool = repo->pool;
	int start = repo->end, rootfd, infofd, rc = 0;
	fs_load_budget budget = { 0 };
	Repodata *data;

	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return fs_load_fail(err, "%s: %s", root, strerror(errno));
	if (load_status(repo, rootfd, root, &budget, err) < 0) {
		close(rootfd);
		return -1;
	}
	data = repo_last_repodata(repo);
	if (load_diversions(data, rootfd, root, &budget, err) < 0) {
		close(rootfd);
		return -1;
	}
	infofd = openat(rootfd, "var/lib/dpkg/info", O_PATH | O_DIRECTORY | O_CLOEXEC);
	close(rootfd);
	if (infofd < 0 && errno != ENOENT)
		return fs_load_fail(err, "%s/var/lib/dpkg/info: %s", root, strerror(errno));
	if (infofd < 0)
		return 0; /* no lists at all */
	for (Id p = start; rc == 0 && p < repo->end; p++)
		if (pool->solvables[p].repo == repo)
			rc = add_list(data, p, infofd, root, &budget, err);
	close(infofd);
	return rc;
}
