/* relpath.h - a path relative to a root, as the store keeps it (relpath.c). */
#ifndef FS_RELPATH_H
#define FS_RELPATH_H

#include "forksafe.h"

/* Checks a path relative to a root: non-empty, not absolute, no "", ".",
 * ".." components, at most FS_LINE_MAX bytes and FS_KEEP_DEPTH directories.
 * The message does not repeat the path. */
int fs_relpath_check(const char *path, fs_err *err);

#endif
