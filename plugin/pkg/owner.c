/*
 * owner.c - which installed package owns which path: one pass over every
 * file list of the database, each name looked up in a hash of the paths
 * asked about (and their aliases through /lib -> usr/lib style symlinks).
 */
#include "pkg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <solv/dataiterator.h>
#include <solv/knownid.h>

/* Asked-about names: open addressing; next[] chains queries of one name. */
typedef struct query_hash {
	size_t mask;
	const char **key;  /* NULL: empty slot */
	long *first;       /* query index of the first asker */
	long *next;        /* per query (and alias): the next asker of that name */
	char **owned;      /* alias strings to free */
	size_t nowned;
} query_hash;

/* Eight bytes a step: every name of every file list passes through here. */
static size_t hash_str(const char *s)
{
	size_t len = strlen(s);
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len, w;

	for (; len >= 8; len -= 8, s += 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, len);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return (size_t)(h ^ (h >> 29));
}

/* The slot holding s, or the empty slot where it would go. */
static size_t slot_of(const query_hash *q, const char *s)
{
	size_t i = hash_str(s) & q->mask;

	while (q->key[i] && strcmp(q->key[i], s) != 0)
		i = (i + 1) & q->mask;
	return i;
}

/* Records that asker link asks about name s (borrowed). */
static void insert(query_hash *q, const char *s, long link)
{
	size_t i = slot_of(q, s);

	if (!q->key[i]) {
		q->key[i] = s;
		q->first[i] = -1;
	}
	q->next[link] = q->first[i];
	q->first[i] = link;
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int hash_init(query_hash *q, size_t nnames)
{
	size_t size = 16;

	while (size < nnames * 2)
		size *= 2;
	q->mask = size - 1;
	q->key = calloc(size, sizeof *q->key);
	q->first = calloc(size, sizeof *q->first);
	q->next = calloc(nnames ? nnames : 1, sizeof *q->next);
	q->owned = calloc(nnames ? nnames : 1, sizeof *q->owned);
	q->nowned = 0;
	return q->key && q->first && q->next && q->owned ? 0 : -1;
}

static void hash_free(query_hash *q)
{
	for (size_t i = 0; i < q->nowned; i++)
		free(q->owned[i]);
	free(q->owned);
	free(q->key);
	free(q->first);
	free(q->next);
}

int fs_pkgdb_owners(const fs_pkgdb *db, const char *const *paths, size_t n,
		    fs_pkg *owners, fs_err *err)
{
	size_t names = n * (db->naliases + 1), link = 0;
	long *of_link; /* link -> query index */
	query_hash q, base;
	Dataiterator di;
	int ok;

	memset(owners, 0, n * sizeof *owners);
	of_link = malloc((names ? names : 1) * sizeof *of_link);
	ok = hash_init(&q, names) == 0;
	ok = hash_init(&base, names) == 0 && ok && of_link;
	if (!ok) {
		free(of_link);
		hash_free(&q);
		hash_free(&base);
		return fs_fail(err, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		of_link[link] = (long)i;
		insert(&q, paths[i], (long)link++);
		for (size_t a = 0; a < db->naliases; a++) {
			const fs_alias *al = &db->aliases[a];
			size_t tl = strlen(al->to);
			char *alt;

			if (strncmp(paths[i], al->to, tl) != 0 || paths[i][tl] != '/')
				continue;
			alt = malloc(strlen(al->from) + strlen(paths[i] + tl) + 1);
			if (!alt)
				continue; /* the path itself is still looked up */
			strcpy(alt, al->from);
			strcat(alt, paths[i] + tl);
			q.owned[q.nowned++] = alt;
			of_link[link] = (long)i;
			insert(&q, alt, (long)link++);
		}
	}
	for (size_t i = 0; i < q.mask + 1; i++)
		if (q.key[i])
			base.key[slot_of(&base, basename_of(q.key[i]))] = basename_of(q.key[i]);
	/* file lists are (directory, basename) pairs: a full name is built only
	 * for a basename somebody asked about */
	dataiterator_init(&di, db->pool, db->installed, 0, SOLVABLE_FILELIST, 0, 0);
	while (dataiterator_step(&di)) {
		size_t slot;
		Solvable *s;

		if (!base.key[slot_of(&base, di.kv.str)])
			continue;
		slot = slot_of(&q, repodata_dir2str(di.data, di.kv.id, di.kv.str));
		if (!q.key[slot])
			continue;
		s = db->pool->solvables + di.solvid;
		for (long l = q.first[slot]; l >= 0; l = q.next[l]) {
			fs_pkg *o = &owners[of_link[l]];

			if (!o->name) {
				o->name = pool_id2str(db->pool, s->name);
				o->version = pool_id2str(db->pool, s->evr);
			}
		}
	}
	dataiterator_free(&di);
	hash_free(&q);
	hash_free(&base);
	free(of_link);
	return 0;
}

/* A process that sees our root: its paths are names in our database. */
static int same_root(const fs_proc *p)
{
	return !p->foreign_mntns && (!p->root || strcmp(p->root, "/") == 0);
}

int fs_pkgdb_label_scan(const fs_pkgdb *db, fs_scan *scan, fs_err *err)
{
	size_t n = 0, k = 0;
	const char **paths;
	fs_pkg *owners;
	int rc;

	for (size_t i = 0; i < scan->nprocs; i++)
		n += same_root(&scan->procs[i]) ? scan->procs[i].nimages : 0;
	paths = malloc((n ? n : 1) * sizeof *paths);
	owners = malloc((n ? n : 1) * sizeof *owners);
	if (!paths || !owners) {
		free(paths);
		free(owners);
		return fs_fail(err, "out of memory");
	}
	for (size_t i = 0; i < scan->nprocs; i++)
		for (size_t m = 0; same_root(&scan->procs[i]) && m < scan->procs[i].nimages; m++)
			paths[k++] = scan->procs[i].images[m].path;
	rc = fs_pkgdb_owners(db, paths, n, owners, err);
	k = 0;
	for (size_t i = 0; rc == 0 && i < scan->nprocs; i++)
		for (size_t m = 0; same_root(&scan->procs[i]) && m < scan->procs[i].nimages; m++)
			((fs_image *)scan->procs[i].images)[m].package = owners[k++].name;
	free(paths);
	free(owners);
	return rc;
}
