/*
 * manifest.c - the record of one snapshot, as text:
 *
 *   forksafe-snapshot 1
 *   root <path>
 *   created <seconds>
 *   entry <dev> <ino> <size> <mtime-ns> <link|reflink|copy> <path>
 *   proc <pid> <start-time>          (processes mapping the entry above)
 *
 * Paths are escaped: bytes outside '!'..'~', and '%', as %XX.  The parser
 * accepts exactly what the writer produces; a manifest is data a root-run
 * retire acts on, so anything unexpected is an error, never a guess.
 */
#include "store.h"
#include "os.h"
#include "err.h"
#include "relpath.h"
#include "vec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define HEADER "forksafe-snapshot 1"
#define MANIFEST_MAX FS_MANIFEST_MAX

static const char *const METHODS[] = { "link", "reflink", "copy" };

const char *fs_keep_method_name(int method)
{
	return method >= 0 && method <= FS_KEEP_COPY ? METHODS[method] : "?";
}

/* The manifest text is built in one buffer sized ahead: formatting thousands
 * of entries through stdio's memstream cost more than linking them. */
struct text {
	char *buf;
	size_t len, cap;
	int failed;
};

static char *room(struct text *t, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *b = realloc(t->buf, cap);

		if (!b) {
			t->failed = 1;
			return NULL;
		}
		t->buf = b;
		t->cap = cap;
	}
	return t->buf + t->len;
}

static void put(struct text *t, const char *s, size_t n)
{
	char *p = room(t, n);

	if (p) {
		memcpy(p, s, n);
		t->len += n;
	}
}

static void putf(struct text *t, const char *fmt, ...) FS_PRINTF(2, 3);
static void putf(struct text *t, const char *fmt, ...)
{
	char *p = room(t, 128);
	va_list ap;
	int n;

	if (!p)
		return;
	va_start(ap, fmt);
	n = vsnprintf(p, 128, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= 128)
		t->failed = 1;
	else
		t->len += (size_t)n;
}

static void put_escaped(struct text *t, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;

	for (;; p++) {
		if (*p >= '!' && *p <= '~' && *p != '%')
			continue;
		put(t, (const char *)run, (size_t)(p - run));
		if (*p == '\0')
			return;
		putf(t, "%%%02X", *p);
		run = p + 1;
	}
}

int fs_manifest_text(const fs_manifest *m, char **buf, size_t *len, fs_err *err)
{
	struct text t = { 0 };

	room(&t, 64 + m->n * 128);
	put(&t, HEADER "\nroot ", sizeof HEADER + 5);
	put_escaped(&t, m->root);
	putf(&t, "\ncreated %" PRId64 "\n", m->created);
	for (size_t i = 0; i < m->n; i++) {
		const fs_manifest_entry *e = &m->v[i];

		putf(&t, "entry %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRId64 " %s ",
		     e->id.dev, e->id.ino, e->size, e->mtime_ns, METHODS[e->method]);
		put_escaped(&t, e->path);
		put(&t, "\n", 1);
		for (size_t k = 0; k < e->nprocs; k++)
			putf(&t, "proc %d %" PRIu64 "\n", e->procs[k].pid, e->procs[k].start_time);
	}
	if (t.failed) {
		free(t.buf);
		return fs_fail(err, "out of memory");
	}
	*buf = t.buf;
	*len = t.len;
	return 0;
}

/* The public form: -1 only when out of memory (forksafe.h). */
int fs_manifest_format(const fs_manifest *m, char **buf, size_t *len)
{
	return fs_manifest_text(m, buf, len, NULL);
}

int fs_manifest_add(fs_manifest *m, const fs_manifest_entry *e)
{
	fs_manifest_entry *slot, copy = *e;

	copy.path = strdup(e->path);
	copy.procs = NULL;
	if (e->nprocs) {
		copy.procs = malloc(e->nprocs * sizeof *copy.procs);
		if (copy.procs)
			memcpy(copy.procs, e->procs, e->nprocs * sizeof *copy.procs);
	}
	slot = copy.path && (copy.procs || !e->nprocs)
		       ? fs_grow((void **)&m->v, &m->n, &m->cap, sizeof *m->v)
		       : NULL;
	if (!slot) {
		free(copy.path);
		free(copy.procs);
		return -1;
	}
	*slot = copy;
	return 0;
}

void fs_manifest_free(fs_manifest *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].path);
		free(m->v[i].procs);
	}
	free(m->v);
	free(m->root);
	memset(m, 0, sizeof *m);
}

/* ---- parser ---------------------------------------------------------------- */

struct cursor {
	const char *p, *end;
	size_t line;
	fs_err *err;
};

static int bad(struct cursor *c, const char *what)
{
	return fs_fail(c->err, "manifest line %zu: %s", c->line, what);
}

/* Next space-separated word of the current line (not past '\n'). */
static int word(struct cursor *c, const char **w, size_t *n)
{
	const char *s = c->p;

	while (c->p < c->end && *c->p != ' ' && *c->p != '\n')
		c->p++;
	*w = s;
	*n = (size_t)(c->p - s);
	if (*n == 0)
		return bad(c, "missing field");
	if (c->p < c->end && *c->p == ' ')
		c->p++;
	return 0;
}

static int end_of_line(struct cursor *c)
{
	if (c->p >= c->end || *c->p != '\n')
		return bad(c, "unexpected text at end of line");
	c->p++;
	c->line++;
	return 0;
}

