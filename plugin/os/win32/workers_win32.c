/*
 * workers_win32.c - os.h's workers on Windows: one, the calling thread,
 * which runs every record in turn.  Keeping a file is one CreateHardLinkW
 * (nothing is ever copied), so a batch is quick without threads, as it was
 * before the seam.
 */
#include "win32.h"

size_t fs_os_workers(size_t n, size_t per_worker, size_t max)
{
	(void)n;
	(void)per_worker;
	(void)max;
	return 1;
}

void fs_os_run_all(void *(*fn)(void *), void *items, size_t n, size_t size)
{
	char *item = items;

	for (size_t i = 0; i < n; i++)
		fn(item + i * size);
}
