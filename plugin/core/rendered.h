/*
 * rendered.h - each process rendered once (rendered.c), for outputs that
 * name a process many times: text is the concatenation, process i is
 * text[off[i] .. off[i + 1]).
 */
#ifndef FS_RENDERED_H
#define FS_RENDERED_H

#include "forksafe.h"

#include <stddef.h>
#include <stdio.h>

typedef struct fs_rendered {
	char *text;
	size_t len;
	size_t *off;
	char *joined;   /* fs_rendered_join()'s */
	size_t joined_cap;
} fs_rendered;

typedef void (*fs_render_fn)(FILE *f, const fs_proc *p);
/* Every process of scan rendered by fn; 0, or -1 with err filled (out
 * holds nothing then). */
int fs_render_procs(const fs_scan *scan, fs_render_fn fn, fs_rendered *out,
		    fs_err *err);
/* The texts of processes procs[0..n) one after another (sep between them
 * unless it is 0), in memory r owns until the next join: a write per
 * file instead of one per process.  0, or -1 with err filled. */
int fs_rendered_join(fs_rendered *r, const size_t *procs, size_t n, char sep,
		     const char **text, size_t *len, fs_err *err);
void fs_rendered_free(fs_rendered *r);

#endif
