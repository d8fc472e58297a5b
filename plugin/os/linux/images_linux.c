/*
 * images_linux.c - kinds of mapped images: the ones a running process can
 * never outlive safely (the dynamic loader and the C library, glibc or
 * musl: a process mapping a replaced one must restart, no snapshot makes
 * that safe), and the ones no package manager ever installs (memfd, SysV
 * shared memory, /dev).
 */
#include "linux.h"

#include <string.h>

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int fs_os_is_runtime(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return starts(base, "ld-linux") || starts(base, "ld-musl-") ||
	       starts(base, "libc.so.") || starts(base, "libc-2.") ||
	       strcmp(base, "libc.so") == 0;
}

int fs_os_runtime_kept(void)
{
	return 1;
}

int fs_os_is_pseudo(const char *path)
{
	return starts(path, "/memfd:") || starts(path, "/SYSV") || starts(path, "/dev/") ||
	       starts(path, "/[");
}
