/*
 * arena.c - bump allocation for the many small strings and arrays of a
 * scan.  A large arena (a scan of thousands of processes) takes its
 * chunks from fs_os_huge_alloc() once it has grown to a huge page: every
 * page of such a chunk gets used, and a first touch of each small page
 * costs a page fault.
 */
#include "arena.h"
#include "os.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN (64 * 1024)

/*
 * Under AddressSanitizer the free part of every chunk is poisoned and an
 * allocation is opened to exactly the bytes asked for: a write one byte
 * past a string in the arena is reported as it is in malloc'ed memory.
 */
#if defined(__SANITIZE_ADDRESS__)
#define FS_ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FS_ARENA_ASAN 1
#endif
#endif
#ifdef FS_ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

struct fs_arena_chunk {
	struct fs_arena_chunk *next;
	size_t used, size;
	size_t huge;   /* bytes from fs_os_huge_alloc(), or 0: from malloc() */
	max_align_t data[];
};

/*
 * A chunk for at least size bytes: from malloc() while the arena is small,
 * each as large as the arena so far; once it holds a huge page's worth,
 * whole huge pages.  Not before: the kernel clears a huge page whole at
 * its first touch, 2 MiB for an arena that may need a tenth of it (a scan
 * of a few hundred processes measured 5 ms of clearing).
 */
static struct fs_arena_chunk *new_chunk(fs_arena *a, size_t size)
{
	size_t head = sizeof(struct fs_arena_chunk);
	size_t huge = (head + size + FS_OS_HUGE - 1) / FS_OS_HUGE * FS_OS_HUGE;
	struct fs_arena_chunk *c = NULL;

	if (a->size >= FS_OS_HUGE && (c = fs_os_huge_alloc(huge))) {
		c->huge = huge;
		size = huge - head;
	} else {
		if (size < a->size && a->size < FS_OS_HUGE)
			size = a->size; /* (not when a huge page was refused) */
		if (size < CHUNK_MIN)
			size = CHUNK_MIN;
		if (!(c = malloc(head + size)))
			return NULL;
		c->huge = 0;
	}
	c->used = 0;
	c->size = size;
	POISON(c->data, size);
	c->next = a->head;
	a->head = c;
	a->size += size;
	return c;
}

void *fs_arena_alloc(fs_arena *a, size_t size)
{
	struct fs_arena_chunk *c = a->head;
	size_t align = _Alignof(max_align_t), want = size;
	void *p;

	if (size > SIZE_MAX / 4)
		return NULL;
	size = (size + align - 1) / align * align;
	if (!c || c->size - c->used < size) {
		c = new_chunk(a, size);
		if (!c)
			return NULL;
	}
	p = (char *)c->data + c->used;
	c->used += size;
	UNPOISON(p, want);
	return p;
}

char *fs_arena_strndup(fs_arena *a, const char *s, size_t len)
{
	char *p = fs_arena_alloc(a, len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

char *fs_arena_strdup(fs_arena *a, const char *s)
{
	return fs_arena_strndup(a, s, strlen(s));
}

void fs_arena_free(fs_arena *a)
{
	struct fs_arena_chunk *c = a->head, *next;

	for (; c; c = next) {
		next = c->next;
		UNPOISON(c->data, c->size);
		if (c->huge)
			fs_os_huge_free(c, c->huge);
		else
			free(c);
	}
	a->head = NULL;
	a->size = 0;
}

void fs_arena_merge(fs_arena *into, fs_arena *from)
{
	struct fs_arena_chunk *c = from->head;

	if (!c)
		return;
	while (c->next)
		c = c->next;
	c->next = into->head;
	into->head = from->head;
	into->size += from->size;
	from->head = NULL;
	from->size = 0;
}
