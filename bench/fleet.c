/*
 * fleet.c - benchmark fleet: starts N processes, process i dlopen()ing K
 * of the M libraries DIR/lib000.so ... (consecutive, starting at i*37 % M),
 * creates READY once all are up, and keeps them until it gets SIGTERM.
 *
 * usage: fleet DIR N K M READY
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void child(const char *dir, long i, long k, long m, int ready_fd)
{
	char path[4096];

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (long j = 0; j < k; j++) {
		snprintf(path, sizeof path, "%s/lib%03ld.so", dir, (i * 37 + j) % m);
		if (!dlopen(path, RTLD_NOW | RTLD_LOCAL)) {
			fprintf(stderr, "fleet: %s\n", dlerror());
			_exit(1);
		}
	}
	if (write(ready_fd, "x", 1) != 1)
		_exit(1);
	close(ready_fd);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	long n, k, m;
	int pfd[2], fd;
	char c;
	struct sigaction sa = { .sa_handler = on_term };

	if (argc != 6) {
		fprintf(stderr, "usage: fleet DIR N K M READY\n");
		return 2;
	}
	n = atol(argv[2]);
	k = atol(argv[3]);
	m = atol(argv[4]);
	if (n < 1 || k < 1 || m < k) {
		fprintf(stderr, "fleet: need N >= 1 and M >= K >= 1\n");
		return 2;
	}
	/* a group of our own: kill(0, ...) below must reach only the fleet */
	if (setpgid(0, 0) < 0) {
		perror("fleet: setpgid");
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (pipe(pfd) < 0)
		return 1;
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fleet: fork");
			kill(0, SIGKILL);
			return 1;
		}
		if (pid == 0) {
			close(pfd[0]);
			child(argv[1], i, k, m, pfd[1]);
		}
	}
	close(pfd[1]);
	for (long i = 0; i < n; i++)
		if (read(pfd[0], &c, 1) != 1) {
			fprintf(stderr, "fleet: a child failed\n");
			return 1;
		}
	fd = open(argv[5], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
	while (!stop)
		pause();
	signal(SIGTERM, SIG_IGN);
	kill(0, SIGTERM);
	while (wait(NULL) > 0)
		;
	return 0;
}
