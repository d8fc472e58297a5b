/*
 * loaders.c - opens the loader module forksafe-loaders.so (load/load.h
 * says why it is a module) on first use: beside the running binary (a
 * build tree), else where it is installed (FS_LOADERS_PATH).
 */
#define _GNU_SOURCE
#include "pkg.h"

#include <dlfcn.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#ifndef FS_LOADERS_PATH
#define FS_LOADERS_PATH "/usr/lib/forksafe/forksafe-loaders.so"
#endif
#define MODULE "forksafe-loaders.so"

static void *open_beside_binary(void)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - sizeof MODULE - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (!slash)
		return NULL;
	strcpy(slash + 1, MODULE);
	return access(path, F_OK) == 0 ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
}

const struct fs_loaders *fs_pkg_loaders(fs_err *err)
{
	static const struct fs_loaders *table;
	void *h;

	if (table)
		return table;
	h = open_beside_binary();
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
