/*
 * fuzz_manifest.c - libFuzzer target for the manifest parser.  Anything the
 * parser accepts must format back to text that parses to the same manifest
 * (and every accepted path must pass the relative-path check).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forksafe.h"
#include "core/relpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const fs_manifest *a, const fs_manifest *b)
{
	if (strcmp(a->root, b->root) != 0 || a->created != b->created || a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		const fs_manifest_entry *x = &a->v[i], *y = &b->v[i];

		if (strcmp(x->path, y->path) != 0 || x->id.dev != y->id.dev ||
		    x->id.ino != y->id.ino || x->size != y->size || x->mtime_ns != y->mtime_ns ||
		    x->method != y->method || x->nprocs != y->nprocs ||
		    (x->nprocs && memcmp(x->procs, y->procs, x->nprocs * sizeof *x->procs) != 0))
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fs_manifest m, again;
	fs_err err;
	char *text;
	size_t len;

	if (fs_manifest_parse((const char *)data, size, &m, &err) < 0)
		return 0;
	for (size_t i = 0; i < m.n; i++)
		if (fs_relpath_check(m.v[i].path, &err) < 0)
			abort();
	if (fs_manifest_format(&m, &text, &len) < 0)
		abort();
	if (fs_manifest_parse(text, len, &again, &err) < 0 || !same(&m, &again))
		abort();
	fs_manifest_free(&again);
	fs_manifest_free(&m);
	free(text);
	return 0;
}
