/*
 * workers_linux.c - batches split between threads: how many workers a
 * batch deserves, and running one function on each worker's share.
 */
#include "linux.h"

#include <pthread.h>
#include <unistd.h>

/* The online CPUs, counted once per process: glibc reads a file of /sys
 * (or /proc/stat) at every sysconf(), and batches are asked for often. */
static long online_cpus;

static void count_cpus(void)
{
	online_cpus = sysconf(_SC_NPROCESSORS_ONLN);
}

size_t fs_linux_workers(size_t n, size_t per_worker, size_t max)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	size_t w = n / per_worker + 1;

	if (w > max)
		w = max;
	if (w <= 1)
		return w; /* one worker whatever the machine: no count needed */
	pthread_once(&once, count_cpus);
	if (online_cpus > 0 && w > (size_t)online_cpus)
		w = (size_t)online_cpus;
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
