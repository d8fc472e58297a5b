/*
 * misc_linux.c - the small services the core asks of the OS: running a
 * command, a stream into memory, huge pages, the privilege hint, how an
 * identity is written for people.
 */
#define _GNU_SOURCE
#include "linux.h"
#include "../../core/err.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

void fs_id_dev_str(fs_id id, char *buf, size_t len)
{
	snprintf(buf, len, "%u:%u", major((dev_t)id.dev), minor((dev_t)id.dev));
}

/*
 * A transparent huge page needs an aligned range: map FS_OS_HUGE more and
 * give back what lies outside the aligned part.  Where THP is off ("never")
 * the range works as small pages.
 */
void *fs_os_huge_alloc(size_t size)
{
	char *p = mmap(NULL, size + FS_OS_HUGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t head;

	if (p == MAP_FAILED)
		return NULL;
	head = (FS_OS_HUGE - (uintptr_t)p % FS_OS_HUGE) % FS_OS_HUGE;
	if (head > 0)
		munmap(p, head);
	munmap(p + head + size, FS_OS_HUGE - head);
	madvise(p + head, size, MADV_HUGEPAGE);
	return p + head;
}

void fs_os_huge_free(void *p, size_t size)
{
	munmap(p, size);
}

int fs_args_init(int *argc, char ***argv)
{
	(void)argc;
	(void)argv; /* already UTF-8 bytes, stdio already binary */
	return 0;
}

const char *fs_privilege_hint(void)
{
	return geteuid() == 0 ? "" : " (run as root)";
}

const char *fs_os_under_root(const char *path, const char *root)
{
	size_t rlen = strlen(root);

	while (rlen > 0 && root[rlen - 1] == '/')
		rlen--;
	if (rlen == 0)
		return path;
	if (strncmp(path, root, rlen) != 0 || path[rlen] != '/')
		return NULL;
	return path + rlen;
}

int fs_os_path_absolute(const char *path)
{
	return path[0] == '/';
}

FILE *fs_os_fopen(const char *path, const char *mode)
{
	struct stat st;
	FILE *f;
	int fd;

	if (strcmp(mode, "r") != 0)
		return fopen(path, mode);
	/* O_NONBLOCK: opening a FIFO waits for a writer otherwise */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	if (!(f = fdopen(fd, "r")))
		close(fd);
	return f;
}

/*
 * fs_os_run's signals: while the command runs we must outlive it (hold's
 * lock lives in this process), so a signal sent to us goes on to it.  One
 * from the terminal (si_code SI_KERNEL) reached the whole foreground
 * group, the command too: not sent twice.  Nor one the command sent us.
 */
static const int run_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2 };
#define RUN_NSIG (sizeof run_signals / sizeof run_signals[0])
static volatile sig_atomic_t run_child;

static void run_forward(int sig, siginfo_t *si, void *ctx)
{
	pid_t child = (pid_t)run_child;

	(void)ctx;
	if (child > 0 && si->si_code <= 0 && si->si_pid != child)
		kill(child, sig);
}

/* Installs the forwarding (not over a signal ignored on entry, which the
 * command inherits ignored) and keeps the old actions in old. */
static void run_signals_set(struct sigaction *old)
{
	struct sigaction fwd = { .sa_sigaction = run_forward, .sa_flags = SA_SIGINFO | SA_RESTART };

	sigemptyset(&fwd.sa_mask);
	for (size_t i = 0; i < RUN_NSIG; i++)
		if (sigaction(run_signals[i], NULL, &old[i]) == 0 && old[i].sa_handler != SIG_IGN)
			sigaction(run_signals[i], &fwd, NULL);
}

static void run_signals_restore(const struct sigaction *old)
{
	for (size_t i = 0; i < RUN_NSIG; i++)
		sigaction(run_signals[i], &old[i], NULL);
}

int fs_os_run(char *const *argv, int *status, fs_err *err)
{
	struct sigaction old[RUN_NSIG];
	sigset_t block, prev;
	pid_t pid;
	int st, rc = 0;

	/* blocked until run_child is set: none is lost in between */
	sigemptyset(&block);
	for (size_t i = 0; i < RUN_NSIG; i++)
		sigaddset(&block, run_signals[i]);
	sigprocmask(SIG_BLOCK, &block, &prev);
	run_signals_set(old);
	pid = fork();
	if (pid == 0) {
		run_signals_restore(old);
		sigprocmask(SIG_SETMASK, &prev, NULL);
		execvp(argv[0], argv);
		fs_text_line(stderr, "forksafe: cannot run %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	run_child = pid > 0 ? pid : 0;
	sigprocmask(SIG_SETMASK, &prev, NULL);
	if (pid < 0)
		rc = fs_fail_errno(err, errno, "cannot start %s", argv[0]);
	while (pid > 0 && waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			rc = fs_fail_errno(err, errno, "cannot wait for %s", argv[0]);
			break;
		}
	sigprocmask(SIG_BLOCK, &block, NULL);
	run_child = 0;
	run_signals_restore(old);
	sigprocmask(SIG_SETMASK, &prev, NULL);
	if (rc == 0)
		*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return rc;
}

struct fs_os_membuf {
	char *text;
	size_t len;
};

FILE *fs_os_membuf_open(fs_os_membuf **mb)
{
	FILE *f;

	if (!(*mb = calloc(1, sizeof **mb)))
		return NULL;
	if (!(f = open_memstream(&(*mb)->text, &(*mb)->len))) {
		free(*mb);
		*mb = NULL;
	}
	return f;
}

int fs_os_membuf_done(fs_os_membuf *mb, FILE *f, char **text, size_t *len)
{
	int rc = fclose(f) == 0 ? 0 : -1;

	*text = mb->text;
	*len = mb->len;
	free(mb);
	return rc;
}
