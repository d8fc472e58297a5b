/*
 * child_linux.c - work in a child process with a deadline
 * (fs_os_run_limited, os.h): fork; the child runs the work in a session
 * (and process group) of its own; the parent waits for SIGCHLD with
 * sigtimedwait() until the deadline, then kills the whole group.  The
 * parent only forks, waits and kills.
 */
#define _GNU_SOURCE
#include "linux.h"
#include "../../core/err.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* After SIGKILL, how long to wait for the child to be gone (a process in
 * an uninterruptible sleep dies only when it leaves it). */
#define REAP_MS 2000

static const struct {
	int sig;
	const char *name;
} signames[] = {
	{ SIGSEGV, "SIGSEGV" }, { SIGABRT, "SIGABRT" }, { SIGBUS, "SIGBUS" },
	{ SIGILL, "SIGILL" },   { SIGFPE, "SIGFPE" },   { SIGKILL, "SIGKILL" },
	{ SIGTERM, "SIGTERM" }, { SIGINT, "SIGINT" },   { SIGHUP, "SIGHUP" },
	{ SIGQUIT, "SIGQUIT" }, { SIGPIPE, "SIGPIPE" }, { SIGTRAP, "SIGTRAP" },
	{ SIGSYS, "SIGSYS" },   { SIGXCPU, "SIGXCPU" }, { SIGXFSZ, "SIGXFSZ" },
	{ SIGALRM, "SIGALRM" }, { SIGUSR1, "SIGUSR1" }, { SIGUSR2, "SIGUSR2" },
};

static void ended(int st, fs_child_end *end)
{
	if (WIFEXITED(st)) {
		end->how = FS_CHILD_EXITED;
		end->code = WEXITSTATUS(st);
		return;
	}
	end->how = FS_CHILD_KILLED;
	end->code = WTERMSIG(st);
	snprintf(end->what, sizeof end->what, "signal %d", end->code);
	for (size_t i = 0; i < sizeof signames / sizeof *signames; i++)
		if (signames[i].sig == end->code)
			snprintf(end->what, sizeof end->what, "%s", signames[i].name);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum waited { WAIT_FAILED = -1, WAIT_DEADLINE = 0, WAIT_ENDED = 1 };

/*
 * Waits until pid ends (*st) or the clock passes deadline (ms); err
 * says why when it failed.  SIGCHLD is blocked, so
 * sigtimedwait() wakes when any child changes state; waitpid() says
 * whether it was this one ending (a stop is no end).
 */
static enum waited wait_until(pid_t pid, long long deadline, const sigset_t *chld, int *st,
		      fs_err *err)
{
	for (;;) {
		pid_t w = waitpid(pid, st, WNOHANG);
		long long left;
		struct timespec ts;

		if (w == pid)
			return WAIT_ENDED;
		if (w < 0 && errno != EINTR)
			return fs_fail_errno(err, errno, "cannot wait for the worker process");
		left = deadline - now_ms();
		if (left <= 0)
			return WAIT_DEADLINE;
		ts.tv_sec = (time_t)(left / 1000);
		ts.tv_nsec = (long)(left % 1000) * 1000000;
		if (sigtimedwait(chld, NULL, &ts) < 0 && errno != EAGAIN && errno != EINTR)
			return fs_fail_errno(err, errno, "cannot wait for the worker process");
	}
}

static _Noreturn void child(const fs_child *c, const sigset_t *old, pid_t parent)
{
	sigprocmask(SIG_SETMASK, old, NULL);
	setsid(); /* its own process group: killed as a whole at the deadline */
	/* and never outlives the hook (pacman killed, the hook killed) */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	fs_linux_scan_not(parent);
	exit(c->run(c->arg)); /* exit(): stdio flushed, as a command's end */
}

int fs_os_run_limited(const fs_child *c, unsigned timeout, fs_child_end *end,
		      fs_err *err)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, oldsa;
	sigset_t chld, old;
	pid_t parent = getpid(), pid;
	long long deadline;
	enum waited waited;
	int st, rc;

	memset(end, 0, sizeof *end);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	/* an inherited SIG_IGN would reap the child before we see how it ended */
	sigaction(SIGCHLD, &dfl, &oldsa);
	sigprocmask(SIG_BLOCK, &chld, &old);
	fflush(NULL); /* nothing of ours written twice */
	deadline = now_ms() + (long long)timeout * 1000;
	pid = fork();
	if (pid == 0)
		child(c, &old, parent);
	if (pid < 0) {
		rc = fs_fail_errno(err, errno, "cannot start the worker process");
	} else if ((waited = wait_until(pid, deadline, &chld, &st, err)) == WAIT_ENDED) {
		ended(st, end);
		rc = 0;
	} else {
		fs_err ignored;

		/* the deadline (or a wait that failed): the child's group, the
		 * child and what it started, then the child itself in case it
		 * had no group of its own yet */
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		rc = waited == WAIT_FAILED ? -1 : 0;
		if (waited == WAIT_DEADLINE) /* a failed wait is no time-out */
			end->how = FS_CHILD_TIMED_OUT;
		if (wait_until(pid, now_ms() + REAP_MS, &chld, &st, &ignored) != WAIT_ENDED)
			snprintf(end->what, sizeof end->what, "not reaped");
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	sigaction(SIGCHLD, &oldsa, NULL);
	return rc;
}
