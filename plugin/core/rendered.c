/*
 * rendered.c - render each process of a scan once, so outputs that name a
 * process under many files (inuse: a library user appears once per file it
 * maps) copy bytes instead of formatting again.
 */
#include "internal.h"

#include <stdlib.h>

int fs_render_procs(const fs_scan *scan, fs_render_fn fn, fs_rendered *out)
{
	FILE *f;

	out->text = NULL;
	out->len = 0;
	out->off = malloc((scan->nprocs + 1) * sizeof *out->off);
	f = out->off ? open_memstream(&out->text, &out->len) : NULL;
	if (!f) {
		fs_rendered_free(out);
		return -1;
	}
	for (size_t i = 0; i < scan->nprocs; i++) {
		out->off[i] = (size_t)ftell(f);
		fn(f, &scan->procs[i]);
	}
	out->off[scan->nprocs] = (size_t)ftell(f);
	if (fclose(f) != 0) {
		fs_rendered_free(out);
		return -1;
	}
	return 0;
}

void fs_rendered_free(fs_rendered *r)
{
	free(r->text);
	free(r->off);
	r->text = NULL;
	r->off = NULL;
}
