/*
 * store.h - the snapshot store's one home: its layout, and the operations
 * guard.c, retire.c, status.c (and pkg/pkgdb.c for its cache) use.  The
 * layout is written here and nowhere else; snapshot.c builds the store on
 * os.h's file-system primitives, which know nothing of it.
 *
 * Implemented by: store.c (opening by fs_store_opts, manifests, a
 * snapshot's markers), snapshot.c (the names of entries, the store and its
 * lock, kept files, a snapshot's lock), manifest.c (fs_manifest_text) and
 * status.c (fs_status_load).
 *
 * Store layout:
 *   <store>/lock                   store-wide lock: every mutation holds it
 *   <store>/pkgdb.solv             cache of the root's package database
 *                                  (plugin/pkg/pkgdb.c)
 *   <store>/snap-<time>-<pid>/     one published snapshot per guard run
 *       manifest                   what it keeps (manifest.c)
 *       lock                       held (shared) by `forksafe hold`
 *       open                       present until the transaction ends
 *       files/<relative path>      the kept files
 *       aside/<relative path>      Windows: originals protect moved aside
 *   <store>/.tmp-snap-...          a guard run that did not finish
 *   <store>/.dead-snap-...         a retire run that did not finish
 *   <store>/.tmp-protect-...       a protect run that did not finish
 *
 * Every function fails with err set (fs_fail) and returns -1 unless its
 * comment says otherwise; fs_presence answers have three outcomes.
 */
#ifndef FS_STORE_H
#define FS_STORE_H

#include "os.h"

/* ---- the layout ------------------------------------------------------------- */
#define STORE_LOCK "lock"
#define SNAP_PREFIX "snap-"
#define TMP_PREFIX ".tmp-"
#define DEAD_PREFIX ".dead-"
#define PROTECT_PREFIX "protect-" /* after TMP_PREFIX: a copy protect builds */
#define SNAP_MANIFEST "manifest"
#define SNAP_LOCK "lock"
#define SNAP_OPEN "open"
#define SNAP_FILES "files"
#define SNAP_ASIDE "aside"
/* A snapshot's depth: itself, files/, the kept path's directories. */
#define SNAP_DEPTH (FS_KEEP_DEPTH + 2)
/* The largest manifest (or other store file) read. */
#define STORE_FILE_MAX ((size_t)64 * 1024 * 1024)

/* Is name a published snapshot's name? */
int fs_store_is_snapshot(const char *name);
/* Is name left over from an interrupted guard, retire or protect? */
int fs_store_is_leftover(const char *name);
/* Is name one protect builds its copies under (TMP_PREFIX PROTECT_PREFIX)? */
int fs_store_is_protect_copy(const char *name);

/* ---- the store -------------------------------------------------------------- */
typedef struct fs_store fs_store;

/* Opens the store opts names (create: for guard); *missing tells a store
 * that does not exist yet (returns NULL with err). */
fs_store *fs_store_open(const fs_store_opts *opts, int create, int *missing,
			fs_err *err);
/* The same for a path (pkgdb's cache); missing may be NULL. */
fs_store *fs_store_open_path(const char *path, int create, int *missing, fs_err *err);
void fs_store_close(fs_store *s);
/* The store-wide lock: exclusive, waits; held until fs_store_close(). */
int fs_store_lock(fs_store *s, fs_err *err);
/* Names in the store, sorted (caller frees each and the array). */
int fs_store_list(fs_store *s, char ***names, size_t *n, fs_err *err);
/* Renames a store entry; fails if to exists. */
int fs_store_rename(fs_store *s, const char *from, const char *to, fs_err *err);
/* Removes a store entry and everything under it; a directory under
 * protect's copy name is refused (protect's copies are files: one there
 * came from a user's path, swapped in by a cut-short exchange). */
int fs_store_remove(fs_store *s, const char *name, fs_err *err);
/* A file of the store itself (pkgdb.solv): opened for reading (an fd, at
 * most max bytes), written atomically. */
int fs_store_file_open(fs_store *s, const char *name, size_t max, fs_err *err);
int fs_store_file_write(fs_store *s, const char *name, const char *buf, size_t len,
			fs_err *err);

/* ---- a snapshot's own files -------------------------------------------------- */
/* Reads and parses snap's manifest. */
int fs_store_load(fs_store *s, const char *snap, fs_manifest *m, fs_err *err);
/* The largest manifest the parser reads, and so the largest one written. */
#define FS_MANIFEST_MAX (64u * 1024 * 1024)
/* Writes snap's manifest atomically (which makes the markers durable); one
 * over FS_MANIFEST_MAX is refused, never written unreadable. */
