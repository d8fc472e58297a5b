/*
 * fuzz_targets.c - libFuzzer target for the target reader: NeedsTargets
 * text split into lines and resolved inside a scratch root made of
 * directories, relative and absolute symlinks, a link above the root and a
 * symlink loop.  A resolved path must be absolute and normalised, and
 * nothing may be resolved outside the root.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "forksafe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64];

static void make_root(void)
{
	char cmd[512];

	strcpy(root, "/tmp/fs-fuzz-root-XXXXXX");
	if (!mkdtemp(root))
		abort();
	snprintf(cmd, sizeof cmd,
		 "cd %s && mkdir -p usr/lib etc && touch usr/lib/a.so etc/f && "
		 "ln -s a.so usr/lib/b.so && ln -s /usr/lib usr/l && ln -s ../../../../etc up && "
		 "ln -s loop2 loop1 && ln -s loop1 loop2",
		 root);
	if (system(cmd) != 0)
		abort();
}

static void check(const char *p)
{
	if (p[0] != '/' || strstr(p, "//") || strstr(p, "/./") || strstr(p, "/../") ||
	    (strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fs_targets *t;
	fs_err err;
	int p[2];

	if (!root[0])
		make_root();
	t = fs_targets_new(root, &err);
	if (!t)
		abort();
	/* through a pipe, as pacman hands the list over */
	if (size > 60000 || pipe(p) < 0)
		goto out;
	if (write(p[1], data, size) != (ssize_t)size)
		abort();
	close(p[1]);
	fs_targets_read_fd(t, p[0], &err);
	close(p[0]);
	for (size_t i = 0; i < fs_targets_count(t); i++)
		check(fs_targets_get(t, i)->path);
out:
	fs_targets_free(t);
	return 0;
}
