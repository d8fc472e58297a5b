/*
 * arch.c - pacman's local database (var/lib/pacman/local/NAME-VER/desc and
 * files).  libsolv's own reader (repo_add_arch_local) fopen()s those files
 * by name: a FIFO hangs it, and it reads any size.  Here each package's
 * desc and files are read as file.c reads a root's files and handed to
 * libsolv as a two-entry tar (repo_add_arch_repo), which parses them the
 * same way.
 */
#define _GNU_SOURCE
#include "load.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <solv/repo_arch.h>

#define BLOCK 512

static size_t padded(size_t n) { return (n + BLOCK - 1) / BLOCK * BLOCK; }

/* A ustar header of a regular file NAME of SIZE bytes at h. */
static void tar_header(unsigned char *h, const char *name, size_t size)
{
	unsigned sum = 0;

	memset(h, 0, BLOCK);
	snprintf((char *)h, 100, "%s", name);
	memcpy(h + 100, "0000644", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
	memcpy(h + 136, "00000000000", 12);
	memset(h + 148, ' ', 8);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (int i = 0; i < BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

int fs_load_arch_pkg(Repo *repo, const char *desc, size_t desclen, const char *files,
		     size_t fileslen, const char *shown, fs_err *err)
{
	size_t total, at = 0;
	unsigned char *tar;
	FILE *f;

	if (desclen > FS_DB_ENTRY_MAX || fileslen > FS_DB_ENTRY_MAX)
		return fs_load_fail(err, "%s: larger than %u MiB", shown, FS_DB_ENTRY_MAX >> 20);
	total = BLOCK + padded(desclen) + (files ? BLOCK + padded(fileslen) : 0) + 2 * BLOCK;
	tar = calloc(1, total);
	if (!tar)
		return fs_load_fail(err, "%s: out of memory", shown);
	tar_header(tar, "p/desc", desclen);
	memcpy(tar + BLOCK, desc, desclen);
	at = BLOCK + padded(desclen);
	if (files) {
		tar_header(tar + at, "p/files", fileslen);
		memcpy(tar + at + BLOCK, files, fileslen);
	}
	f = fmemopen(tar, total, "r");
	if (!f) {
		free(tar);
		return fs_load_fail(err, "%s: %s", shown, strerror(errno));
	}
	repo_add_arch_repo(repo, f, REPO_REUSE_REPODATA | REPO_NO_INTERNALIZE);
	fclose(f);
	free(tar);
	return 0;
}

/* root/var/lib/pacman/local/NAME/FILE, for messages (malloc'ed). */
static char *shown_path(const char *root, const char *name, const char *file)
{
	char rel[NAME_MAX + 64];

	snprintf(rel, sizeof rel, "var/lib/pacman/local/%s/%s", name, file);
	return fs_root_join(root, rel);
}

/* One package directory: its desc (none: not a package) and its files. */
static int add_pkg(Repo *repo, int localfd, const char *name, const char *root,
		   fs_load_budget *b, fs_err *err)
{
	int fd = openat(localfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), rc = -1;
	char *desc = NULL, *files = NULL, *sd = shown_path(root, name, "desc"),
	     *sf = shown_path(root, name, "files");
	size_t dlen = 0, flen = 0;

	if (!sd || !sf) {
		rc = fs_load_fail(err, "out of memory");
	} else if (fd < 0) {
		/* ALPM_DB_VERSION, or anything not a directory (a symlink too) */
		rc = errno == ENOTDIR || errno == ELOOP
			? 0 : fs_load_fail(err, "%s: %s", sd, strerror(errno));
	} else if (fs_load_read(fd, "desc", sd, FS_DB_ENTRY_MAX, b, &desc, &dlen, err) < 0) {
		rc = errno == ENOENT ? 0 : -1;
	} else if (fs_load_read(fd, "files", sf, FS_DB_ENTRY_MAX, b, &files, &flen, err) < 0 &&
		   errno != ENOENT) {
		rc = -1;
	} else {
		rc = fs_load_arch_pkg(repo, desc, dlen, files, flen, sd, err);
	}
	if (fd >= 0)
		close(fd);
	free(desc);
	free(files);
	free(sd);
	free(sf);
	return rc;
}

int fs_load_arch_local(Repo *repo, const char *root, fs_err *err)
{
	char *path = fs_root_join(root, "var/lib/pacman/local");
	int fd = path ? open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1, rc = 0;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	fs_load_budget budget = { 0 };
	size_t n = 0;
	struct dirent *e;

	if (!d) {
		rc = fs_load_fail(err, "%s: %s", path ? path : root, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		return rc;
	}
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (++n > FS_DB_PACKAGES_MAX)
			rc = fs_load_fail(err, "%s: more than %d packages", path, FS_DB_PACKAGES_MAX);
		else
			rc = add_pkg(repo, dirfd(d), e->d_name, root, &budget, err);
	}
	closedir(d);
	free(path);
	return rc;
}
