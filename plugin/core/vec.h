/* vec.h - growable arrays of fixed-size elements (vec.c). */
#ifndef FS_VEC_H
#define FS_VEC_H

#include "forksafe.h"

#include <stddef.h>

/* Makes room for want elements in all (one allocation when the count is
 * known ahead); 0, or -1 with err saying so. */
int fs_reserve(void **items, size_t *cap, size_t want, size_t elem, fs_err *err);
/* Makes room for one more element; returns a pointer to it, zeroed, or NULL. */
void *fs_grow(void **items, size_t *count, size_t *cap, size_t elem);

#endif
