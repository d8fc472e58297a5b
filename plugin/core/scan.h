/* scan.h - a scan's memory (scan.c), for the backend that fills it. */
#ifndef FS_SCAN_H
#define FS_SCAN_H

#include "arena.h"
#include "forksafe.h"

#include <stddef.h>

/* An empty scan (fs_scan_free() frees it), or NULL with err filled. */
fs_scan *fs_scan_new(fs_err *err);
/* size bytes that live as long as scan (NULL when out of memory). */
void *fs_scan_alloc(fs_scan *scan, size_t size);
/* Hands an arena's memory to the scan, which frees it in fs_scan_free(). */
void fs_scan_adopt(fs_scan *scan, fs_arena *arena);

#endif
