/*
 * pkgdb.c - the installed-package database of a root, read by the loader
 * module (pacman's local db with repo_add_arch_local, dpkg's status with
 * libsolvext) and cached in libsolv's own .solv format in the store, so
 * that most commands never need the module at all.
 *
 * The cache is one file, store/pkgdb.solv: a line
 * "forksafe-pkgdb 2 KEY sha256:HEX" and the repository as repo_write()
 * wrote it.  KEY records what the databases looked like (inode, size, mtime
 * of pacman's local directory and of dpkg's status and info directory); any
 * change makes the cache stale.  HEX is the SHA-256 of the bytes after the
 * line: libsolv's repo_add_solv trusts its input (a flipped byte made it
 * read out of bounds), so a cache whose bytes do not match is never handed
 * to it.  Like the rest of this layer it reads the root with POSIX calls.
 */
#define _GNU_SOURCE
#include "pkg.h"
#include "../core/store.h"
#include "../core/err.h"
#include "../core/os.h"
#include "../core/vec.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <solv/chksum.h>
#include <solv/knownid.h>
#include <solv/repo_solv.h>
#include <solv/repo_write.h>
#include <solv/solvversion.h>

#define CACHE_FILE "pkgdb.solv"
#define CACHE_MAGIC "forksafe-pkgdb 2 "
#define CACHE_SUM " sha256:"
#define CACHE_MAX (512u << 20) /* a cache larger than this is not read */

const char *fs_features(void) { return "packages"; }

