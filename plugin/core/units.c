/*
 * units.c - which systemd unit a process belongs to, read from the text of
 * its /proc/PID/cgroup: pure functions, no system call.
 *
 * The path is text a user chooses in part (a user manager's subtree is
 * delegated to her, she names the cgroups under it): every component is
 * checked as a unit name before it is believed, a unit under a user's
 * manager is only ever hers, and any doubt gives no unit.
 */
#include "units.h"

#include <string.h>

/* The unit types systemd knows, as name suffixes. */
static const char *const unit_types[] = {
	".service", ".socket", ".target", ".device", ".mount", ".automount",
	".swap", ".timer", ".path", ".slice", ".scope",
};

static int ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && memcmp(s + len - n, suffix, n) == 0;
}

/* A unit name as systemd allows it: [A-Za-z0-9:_.\@-], a known type. */
static int valid_unit(const char *s, size_t len)
{
	if (len == 0 || len > FS_UNIT_NAME_MAX || s[0] == '.')
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr(":_.\\@-", c)))
			return 0;
	}
	for (size_t i = 0; i < sizeof unit_types / sizeof *unit_types; i++)
		if (ends_with(s, len, unit_types[i]))
			return 1;
	return 0;
}

/* A uid in decimal, at most 4294967294; -1 if s is not one. */
static long parse_uid(const char *s, size_t len)
{
	unsigned long long v = 0;

	if (len == 0 || len > 10 || (s[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v < 4294967295ull ? (long)v : -1;
}

/* "PREFIX<uid>SUFFIX" -> uid, or -1. */
static long uid_in(const char *s, size_t len, const char *prefix, const char *suffix)
{
	size_t p = strlen(prefix), q = strlen(suffix);

	if (len <= p + q || memcmp(s, prefix, p) != 0 || !ends_with(s, len, suffix))
		return -1;
	return parse_uid(s + p, len - p - q);
}

/* One component of a cgroup path, with systemd's escape ('_' put before a
 * name that could clash with the kernel's files) taken off. */
struct comp {
	const char *s;
	size_t len;
};

enum comp_found {
	COMP_BAD = -1, /* malformed: empty, too long, not a unit name */
	COMP_END = 0,  /* no component left */
	COMP_FOUND = 1 /* *c filled */
};

/* The next component of path at *pos. */
static enum comp_found next_comp(const char *path, size_t len, size_t *pos, struct comp *c)
{
	const char *slash;
	size_t end;

	if (*pos >= len)
		return COMP_END;
	if (path[*pos] != '/')
		return COMP_BAD;
	(*pos)++;
	if (*pos == len)
		return COMP_END; /* the root "/" or a trailing '/' */
	slash = memchr(path + *pos, '/', len - *pos);
	end = slash ? (size_t)(slash - path) : len;
	c->s = path + *pos;
	c->len = end - *pos;
	*pos = end;
	if (c->len > 0 && c->s[0] == '_') {
		c->s++;
		c->len--;
	}
	return valid_unit(c->s, c->len) ? COMP_FOUND : COMP_BAD;
}

/* Skips slices; the first other component in *c.  *uid is set from a
 * "user-UID.slice" passed. */
static enum comp_found past_slices(const char *path, size_t len, size_t *pos,
				   struct comp *c, long *uid)
{
	enum comp_found r;

	while ((r = next_comp(path, len, pos, c)) == COMP_FOUND &&
	       ends_with(c->s, c->len, ".slice")) {
		long u = uid_in(c->s, c->len, "user-", ".slice");

		if (u >= 0)
			*uid = u;
	}
	return r;
}

static void set(fs_unit *u, enum fs_unit_kind kind, long uid, const struct comp *c)
{
	u->kind = kind;
	u->uid = uid;
	memcpy(u->name, c->s, c->len); /* valid_unit(): len <= FS_UNIT_NAME_MAX */
	u->name[c->len] = '\0';
}

int fs_unit_parse(const char *path, size_t len, fs_unit *u)
{
	size_t pos = 0;
	long slice_uid = -1, uid, inner_uid = -1;
	struct comp c, inner;
	enum comp_found r;

	*u = (fs_unit){ .kind = FS_UNIT_NONE, .uid = -1 };
	if (!path || len == 0 || len > FS_LINE_MAX || memchr(path, '\0', len))
		return -1;
	if ((r = past_slices(path, len, &pos, &c, &slice_uid)) != COMP_FOUND)
		return r == COMP_END ? 0 : -1; /* "/", a slice only, or malformed */
	if ((uid = uid_in(c.s, c.len, "user@", ".service")) >= 0) {
		/* a user's manager: its units below are hers (systemctl --user);
		 * its own init.scope, or anything unclear, is the manager itself */
		r = past_slices(path, len, &pos, &inner, &inner_uid);
		if (r == COMP_FOUND && !(inner.len == 10 && memcmp(inner.s, "init.scope", 10) == 0))
			set(u, FS_UNIT_USER, uid, &inner);
		else
			set(u, FS_UNIT_SYSTEM, -1, &c);
		return 0;
	}
	/* logind's scope of a session ("session-3.scope", "session-c1.scope")
	 * in its user's slice */
	if (slice_uid >= 0 && c.len > 14 && memcmp(c.s, "session-", 8) == 0 &&
	    ends_with(c.s, c.len, ".scope")) {
		set(u, FS_UNIT_SESSION, slice_uid, &c);
		return 0;
	}
	set(u, FS_UNIT_SYSTEM, -1, &c);
	return 0;
}

/*
 * One line "ID:CONTROLLERS:PATH" of /proc/PID/cgroup: 1 and its parts,
 * 0 when it is not of that form.
 */
static int split_line(const char *s, size_t len, const char **ctl, size_t *ctl_len,
		      const char **path, size_t *path_len, int *v2)
{
	const char *c1 = memchr(s, ':', len), *c2;

	if (!c1 || c1 == s)
		return 0;
	for (const char *p = s; p < c1; p++)
		if (*p < '0' || *p > '9')
			return 0;
	if (!(c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - s))))
		return 0;
	*ctl = c1 + 1;
	*ctl_len = (size_t)(c2 - *ctl);
	*path = c2 + 1;
	*path_len = len - (size_t)(c2 + 1 - s);
	*v2 = c1 - s == 1 && s[0] == '0' && *ctl_len == 0;
	return 1;
}

/* Does the comma-separated list name "name=systemd"? */
static int names_systemd(const char *ctl, size_t len)
{
	static const char want[] = "name=systemd";
	const size_t n = sizeof want - 1;

	for (size_t i = 0; i + n <= len; i++)
		if ((i == 0 || ctl[i - 1] == ',') && memcmp(ctl + i, want, n) == 0 &&
		    (i + n == len || ctl[i + n] == ','))
			return 1;
	return 0;
}

int fs_cgroup_path(const char *buf, size_t len, const char **path, size_t *plen)
{
	const char *v1 = NULL, *v2 = NULL, *end = buf + len;
	size_t v1_len = 0, v2_len = 0;
	int n1 = 0, n2 = 0;

	*path = NULL;
	*plen = 0;
	for (const char *p = buf; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *ctl, *pa;
		size_t ctl_len, pa_len;
		int is_v2;

		if (le == p && !nl)
			break;
		if (!split_line(p, (size_t)(le - p), &ctl, &ctl_len, &pa, &pa_len, &is_v2))
			return -1; /* not the kernel's text: guess nothing */
		if (is_v2) {
			v2 = pa;
			v2_len = pa_len;
			n2++;
		} else if (names_systemd(ctl, ctl_len)) {
			v1 = pa;
			v1_len = pa_len;
			n1++;
		}
		p = le + 1;
	}
	/* twice: a name holding a newline forged a line (kernels before 4.13) */
	if (n1 > 1 || n2 > 1)
		return -1;
	/* systemd in hybrid mode keeps both alike; "0::/" alone says little */
	if (v2 && !(v2_len == 1 && v1)) {
		*path = v2;
		*plen = v2_len;
	} else if (v1) {
		*path = v1;
		*plen = v1_len;
	} else {
		return -1;
	}
	return *plen > 0 && *plen <= FS_LINE_MAX && (*path)[0] == '/' ? 0 : -1;
}
