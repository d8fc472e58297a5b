/*
 * module.c - the table forksafe-loaders.so exports and the installed-package
 * loader.
 */
#define _GNU_SOURCE
#include "load.h"

static int installed(Repo *repo, const char *root, int pacman, int dpkg, fs_err *err)
{
	if (pacman && fs_load_arch_local(repo, root, err) < 0)
		return -1;
	return dpkg ? fs_load_dpkg(repo, root, err) : 0;
}

const struct fs_loaders fs_loaders_table = {
	.abi = FS_LOADERS_ABI,
	.installed = installed,
	.sync = fs_load_sync,
	.archive = fs_load_archive,
};
