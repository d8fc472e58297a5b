/*
 * os.h - what the platform-neutral core asks of an OS backend
 * (plugin/os/linux/, plugin/os/win32/).  Each backend implements every
 * function here and nothing else is OS-specific.
 */
#ifndef FS_OS_H
#define FS_OS_H

#include "internal.h"

/*
 * Fills scan->procs, nprocs, seen and unreadable (procs sorted by pid).
 * Strings and image arrays live in arenas handed to fs_scan_adopt().
 */
int fs_os_scan(const fs_scan_opts *opts, fs_scan *scan, fs_err *err);

/* Hands an arena's memory to the scan, which frees it in fs_scan_free(). */
void fs_scan_adopt(fs_scan *scan, fs_arena *arena);

/* A directory that target paths are resolved inside. */
typedef struct fs_os_root fs_os_root;

fs_os_root *fs_os_root_open(const char *path, fs_err *err);
void fs_os_root_close(fs_os_root *root);

/*
 * Resolves path (relative to the root, with or without a leading '/')
 * component by component, following symlinks inside the root.  On success
 * *resolved is a malloc'ed absolute path inside the root.  A missing file
 * gives *exists = 0 and the path resolved so far plus the remaining
 * components.  Leaving the root through ".." in path is an error; a symlink
 * that points above the root stays at the root, as in a chroot.
 */
int fs_os_resolve(fs_os_root *root, const char *path, char **resolved,
		  int *exists, fs_id *id, fs_err *err);

#endif
