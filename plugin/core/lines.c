/*
 * lines.c - the target reader: one path per line, as pacman's NeedsTargets
 * writes them.  Read as a stream: a fixed buffer for the input, batches of
 * lines resolved together, so memory grows with the targets kept, never
 * with the input.  A garbled line is skipped with its problem; the others
 * are kept.
 */
#include "err.h"
#include "targets.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK (64 * 1024)
#define BATCH_LINES 8192               /* resolved together */
#define BATCH_BYTES (1024 * 1024)

enum { LINE_OK, LINE_NUL, LINE_LONG };

void fs_lines_init(fs_lines *l)
{
	l->len = 0;
	l->lineno = 0;
	l->bad = LINE_OK;
}

/* The line collected so far is complete: hand it over and start anew. */
static int emit(fs_lines *l, fs_line_fn fn, void *ctx, fs_err *err)
{
	char problem[96];
	int rc = 0;

	l->lineno++;
	if (l->bad != LINE_OK) {
		snprintf(problem, sizeof problem, l->bad == LINE_NUL
			 ? "target line %zu contains a NUL byte"
			 : "target line %zu is longer than %d bytes", l->lineno, FS_LINE_MAX);
		l->line[l->len < FS_LINE_SHOW ? l->len : FS_LINE_SHOW] = '\0';
		rc = fn(ctx, l->line, problem, err);
	} else if (l->len > 0) {
		l->line[l->len] = '\0';
		rc = fn(ctx, l->line, NULL, err);
	}
	l->len = 0;
	l->bad = LINE_OK;
	return rc;
}

/* Adds n bytes (no newline among them) to the current line. */
static void take(fs_lines *l, const char *s, size_t n)
{
	const char *nul;
	size_t room = FS_LINE_MAX + 1 - l->len, keep;

	if (l->bad != LINE_OK)
		return; /* its start is all that is shown */
	nul = memchr(s, '\0', n);
	if (nul) {
		l->bad = LINE_NUL;
		n = (size_t)(nul - s); /* shown up to the NUL */
	}
	keep = n < room ? n : room;
	memcpy(l->line + l->len, s, keep);
	l->len += keep;
	if (l->bad == LINE_OK && l->len > FS_LINE_MAX)
		l->bad = LINE_LONG;
	if (l->bad != LINE_OK && l->len > FS_LINE_SHOW)
		l->len = FS_LINE_SHOW; /* only its start is shown */
}

int fs_lines_feed(fs_lines *l, const char *buf, size_t len, fs_line_fn fn, void *ctx,
		  fs_err *err)
{
	while (len > 0) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;

		take(l, buf, n);
		if (!nl)
			break;
		if (emit(l, fn, ctx, err) < 0)
			return -1;
		buf += n + 1;
		len -= n + 1;
	}
	return 0;
}

int fs_lines_end(fs_lines *l, fs_line_fn fn, void *ctx, fs_err *err)
{
	if (l->len == 0 && l->bad == LINE_OK)
		return 0;
	return emit(l, fn, ctx, err);
}

int fs_lines_split(const char *buf, size_t len, fs_line_fn fn, void *ctx,
		   fs_err *err)
{
	fs_lines *l = malloc(sizeof *l);
	int rc;

	if (!l)
		return fs_fail(err, "out of memory");
	fs_lines_init(l);
	rc = fs_lines_feed(l, buf, len, fn, ctx, err);
	if (rc == 0)
		rc = fs_lines_end(l, fn, ctx, err);
	free(l);
	return rc;
}

/* The lines read and not resolved yet, copied side by side. */
struct batch {
	fs_targets *t;
	char text[BATCH_BYTES + FS_LINE_MAX + 1];
	size_t used;
	size_t start[BATCH_LINES];
	const char *lines[BATCH_LINES];
	size_t n;
};

static int flush(struct batch *b, fs_err *err)
{
	int rc;

	for (size_t i = 0; i < b->n; i++)
		b->lines[i] = b->text + b->start[i];
	rc = fs_targets_add_many(b->t, b->lines, b->lines, b->n, err);
	b->n = 0;
	b->used = 0;
	return rc;
}

static int add_line(void *ctx, const char *line, const char *problem, fs_err *err)
{
	struct batch *b = ctx;
	size_t len;

	if (problem)
		return fs_targets_skip(b->t, line, problem, err);
	len = strlen(line);
	b->start[b->n++] = b->used;
	memcpy(b->text + b->used, line, len + 1);
	b->used += len + 1;
	if (b->n == BATCH_LINES || b->used >= BATCH_BYTES)
		return flush(b, err);
	return 0;
}

static ssize_t read_some(int fd, char *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

int fs_targets_read_fd(fs_targets *t, int fd, fs_err *err)
{
	struct batch *b = malloc(sizeof *b);
	fs_lines *l = malloc(sizeof *l);
	char *buf = malloc(READ_CHUNK);
	size_t total = 0;
	int rc = -1;

	if (!b || !l || !buf) {
		fs_fail(err, "out of memory");
		goto out;
	}
	b->t = t;
	b->n = b->used = 0;
	fs_lines_init(l);
	for (;;) {
		ssize_t n = read_some(fd, buf, READ_CHUNK);

		if (n < 0) {
			fs_fail_errno(err, errno, "cannot read targets");
			goto out;
		}
		if (n == 0)
			break;
		total += (size_t)n;
		if (total > FS_TARGETS_INPUT_MAX) {
			fs_fail(err, "target list is larger than %u MiB", FS_TARGETS_INPUT_MAX >> 20);
			goto out;
		}
		if (fs_lines_feed(l, buf, (size_t)n, add_line, b, err) < 0)
			goto out;
	}
	if (fs_lines_end(l, add_line, b, err) < 0 || flush(b, err) < 0)
		goto out;
	rc = 0;
out:
	free(b);
	free(l);
	free(buf);
	return rc;
}
