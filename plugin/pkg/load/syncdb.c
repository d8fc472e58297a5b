/*
 * syncdb.c - pacman's sync databases (var/lib/pacman/sync/REPO.db or
 * REPO.files) into libsolv repos.  They carry no suffix, so the compression
 * is told by its magic: zstd is decoded here with libzstd's streaming API,
 * gzip/xz/bzip2 by libsolvext's solv_xfopen_fd; libsolv's
 * repo_add_arch_repo reads the tar stream.
 */
#define _GNU_SOURCE
#include "load.h"

#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <solv/repo_arch.h>
#include <solv/solv_xfopen.h>
#include <zstd.h>

/* fd (a zstd stream) decoded into an anonymous temporary file. */
static FILE *unzstd(int fd, const char *name, fs_err *err)
{
	ZSTD_DStream *z = ZSTD_createDStream();
	size_t inlen = ZSTD_DStreamInSize(), outlen = ZSTD_DStreamOutSize(), last = 0;
	char *in = malloc(inlen), *out = malloc(outlen);
	FILE *f = tmpfile();
	ssize_t n;

	if (!z || !in || !out || !f) {
		fs_load_fail(err, "%s: cannot decompress: %s", name, strerror(errno));
		goto fail;
	}
	ZSTD_initDStream(z);
	while ((n = read(fd, in, inlen)) > 0) {
		ZSTD_inBuffer ib = { in, (size_t)n, 0 };

		while (ib.pos < ib.size) {
			ZSTD_outBuffer ob = { out, outlen, 0 };

			last = ZSTD_decompressStream(z, &ob, &ib);
			if (ZSTD_isError(last)) {
				fs_load_fail(err, "%s: corrupt zstd data (%s)", name, ZSTD_getErrorName(last));
				goto fail;
			}
			if (fwrite(out, 1, ob.pos, f) != ob.pos) {
				fs_load_fail(err, "%s: cannot decompress: %s", name, strerror(errno));
				goto fail;
			}
		}
	}
	if (n < 0 || last != 0) {
		fs_load_fail(err, "%s: %s", name, n < 0 ? "read error" : "truncated zstd data");
		goto fail;
	}
	if (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0) {
		fs_load_fail(err, "%s: cannot decompress: %s", name, strerror(errno));
		goto fail;
	}
	ZSTD_freeDStream(z);
	free(in);
	free(out);
	return f;
fail:
	if (f)
		fclose(f);
	ZSTD_freeDStream(z);
	free(in);
	free(out);
	return NULL;
}

/* The uncompressed tar stream of a sync database; closes fd. */
static FILE *open_db(int fd, const char *name, fs_err *err)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *suffix;
	} kinds[] = {
		{ "\x1f\x8b", 2, ".gz" },
		{ "\xfd" "7zXZ", 5, ".xz" },
		{ "BZh", 3, ".bz2" },
	};
	unsigned char head[6] = { 0 };
	ssize_t n = pread(fd, head, sizeof head, 0);
	FILE *f;

	if (n < 0) {
		fs_load_fail(err, "%s: %s", name, strerror(errno));
		close(fd);
		return NULL;
	}
	if (n >= 4 && memcmp(head, "\x28\xb5\x2f\xfd", 4) == 0) {
		f = unzstd(fd, name, err);
		close(fd);
		return f;
	}
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if ((size_t)n >= kinds[i].len && memcmp(head, kinds[i].magic, kinds[i].len) == 0) {
			f = solv_xfopen_fd(kinds[i].suffix, fd, "r");
			if (!f) {
				fs_load_fail(err, "%s: cannot decompress (%s)", name, kinds[i].suffix + 1);
				close(fd);
			}
			return f;
		}
	f = fdopen(fd, "r"); /* an uncompressed tar */
	if (!f) {
		fs_load_fail(err, "%s: %s", name, strerror(errno));
		close(fd);
	}
	return f;
}

static int add_repo(Pool *pool, int dirfd, const char *file, fs_err *err)
{
	int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	char repo_name[256];
	Repo *repo;
	FILE *f;
	int rc;

	if (fd < 0)
		return fs_load_fail(err, "sync database %s: %s", file, strerror(errno));
	f = open_db(fd, file, err);
	if (!f)
		return -1;
	snprintf(repo_name, sizeof repo_name, "%.*s", (int)strcspn(file, "."), file);
	repo = repo_create(pool, repo_name);
	rc = repo_add_arch_repo(repo, f, 0);
	fclose(f);
	if (rc != 0)
		return fs_load_fail(err, "sync database %s: %s", file, pool_errstr(pool));
	return 0;
}

static int has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && strcmp(name + n - s, suffix) == 0;
}

int fs_load_sync(Pool *pool, const char *root, size_t *nrepos, fs_err *err)
{
	char *path = fs_root_join(root, "var/lib/pacman/sync");
	DIR *d = path ? opendir(path) : NULL;
	struct dirent *e;
	int rc = 0;

	*nrepos = 0;
	if (!d) {
		fs_load_fail(err, "%s: %s", path ? path : "sync databases", strerror(errno));
		free(path);
		return -1;
	}
	/* REPO.db, or REPO.files where there is no REPO.db (same packages) */
	while (rc == 0 && (e = readdir(d))) {
		char other[NAME_MAX + 1];
		size_t n = strlen(e->d_name);

		if (has_suffix(e->d_name, ".files")) {
			snprintf(other, sizeof other, "%.*s.db", (int)(n - 6), e->d_name);
			if (faccessat(dirfd(d), other, F_OK, 0) == 0)
				continue;
		} else if (!has_suffix(e->d_name, ".db")) {
			continue;
		}
		rc = add_repo(pool, dirfd(d), e->d_name, err);
		*nrepos += rc == 0;
	}
	closedir(d);
	free(path);
	return rc;
}
