/*
 * inuse.c - which processes map which targets: one filtered scan, then one
 * hash look-up per recorded image, filling per-identity user lists in a
 * single pass.  Cost is linear in mappings; no rescan per target.  The
 * attribution also works on an unfiltered scan the caller already has.
 */
#include "err.h"
#include "inuse.h"
#include "scan.h"

#include <stdlib.h>
#include <string.h>

/*
 * Walks every (process, image) pair of a filtered scan.  Without store it
 * counts the users of each identity into pos[]; with store it writes each
 * process index at pos[identity] and advances it.
 */
static size_t walk_uses(const fs_scan *scan, const fs_idset *ids, size_t *pos,
			size_t *store)
{
	size_t total = 0;

	for (size_t p = 0; p < scan->nprocs; p++) {
		for (size_t m = 0; m < scan->procs[p].nimages; m++) {
			long k = fs_idset_find(ids, scan->procs[p].images[m].id);

			if (k < 0)
				continue;
			if (store)
				store[pos[k]++] = p;
			else
				pos[k]++;
			total++;
		}
	}
	return total;
}

int fs_users_by_id(fs_scan *scan, const fs_idset *ids, size_t **start,
		   size_t **store)
{
	size_t nids = fs_idset_count(ids), total;
	size_t *fill = calloc(nids + 1, sizeof *fill);

	*start = calloc(nids + 1, sizeof **start);
	*store = NULL;
	if (!fill || !*start)
		goto oom;
	/* count the users of each identity, place the lists side by side, fill */
	total = walk_uses(scan, ids, fill, NULL);
	for (size_t k = 0; k < nids; k++) {
		(*start)[k + 1] = (*start)[k] + fill[k];
		fill[k] = (*start)[k];
	}
	*store = fs_scan_alloc(scan, (total + 1) * sizeof **store);
	if (!*store)
		goto oom;
	walk_uses(scan, ids, fill, *store);
	free(fill);
	return 0;
oom:
	free(fill);
	free(*start);
	*start = NULL;
	return -1;
}

/* The targets' identities: ids, and slot[i] the index of target i's (-1
 * when it does not exist). */
static int target_ids(const fs_targets *targets, fs_idset **ids, long **slot)
{
	size_t n = fs_targets_count(targets);

	/* grows as it fills: sized by the targets, most of which may be
	 * missing, it cost 16 bytes per target */
	*ids = fs_idset_new(n < 65536 ? n : 65536);
	*slot = malloc((n + 1) * sizeof **slot);
	if (!*ids || !*slot)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const fs_target *t = fs_targets_get(targets, i);
		int added;

		(*slot)[i] = -1;
		if (t->exists && ((*slot)[i] = fs_idset_add(*ids, t->id, &added)) < 0)
			return -1;
	}
	return 0;
}

/* Attribution with the identities already collected; takes scan. */
static int attribute(const fs_targets *targets, fs_scan *scan, const fs_idset *ids,
		     const long *slot, fs_inuse **out, fs_err *err)
{
	size_t n = fs_targets_count(targets);
	size_t *start = NULL, *store;
	fs_inuse *q = calloc(1, sizeof *q);
	int rc = -1;

	*out = NULL;
	if (!q) {
		fs_scan_free(scan);
		goto oom;
	}
	q->scan = scan;
	q->targets = targets;
	q->nusers = calloc(n + 1, sizeof *q->nusers);
	q->users = calloc(n + 1, sizeof *q->users);
	if (!q->nusers || !q->users)
		goto oom;
	if (fs_users_by_id(scan, ids, &start, &store) < 0)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		long k = slot[i];

		if (k < 0 || start[k + 1] == start[k])
			continue;
		q->users[i] = store + start[k];
		q->nusers[i] = start[k + 1] - start[k];
		q->targets_in_use++;
	}
	*out = q;
	q = NULL;
	rc = 0;
	goto out;
oom:
	fs_fail(err, "out of memory");
out:
	fs_inuse_free(q);
	free(start);
	return rc;
}

int fs_inuse_attribute(const fs_targets *targets, fs_scan *scan, fs_inuse **out,
		       fs_err *err)
{
	fs_idset *ids = NULL;
	long *slot = NULL;
	int rc;

	*out = NULL;
	if (target_ids(targets, &ids, &slot) < 0) {
		fs_scan_free(scan);
		rc = fs_fail(err, "out of memory");
	} else {
		rc = attribute(targets, scan, ids, slot, out, err);
	}
	fs_idset_free(ids);
	free(slot);
	return rc;
}

int fs_inuse_run(const fs_targets *targets, const fs_scan_opts *opts,
		 fs_inuse **out, fs_err *err)
{
	fs_scan_opts so = opts ? *opts : (fs_scan_opts){ 0 };
	fs_idset *ids = NULL;
	long *slot = NULL;
	fs_scan *scan;
	int rc = -1;

	*out = NULL;
	if (target_ids(targets, &ids, &slot) < 0) {
		fs_fail(err, "out of memory");
		goto out;
	}
	so.filter = ids;
	if (fs_scan_run(&so, &scan, err) == 0)
		rc = attribute(targets, scan, ids, slot, out, err);
out:
	fs_idset_free(ids);
	free(slot);
	return rc;
}

void fs_inuse_free(fs_inuse *q)
{
	if (!q)
		return;
	free(q->users);
	free(q->nusers);
	fs_scan_free(q->scan);
	free(q);
}
