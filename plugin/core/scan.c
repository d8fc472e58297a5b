/* scan.c - a scan's memory: made, lent to the backend that fills it, freed. */
#include "arena.h"
#include "err.h"
#include "scan.h"

#include <stdlib.h>

struct fs_scan_priv {
	fs_arena mem;
};

void fs_scan_adopt(fs_scan *scan, fs_arena *arena)
{
	fs_arena_merge(&scan->priv->mem, arena);
}

void *fs_scan_alloc(fs_scan *scan, size_t size)
{
	return fs_arena_alloc(&scan->priv->mem, size);
}

fs_scan *fs_scan_new(fs_err *err)
{
	fs_scan *scan = calloc(1, sizeof *scan);

	if (scan)
		scan->priv = calloc(1, sizeof *scan->priv);
	if (!scan || !scan->priv) {
		free(scan);
		fs_fail(err, "out of memory");
		return NULL;
	}
	return scan;
}

void fs_scan_free(fs_scan *scan)
{
	if (!scan)
		return;
	fs_arena_free(&scan->priv->mem);
	free(scan->priv);
	free(scan->procs);
	free(scan->unreadable_procs);
	free(scan);
}
