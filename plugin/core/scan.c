/* scan.c - the platform-neutral face of a scan; the work is fs_os_scan(). */
#include "os.h"
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

int fs_scan_run(const fs_scan_opts *opts, fs_scan **out, fs_err *err)
{
	fs_scan_opts none = { 0 };
	fs_scan *scan = calloc(1, sizeof *scan);

	*out = NULL;
	if (scan)
		scan->priv = calloc(1, sizeof *scan->priv);
	if (!scan || !scan->priv) {
		free(scan);
		return fs_fail(err, "out of memory");
	}
	if (fs_os_scan(opts ? opts : &none, scan, err) < 0) {
		fs_scan_free(scan);
		return -1;
	}
	scan->complete = scan->unreadable == 0;
	*out = scan;
	return 0;
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
