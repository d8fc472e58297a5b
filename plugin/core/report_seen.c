/*
 * report_seen.c - report asks the same few paths again and again: every
 * process maps libc, and each pair (process, image) is looked at in the
 * process's view and again in the root.  Kept here by (view, path) in an
 * open-addressing table, a path is walked once per view.  A table that
 * cannot grow only stops keeping: the caller resolves again.
 */
#include "report_seen.h"
#include "vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* At most this many slots (entries: half of it); then nothing more is kept. */
#define SEEN_SLOTS_MAX ((size_t)1 << 22)

struct entry {
	char *path; /* NULL: a free slot */
	size_t view;
	uint64_t hash;
	fs_seen s;
};

struct view {
	char *mntns, *root;
	fs_id id;
};

struct fs_seen_map {
	struct entry *slot;
	size_t nslots, n;      /* nslots: 0 or a power of two */
	struct view *views;
	size_t nviews, viewcap; /* views[i] is view i + 1 */
	size_t alone;           /* views never shared, numbered after views */
};

fs_seen_map *fs_seen_map_new(void)
{
	return calloc(1, sizeof(fs_seen_map));
}

void fs_seen_map_free(fs_seen_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nslots; i++)
		free(m->slot[i].path);
	free(m->slot);
	for (size_t i = 0; i < m->nviews; i++) {
		free(m->views[i].mntns);
		free(m->views[i].root);
	}
	free(m->views);
	free(m);
}

/* FNV-1a of the path, the view mixed in. */
static uint64_t hash_of(size_t view, const char *path)
{
	uint64_t h = 14695981039346656037ULL ^ (uint64_t)view;

	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

/* The slot of (view, path): its entry, or the free slot it would take. */
static struct entry *probe(const fs_seen_map *m, size_t view, const char *path, uint64_t h)
{
	size_t mask = m->nslots - 1;

	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		struct entry *e = &m->slot[i];

		if (!e->path || (e->hash == h && e->view == view && strcmp(e->path, path) == 0))
			return e;
	}
}

const fs_seen *fs_seen_find(const fs_seen_map *m, size_t view, const char *path)
{
	const struct entry *e;

	if (m->nslots == 0)
		return NULL;
	e = probe(m, view, path, hash_of(view, path));
	return e->path ? &e->s : NULL;
}

/* Twice the slots, every entry moved; -1 when it cannot be. */
static int grow(fs_seen_map *m)
{
	size_t want = m->nslots ? m->nslots * 2 : 1024;
	struct entry *old = m->slot;
	size_t nold = m->nslots;

	if (want > SEEN_SLOTS_MAX || !(m->slot = calloc(want, sizeof *m->slot))) {
		m->slot = old;
		return -1;
	}
	m->nslots = want;
	for (size_t i = 0; i < nold; i++)
		if (old[i].path)
			*probe(m, old[i].view, old[i].path, old[i].hash) = old[i];
	free(old);
	return 0;
}

int fs_seen_put(fs_seen_map *m, size_t view, const char *path, const fs_seen *s)
{
	uint64_t h = hash_of(view, path);
	struct entry *e;

	if ((m->n + 1) * 2 > m->nslots && grow(m) < 0)
		return -1;
	e = probe(m, view, path, h);
	if (!e->path) {
		if (!(e->path = strdup(path)))
			return -1;
		e->view = view;
		e->hash = h;
		m->n++;
	}
	e->s = *s;
	return 0;
}

static int same_text(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

size_t fs_seen_view(fs_seen_map *m, const char *mntns, const char *root, fs_id id)
{
	struct view *v;

	for (size_t i = 0; i < m->nviews; i++) {
		v = &m->views[i];
		if (v->id.dev == id.dev && v->id.ino == id.ino && same_text(v->mntns, mntns) &&
		    same_text(v->root, root))
			return i + 1;
	}
	if (!(v = fs_grow((void **)&m->views, &m->nviews, &m->viewcap, sizeof *v)))
		return fs_seen_view_alone(m);
	v->id = id;
	v->mntns = mntns ? strdup(mntns) : NULL;
	v->root = root ? strdup(root) : NULL;
	if ((mntns && !v->mntns) || (root && !v->root)) {
		free(v->mntns);
		free(v->root);
		m->nviews--;
		return fs_seen_view_alone(m);
	}
	return m->nviews;
}

size_t fs_seen_view_alone(fs_seen_map *m)
{
	/* numbered from the top down: never one of views' numbers */
	return SIZE_MAX - m->alone++;
}
