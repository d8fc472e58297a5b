/*
 * loaders.c - opens the loader module forksafe-loaders.so (load/load.h
 * says why it is a module) on first use: beside the running binary (a
 * build tree), else where an install put it relative to the binary
 * (FS_LOADERS_RELPATH: any --prefix or DESTDIR), else where the configured
 * prefix would have put it (FS_LOADERS_PATH).
 */
#define _GNU_SOURCE
#include "pkg.h"
#include "../core/err.h"

#include <dlfcn.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#ifndef FS_LOADERS_PATH
#define FS_LOADERS_PATH "/usr/lib/forksafe/forksafe-loaders.so"
#endif
#ifndef FS_LOADERS_RELPATH
#define FS_LOADERS_RELPATH "../lib/forksafe"
#endif
#define MODULE "forksafe-loaders.so"

/* dlopen()s DIR/MODULE, DIR relative to the running binary's directory. */
static void *open_near_binary(const char *dir)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path);
	size_t len, dlen = strlen(dir);
	char *slash;

	if (n <= 0 || (size_t)n >= sizeof path)
		return NULL; /* a name that fills the buffer may be cut */
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (!slash)
		return NULL;
	len = (size_t)(slash + 1 - path);
	if (len + dlen + 1 + sizeof MODULE > sizeof path)
		return NULL;
	memcpy(path + len, dir, dlen);
	len += dlen;
	if (dlen)
		path[len++] = '/';
	memcpy(path + len, MODULE, sizeof MODULE);
	return access(path, F_OK) == 0 ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
}

const struct fs_loaders *fs_pkg_loaders(fs_err *err)
{
	static const struct fs_loaders *table;
	void *h;

	if (table)
		return table;
	h = open_near_binary("");
	if (!h)
		h = open_near_binary(FS_LOADERS_RELPATH);
	if (!h)
		h = dlopen(FS_LOADERS_PATH, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fs_fail(err, "cannot load the package loaders: %s", dlerror());
		return NULL;
	}
	table = dlsym(h, "fs_loaders_table");
	if (!table || table->abi != FS_LOADERS_ABI) {
		table = NULL;
		fs_fail(err, "%s does not match this forksafe", MODULE);
		return NULL;
	}
	return table; /* stays loaded until exit */
}