int fs_store_save(fs_store *s, const char *snap, const fs_manifest *m, fs_err *err);
/* The manifest's text (manifest.c; fs_manifest_format with a message). */
int fs_manifest_text(const fs_manifest *m, char **buf, size_t *len, fs_err *err);
/* Identities of every entry of m added to ids. */
int fs_store_add_ids(fs_idset *ids, const fs_manifest *m, fs_err *err);

/* Creates snap with its (empty) files/. */
int fs_snap_create(fs_store *s, const char *snap, fs_err *err);
/* Creates its lock and its open marker (made durable by fs_store_save). */
int fs_snap_mark(fs_store *s, const char *snap, fs_err *err);
/* Is the snapshot open (its transaction not ended)? */
fs_presence fs_snap_is_open(fs_store *s, const char *snap, fs_err *err);
/* Ends its transaction: removes the open marker. */
int fs_snap_close(fs_store *s, const char *snap, fs_err *err);

/* ---- kept files: snap/files/<relpath> ----------------------------------------- */
/*
 * Keeps n files of the root at path root under snap/files/, in worker
 * threads when there are many: ok[i] says whether relpaths[i] (identity
 * ids[i]) was kept, with methods[i] and stored[i], else errs[i] says why.
 * Copies together write at most copy_budget bytes.  -1 only when nothing
 * could be tried.
 */
int fs_snap_keep_all(fs_store *s, const char *snap, const char *root,
		     uint64_t copy_budget, size_t n, const char *const *relpaths,
		     const fs_id *ids, int *methods, fs_id *stored, unsigned char *ok,
		     fs_err *errs, fs_err *err);
/* Checks every file under snap/files/ against stored (identities returned
 * by keep): found[k] is set for each one present; any other file (a name
 * swapped while it was linked) is removed.  Returns the number removed,
 * or -1. */
long fs_snap_verify(fs_store *s, const char *snap, const fs_idset *stored,
		    unsigned char *found, fs_err *err);
/* Removes snap/files/relpath and the directories it leaves empty. */
int fs_snap_drop(fs_store *s, const char *snap, const char *relpath, fs_err *err);
/* A kept file: its identity and what it costs the store alone (0 while
 * another link shares it). */
fs_presence fs_snap_stat(fs_store *s, const char *snap, const char *relpath, fs_id *id,
			 uint64_t *bytes, fs_err *err);
/* Replaces the root's file at relpath (identity id) by a fresh copy of
 * itself (os.h fs_os_replace), with the store as its scratch room and
 * snap/aside/ where a backend moves originals aside. */
int fs_snap_replace(fs_store *s, const char *snap, fs_os_root *root, const char *relpath,
		    fs_id id, fs_err *err);

/* ---- the snapshot's lock ------------------------------------------------------ */
/* Is it held by a holder? */
fs_presence fs_snap_lock_held(fs_store *s, const char *snap, fs_err *err);
/* Takes it shared, without the store lock (bounded wait); then, under the
 * store lock, fs_snap_hold_check() says whether the snapshot is still there
 * with that lock (retire may have removed it meanwhile). */
typedef struct fs_os_hold fs_snap_holder;
int fs_snap_hold(fs_store *s, const char *snap, fs_snap_holder **h, fs_err *err);
int fs_snap_hold_check(fs_store *s, const char *snap, const fs_snap_holder *h,
		       fs_err *err);
void fs_snap_hold_release(fs_snap_holder *h);
/* Gives the lock to running processes where the OS can; how many got it. */
size_t fs_snap_share(fs_store *s, const char *snap, const fs_pidstart *procs, size_t n);

/* ---- status ------------------------------------------------------------------- */
/* Fills r's store, now and snapshots (manifests, open, lock; no entries)
 * and adds every recorded identity to ids.  *s is the store, still locked
 * (the caller closes it), or NULL when there is no store yet. */
int fs_status_load(const fs_store_opts *opts, fs_status_result *r, fs_idset *ids,
		   fs_store **s, fs_err *err);

/* ---- a snapshot's own files, for store.c (snapshot.c implements them) -------- */
int fs_snap_file_read(fs_store *s, const char *snap, const char *name, size_t max,
		      char **buf, size_t *len, fs_err *err);
int fs_snap_file_write(fs_store *s, const char *snap, const char *name, const char *buf,
		       size_t len, fs_err *err);
/* An empty file, not synced (the next write in snap makes it durable). */
int fs_snap_file_touch(fs_store *s, const char *snap, const char *name, fs_err *err);
fs_presence fs_snap_file_present(fs_store *s, const char *snap, const char *name,
				 fs_err *err);
int fs_snap_file_unlink(fs_store *s, const char *snap, const char *name, fs_err *err);
/* Makes the snapshot's lock (named name) exist. */
int fs_snap_hold_make(fs_store *s, const char *snap, const char *name, fs_err *err);

#endif
