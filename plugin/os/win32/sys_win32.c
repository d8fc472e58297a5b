/*
 * sys_win32.c - the process and clock primitives of os.h, from the
 * Windows C runtime (msvcrt through mingw-w64) and winpthread: what the
 * core's getcwd(), read(), clock_gettime() and getpid() were.
 */
#include "win32.h"
#include "../../core/err.h"

#include <direct.h>
#include <errno.h>
#include <io.h>
#include <limits.h>
#include <string.h>
#include <time.h>

/* The C runtime's reads are never interrupted: no EINTR to retry. */
ptrdiff_t fs_os_read(int fd, void *buf, size_t len)
{
	return _read(fd, buf, len > INT_MAX ? INT_MAX : (unsigned)len);
}

/* In the C runtime's code page, as the core has always had it. */
char *fs_os_cwd(fs_err *err)
{
	char cwd[MAX_PATH];
	char *s;

	if (!_getcwd(cwd, sizeof cwd)) {
		fs_fail_errno(err, errno, "cannot get the current directory");
		return NULL;
	}
	if (!(s = _strdup(cwd)))
		fs_fail(err, "out of memory");
	return s;
}

/* winpthread's clock_gettime(): the system time. */
void fs_os_clock_real(int64_t *sec, long *nsec)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	*sec = (int64_t)ts.tv_sec;
	*nsec = (long)ts.tv_nsec;
}

int fs_os_pid(void)
{
	return (int)GetCurrentProcessId();
}
