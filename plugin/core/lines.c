/*
 * lines.c - the target reader: one path per line, as pacman's NeedsTargets
 * writes them.  Strict about what it accepts, so a hook never acts on a
 * garbled list.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INPUT_MAX (256u * 1024 * 1024)

int fs_lines_split(const char *buf, size_t len, fs_line_fn fn, void *ctx,
		   fs_err *err)
{
	char line[FS_LINE_MAX + 1];
	size_t lineno = 0;

	while (len > 0) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;

		lineno++;
		if (memchr(buf, '\0', n))
			return fs_fail(err, "target line %zu contains a NUL byte",
				       lineno);
		if (n > FS_LINE_MAX)
			return fs_fail(err, "target line %zu is longer than %d bytes",
				       lineno, FS_LINE_MAX);
		if (n > 0) {
			memcpy(line, buf, n);
			line[n] = '\0';
			if (fn(ctx, line, err) < 0)
				return -1;
		}
		if (!nl)
			break;
		buf += n + 1;
		len -= n + 1;
	}
	return 0;
}

/* The lines read, copied, to be added as one batch. */
struct batch {
	char **v;
	size_t n, cap;
};

static int add_line(void *ctx, const char *line, fs_err *err)
{
	struct batch *b = ctx;
	char **slot = fs_grow((void **)&b->v, &b->n, &b->cap, sizeof *b->v);

	if (!slot || !(*slot = strdup(line))) {
		if (slot)
			b->n--;
		return fs_fail(err, "out of memory");
	}
	return 0;
}

int fs_targets_read_fd(fs_targets *t, int fd, fs_err *err)
{
	size_t len = 0, cap = 64 * 1024;
	char *buf = malloc(cap);
	struct batch b = { 0 };
	int rc;

	if (!buf)
		return fs_fail(err, "out of memory");
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb = cap < INPUT_MAX ? realloc(buf, cap * 2) : NULL;

			if (!nb) {
				free(buf);
				return fs_fail(err, "target list is larger than %u MiB",
					       INPUT_MAX >> 20);
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(buf);
			return fs_fail_errno(err, e, "cannot read targets");
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	rc = fs_lines_split(buf, len, add_line, &b, err);
	free(buf);
	if (rc == 0)
		rc = fs_targets_add_many(t, (const char *const *)b.v, (const char *const *)b.v,
					 b.n, err);
	for (size_t i = 0; i < b.n; i++)
		free(b.v[i]);
	free(b.v);
	return rc;
}
