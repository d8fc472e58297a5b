/*
 * budget.c - the copy budget of one snapshot (budget.h), shared by
 * the copies a backend's workers make: taken before a copy, given back
 * when it is dropped, and the one-line refusal when a copy is beyond it.
 * A leaf: the backends call it, it calls nothing but err.c.
 */
#include "budget.h"
#include "err.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>

int fs_budget_take(fs_budget *b, uint64_t n)
{
	uint64_t used = atomic_load(&b->used);

	do {
		if (n > b->limit || used > b->limit - n)
			return -1;
	} while (!atomic_compare_exchange_weak(&b->used, &used, used + n));
	return 0;
}

void fs_budget_give(fs_budget *b, uint64_t n)
{
	atomic_fetch_sub(&b->used, n);
}

/* A size for a message, in the largest unit that fits. */
static const char *human(uint64_t n, char *buf, size_t size)
{
	static const char units[] = "KMGTPE";
	int u = -1;
	double v = (double)n;

	while (v >= 1024 && u < 5)
		v /= 1024, u++;
	if (u < 0)
		snprintf(buf, size, "%" PRIu64 " bytes", n);
	else
		snprintf(buf, size, "%.1f %ciB", v, units[u]);
	return buf;
}

int fs_budget_refuse(const fs_budget *b, uint64_t bytes, const char *what, fs_err *err)
{
	char need[32], limit[32], left[32];
	uint64_t used = atomic_load(&((fs_budget *)b)->used);

	return fs_fail(err, "%s: its copy (%s of data) is beyond what is left of the "
		       "snapshot's copy budget (%s of %s; copy_budget in "
		       FS_CONFIG_PATH ", guard --copy-budget)", what,
		       human(bytes, need, sizeof need),
		       human(used < b->limit ? b->limit - used : 0, left, sizeof left),
		       human(b->limit, limit, sizeof limit));
}
