/*
 * label.h - files labelled with the packages owning them (label.c): the
 * one place paths go to fs_pkgdb_owners() and package names come back,
 * for the scan (fs_pkgdb_label_scan), report and status.  Free of libsolv,
 * so the core may include it; pkg/none/ says "built without package
 * support".
 */
#ifndef FS_PKG_LABEL_H
#define FS_PKG_LABEL_H

#include "forksafe.h"

#include <stddef.h>

/* *slots[i] becomes the name of the package owning paths[i] (NULL: none),
 * for n files; no slot is written when it fails. */
int fs_pkgdb_label(const fs_pkgdb *db, const char *const *paths,
		   const char **const *slots, size_t n, fs_err *err);

#endif
