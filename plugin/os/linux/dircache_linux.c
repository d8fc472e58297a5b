/*
 * dircache_linux.c - the last directory a walk opened, kept open under its
 * path: the files of a package or a snapshot share directories, so the
 * next file usually needs the same one.  One entry is enough for that.
 */
#include "linux.h"

#include <string.h>
#include <unistd.h>

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
