/*
 * rendered.c - render each process of a scan once, so outputs that name a
 * process under many files (inuse: a library user appears once per file it
 * maps) copy bytes instead of formatting again.
 */
#include "os.h"

#include <stdlib.h>

int fs_render_procs(const fs_scan *scan, fs_render_fn fn, fs_rendered *out)
{
	fs_os_membuf *mb = NULL;
	FILE *f;

	out->text = NULL;
	out->len = 0;
	out->off = malloc((scan->nprocs + 1) * sizeof *out->off);
	f = out->off ? fs_os_membuf_open(&mb) : NULL;
	if (!f) {
		fs_rendered_free(out);
		return -1;
	}
	for (size_t i = 0; i < scan->nprocs; i++) {
		out->off[i] = (size_t)ftell(f);
		fn(f, &scan->procs[i]);
	}
	out->off[scan->nprocs] = (size_t)ftell(f);
	if (fs_os_membuf_done(mb, f, &out->text, &out->len) < 0) {
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
