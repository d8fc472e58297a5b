/*
 * config.c - /etc/forksafe.conf: "key = value" lines, '#' starts a comment.
 * Keys: strict = yes|no; copy_budget = SIZE (fs_parse_size).
 */
#include "os.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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

int fs_config_load(const char *path, fs_config *c, fs_err *err)
{
	FILE *f = fs_os_fopen(path, "r");
	char line[1024];
	int lineno = 0, rc = 0;

	memset(c, 0, sizeof *c);
	if (!f)
		return errno == ENOENT ? 0 : fs_fail_errno(err, errno, "%s", path);
	while (rc == 0 && fgets(line, sizeof line, f)) {
		char *hash = strchr(line, '#'), *eq, *key, *val;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			rc = fs_fail(err, "%s:%d: line too long", path, lineno);
			break;
		}
		if (hash)
			*hash = '\0';
		key = trim(line);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			rc = fs_fail(err, "%s:%d: expected 'key = value'", path, lineno);
			break;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		if (strcmp(key, "strict") == 0) {
			if (parse_bool(val, &c->strict) < 0)
				rc = fs_fail(err, "%s:%d: strict is yes or no, not '%s'", path,
					     lineno, val);
		} else if (strcmp(key, "copy_budget") == 0) {
			if (fs_parse_size(val, &c->copy_budget) < 0)
				rc = fs_fail(err, "%s:%d: copy_budget is a size such as 512M or 2G, "
					     "not '%s'", path, lineno, val);
			else
				c->copy_budget_set = 1;
		} else {
			rc = fs_fail(err, "%s:%d: unknown setting '%s'", path, lineno, key);
		}
	}
	if (rc == 0 && ferror(f))
		rc = fs_fail(err, "%s: read error", path);
	fclose(f);
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
