/*
 * scanhelper.c - test helper of tests/attack/test_scanner.sh (the process
 * scanner's attack test).
 *
 *   scanhelper rename DIR A B SECONDS
 *       renames DIR/A to DIR/B and back, as fast as it can, for SECONDS.
 *   scanhelper exchange DIR A B SECONDS
 *       swaps the names DIR/A and DIR/B (RENAME_EXCHANGE: both names always
 *       exist), as fast as it can, for SECONDS.
 *   scanhelper lonely READY LIB
 *       dlopen()s LIB, starts a thread that sleeps, creates READY and ends
 *       its main thread with pthread_exit(): the process lives on with an
 *       empty /proc/PID/maps until killed.
 *   scanhelper zombies READY LIB
 *       forks a process that dlopen()s LIB, starts ZOMBIES threads that
 *       end, then one that sleeps, and ends its main thread; this helper
 *       ptraces its threads and never reaps them, so the ended ones stay
 *       zombies listed first in /proc/PID/task.  Writes the process's pid
 *       to READY once they are, and sleeps until killed (the process dies
 *       with it).
 *   scanhelper deep DIR READY MAJOR MINOR INO
 *       maps a file of its own so deep under DIR that its line in
 *       /proc/PID/maps is longer than 64 KiB and holds, from byte 65536 on,
 *       the text of a line mapping MAJOR:MINOR INO (what a reader that
 *       resumes mid-line would take for a mapping of that file); creates
 *       READY and sleeps until killed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

/* Creates the file READY: the test's sign that this process is set up. */
static int say_ready(const char *ready)
{
	int fd = open(ready, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0) {
		perror("scanhelper: ready file");
		return -1;
	}
	return close(fd);
}

/* Swaps the names A and B in DIR for SECONDS, as fast as it can: by two
 * renames (a name that changes length), or by RENAME_EXCHANGE (both names
 * always exist, each naming the other file by turns). */
static int swapper(const char *dir, const char *a, const char *b, const char *secs,
		   int exchange)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	time_t end = time(NULL) + atoi(secs);

	if (dfd < 0) {
		perror("scanhelper: open");
		return 1;
	}
	while (time(NULL) < end) {
		int rc = exchange ? renameat2(dfd, a, dfd, b, RENAME_EXCHANGE)
				  : renameat(dfd, a, dfd, b) < 0 ? -1 : renameat(dfd, b, dfd, a);

		if (rc < 0) {
			perror(exchange ? "scanhelper: exchange" : "scanhelper: rename");
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

	if (!dlopen(lib, RTLD_NOW | RTLD_LOCAL)) {
		fprintf(stderr, "scanhelper: %s\n", dlerror());
		return 1;
	}
	if (pthread_create(&t, NULL, sleeper, NULL) != 0) {
		fprintf(stderr, "scanhelper: cannot start a thread\n");
		return 1;
	}
	if (say_ready(ready) < 0)
		return 1;
	pthread_exit(NULL);
}

#define ZOMBIES 20

static int go[2];

static void *ender(void *arg)
{
	char c;

	(void)arg;
	if (read(go[0], &c, 1) < 0)
		perror("scanhelper: read");
	return NULL; /* the thread ends */
}

/* Threads of pid in state Z (the leader too); seizes each first if seize. */
static int zombie_threads(pid_t pid, int seize)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	if (!(d = opendir(path)))
		return -1;
	while ((de = readdir(d))) {
		char stat[128], buf[512], *close_paren;
		FILE *f;
		long tid = atol(de->d_name);

		if (tid <= 0)
			continue;
		if (seize)
			ptrace(PTRACE_SEIZE, (pid_t)tid, NULL, NULL);
		snprintf(stat, sizeof stat, "%s/%ld/stat", path, tid);
		if (!(f = fopen(stat, "r")))
			continue;
		if (fgets(buf, sizeof buf, f) && (close_paren = strrchr(buf, ')')) &&
		    close_paren[1] == ' ' && close_paren[2] == 'Z')
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

static int zombies(const char *ready, const char *lib)
{
	int rdy[2];
	pid_t pid;
	char c;
	FILE *f;

	if (pipe(go) < 0 || pipe(rdy) < 0 || (pid = fork()) < 0)
		return 1;
	if (pid == 0) {
		pthread_t t;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (!dlopen(lib, RTLD_NOW | RTLD_LOCAL))
			_exit(1);
		for (int i = 0; i < ZOMBIES; i++)
			pthread_create(&t, NULL, ender, NULL);
		pthread_create(&t, NULL, sleeper, NULL);
		if (write(rdy[1], "x", 1) != 1)
			_exit(1);
		pthread_exit(NULL);
	}
	if (read(rdy[0], &c, 1) != 1 || zombie_threads(pid, 1) < 0)
		return 1;
	for (int i = 0; i < ZOMBIES; i++)
		if (write(go[1], "x", 1) != 1)
			return 1;
	for (int i = 0; zombie_threads(pid, 0) < ZOMBIES + 1; i++) {
		if (i > 500)
			return 1;
		usleep(10000);
	}
	if (!(f = fopen(ready, "w")))
		return 1;
	fprintf(f, "%d\n", (int)pid);
	fclose(f);
	for (;;)
		pause();
}

#define SPLIT 65536 /* where a 64 KiB reader cuts the line */

/* Opens (creating) directory name under dfd, closing dfd; -1 on error. */
static int down(int dfd, const char *name)
{
	int fd;

	if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST)
		return -1;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(dfd);
	return fd;
}

/* A directory name of len bytes, len at most 255. */
static const char *filler(size_t len)
{
	static char name[256];

	memset(name, 'd', len);
	name[len] = '\0';
	return name;
}

/* The byte of our maps line for the mapping at addr where its path starts
 * (its fields padded to a column), or -1. */
static long path_column(void *addr)
{
	char line[512], want[32];
	FILE *f = fopen("/proc/self/maps", "r");
	long col = -1;

	snprintf(want, sizeof want, "%lx-", (unsigned long)addr);
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, want, strlen(want)) == 0) {
			char *slash = strchr(line, '/');

			col = slash ? (long)(slash - line) : -1;
			break;
		}
	if (f)
		fclose(f);
	return col;
}

