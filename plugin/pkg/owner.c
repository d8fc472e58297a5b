/*
 * owner.c - which installed packages own which path: one pass over every
 * file list of the database, each name looked up in a hash of the paths
 * asked about (and their aliases through /lib -> usr/lib style symlinks).
 * Every package listing a path owns it (a directory is many packages'), as
 * dpkg -S and pacman -Qo say, except across a dpkg diversion: the file at
 * a diverted path is the diverting package's, and the file at the
 * diversion's target belongs to the other packages listing the original.
 */
#include "pkg.h"
#include "../core/err.h"
#include "../core/vec.h"

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
	long *next;        /* per asker: the next asker of that name */
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

static int hash_init(query_hash *q, size_t nnames, fs_err *err)
{
	size_t size = 16;

	while (size < nnames * 2)
		size *= 2;
	q->mask = size - 1;
	q->key = calloc(size, sizeof *q->key);
	q->first = calloc(size, sizeof *q->first);
	q->next = calloc(nnames ? nnames : 1, sizeof *q->next);
	return q->key && q->first && q->next ? 0 : fs_fail(err, "out of memory");
}

static void hash_free(query_hash *q)
{
	free(q->key);
	free(q->first);
	free(q->next);
}

/* Names one path has in the database: itself, its name with a top-level
 * alias undone (/lib/x -> /usr/lib/x), and that one under every alias
 * (/usr/lib/x -> /lib/x).  At most 2 + naliases. */
#define NAMES_PER_PATH(db) (2 + (db)->naliases)

static char *joined(const char *a, const char *b)
{
	char *s = malloc(strlen(a) + strlen(b) + 1);

	if (s) {
		strcpy(s, a);
		strcat(s, b);
	}
	return s;
}

static const char *under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && path[n] == '/' ? path + n : NULL;
}

/* Diversions by path: value 2 * index + 1 for its from, 2 * index + 2 for
 * its to; 0 for an empty slot. */
typedef struct div_hash {
	size_t mask;
	const char **key;
	size_t *val;
} div_hash;

static int div_init(div_hash *h, const fs_pkgdb *db, fs_err *err)
{
	size_t size = 16;

	while (size < db->ndiversions * 4)
		size *= 2;
	h->mask = size - 1;
	h->key = calloc(size, sizeof *h->key);
	h->val = calloc(size, sizeof *h->val);
	if (!h->key || !h->val)
		return fs_fail(err, "out of memory");
	for (size_t d = 0; d < db->ndiversions; d++)
		for (int side = 0; side < 2; side++) {
			const char *s = side ? db->diversions[d].to : db->diversions[d].from;
			size_t i = hash_str(s) & h->mask;

			while (h->key[i] && strcmp(h->key[i], s) != 0)
				i = (i + 1) & h->mask;
			if (!h->key[i]) {
				h->key[i] = s;
				h->val[i] = 2 * d + 1 + (size_t)side;
			}
		}
	return 0;
}

static size_t div_find(const div_hash *h, const char *s)
{
	size_t i = hash_str(s) & h->mask;

	while (h->key[i] && strcmp(h->key[i], s) != 0)
		i = (i + 1) & h->mask;
	return h->key[i] ? h->val[i] : 0;
}

enum { ROLE_SELF, ROLE_ORIGINAL }; /* the path's own name; a diverted original's */

/* Who asks about which name: one link per (path, name). */
typedef struct ask_link {
	const char *name;
	long query;           /* the index of the path */
	unsigned char role;
} ask_link;

typedef struct askers {
	ask_link *link;
	size_t nlinks, cap;
	char **owned;         /* names built here, to free */
	size_t nowned, ownedcap;
	size_t *div;          /* per path: div_find()'s value, 0 for none */
	query_hash q;         /* name -> its links */
} askers;

static void askers_free(askers *a)
{
	for (size_t i = 0; i < a->nowned; i++)
		free(a->owned[i]);
	free(a->owned);
	free(a->link);
	free(a->div);
	hash_free(&a->q);
}

/* A name built here: kept to be freed, or NULL (then left out: the path
 * itself is still looked up). */
