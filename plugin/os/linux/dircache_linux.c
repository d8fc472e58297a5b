/*
 * dircache_linux.c - open directories: the last directory a walk opened,
 * kept open under its path (the files of a package or a snapshot share
 * directories, so the next file usually needs the same one; one entry is
 * enough), and a directory opened for listing.
 */
#include "linux.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

DIR *fs_linux_opendir(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d && fd >= 0)
		close(fd);
	return d;
}

void fs_dircache_init(fs_dircache *c)
{
	c->fd = -1;
	c->len = 0;
}

int fs_dircache_get(const fs_dircache *c, const char *key, size_t len)
{
	if (c->fd < 0 || len != c->len || memcmp(c->key, key, len) != 0)
		return -1;
	return c->fd;
}

int fs_dircache_put(fs_dircache *c, const char *key, size_t len, int fd)
{
	fs_dircache_drop(c);
	if (len > sizeof c->key) {
		close(fd);
		return -1;
	}
	memcpy(c->key, key, len);
	c->len = len;
	c->fd = fd;
	return fd;
}

void fs_dircache_drop(fs_dircache *c)
{
	if (c->fd >= 0)
		close(c->fd);
	fs_dircache_init(c);
}
