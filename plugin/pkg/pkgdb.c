/*
 * pkgdb.c - the installed-package database of a root, read by the loader
 * module (pacman's local db with repo_add_arch_local, dpkg's status with
 * libsolvext) and cached in libsolv's own .solv format in the store, so
 * that most commands never need the module at all.
 *
 * The cache is one file, store/pkgdb.solv: a line "forksafe-pkgdb 1 KEY"
 * and the repository as repo_write() wrote it.  KEY records what the
 * databases looked like (inode, size, mtime of pacman's local directory and
 * of dpkg's status and info directory); any change makes the cache stale.
 * Like the rest of this layer it reads the root with POSIX calls.
 */
#define _GNU_SOURCE
#include "pkg.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <solv/repo_solv.h>
#include <solv/repo_write.h>
#include <solv/solvversion.h>

#define CACHE_FILE "pkgdb.solv"
#define CACHE_MAGIC "forksafe-pkgdb 1 "

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
		fs_alias *a;

		if (n <= 0)
			continue;
		target[n] = '\0';
		while (*t == '/' || (t[0] == '.' && t[1] == '/'))
			t++;
		if (!*t || strstr(t, "..") || fstatat(dirfd(d), e->d_name, &st, 0) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (fs_reserve((void **)&db->aliases, &cap, db->naliases + 1, sizeof *a) < 0)
			break;
		a = &db->aliases[db->naliases];
		a->from = fs_root_join("/", e->d_name);
		a->to = fs_root_join("/", t);
		if (!a->from || !a->to) {
			free(a->from);
			free(a->to);
			break;
		}
		while (strlen(a->to) > 1 && a->to[strlen(a->to) - 1] == '/')
			a->to[strlen(a->to) - 1] = '\0';
		db->naliases++;
	}
	closedir(d);
	return e ? fs_fail(err, "out of memory") : 0;
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
 * may use.  Root creates the root's default store, as guard would. */
static fs_os_store *cache_store(const char *root, const char *store)
{
	fs_store_opts so = { .root = root, .store = store };
	char *path = fs_store_path(&so);
	fs_os_store *s = path ? fs_os_store_open(path, geteuid() == 0, NULL, NULL) : NULL;

	free(path);
	return s;
}

static int cache_read(fs_pkgdb *db, fs_os_store *s, const char *key)
{
	int fd = fs_os_snap_open(s, NULL, CACHE_FILE, NULL);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	char line[1100], want[1100];
	int ok;

	if (!f) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(want, sizeof want, "%s%s\n", CACHE_MAGIC, key);
	ok = fgets(line, sizeof line, f) && strcmp(line, want) == 0 &&
	     repo_add_solv(db->installed, f, 0) == 0;
	fclose(f);
	if (!ok)
		repo_empty(db->installed, 1);
	return ok;
}

/* Best effort: a cache that cannot be written only costs time. */
static void cache_write(fs_pkgdb *db, fs_os_store *s, const char *key)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	fprintf(f, "%s%s\n", CACHE_MAGIC, key);
	if (repo_write(db->installed, f) == 0 && fflush(f) == 0 && !ferror(f)) {
		fclose(f);
		fs_os_snap_write(s, NULL, CACHE_FILE, buf, len, NULL);
	} else {
		fclose(f);
	}
	free(buf);
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

int fs_pkgdb_open(const char *root, const char *store, fs_pkgdb **out, fs_err *err)
{
	fs_pkgdb *db = calloc(1, sizeof *db);
	fs_os_store *s;
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
		fs_os_store_close(s);
		fs_pkgdb_free(db);
		return -1;
	}
	if (s && !db->cached)
		cache_write(db, s, key);
	fs_os_store_close(s);
	*out = db;
	return 0;
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
	free(db->root);
	free(db);
}

const char *fs_pkgdb_source(const fs_pkgdb *db) { return db->source; }
size_t fs_pkgdb_count(const fs_pkgdb *db) { return (size_t)db->installed->nsolvables; }
int fs_pkgdb_cached(const fs_pkgdb *db) { return db->cached; }
