/*
 * store_layer.h - the few operations on a snapshot's own files that store.c
 * builds manifests and markers from; snapshot.c implements them on os.h's
 * primitives.  Only the store's own files include this.  It names the
 * store by its opaque type only, not store.h: store.c is above snapshot.c
 * (which includes store.h for what it implements of it), never below.
 */
#ifndef FS_STORE_LAYER_H
#define FS_STORE_LAYER_H

#include "os.h"

typedef struct fs_store fs_store;

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
