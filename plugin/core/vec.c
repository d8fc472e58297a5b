/* vec.c - growable arrays of fixed-size elements. */
#include "err.h"
#include "vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int fs_reserve(void **items, size_t *cap, size_t want, size_t elem, fs_err *err)
{
	void *n;

	if (want <= *cap)
		return 0;
	if (want > SIZE_MAX / elem || !(n = realloc(*items, want * elem)))
		return fs_fail(err, "out of memory");
	*items = n;
	*cap = want;
	return 0;
}

void *fs_grow(void **items, size_t *count, size_t *cap, size_t elem)
{
	if (*count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void *n;

		if (ncap > SIZE_MAX / elem)
			return NULL;
		n = realloc(*items, ncap * elem);
		if (!n)
			return NULL;
		*items = n;
		*cap = ncap;
	}
	/* a new slot is zeroed: a field its caller sets on one branch only
	 * reads as 0/NULL, never as old heap bytes */
	return memset((char *)*items + (*count)++ * elem, 0, elem);
}