/* Appends "name:ino:size:mtime" of root/path (or "name:-") to key. */
static void key_part(char *key, size_t len, const char *root, const char *path)
{
	char *full = fs_root_join(root, path);
	struct stat st;
	size_t used = strlen(key);

	if (full && stat(full, &st) == 0)
		snprintf(key + used, len - used, " %s:%llu:%lld:%lld.%09ld", path,
			 (unsigned long long)st.st_ino, (long long)st.st_size,
			 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	else
		snprintf(key + used, len - used, " %s:-", path);
	free(full);
}

static void make_key(char *key, size_t len, const char *root)
{
	snprintf(key, len, "%s/%s", FORKSAFE_VERSION, solv_version);
	key_part(key, len, root, "var/lib/pacman/local");
	key_part(key, len, root, "var/lib/dpkg/status");
	key_part(key, len, root, "var/lib/dpkg/info");
	key_part(key, len, root, "var/lib/dpkg/diversions");
}

static int exists(const char *root, const char *path, int want_dir)
{
	char *full = fs_root_join(root, path);
	struct stat st;
	int ok = full && stat(full, &st) == 0 && (want_dir ? S_ISDIR(st.st_mode)
							   : S_ISREG(st.st_mode));

	free(full);
	return ok;
}

/* One more alias: from "/name" to "/target" (without trailing slashes). */
static int add_alias(fs_pkgdb *db, size_t *cap, const char *name, const char *target,
		     fs_err *err)
{
	fs_alias *a;

	if (fs_reserve((void **)&db->aliases, cap, db->naliases + 1, sizeof *a, err) < 0)
		return -1;
	a = &db->aliases[db->naliases];
	a->from = fs_root_join("/", name);
	a->to = fs_root_join("/", target);
	if (!a->from || !a->to) {
		free(a->from);
		free(a->to);
		return fs_fail(err, "out of memory");
	}
	while (strlen(a->to) > 1 && a->to[strlen(a->to) - 1] == '/')
		a->to[strlen(a->to) - 1] = '\0';
	db->naliases++;
	return 0;
}

/* The root's top-level symlinks to directories inside it (/lib -> usr/lib). */
static int find_aliases(fs_pkgdb *db, fs_err *err)
{
	DIR *d = opendir(db->root);
	struct dirent *e;
	size_t cap = 0;

	if (!d)
		return fs_fail_errno(err, errno, "%s", db->root);
	while ((e = readdir(d))) {
		char target[PATH_MAX], *t = target;
		struct stat st;
		ssize_t n = readlinkat(dirfd(d), e->d_name, target, sizeof target - 1);

		if (n <= 0)
			continue;
		target[n] = '\0';
		while (*t == '/' || (t[0] == '.' && t[1] == '/'))
			t++;
		if (!*t || strstr(t, "..") || fstatat(dirfd(d), e->d_name, &st, 0) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (add_alias(db, &cap, e->d_name, t, err) < 0)
			break;
	}
	closedir(d);
	return e ? -1 : 0;
}

static int init(fs_pkgdb *db, const char *root, int pacman, fs_err *err)
{
	db->root = strdup(root);
	db->pool = pool_create();
	if (!db->root || !db->pool)
		return fs_fail(err, "out of memory");
	if (pool_setdisttype(db->pool, pacman ? DISTTYPE_ARCH : DISTTYPE_DEB) < 0)
		return fs_fail(err, "libsolv was built without %s support",
			       pacman ? "pacman" : "dpkg");
	pool_set_rootdir(db->pool, root);
	db->installed = repo_create(db->pool, "@System");
	pool_set_installed(db->pool, db->installed);
	return find_aliases(db, err);
}

/* Opens the store holding the cache; NULL (quietly) when there is none we
 * may use.  libsolv's repo_add_solv trusts its input and anyone can compute
 * a checksum, so a cache is only read from a store that did not come with
 * the root: the host's (root /) or one named with --store.  The default
 * store of another root is inside it (an image's files may come from
 * anyone): no cache there.  And reading a root never creates anything in
 * it: only a store named with --store is created (by root) for the cache. */
static fs_store *cache_store(const char *root, const char *store)
{
	fs_store_opts so = { .root = root, .store = store };
	char *path;
	fs_store *s;

	if (!store && strcmp(root, "/") != 0)
		return NULL;
	path = fs_store_path(&so);
	s = path ? fs_store_open_path(path, store && geteuid() == 0, NULL, NULL) : NULL;
	free(path);
	return s;
}

/* SHA-256 of buf as 64 hex digits. */
static void sha256_hex(const char *buf, size_t len, char hex[65])
{
	Chksum *c = solv_chksum_create(REPOKEY_TYPE_SHA256);
	const unsigned char *sum;
	int n = 0;

	hex[0] = '\0';
	if (!c)
		return;
	for (size_t at = 0; at < len; at += 1u << 30)
		solv_chksum_add(c, buf + at, (int)(len - at < 1u << 30 ? len - at : 1u << 30));
	sum = solv_chksum_get(c, &n);
	for (int i = 0; sum && i < n && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", sum[i]);
	solv_chksum_free(c, NULL);
}

/* Compares without stopping at the first difference. */
static int same_bytes(const char *a, const char *b, size_t n)
{
	unsigned char d = 0;

	for (size_t i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

int fs_pkgdb_cache_parse(Repo *repo, const char *buf, size_t len, const char *key)
{
	size_t head = strlen(CACHE_MAGIC) + strlen(key) + strlen(CACHE_SUM);
	char hex[65];
	const char *body = buf + head + 65;
	FILE *f;
	int ok;

	if (len < head + 65 || memcmp(buf, CACHE_MAGIC, strlen(CACHE_MAGIC)) != 0 ||
	    memcmp(buf + strlen(CACHE_MAGIC), key, strlen(key)) != 0 ||
	    memcmp(buf + head - strlen(CACHE_SUM), CACHE_SUM, strlen(CACHE_SUM)) != 0 ||
	    buf[head + 64] != '\n')
		return 0;
	sha256_hex(body, len - head - 65, hex);
	if (strlen(hex) != 64 || !same_bytes(hex, buf + head, 64) || body == buf + len)
		return 0;
	f = fmemopen((void *)body, (size_t)(buf + len - body), "r");
	if (!f)
		return 0;
	ok = repo_add_solv(repo, f, 0) == 0;
	fclose(f);
	if (!ok)
		repo_empty(repo, 1);
	return ok;
}

static int cache_read(fs_pkgdb *db, fs_store *s, const char *key)
{
	int fd = fs_store_file_open(s, CACHE_FILE, STORE_FILE_MAX, NULL), ok = 0;
	struct stat st;
	char *buf;
	ssize_t n;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (unsigned long long)st.st_size <= CACHE_MAX &&
	    (buf = malloc((size_t)st.st_size))) {
		n = pread(fd, buf, (size_t)st.st_size, 0);
		ok = n == st.st_size && fs_pkgdb_cache_parse(db->installed, buf, (size_t)n, key);
		free(buf);
	}
	close(fd);
	return ok;
}

/* Best effort: a cache that cannot be written only costs time. */
static void cache_write(fs_pkgdb *db, fs_store *s, const char *key)
{
	char *body = NULL, *all, hex[65];
	size_t len = 0, head;
	FILE *f = open_memstream(&body, &len);

	if (!f)
		return;
	if (repo_write(db->installed, f) != 0 || fflush(f) != 0 || ferror(f)) {
		fclose(f);
		free(body);
		return;
	}
	fclose(f);
	sha256_hex(body, len, hex);
	head = strlen(CACHE_MAGIC) + strlen(key) + strlen(CACHE_SUM) + 65;
	all = strlen(hex) == 64 && len <= CACHE_MAX ? malloc(head + len + 1) : NULL;
	if (all) {
		snprintf(all, head + 1, "%s%s%s%s\n", CACHE_MAGIC, key, CACHE_SUM, hex);
		memcpy(all + head, body, len);
		fs_store_file_write(s, CACHE_FILE, all, head + len, NULL);
		free(all);
	}
	free(body);
}

/* Every package provides itself (the solver finds updates through it);
 * repo_add_arch_local leaves that out. */
static void self_provides(Repo *repo)
{
	Pool *pool = repo->pool;
	Solvable *s;
	Id p;

	FOR_REPO_SOLVABLES(repo, p, s) {
		Id self = pool_rel2id(pool, s->name, s->evr, REL_EQ, 1), *pp;
		int found = 0;

		for (pp = s->provides ? repo->idarraydata + s->provides : NULL; pp && *pp; pp++)
			found |= *pp == self;
		if (!found)
			s->provides = repo_addid_dep(repo, s->provides, self, 0);
	}
}

static int load(fs_pkgdb *db, int pacman, int dpkg, fs_err *err)
{
	const struct fs_loaders *ld = fs_pkg_loaders(err);

	if (!ld || ld->installed(db->installed, db->root, pacman, dpkg, err) < 0)
		return -1;
	self_provides(db->installed);
	repo_internalize(db->installed);
	return 0;
}

/* The diversions the loader put in the repo's meta data (or the cache kept). */
static int read_diversions(fs_pkgdb *db, fs_err *err)
{
	Id key = pool_str2id(db->pool, FS_DIVERSIONS_KEY, 0);
	Queue q;
	int rc = 0;

	queue_init(&q);
	if (key)
		repo_lookup_idarray(db->installed, SOLVID_META, key, &q);
	db->diversions = q.count >= 3 ? calloc((size_t)q.count / 3, sizeof *db->diversions)
				      : NULL;
	if (q.count >= 3 && !db->diversions)
		rc = fs_fail(err, "out of memory");
	for (int i = 0; db->diversions && i + 2 < q.count; i += 3) {
		fs_diversion *d = &db->diversions[db->ndiversions++];
		const char *by = pool_id2str(db->pool, q.elements[i + 2]);

		d->from = pool_id2str(db->pool, q.elements[i]);
		d->to = pool_id2str(db->pool, q.elements[i + 1]);
		d->by = strcmp(by, ":") == 0 ? NULL : by;
	}
	queue_free(&q);
	return rc;
}

static int open_db(const char *root, const char *store, int must_exist, fs_pkgdb **out,
		   fs_err *err)
{
	fs_pkgdb *db = calloc(1, sizeof *db);
	fs_store *s;
	char key[1024];
	int pacman, dpkg;

	*out = NULL;
	if (!db)
		return fs_fail(err, "out of memory");
	root = root ? root : "/";
	pacman = exists(root, "var/lib/pacman/local", 1);
	dpkg = exists(root, "var/lib/dpkg/status", 0);
	db->source = pacman && dpkg ? "pacman+dpkg" : pacman ? "pacman" : "dpkg";
	if (!pacman && !dpkg) {
		fs_pkgdb_free(db);
		if (!must_exist)
			return 0;
		return fs_fail(err, "no package database in %s (looked for var/lib/pacman/local "
			       "and var/lib/dpkg/status)", root);
	}
	if (init(db, root, pacman, err) < 0) {
		fs_pkgdb_free(db);
		return -1;
	}
	make_key(key, sizeof key, root);
	s = cache_store(root, store);
	db->cached = s && cache_read(db, s, key);
	if (!db->cached && load(db, pacman, dpkg, err) < 0) {
		fs_store_close(s);
		fs_pkgdb_free(db);
		return -1;
	}
	if (s && !db->cached)
		cache_write(db, s, key);
	fs_store_close(s);
	db->blocks = calloc(1, sizeof *db->blocks);
	if (!db->blocks ? fs_fail(err, "out of memory") < 0 : read_diversions(db, err) < 0) {
		fs_pkgdb_free(db);
		return -1;
	}
	*out = db;
	return 0;
}

int fs_pkgdb_open(const char *root, const char *store, fs_pkgdb **out, fs_err *err)
{
	return open_db(root, store, 1, out, err);
}

int fs_pkgdb_open_labels(const char *root, const char *store, fs_pkgdb **out, fs_err *err)
{
	return open_db(root, store, 0, out, err);
}

void fs_pkgdb_free(fs_pkgdb *db)
{
	if (!db)
		return;
	if (db->pool)
		pool_free(db->pool);
	for (size_t i = 0; i < db->naliases; i++) {
		free(db->aliases[i].from);
		free(db->aliases[i].to);
	}
	free(db->aliases);
	free(db->diversions);
	while (db->blocks && *db->blocks) {
		fs_owner_block *b = *db->blocks;

		*db->blocks = b->next;
		free(b);
	}
	free(db->blocks);
	free(db->root);
	free(db);
}

const char *fs_pkgdb_source(const fs_pkgdb *db) { return db->source; }
int fs_pkgdb_cached(const fs_pkgdb *db) { return db->cached; }
