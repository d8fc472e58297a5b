/*
 * store.h - pieces shared by guard.c, retire.c and status.c: opening the
 * store, telling snapshots from leftovers, loading manifests.
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
 *   <store>/.tmp-snap-...          a guard run that did not finish
 *   <store>/.dead-snap-...         a retire run that did not finish
 *   <store>/.tmp-protect-...       a protect run that did not finish
 */
#ifndef FS_STORE_H
#define FS_STORE_H

#include "os.h"

#define SNAP_PREFIX "snap-"
#define TMP_PREFIX ".tmp-"
#define DEAD_PREFIX ".dead-"
#define PROTECT_PREFIX "protect-" /* after TMP_PREFIX: a copy protect builds */

/* Is name a published snapshot's name? */
int fs_store_is_snapshot(const char *name);
/* Is name left over from an interrupted guard or retire? */
int fs_store_is_leftover(const char *name);

/* Opens the store opts names (create: for guard); *missing tells a store
 * that does not exist yet (returns NULL, not an error). */
fs_os_store *fs_store_open(const fs_store_opts *opts, int create, int *missing,
			   fs_err *err);

/* Reads and parses snap's manifest. */
int fs_store_load(fs_os_store *s, const char *snap, fs_manifest *m, fs_err *err);
/* Writes snap's manifest atomically. */
int fs_store_save(fs_os_store *s, const char *snap, const fs_manifest *m, fs_err *err);

/* Identities of every entry of the manifests, for one filtered scan. */
int fs_store_add_ids(fs_idset *ids, const fs_manifest *m);

/* Fills r's store, now and snapshots (manifests, open, lock; no entries)
 * and adds every recorded identity to ids.  *s is the store, still locked
 * (the caller closes it), or NULL when there is no store yet. */
int fs_status_load(const fs_store_opts *opts, fs_status_result *r, fs_idset *ids,
		   fs_os_store **s, fs_err *err);

#endif