static void *map_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	void *p;

	if (fd < 0 || ftruncate(fd, 4096) < 0)
		return MAP_FAILED;
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	return p;
}

static int deep(const char *dir, const char *ready, const char *maj, const char *min,
		const char *ino)
{
	char fake[128];
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	void *probe, *p;
	long col, fill;

	if (dfd < 0 || (probe = map_at(dfd, "probe")) == MAP_FAILED ||
	    (col = path_column(probe)) < 0) {
		perror("scanhelper: probe");
		return 1;
	}
	/* DIR/<fillers>/FAKE/x with FAKE starting at byte SPLIT of the line */
	snprintf(fake, sizeof fake, "0-1000 r--p 00000000 %02x:%02x %s ", atoi(maj), atoi(min), ino);
	fill = SPLIT - col - (long)strlen(dir) - 1; /* fillers, each with its '/' */
	while (fill > 0 && dfd >= 0) {
		long n = fill > 201 ? (fill == 202 ? 100 : 200) : fill - 1;

		dfd = down(dfd, filler((size_t)n));
		fill -= n + 1;
	}
	if (dfd < 0 || (dfd = down(dfd, fake)) < 0 || (p = map_at(dfd, "x")) == MAP_FAILED) {
		perror("scanhelper: deep path");
		return 1;
	}
	close(dfd);
	if (path_column(p) != col) {
		fprintf(stderr, "scanhelper: the path starts at column %ld, not %ld\n",
			path_column(p), col);
		return 1;
	}
	if (say_ready(ready) < 0)
		return 1;
	for (;;)
		pause();
}

/*
 * Maps A, then for SECONDS maps B and A by turns over the same pages
 * (MAP_FIXED): a scan that asks a mapping's identity and then its name
 * may get the two from different files.  A stays mapped elsewhere too, so
 * the process always maps A.
 */
static int flip(const char *ready, const char *a, const char *b, const char *secs)
{
	const size_t len = 4 * 4096;
	int fa = open(a, O_RDONLY | O_CLOEXEC), fb = open(b, O_RDONLY | O_CLOEXEC);
	char *at;
	time_t end;

	if (fa < 0 || fb < 0 || mmap(NULL, len, PROT_READ, MAP_PRIVATE, fa, 0) == MAP_FAILED ||
	    (at = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fa, 0)) == MAP_FAILED) {
		perror("scanhelper: flip");
		return 1;
	}
	if (say_ready(ready) < 0)
		return 1;
	end = time(NULL) + atoi(secs);
	for (unsigned long n = 0; time(NULL) < end; n++)
		if (mmap(at, len, PROT_READ, MAP_PRIVATE | MAP_FIXED, n % 2 ? fa : fb, 0) == MAP_FAILED) {
			perror("scanhelper: flip");
			return 1;
		}
	return 0;
}

/*
 * Maps TARGET over two pages for SECONDS, all the time, and covers its
 * first page with MINE and uncovers it again by turns: a scan that asks a
 * mapping's name at its start may find her file there and skip the rest
 * of the region, where TARGET still is.
 */
static int split(const char *ready, const char *target, const char *mine, const char *secs)
{
	int t = open(target, O_RDONLY | O_CLOEXEC), m = open(mine, O_RDONLY | O_CLOEXEC);
	char *at;
	time_t end;

	if (t < 0 || m < 0 ||
	    (at = mmap(NULL, 2 * 4096, PROT_READ, MAP_PRIVATE, t, 0)) == MAP_FAILED) {
		perror("scanhelper: split");
		return 1;
	}
	if (say_ready(ready) < 0)
		return 1;
	end = time(NULL) + atoi(secs);
	while (time(NULL) < end)
		if (mmap(at, 4096, PROT_READ, MAP_PRIVATE | MAP_FIXED, m, 0) == MAP_FAILED ||
		    mmap(at, 4096, PROT_READ, MAP_PRIVATE | MAP_FIXED, t, 0) == MAP_FAILED) {
			perror("scanhelper: split");
			return 1;
		}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "rename") == 0)
		return swapper(argv[2], argv[3], argv[4], argv[5], 0);
	if (argc == 6 && strcmp(argv[1], "exchange") == 0)
		return swapper(argv[2], argv[3], argv[4], argv[5], 1);
	if (argc == 4 && strcmp(argv[1], "zombies") == 0)
		return zombies(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "lonely") == 0)
		return lonely(argv[2], argv[3]);
	if (argc == 6 && strcmp(argv[1], "split") == 0)
		return split(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 6 && strcmp(argv[1], "flip") == 0)
		return flip(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 7 && strcmp(argv[1], "deep") == 0)
		return deep(argv[2], argv[3], argv[4], argv[5], argv[6]);
	fprintf(stderr, "usage: scanhelper rename|exchange DIR A B SECONDS | lonely|zombies READY LIB | "
			"flip|split READY A B SECONDS | deep DIR READY MAJOR MINOR INO\n");
	return 2;
}
