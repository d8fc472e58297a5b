/*
 * mapper.c - test helper: dlopen()s every library named on the command
 * line, then creates READY and sleeps until killed (or until its parent
 * dies).  Usage: mapper [--call] READY LIB...
 *
 * With --call it keeps calling testlib_value() of the first library every
 * millisecond and exits with status 3 as soon as the answer changes: a
 * library rewritten in place under it either kills it (SIGBUS) or makes it
 * run the new code.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int (*value)(void) = NULL, first = 0, fd, call = 0;

	if (argc > 1 && strcmp(argv[1], "--call") == 0) {
		call = 1;
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: mapper [--call] READY [LIB...]\n");
		return 2;
	}
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	for (int i = 2; i < argc; i++) {
		void *h = dlopen(argv[i], RTLD_NOW | RTLD_LOCAL);

		if (!h) {
			fprintf(stderr, "mapper: %s\n", dlerror());
			return 1;
		}
		if (call && i == 2)
			*(void **)&value = dlsym(h, "testlib_value");
	}
	if (call && !value) {
		fprintf(stderr, "mapper: no testlib_value in %s\n", argc > 2 ? argv[2] : "?");
		return 1;
	}
	if (value)
		first = value();
	fd = open(argv[1], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror("mapper: ready file");
		return 1;
	}
	close(fd);
	for (;;) {
		if (!value) {
			pause();
			continue;
		}
		if (value() != first)
			return 3;
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
}
