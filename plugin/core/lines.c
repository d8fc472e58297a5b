/*
 * lines.c - the line splitter behind the target reader (targets_read.c):
 * one path per line, as pacman's NeedsTargets writes them, fed in pieces;
 * a line with a NUL byte or longer than FS_LINE_MAX is handed over with
 * its problem and only its start.
 */
#include "err.h"
#include "forksafe.h"

#include <stdlib.h>
#include <string.h>

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
