/*
 * targets_read.c - the target reader: one path per line, as pacman's
 * NeedsTargets writes them.  Read as a stream: a fixed buffer for the
 * input, batches of lines (split by lines.c) resolved together, so memory
 * grows with the targets kept, never with the input.  A garbled line is
 * skipped with its problem; the others are kept.
 */
#include "err.h"
#include "os.h"
#include "targets.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define READ_CHUNK (64 * 1024)
#define BATCH_LINES 8192               /* resolved together */
#define BATCH_BYTES (1024 * 1024)

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
		ptrdiff_t n = fs_os_read(fd, buf, READ_CHUNK);

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

/* The targets named by paths, then by the lines of fd (when >= 0). */
fs_targets *fs_targets_from(const char *root, char *const *paths, size_t npaths,
			    int fd, fs_err *err)
{
	fs_targets *t = fs_targets_new(root, err);

	for (size_t i = 0; t && i < npaths; i++)
		if (fs_targets_add_user(t, paths[i], err) < 0)
			goto fail;
	if (t && fd >= 0 && fs_targets_read_fd(t, fd, err) < 0)
		goto fail;
	return t;
fail:
	fs_targets_free(t);
	return NULL;
}
