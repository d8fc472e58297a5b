/*
 * idset.c - open-addressing hash set of file identities, each mapped to a
 * dense index in insertion order.  Used for target look-ups during a scan
 * (one probe per mapping) and for per-process de-duplication.
 */
#include "forksafe.h"
#include "vec.h"

#include <stdlib.h>

struct fs_idset {
	size_t mask;      /* slots - 1; slots is a power of two */
	long *slot;       /* index into ids, or -1 */
	fs_id *ids;
	size_t count, cap;
};

static uint64_t hash_id(fs_id id)
{
	uint64_t h = id.ino * 0x9e3779b97f4a7c15ull ^ (id.dev + 0x632be59bd9b4e019ull);

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 29);
}

static int alloc_slots(fs_idset *s, size_t slots)
{
	long *slot = malloc(slots * sizeof *slot);

	if (!slot)
		return -1;
	for (size_t i = 0; i < slots; i++)
		slot[i] = -1;
	free(s->slot);
	s->slot = slot;
	s->mask = slots - 1;
	for (size_t i = 0; i < s->count; i++) {
		size_t h = hash_id(s->ids[i]) & s->mask;

		while (slot[h] != -1)
			h = (h + 1) & s->mask;
		slot[h] = (long)i;
	}
	return 0;
}

fs_idset *fs_idset_new(size_t expected)
{
	fs_idset *s = calloc(1, sizeof *s);
	size_t slots = 16;

	if (!s)
		return NULL;
	while (slots < expected * 2)
		slots *= 2;
	if (alloc_slots(s, slots) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

void fs_idset_free(fs_idset *s)
{
	if (!s)
		return;
	free(s->slot);
	free(s->ids);
	free(s);
}

static size_t probe(const fs_idset *s, fs_id id)
{
	size_t h = hash_id(id) & s->mask;

	for (;;) {
		long i = s->slot[h];

		if (i == -1 || (s->ids[i].ino == id.ino && s->ids[i].dev == id.dev))
			return h;
		h = (h + 1) & s->mask;
	}
}

long fs_idset_find(const fs_idset *s, fs_id id)
{
	return s->slot[probe(s, id)];
}

long fs_idset_add(fs_idset *s, fs_id id, int *added)
{
	size_t h = probe(s, id);
	fs_id *slot;

	*added = 0;
	if (s->slot[h] != -1)
		return s->slot[h];
	if ((s->count + 1) * 2 > s->mask + 1) {
		if (alloc_slots(s, (s->mask + 1) * 2) < 0)
			return -1;
		h = probe(s, id);
	}
	slot = fs_grow((void **)&s->ids, &s->count, &s->cap, sizeof *s->ids);
	if (!slot)
		return -1;
	*slot = id;
	s->slot[h] = (long)(s->count - 1);
	*added = 1;
	return s->slot[h];
}

size_t fs_idset_count(const fs_idset *s)
{
	return s->count;
}

/*
 * Newest first: a member's probe chain runs only over members inserted
 * before it, so each is still found where it sits when its turn comes.
 */
void fs_idset_clear(fs_idset *s)
{
	while (s->count > 0) {
		size_t h = probe(s, s->ids[s->count - 1]);

		s->slot[h] = -1;
		s->count--;
	}
}
