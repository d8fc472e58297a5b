/*
 * module.c - the table forksafe-loaders.so exports, the installed-package
 * loader, and the module's own small helpers (it links nothing of the
 * binary's).
 */
#define _GNU_SOURCE
#include "load.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int fs_load_fail(fs_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return -1;
}

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
