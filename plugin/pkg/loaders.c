/*
 * loaders.c - opens the loader module forksafe-loaders.so (load/load.h
 * says why it is a module) on first use: beside the running binary (a
 * build tree), else where an install put it relative to the binary
 * (FS_LOADERS_RELPATH: any --prefix or DESTDIR), else, for a program
 * linking libforksafe.so.0, where an install put it relative to the
 * library (LIBDIR/forksafe/), else where the configured prefix would have
 * put it (FS_LOADERS_PATH).  Threads: two first uses at once may both
 * open the module (dlopen counts them); the table is published atomically.
 */
#define _GNU_SOURCE
#include "pkg.h"
#include "../core/err.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#ifndef FS_LOADERS_PATH
#define FS_LOADERS_PATH "/usr/lib/forksafe/forksafe-loaders.so"
#endif
#ifndef FS_LOADERS_RELPATH
#define FS_LOADERS_RELPATH "../lib/forksafe"
#endif
#define MODULE "forksafe-loaders.so"

/* dlopen()s DIR/MODULE, DIR relative to the directory of file path[n]. */
static void *open_near(char *path, size_t n, const char *dir)
{
	size_t len, dlen = strlen(dir);
	char *slash;

	if (n == 0 || n >= PATH_MAX)
		return NULL; /* a name that fills the buffer may be cut */
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (!slash)
		return NULL;
	len = (size_t)(slash + 1 - path);
	if (len + dlen + 1 + sizeof MODULE > PATH_MAX)
		return NULL;
	memcpy(path + len, dir, dlen);
	len += dlen;
	if (dlen)
		path[len++] = '/';
	memcpy(path + len, MODULE, sizeof MODULE);
	return access(path, F_OK) == 0 ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
}

/* DIR/MODULE, DIR relative to the running binary's directory. */
static void *open_near_binary(const char *dir)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path);

	return n > 0 ? open_near(path, (size_t)n, dir) : NULL;
}

/* DIR/MODULE, DIR relative to the directory of the object this code is
 * in: libforksafe.so.0, or the binary itself when linked statically. */
static void *open_near_library(const char *dir)
{
	char path[PATH_MAX];
	Dl_info info;
	size_t n;

	if (!dladdr((void *)open_near_library, &info) || !info.dli_fname ||
	    info.dli_fname[0] != '/')
		return NULL;
	n = strlen(info.dli_fname);
	if (n >= sizeof path)
		return NULL;
	memcpy(path, info.dli_fname, n);
	return open_near(path, n, dir);
}

const struct fs_loaders *fs_pkg_loaders(fs_err *err)
{
	static _Atomic(const struct fs_loaders *) table;
	const struct fs_loaders *found = atomic_load(&table);
	void *h;

	if (found)
		return found;
	h = open_near_binary("");
	if (!h)
		h = open_near_binary(FS_LOADERS_RELPATH);
	if (!h)
		h = open_near_library("forksafe");
	if (!h)
		h = dlopen(FS_LOADERS_PATH, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fs_fail(err, "cannot load the package loaders: %s", dlerror());
		return NULL;
	}
	found = dlsym(h, "fs_loaders_table");
	if (!found || found->abi != FS_LOADERS_ABI) {
		fs_fail(err, "%s does not match this forksafe", MODULE);
		return NULL;
	}
	atomic_store(&table, found);
	return found; /* stays loaded until exit */
}
