/*
 * store_legacy.c - ADAPTER, to be deleted: store.h built on the backend's
 * old snapshot functions (os.h's LEGACY section), for the Windows backend
 * until it implements os.h's file-system primitives (then snapshot.c serves
 * it too: /work/wt/SEAM-NOTES.md says how).  Only forwarding here; the
 * names of the layout come from store.h.
 */
#include "store_layer.h"

#if FS_STORE_LEGACY

#include <stdlib.h>

struct fs_store {
	fs_os_store *os;
};

fs_store *fs_store_open_path(const char *path, int create, int *missing, fs_err *err)
{
	fs_store *s = calloc(1, sizeof *s);

	if (!s) {
		fs_fail(err, "out of memory");
		return NULL;
	}
	if (!(s->os = fs_os_store_open(path, create, missing, err))) {
		free(s);
		return NULL;
	}
	return s;
}

void fs_store_close(fs_store *s)
{
	if (s) {
		fs_os_store_close(s->os);
		free(s);
	}
}

int fs_store_lock(fs_store *s, fs_err *err)
{
	return fs_os_store_lock(s->os, err);
}

int fs_store_list(fs_store *s, char ***names, size_t *n, fs_err *err)
{
	return fs_os_store_list(s->os, names, n, err);
}

int fs_store_rename(fs_store *s, const char *from, const char *to, fs_err *err)
{
	return fs_os_store_rename(s->os, from, to, err);
}

int fs_store_remove(fs_store *s, const char *name, fs_err *err)
{
	return fs_os_store_remove(s->os, name, err);
}

int fs_store_file_open(fs_store *s, const char *name, size_t max, fs_err *err)
{
	(void)max; /* the backend's own limit */
	return fs_os_snap_open(s->os, NULL, name, err);
}

int fs_store_file_write(fs_store *s, const char *name, const char *buf, size_t len,
			fs_err *err)
{
	return fs_os_snap_write(s->os, NULL, name, buf, len, err);
}

int fs_snap_create(fs_store *s, const char *snap, fs_err *err)
{
	return fs_os_snap_mkdir(s->os, snap, err);
}

int fs_snap_file_read(fs_store *s, const char *snap, const char *name, size_t max,
		      char **buf, size_t *len, fs_err *err)
{
	(void)max;
	return fs_os_snap_read(s->os, snap, name, buf, len, err);
}

int fs_snap_file_write(fs_store *s, const char *snap, const char *name, const char *buf,
		       size_t len, fs_err *err)
{
	return fs_os_snap_write(s->os, snap, name, buf, len, err);
}

int fs_snap_file_touch(fs_store *s, const char *snap, const char *name, fs_err *err)
{
	return fs_os_snap_touch(s->os, snap, name, err);
}

fs_presence fs_snap_file_present(fs_store *s, const char *snap, const char *name,
				 fs_err *err)
{
	(void)err; /* the old function cannot tell an error from absence */
	return fs_os_snap_exists(s->os, snap, name) ? FS_PRESENT : FS_ABSENT;
}

int fs_snap_file_unlink(fs_store *s, const char *snap, const char *name, fs_err *err)
{
	return fs_os_snap_unlink(s->os, snap, name, err);
}

int fs_snap_hold_make(fs_store *s, const char *snap, const char *name, fs_err *err)
{
	return fs_os_snap_touch(s->os, snap, name, err);
}

int fs_snap_keep_all(fs_store *s, const char *snap, const char *root,
		     uint64_t copy_budget, size_t n, const char *const *relpaths,
		     const fs_id *ids, int *methods, fs_id *stored, unsigned char *ok,
		     fs_err *errs, fs_err *err)
{
	return fs_os_snap_keep_all(s->os, snap, root, copy_budget, n, relpaths, ids, methods,
				   stored, ok, errs, err);
}

long fs_snap_verify(fs_store *s, const char *snap, const fs_idset *stored,
		    unsigned char *found, fs_err *err)
{
	return fs_os_snap_verify(s->os, snap, stored, found, err);
}

int fs_snap_drop(fs_store *s, const char *snap, const char *relpath, fs_err *err)
{
	return fs_os_snap_drop(s->os, snap, relpath, err);
}

fs_presence fs_snap_stat(fs_store *s, const char *snap, const char *relpath, fs_id *id,
			 uint64_t *bytes, fs_err *err)
{
	int r = fs_os_snap_stat(s->os, snap, relpath, id, bytes, err);

	return r < 0 ? FS_PRESENCE_ERROR : r ? FS_PRESENT : FS_ABSENT;
}

int fs_snap_replace(fs_store *s, const char *snap, fs_os_root *root, const char *relpath,
		    fs_id id, fs_err *err)
{
	return fs_os_replace_with_copy(s->os, snap, root, relpath, id, err);
}

fs_presence fs_snap_lock_held(fs_store *s, const char *snap, fs_err *err)
{
	int r = fs_os_snap_lock_held(s->os, snap, err);

	return r < 0 ? FS_PRESENCE_ERROR : r ? FS_PRESENT : FS_ABSENT;
}

int fs_snap_hold(fs_store *s, const char *snap, fs_snap_holder **h, fs_err *err)
{
	return fs_os_snap_hold(s->os, snap, h, err);
}

int fs_snap_hold_check(fs_store *s, const char *snap, const fs_snap_holder *h, fs_err *err)
{
	return fs_os_hold_check(s->os, snap, h, err);
}

void fs_snap_hold_release(fs_snap_holder *h)
{
	fs_os_hold_release(h);
}

size_t fs_snap_share(fs_store *s, const char *snap, const fs_pidstart *procs, size_t n)
{
	return fs_os_snap_share(s->os, snap, procs, n);
}

#endif /* FS_STORE_LEGACY */
