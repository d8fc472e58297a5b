/*
 * sys_linux.c - the process and clock primitives of os.h: the POSIX calls
 * the core makes through the seam.
 */
#define _GNU_SOURCE
#include "linux.h"
#include "../../core/err.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

ptrdiff_t fs_os_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

char *fs_os_cwd(fs_err *err)
{
	char cwd[PATH_MAX];
	char *s;

	if (!getcwd(cwd, sizeof cwd)) {
		fs_fail_errno(err, errno, "cannot get the current directory");
		return NULL;
	}
	if (!(s = strdup(cwd)))
		fs_fail(err, "out of memory");
	return s;
}

void fs_os_clock_real(int64_t *sec, long *nsec)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	*sec = (int64_t)ts.tv_sec;
	*nsec = (long)ts.tv_nsec;
}

int fs_os_pid(void)
{
	return (int)getpid();
}