static int number(struct cursor *c, int allow_sign, int64_t *sval, uint64_t *uval)
{
	const char *w;
	size_t n, i = 0;
	uint64_t v = 0;
	int neg = 0;

	if (word(c, &w, &n) < 0)
		return -1;
	if (allow_sign && w[0] == '-')
		neg = 1, i = 1;
	if (i == n || n - i > 20 || (w[i] == '0' && n - i > 1))
		return bad(c, "bad number");
	for (; i < n; i++) {
		unsigned d = (unsigned)(w[i] - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return bad(c, "bad number");
		v = v * 10 + d;
	}
	if (uval)
		*uval = v;
	if (sval) {
		if (v > (uint64_t)INT64_MAX)
			return bad(c, "number out of range");
		*sval = neg ? -(int64_t)v : (int64_t)v;
	}
	return 0;
}

static int hexdig(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The rest of the line as an escaped path; returns a malloc'ed string. */
static char *escaped_rest(struct cursor *c)
{
	const char *s = c->p;
	char *out, *o;

	while (c->p < c->end && *c->p != '\n')
		c->p++;
	if (c->p == s || (size_t)(c->p - s) > 3 * FS_LINE_MAX) {
		bad(c, "missing or overlong path");
		return NULL;
	}
	out = o = malloc((size_t)(c->p - s) + 1);
	if (!out) {
		fs_fail(c->err, "out of memory");
		return NULL;
	}
	for (const char *p = s; p < c->p; p++) {
		int hi, lo;

		if (*p == '%') {
			if (c->p - p < 3 || (hi = hexdig(p[1])) < 0 || (lo = hexdig(p[2])) < 0 ||
			    (hi == 0 && lo == 0)) {
				free(out);
				bad(c, "bad escape in path");
				return NULL;
			}
			*o++ = (char)(hi << 4 | lo);
			p += 2;
		} else if (*p < '!' || *p > '~') {
			free(out);
			bad(c, "unescaped byte in path");
			return NULL;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

static int parse_entry(struct cursor *c, fs_manifest *m)
{
	fs_manifest_entry e = { 0 };
	const char *w;
	size_t n;
	int rc;

	if (number(c, 0, NULL, &e.id.dev) < 0 || number(c, 0, NULL, &e.id.ino) < 0 ||
	    number(c, 0, NULL, &e.size) < 0 || number(c, 1, &e.mtime_ns, NULL) < 0 ||
	    word(c, &w, &n) < 0)
		return -1;
	for (e.method = 0; e.method <= FS_KEEP_COPY; e.method++)
		if (strlen(METHODS[e.method]) == n && memcmp(w, METHODS[e.method], n) == 0)
			break;
	if (e.method > FS_KEEP_COPY)
		return bad(c, "unknown keep method");
	if (!(e.path = escaped_rest(c)))
		return -1;
	if (fs_relpath_check(e.path, NULL) < 0) {
		free(e.path);
		return bad(c, "path is absolute, empty, or has '.' or '..' components");
	}
	rc = fs_manifest_add(m, &e) < 0 ? fs_fail(c->err, "out of memory") : 0;
	free(e.path);
	return rc < 0 ? -1 : end_of_line(c);
}

static int parse_proc(struct cursor *c, fs_manifest *m)
{
	fs_manifest_entry *e;
	fs_pidstart *slot;
	int64_t pid;
	uint64_t start;
	size_t cap;

	if (m->n == 0)
		return bad(c, "proc line before any entry");
	if (number(c, 0, &pid, NULL) < 0 || number(c, 0, NULL, &start) < 0)
		return -1;
	if (pid <= 0 || pid > INT32_MAX)
		return bad(c, "bad pid");
	e = &m->v[m->n - 1];
	cap = e->nprocs;
	slot = fs_grow((void **)&e->procs, &e->nprocs, &cap, sizeof *e->procs);
	if (!slot)
		return fs_fail(c->err, "out of memory");
	slot->pid = (int)pid;
	slot->start_time = start;
	return end_of_line(c);
}

int fs_manifest_parse(const char *buf, size_t len, fs_manifest *m, fs_err *err)
{
	struct cursor c = { buf, buf + len, 1, err };
	const char *w;
	size_t n;

	memset(m, 0, sizeof *m);
	if (len > MANIFEST_MAX)
		return fs_fail(err, "manifest larger than %u MiB", MANIFEST_MAX >> 20);
	if (memchr(buf, '\0', len))
		return fs_fail(err, "manifest contains a NUL byte");
	if (len < sizeof HEADER || memcmp(buf, HEADER "\n", sizeof HEADER) != 0)
		return fs_fail(err, "not a forksafe manifest (version 1)");
	c.p += sizeof HEADER;
	c.line++;
	if (word(&c, &w, &n) < 0 || n != 4 || memcmp(w, "root", 4) != 0)
		goto fail_line;
	if (!(m->root = escaped_rest(&c)) || !fs_os_path_absolute(m->root) || end_of_line(&c) < 0)
		goto fail_root;
	if (word(&c, &w, &n) < 0 || n != 7 || memcmp(w, "created", 7) != 0 ||
	    number(&c, 0, &m->created, NULL) < 0 || end_of_line(&c) < 0)
		goto fail_line;
	while (c.p < c.end) {
		if (word(&c, &w, &n) < 0)
			goto fail;
		if (n == 5 && memcmp(w, "entry", 5) == 0) {
			if (parse_entry(&c, m) < 0)
				goto fail;
		} else if (n == 4 && memcmp(w, "proc", 4) == 0) {
			if (parse_proc(&c, m) < 0)
				goto fail;
		} else {
			bad(&c, "unknown line");
			goto fail;
		}
	}
	return 0;
fail_root:
	if (m->root && !fs_os_path_absolute(m->root))
		bad(&c, "root is not an absolute path");
	goto fail;
fail_line:
	bad(&c, "expected the root and created lines");
fail:
	fs_manifest_free(m);
	return -1;
}
