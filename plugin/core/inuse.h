/* inuse.h - attribution: which processes map which identities (inuse.c). */
#ifndef FS_INUSE_H
#define FS_INUSE_H

#include "forksafe.h"

#include <stddef.h>

/*
 * Users of each identity of ids in scan, in one pass: the processes
 * (scan->procs indexes) mapping identity k are store[start[k] .. start[k+1]).
 * store lives in the scan's memory; start is the caller's to free.
 */
int fs_users_by_id(fs_scan *scan, const fs_idset *ids, size_t **start,
		   size_t **store);

#endif
