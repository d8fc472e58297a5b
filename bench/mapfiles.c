/*
 * mapfiles.c - benchmark helper: maps every file named on standard input
 * (one path per line), creates READY, and waits to be killed.
 * usage: mapfiles READY < LIST
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char line[4096];
	long n = 0;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: mapfiles READY < LIST\n");
		return 2;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (fgets(line, sizeof line, stdin)) {
		line[strcspn(line, "\n")] = '\0';
		fd = open(line, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || mmap(NULL, 1, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED) {
			perror(line);
			return 1;
		}
		close(fd);
		n++;
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return 1;
	close(fd);
	fprintf(stderr, "mapfiles: %ld files mapped\n", n);
	for (;;)
		pause();
}
