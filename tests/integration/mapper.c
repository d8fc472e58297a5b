/*
 * mapper.c - test helper: dlopen()s every library named on the command
 * line, then creates READY and sleeps until killed (or until its parent
 * dies).  Usage: mapper READY LIB...
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: mapper READY [LIB...]\n");
		return 2;
	}
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	for (int i = 2; i < argc; i++) {
		if (!dlopen(argv[i], RTLD_NOW | RTLD_LOCAL)) {
			fprintf(stderr, "mapper: %s\n", dlerror());
			return 1;
		}
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror("mapper: ready file");
		return 1;
	}
	close(fd);
	for (;;)
		pause();
}
