/*
 * fuzz_dpkg.c - libFuzzer target for the dpkg readers (plugin/pkg/load/
 * dpkg.c): a status text through the FS_DEB_* checks into libsolvext, and a
 * .list text into every package's file list, and the same text as a
 * diversions file into the repo's meta data.  The input's first two bytes
 * give the length of the .list part, which follows them; the rest is the
 * status.  What is accepted is internalized, its file lists walked and its
 * dependencies printed (libsolv recurses over "a | b" there too).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <solv/dataiterator.h>
#include <solv/knownid.h>
#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/repo.h>

#include "pkg/load/load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(Pool *pool, Repo *repo)
{
	Dataiterator di;
	Solvable *s;
	Id p, *dp;
	size_t n = 0;
	Queue q;

	dataiterator_init(&di, pool, repo, 0, SOLVABLE_FILELIST, 0, 0);
	while (dataiterator_step(&di))
		n += strlen(di.kv.str) + 1;
	dataiterator_free(&di);
	queue_init(&q);
	repo_lookup_idarray(repo, SOLVID_META, pool_str2id(pool, FS_DIVERSIONS_KEY, 1), &q);
	for (int i = 0; i < q.count; i++)
		n += strlen(pool_id2str(pool, q.elements[i]));
	queue_free(&q);
	FOR_REPO_SOLVABLES(repo, p, s)
		for (dp = s->requires ? repo->idarraydata + s->requires : NULL; dp && *dp; dp++)
			n += strlen(pool_dep2str(pool, *dp));
	if (n == (size_t)-1)
		abort(); /* keeps n alive */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t listlen;
	const char *list, *status;
	Pool *pool;
	Repo *repo;
	Repodata *rd;
	fs_err err;
	int start;

	if (size < 2)
		return 0;
	listlen = (size_t)(data[0] | data[1] << 8) % (size - 1);
	list = (const char *)data + 2;
	status = list + listlen;
	pool = pool_create();
	pool_setdisttype(pool, DISTTYPE_DEB);
	pool_setarch(pool, "x86_64");
	repo = repo_create(pool, "@System");
	start = repo->end;
	if (fs_load_debpackages(repo, status, size - 2 - listlen, "status", &err) == 0) {
		rd = repo_last_repodata(repo);
		fs_load_diversions(rd, list, listlen, "diversions", &err);
		for (Id p = start; rd && p < repo->end; p++)
			if (pool->solvables[p].repo == repo &&
			    fs_load_list(rd, p, list, listlen, "list", &err) < 0)
				break;
		repo_internalize(repo);
		pool_createwhatprovides(pool);
		walk(pool, repo);
	}
	pool_free(pool);
	return 0;
}
