/* retire_rules.c - retire's rules over facts, without I/O (retire_rules.h). */
#include "retire_rules.h"

int fs_retire_closed(int was_open, int post_transaction)
{
	return !was_open || post_transaction;
}

int fs_retire_asks_path(const fs_retire_facts *f)
{
	return !f->held && f->closed;
}

fs_retire_verdict fs_retire_judge(const fs_retire_facts *f)
{
	if (f->held)
		return FS_RETIRE_KEEP;             /* rule 3: a holder keeps everything */
	if (f->closed && f->still_there)
		return FS_RETIRE_REDUNDANT;        /* rule 4: never replaced */
	if (f->mapped || f->unread_user)
		return FS_RETIRE_KEEP;             /* rule 5: in use, or maybe */
	return FS_RETIRE_UNUSED;
}

int fs_retire_unread_user(const fs_pidstart *unreadable, size_t n,
			  const fs_manifest_entry *e)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < e->nprocs; k++)
			if (unreadable[i].pid == e->procs[k].pid &&
			    unreadable[i].start_time == e->procs[k].start_time)
				return 1;
	return 0;
}

int fs_retire_snapshot_goes(size_t kept, size_t dropped)
{
	return kept == 0 && dropped > 0;
}
