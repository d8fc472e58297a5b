/* arena.h - many small allocations freed at once (arena.c). */
#ifndef FS_ARENA_H
#define FS_ARENA_H

#include <stddef.h>

typedef struct fs_arena {
	struct fs_arena_chunk *head;
	size_t size;   /* of all its chunks */
} fs_arena;

/* size bytes aligned for any type (as malloc's: _Alignof(max_align_t)),
 * living until fs_arena_free(); NULL when out of memory. */
void *fs_arena_alloc(fs_arena *a, size_t size);
char *fs_arena_strndup(fs_arena *a, const char *s, size_t len);
char *fs_arena_strdup(fs_arena *a, const char *s);
void fs_arena_free(fs_arena *a);
/* Moves every allocation of from into into; from is left empty. */
void fs_arena_merge(fs_arena *into, fs_arena *from);

#endif
