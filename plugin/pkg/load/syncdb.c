/*
 * syncdb.c - pacman's sync databases (var/lib/pacman/sync/REPO.db or
 * REPO.files) into libsolv repos.  They carry no suffix, so the compression
 * is told by its magic: zstd is decoded here with libzstd's streaming API,
 * gzip/xz/bzip2 by libsolvext's solv_xfopen_fd, each into a temporary file
 * no larger than FS_SYNC_RATIO times the database (at least
 * FS_SYNC_OUT_FLOOR, at most FS_SYNC_OUT_MAX: a 33 KB zstd file of zeros
 * would otherwise fill a gigabyte); libsolv's repo_add_arch_repo reads the
 * tar stream.
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
#include <sys/stat.h>
#include <unistd.h>

#include <solv/repo_arch.h>
#include <solv/solv_xfopen.h>
#include <zstd.h>

/* Where a sync database is decoded to: a temporary file, bounded. */
typedef struct sink {
	FILE *f;
	unsigned long long n, max;
	const char *name;
} sink;

/* The most a sync database of insize bytes may decompress to. */
static unsigned long long out_limit(unsigned long long insize)
{
	unsigned long long lim = insize > FS_SYNC_OUT_MAX / FS_SYNC_RATIO
					 ? FS_SYNC_OUT_MAX : insize * FS_SYNC_RATIO;

	return lim < FS_SYNC_OUT_FLOOR ? FS_SYNC_OUT_FLOOR : lim;
}

static int sink_put(sink *k, const void *p, size_t n, fs_err *err)
{
	if (n > k->max - k->n)
		return fs_load_fail(err, "%s: decompresses to more than %llu MiB (limit: %d times "
				    "its size, at least %llu MiB, at most %llu MiB)", k->name,
				    k->max >> 20, FS_SYNC_RATIO, FS_SYNC_OUT_FLOOR >> 20,
				    FS_SYNC_OUT_MAX >> 20);
	if (fwrite(p, 1, n, k->f) != n)
		return fs_load_fail(err, "%s: cannot decompress: %s", k->name, strerror(errno));
	k->n += n;
	return 0;
}

/* fd (a zstd stream) decoded with libzstd's streaming API. */
static int unzstd(int fd, sink *k, fs_err *err)
{
	ZSTD_DStream *z = ZSTD_createDStream();
	size_t inlen = ZSTD_DStreamInSize(), outlen = ZSTD_DStreamOutSize(), last = 0;
	char *in = malloc(inlen), *out = malloc(outlen);
	ssize_t n = 0;
	int rc = -1;

	if (!z || !in || !out) {
		fs_load_fail(err, "%s: cannot decompress: out of memory", k->name);
		goto out;
	}
	ZSTD_initDStream(z);
	while ((n = read(fd, in, inlen)) > 0) {
		ZSTD_inBuffer ib = { in, (size_t)n, 0 };

		while (ib.pos < ib.size) {
			ZSTD_outBuffer ob = { out, outlen, 0 };

			last = ZSTD_decompressStream(z, &ob, &ib);
			if (ZSTD_isError(last)) {
				fs_load_fail(err, "%s: corrupt zstd data (%s)", k->name,
					     ZSTD_getErrorName(last));
				goto out;
			}
			if (sink_put(k, out, ob.pos, err) < 0)
				goto out;
		}
	}
	if (n < 0 || last != 0)
		fs_load_fail(err, "%s: %s", k->name, n < 0 ? "read error" : "truncated zstd data");
	else
		rc = 0;
out:
	ZSTD_freeDStream(z);
	free(in);
	free(out);
	return rc;
}

/* fd (gzip, xz, bzip2: suffix) decoded by libsolvext; closes fd. */
static int unxf(int fd, const char *suffix, sink *k, fs_err *err)
{
	FILE *xf = solv_xfopen_fd(suffix, fd, "r");
	char buf[65536];
	size_t n;
	int rc = 0;

	if (!xf) {
		close(fd);
		return fs_load_fail(err, "%s: cannot decompress (%s)", k->name, suffix + 1);
	}
	while (rc == 0 && (n = fread(buf, 1, sizeof buf, xf)) > 0)
		rc = sink_put(k, buf, n, err);
	if (rc == 0 && ferror(xf))
		rc = fs_load_fail(err, "%s: corrupt %s data", k->name, suffix + 1);
	fclose(xf);
	return rc;
}

FILE *fs_sync_open(int fd, const char *name, fs_err *err)
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
	sink k = { .name = name };
	struct stat st;
	int rc = -1;

	if (n < 0 || fstat(fd, &st) < 0) {
		fs_load_fail(err, "%s: %s", name, strerror(errno));
		close(fd);
		return NULL;
	}
	k.max = out_limit((unsigned long long)st.st_size);
	if (n < 4 || memcmp(head, "\x28\xb5\x2f\xfd", 4) != 0) {
		for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
			if ((size_t)n >= kinds[i].len && memcmp(head, kinds[i].magic, kinds[i].len) == 0) {
				if (!(k.f = tmpfile())) {
					fs_load_fail(err, "%s: cannot decompress: %s", name, strerror(errno));
					close(fd);
					return NULL;
				}
				rc = unxf(fd, kinds[i].suffix, &k, err);
				goto decoded;
			}
		/* an uncompressed tar: its size is what it decompresses to */
		if ((unsigned long long)st.st_size > FS_SYNC_OUT_MAX) {
			fs_load_fail(err, "%s: larger than %llu MiB", name, FS_SYNC_OUT_MAX >> 20);
			close(fd);
			return NULL;
		}
		if (!(k.f = fdopen(fd, "r"))) {
			fs_load_fail(err, "%s: %s", name, strerror(errno));
			close(fd);
		}
		return k.f;
	}
	if (!(k.f = tmpfile()))
		fs_load_fail(err, "%s: cannot decompress: %s", name, strerror(errno));
	else
		rc = unzstd(fd, &k, err);
	close(fd);
decoded:
	if (rc == 0 && (fflush(k.f) != 0 || fseek(k.f, 0, SEEK_SET) != 0))
		rc = fs_load_fail(err, "%s: cannot decompress: %s", name, strerror(errno));
	if (rc < 0 && k.f) {
		fclose(k.f);
		k.f = NULL;
	}
	return k.f;
}

static int add_repo(Pool *pool, int dirfd, const char *file, fs_err *err)
{
	int fd = fs_load_open(dirfd, file, file, 1, ~0ull, err);
	char repo_name[256];
	Repo *repo;
	FILE *f;
	int rc;

	if (fd < 0)
		return -1;
	f = fs_sync_open(fd, file, err);
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
		if (*nrepos == FS_SYNC_DBS_MAX) {
			rc = fs_load_fail(err, "%s: more than %d sync databases", path, FS_SYNC_DBS_MAX);
			break;
		}
		rc = add_repo(pool, dirfd(d), e->d_name, err);
		*nrepos += rc == 0;
	}
	closedir(d);
	free(path);
	return rc;
}
