/*
 * fuzz_pacman.c - libFuzzer target for the pacman readers (plugin/pkg/load/
 * syncdb.c, arch.c): the whole input as a sync database (zstd, gzip, xz,
 * bzip2 or a plain tar, told by its magic, decoded within the FS_SYNC_*
 * limits) read by repo_add_arch_repo, and the input split in two (the
 * first two bytes give the length of the first part) as one local
 * package's desc and files.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_arch.h>

#include "pkg/load/load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sync_db(Pool *pool, const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz.db", MFD_CLOEXEC);
	fs_err err;
	FILE *f;

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	f = fs_sync_open(fd, "fuzz.db", &err); /* closes fd */
	if (f) {
		repo_add_arch_repo(repo_create(pool, "sync"), f, 0);
		fclose(f);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Pool *pool = pool_create();
	Repo *local;
	fs_err err;

	pool_setdisttype(pool, DISTTYPE_ARCH);
	sync_db(pool, data, size);
	local = repo_create(pool, "@System");
	if (size >= 2) {
		size_t desclen = (size_t)(data[0] | data[1] << 8) % (size - 1);
		const char *desc = (const char *)data + 2;

		fs_load_arch_pkg(local, desc, desclen, desc + desclen, size - 2 - desclen, "desc",
				 &err);
		fs_load_arch_pkg(local, desc, size - 2, NULL, 0, "desc", &err);
	}
	pool_addfileprovides(pool);
	pool_createwhatprovides(pool);
	pool_free(pool);
	return 0;
}
