/*
 * config.c - /etc/forksafe.conf: "key = value" lines, '#' starts a comment.
 * Keys: the table keys[] below (strict, timeout, copy_budget), each with
 * its help: forksafe.conf(5) is generated from it.
 * The hooks read it before anything else, outside the time limit it
 * sets: only a regular file, opened without blocking, at most
 * CONFIG_MAX bytes.
 */
#include "os.h"
#include "err.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CONFIG_MAX (64u * 1024) /* bytes: a few settings need far less */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && strchr(" \t\r\n", e[-1]))
		*--e = '\0';
	return s;
}

static int parse_bool(const char *v, int *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
		return *out = 1, 0;
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
		return *out = 0, 0;
	return -1;
}

/* 1 to FS_CONFIG_TIMEOUT_MAX seconds, digits only */
static int parse_timeout(const char *v, unsigned *out)
{
	unsigned long n = 0;

	if (!*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 9)
		return -1;
	for (; *v; v++)
		n = n * 10 + (unsigned long)(*v - '0');
	if (n < 1 || n > FS_CONFIG_TIMEOUT_MAX)
		return -1;
	*out = (unsigned)n;
	return 0;
}

void fs_config_defaults(fs_config *c)
{
	memset(c, 0, sizeof *c);
	c->timeout = FS_CONFIG_TIMEOUT_DEFAULT;
}

static int set_strict(fs_config *c, const char *v) { return parse_bool(v, &c->strict); }
static int set_timeout(fs_config *c, const char *v) { return parse_timeout(v, &c->timeout); }

static int set_copy_budget(fs_config *c, const char *v)
{
	if (fs_parse_size(v, &c->copy_budget) < 0)
		return -1;
	c->copy_budget_set = 1;
	return 0;
}

_Static_assert(FS_CONFIG_TIMEOUT_MAX == 3600 && FS_CONFIG_TIMEOUT_DEFAULT == 60,
	       "the timeout's help below says 1 to 3600, default 60");

/* Every key, once: the parser below and forksafe.conf(5) (forksafe-gen) read it. */
static const fs_config_key keys[] = {
	{ "strict", "yes|no", "no", "yes or no",
	  "fail the transaction when protection fails: a pre-transaction hook that "
	  "could not keep every in-use file (or whose work crashed or ran out of "
	  "time) exits 1, and pacman (AbortOnFail) aborts the transaction before any "
	  "file changes; a post-transaction failure exits 1 too (yes, true or 1; no, "
	  "false or 0)",
	  set_strict },
	{ "timeout", "SECONDS", "60", "a number of seconds from 1 to 3600",
	  "how long a hook's work may take, 1 to 3600 seconds; past it the work is "
	  "stopped and a warning says so",
	  set_timeout },
	{ "copy_budget", "SIZE", "1G", "a size such as 512M or 2G",
	  "what the copies of one snapshot may write when the store is on another "
	  "filesystem than the files: bytes, or a number with K, M, G or T (powers of "
	  "1024), or unlimited; a file whose copy would go beyond it is not kept and "
	  "the hook's warning names it",
	  set_copy_budget },
};

const fs_config_key *fs_config_keys(size_t *n)
{
	*n = sizeof keys / sizeof *keys;
	return keys;
}

static int setting(const char *path, int lineno, const char *key, const char *val,
		   fs_config *c, fs_err *err)
{
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		if (strcmp(key, keys[i].name) != 0)
			continue;
		if (keys[i].set(c, val) < 0)
			return fs_fail(err, "%s:%d: %s is %s, not '%s'", path, lineno, key,
				       keys[i].want, val);
		return 0;
	}
	return fs_fail(err, "%s:%d: unknown setting '%s'", path, lineno, key);
}

static int parse(FILE *f, const char *path, fs_config *c, fs_err *err)
{
	char line[1024];
	size_t total = 0;
	int lineno = 0;

	while (fgets(line, sizeof line, f)) {
		char *hash = strchr(line, '#'), *eq, *key;

		lineno++;
		total += strlen(line);
		if (total > CONFIG_MAX)
			return fs_fail(err, "%s: longer than %u bytes", path, CONFIG_MAX);
		if (!strchr(line, '\n') && !feof(f))
			return fs_fail(err, "%s:%d: line too long", path, lineno);
		if (hash)
			*hash = '\0';
		key = trim(line);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq)
			return fs_fail(err, "%s:%d: expected 'key = value'", path, lineno);
		*eq = '\0';
		if (setting(path, lineno, trim(key), trim(eq + 1), c, err) < 0)
			return -1;
	}
	return ferror(f) ? fs_fail(err, "%s: read error", path) : 0;
}

int fs_config_load(const char *path, fs_config *c, fs_err *err)
{
	FILE *f = fs_os_fopen(path, "r");
	int rc;

	fs_config_defaults(c);
	if (!f) {
		if (errno == ENOENT)
			return 0;
		if (errno == EINVAL)
			return fs_fail(err, "%s: not a regular file", path);
		return fs_fail_errno(err, errno, "%s", path);
	}
	rc = parse(f, path, c, err);
	fclose(f);
	if (rc < 0)
		fs_config_defaults(c); /* a typo never half-applies */
	return rc;
}

int fs_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	const char *u;
	uint64_t v = 0;
	int shift = 0;

	if (strcmp(s, "unlimited") == 0)
		return *out = UINT64_MAX, 0;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (*s && (u = strchr(units, *s))) {
		shift = 10 * (int)(u - units + 1);
		s++;
		if (strcmp(s, "iB") == 0)
			s += 2;
	}
	if (*s || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = v << shift;
	return 0;
}
