/*
 * rendered.c - render each process of a scan once, so outputs that name a
 * process under many files (inuse: a library user appears once per file it
 * maps) copy bytes instead of formatting again.
 */
#include "err.h"
#include "os.h"
#include "rendered.h"

#include <stdlib.h>
#include <string.h>

int fs_render_procs(const fs_scan *scan, fs_render_fn fn, fs_rendered *out,
		    fs_err *err)
{
	fs_os_membuf *mb = NULL;
	FILE *f;

	out->text = NULL;
	out->len = 0;
	out->joined = NULL;
	out->joined_cap = 0;
	out->off = malloc((scan->nprocs + 1) * sizeof *out->off);
	f = out->off ? fs_os_membuf_open(&mb) : NULL;
	if (!f) {
		fs_rendered_free(out);
		return fs_fail(err, "out of memory");
	}
	for (size_t i = 0; i < scan->nprocs; i++) {
		out->off[i] = (size_t)ftell(f);
		fn(f, &scan->procs[i]);
	}
	out->off[scan->nprocs] = (size_t)ftell(f);
	if (fs_os_membuf_done(mb, f, &out->text, &out->len) < 0) {
		fs_rendered_free(out);
		return fs_fail(err, "out of memory");
	}
	return 0;
}

int fs_rendered_join(fs_rendered *r, const size_t *procs, size_t n, char sep,
		     const char **text, size_t *len, fs_err *err)
{
	size_t need = 0, o = 0;

	for (size_t i = 0; i < n; i++)
		need += r->off[procs[i] + 1] - r->off[procs[i]] + 1;
	if (need > r->joined_cap) {
		char *j = realloc(r->joined, need);

		if (!j)
			return fs_fail(err, "out of memory");
		r->joined = j;
		r->joined_cap = need;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = procs[i], l = r->off[k + 1] - r->off[k];

		if (i > 0 && sep)
			r->joined[o++] = sep;
		memcpy(r->joined + o, r->text + r->off[k], l);
		o += l;
	}
	*text = r->joined;
	*len = o;
	return 0;
}

void fs_rendered_free(fs_rendered *r)
{
	free(r->text);
	free(r->off);
	free(r->joined);
	r->text = NULL;
	r->off = NULL;
	r->joined = NULL;
	r->joined_cap = 0;
}
