/*
 * fuzz_cache.c - libFuzzer target for the store's package cache loader
 * (fs_pkgdb_cache_parse, plugin/pkg/pkgdb.c): the input as the cache file
 * (its key line and checksum are checked before libsolv sees a byte): what
 * loads must be exactly a key line, the body's SHA-256 and the body.
 *
 * With FS_FUZZ_SIGNED=1 in the environment it also puts the rest of an
 * input whose first byte is odd behind a key line with its correct
 * checksum: what libsolv's repo_add_solv makes of crafted bytes that pass
 * the check.  libsolv 0.7.23 reads out of bounds there within a minute
 * (docs/packages.md: the checksum guards against corruption, the store's
 * ownership against forgery), so CI runs the first part only.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <solv/chksum.h>
#include <solv/knownid.h>
#include <solv/pool.h>
#include <solv/repo.h>

#include "pkg/pkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEY "fuzz-key"
#define HEAD "forksafe-pkgdb 2 " KEY " sha256:"

static int parse(const char *buf, size_t len)
{
	Pool *pool = pool_create();
	Repo *repo = repo_create(pool, "@System");
	int ok = fs_pkgdb_cache_parse(repo, buf, len, KEY);

	pool_free(pool);
	return ok;
}

/* HEAD, the SHA-256 of body in hex, a newline, body. */
static char *signed_cache(const uint8_t *body, size_t n, size_t *len)
{
	Chksum *c = solv_chksum_create(REPOKEY_TYPE_SHA256);
	const unsigned char *sum;
	char *buf = malloc(sizeof HEAD - 1 + 65 + n);
	int sl;

	if (!c || !buf)
		abort();
	solv_chksum_add(c, body, (int)n);
	sum = solv_chksum_get(c, &sl);
	memcpy(buf, HEAD, sizeof HEAD - 1);
	for (int i = 0; i < 32; i++)
		sprintf(buf + sizeof HEAD - 1 + 2 * i, "%02x", sum[i]);
	buf[sizeof HEAD - 1 + 64] = '\n';
	memcpy(buf + sizeof HEAD - 1 + 65, body, n);
	solv_chksum_free(c, NULL);
	*len = sizeof HEAD - 1 + 65 + n;
	return buf;
}

static int signed_mode = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf;
	size_t len;

	if (parse((const char *)data, size)) {
		/* loaded: then it is exactly a key line, a right checksum, a body */
		size_t head = sizeof HEAD - 1 + 65;

		if (size < head)
			abort();
		buf = signed_cache(data + head, size - head, &len);
		if (len != size || memcmp(buf, data, size) != 0)
			abort();
		free(buf);
	}
	if (signed_mode < 0)
		signed_mode = getenv("FS_FUZZ_SIGNED") && strcmp(getenv("FS_FUZZ_SIGNED"), "1") == 0;
	if (signed_mode && size > 0 && (data[0] & 1)) {
		buf = signed_cache(data + 1, size - 1, &len);
		parse(buf, len);
		free(buf);
	}
	return 0;
}
