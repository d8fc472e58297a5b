/* targets.h - building a target list (targets.c). */
#ifndef FS_TARGETS_H
#define FS_TARGETS_H

#include "forksafe.h"

#include <stddef.h>

/* Adds n targets at once (fs_targets_add for each, resolved in parallel):
 * requests[i] is shown, paths[i] resolved. */
int fs_targets_add_many(fs_targets *t, const char *const *requests,
			const char *const *paths, size_t n, fs_err *err);
/* Records a target left out and why; -1 only when the list cannot grow. */
int fs_targets_skip(fs_targets *t, const char *request, const char *problem,
		    fs_err *err);

#endif
