/*
 * scanhelper.c - test helper of tests/attack/test_scanner.sh (the process
 * scanner's attack test).
 *
 *   scanhelper rename DIR A B SECONDS
 *       renames DIR/A to DIR/B and back, as fast as it can, for SECONDS.
 *   scanhelper lonely READY LIB
 *       dlopen()s LIB, starts a thread that sleeps, creates READY and ends
 *       its main thread with pthread_exit(): the process lives on with an
 *       empty /proc/PID/maps until killed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int renamer(const char *dir, const char *a, const char *b, const char *secs)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	time_t end = time(NULL) + atoi(secs);

	if (dfd < 0) {
		perror("scanhelper: open");
		return 1;
	}
	while (time(NULL) < end) {
		if (renameat(dfd, a, dfd, b) < 0 || renameat(dfd, b, dfd, a) < 0) {
			perror("scanhelper: rename");
			return 1;
		}
	}
	close(dfd);
	return 0;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static int lonely(const char *ready, const char *lib)
{
	pthread_t t;
	int fd;

	if (!dlopen(lib, RTLD_NOW | RTLD_LOCAL)) {
		fprintf(stderr, "scanhelper: %s\n", dlerror());
		return 1;
	}
	if (pthread_create(&t, NULL, sleeper, NULL) != 0) {
		fprintf(stderr, "scanhelper: cannot start a thread\n");
		return 1;
	}
	fd = open(ready, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror("scanhelper: ready file");
		return 1;
	}
	close(fd);
	pthread_exit(NULL);
}

int main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "rename") == 0)
		return renamer(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 4 && strcmp(argv[1], "lonely") == 0)
		return lonely(argv[2], argv[3]);
	fprintf(stderr, "usage: scanhelper rename DIR A B SECONDS | lonely READY LIB\n");
	return 2;
}
