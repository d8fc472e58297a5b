/*
 * workers_linux.c - batches split between threads: how many workers a
 * batch deserves, and running one function on each worker's share.
 */
#include "linux.h"

#include <pthread.h>
#include <unistd.h>

size_t fs_linux_workers(size_t n, size_t per_worker, size_t max)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t w = n / per_worker + 1;

	if (w > max)
		w = max;
	if (cpus > 0 && w > (size_t)cpus)
		w = (size_t)cpus;
	return w;
}

void fs_linux_run_all(void *(*fn)(void *), void *items, size_t n, size_t size)
{
	pthread_t thread[FS_LINUX_MAX_WORKERS];
	unsigned char started[FS_LINUX_MAX_WORKERS] = { 0 };
	char *item = items;

	for (size_t i = 1; i < n && i < FS_LINUX_MAX_WORKERS; i++)
		started[i] = pthread_create(&thread[i], NULL, fn, item + i * size) == 0;
	if (n > 0)
		fn(item);
	for (size_t i = 1; i < n; i++) {
		if (i < FS_LINUX_MAX_WORKERS && started[i])
			pthread_join(thread[i], NULL);
		else
			fn(item + i * size); /* no thread: this one does it */
	}
}

/* os.h's workers (the core batches the store's work with them). */
size_t fs_os_workers(size_t n, size_t per_worker, size_t max)
{
	return fs_linux_workers(n, per_worker, max);
}

void fs_os_run_all(void *(*fn)(void *), void *items, size_t n, size_t size)
{
	fs_linux_run_all(fn, items, n, size);
}