static const char *keep_name(askers *a, char *s)
{
	if (s && fs_reserve((void **)&a->owned, &a->ownedcap, a->nowned + 1,
			    sizeof *a->owned, NULL) < 0) {
		free(s);
		s = NULL;
	}
	if (s)
		a->owned[a->nowned++] = s;
	return s;
}

/* names[0] = path; then its name with a top-level alias undone (/lib/x ->
 * /usr/lib/x) and that one under every other alias (/usr/lib/x -> /lib/x):
 * at most NAMES_PER_PATH. */
static size_t names_of(const fs_pkgdb *db, askers *a, const char *path, const char **names)
{
	const char *canon = path, *rest;
	size_t k = 0;

	names[k++] = path;
	for (size_t i = 0; i < db->naliases && canon == path; i++)
		if ((rest = under(path, db->aliases[i].from)))
			canon = keep_name(a, joined(db->aliases[i].to, rest));
	if (canon && canon != path)
		names[k++] = canon;
	else
		canon = path;
	for (size_t i = 0; i < db->naliases; i++) {
		const char *alt;

		const char *mine;

		rest = under(canon, db->aliases[i].to);
		mine = rest ? under(path, db->aliases[i].from) : NULL;
		if (!rest || (mine && strcmp(mine, rest) == 0))
			continue; /* not under it, or the path itself */
		if ((alt = keep_name(a, joined(db->aliases[i].from, rest))))
			names[k++] = alt;
	}
	return k;
}

static int ask(askers *a, const char *name, size_t i, int role, fs_err *err)
{
	if (fs_reserve((void **)&a->link, &a->cap, a->nlinks + 1, sizeof *a->link, err) < 0)
		return -1;
	a->link[a->nlinks++] = (ask_link){ name, (long)i, (unsigned char)role };
	return 0;
}

/* Every name of every path, then the hash of them all (sized for exactly
 * those); a path on the "to" side of a diversion also asks for the
 * packages of the original path. */
static int ask_all(askers *a, const fs_pkgdb *db, const div_hash *h,
		   const char *const *paths, size_t n, const char **names, fs_err *err)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = names_of(db, a, paths[i], names);

		for (size_t m = 0; m < k; m++) {
			if (!a->div[i])
				a->div[i] = div_find(h, names[m]);
			if (ask(a, names[m], i, ROLE_SELF, err) < 0)
				return -1;
		}
		if (!a->div[i] || a->div[i] % 2)
			continue;
		k = names_of(db, a, db->diversions[(a->div[i] - 1) / 2].from, names);
		for (size_t m = 0; m < k; m++)
			if (ask(a, names[m], i, ROLE_ORIGINAL, err) < 0)
				return -1;
	}
	if (hash_init(&a->q, a->nlinks, err) < 0)
		return -1;
	for (size_t l = 0; l < a->nlinks; l++)
		insert(&a->q, a->link[l].name, (long)l);
	return 0;
}

/* Whether package name owns the file at a query's path, found through a
 * name asked with role: at a diverted path only the diverting package's
 * file is; at the diversion's target every other package's. */
static int owns(const fs_pkgdb *db, size_t div, int role, const char *name)
{
	const fs_diversion *d = div ? &db->diversions[(div - 1) / 2] : NULL;
	int diverter = d && d->by && strcmp(d->by, name) == 0;

	if (role == ROLE_ORIGINAL)
		return !diverter;
	return !d || div % 2 == 0 || diverter;
}

typedef struct found {
	long query;
	Id solvid;
	const char *name, *version;
} found;

static int by_query_name(const void *pa, const void *pb)
{
	const found *a = pa, *b = pb;
	int c;

	if (a->query != b->query)
		return a->query < b->query ? -1 : 1;
	if ((c = strcmp(a->name, b->name)) != 0 || (c = strcmp(a->version, b->version)) != 0)
		return c;
	return (a->solvid > b->solvid) - (a->solvid < b->solvid);
}

