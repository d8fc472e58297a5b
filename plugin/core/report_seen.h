/* report_seen.h - what report found at a path in a view, kept so that each
 * distinct path is resolved once per view (report_seen.c). */
#ifndef FS_REPORT_SEEN_H
#define FS_REPORT_SEEN_H

#include "forksafe.h"

#include <stddef.h>

/* A path resolved in one view: ok = 0 when it could not be. */
typedef struct fs_seen {
	unsigned char ok, exists, is_dir;
	fs_id id;
} fs_seen;

/* (view, path) -> what was found there.  View 0 is the root's. */
typedef struct fs_seen_map fs_seen_map;

fs_seen_map *fs_seen_map_new(void);
void fs_seen_map_free(fs_seen_map *m);
/* What is kept for (view, path), or NULL when it is not yet. */
const fs_seen *fs_seen_find(const fs_seen_map *m, size_t view, const char *path);
/* Keeps s for (view, path); -1 when out of memory (nothing is kept). */
int fs_seen_put(fs_seen_map *m, size_t view, const char *path, const fs_seen *s);

/* Views by what makes two processes see the same files: their mount
 * namespace, their root seen from here and that root's identity.
 * Returns the view's number (never 0, the root's): a new one for a view
 * not met before, and one never shared when out of memory. */
size_t fs_seen_view(fs_seen_map *m, const char *mntns, const char *root, fs_id id);
/* A view never shared (its root's identity could not be read). */
size_t fs_seen_view_alone(fs_seen_map *m);

#endif