/* One pass over every file list: (query, package) for every owner found. */
static int scan_lists(const fs_pkgdb *db, askers *a, found **out, size_t *nout, fs_err *err)
{
	query_hash base;
	Dataiterator di;
	size_t cap = 0;
	int rc = 0;

	if (hash_init(&base, a->nlinks, err) < 0) {
		hash_free(&base);
		return -1;
	}
	for (size_t i = 0; i < a->q.mask + 1; i++)
		if (a->q.key[i])
			base.key[slot_of(&base, basename_of(a->q.key[i]))] =
				basename_of(a->q.key[i]);
	/* file lists are (directory, basename) pairs: a full name is built only
	 * for a basename somebody asked about */
	dataiterator_init(&di, db->pool, db->installed, 0, SOLVABLE_FILELIST, 0, 0);
	while (rc == 0 && dataiterator_step(&di)) {
		size_t slot;
		Solvable *s;

		if (!base.key[slot_of(&base, di.kv.str)])
			continue;
		slot = slot_of(&a->q, repodata_dir2str(di.data, di.kv.id, di.kv.str));
		if (!a->q.key[slot])
			continue;
		s = db->pool->solvables + di.solvid;
		for (long l = a->q.first[slot]; rc == 0 && l >= 0; l = a->q.next[l]) {
			const char *name = pool_id2str(db->pool, s->name);

			if (!owns(db, a->div[a->link[l].query], a->link[l].role, name))
				continue;
			if ((rc = fs_reserve((void **)out, &cap, *nout + 1, sizeof **out, err)) < 0)
				break;
			(*out)[(*nout)++] = (found){ a->link[l].query, di.solvid, name,
						     pool_id2str(db->pool, s->evr) };
		}
	}
	dataiterator_free(&di);
	hash_free(&base);
	return rc;
}

static void set_diversion(const fs_pkgdb *db, fs_pkg *o, size_t div)
{
	const fs_diversion *d = &db->diversions[(div - 1) / 2];

	o->diverted = div % 2 ? FS_DIVERTED_FROM : FS_DIVERTED_TO;
	o->diverted_by = d->by;
	o->diverted_from = d->from;
	o->diverted_to = d->to;
}

/* owners[] from the (query, package) pairs, sorted; one package (or one
 * name and version) once.  Their lists live in a block freed with db. */
static int fill(const fs_pkgdb *db, const askers *a, found *f, size_t nf, fs_pkg *owners,
		size_t n, fs_err *err)
{
	fs_owner_block *b;
	size_t k = 0;

	if (nf) {
		qsort(f, nf, sizeof *f, by_query_name);
		if (!(b = malloc(sizeof *b + nf * sizeof b->v[0])))
			return fs_fail(err, "out of memory");
		b->next = *db->blocks;
		*db->blocks = b;
	}
	for (size_t i = 0; i < nf; i++) {
		fs_pkg *o = &owners[f[i].query];

		if (o->npackages && (f[i - 1].solvid == f[i].solvid ||
				     (strcmp(f[i - 1].name, f[i].name) == 0 &&
				      strcmp(f[i - 1].version, f[i].version) == 0)))
			continue;
		if (!o->npackages)
			o->packages = &b->v[k];
		b->v[k++] = (fs_pkg_name){ f[i].name, f[i].version };
		o->npackages++;
	}
	for (size_t i = 0; i < n; i++) {
		if (owners[i].npackages) {
			owners[i].name = owners[i].packages[0].name;
			owners[i].version = owners[i].packages[0].version;
		}
		if (a->div[i])
			set_diversion(db, &owners[i], a->div[i]);
	}
	return 0;
}

int fs_pkgdb_owners(const fs_pkgdb *db, const char *const *paths, size_t n,
		    fs_pkg *owners, fs_err *err)
{
	const char **names = malloc(NAMES_PER_PATH(db) * sizeof *names);
	askers a = { 0 };
	div_hash h = { 0 };
	found *f = NULL;
	size_t nf = 0;
	int rc = -1;

	if (n)
		memset(owners, 0, n * sizeof *owners);
	a.div = calloc(n ? n : 1, sizeof *a.div);
	if (!names || !a.div) {
		fs_fail(err, "out of memory");
		goto out;
	}
	if (div_init(&h, db, err) < 0 || ask_all(&a, db, &h, paths, n, names, err) < 0)
		goto out;
	if (scan_lists(db, &a, &f, &nf, err) == 0 && fill(db, &a, f, nf, owners, n, err) == 0)
		rc = 0;
out:
	free(f);
	free(h.key);
	free(h.val);
	askers_free(&a);
	free(names);
	return rc;
}
