/*
 * retire_rules.h - retire's rules (docs/store.md, "Rules") as plain
 * functions over facts gathered beforehand: no I/O, so each rule is tested
 * by itself (tests/unit/test_retire_rules.c).  retire.c gathers the facts
 * and carries out the verdicts.
 */
#ifndef FS_RETIRE_RULES_H
#define FS_RETIRE_RULES_H

#include "forksafe.h"

#include <stddef.h>

/* What is known of one entry of a snapshot. */
typedef struct fs_retire_facts {
	int held;        /* the snapshot's lock is held (rule 3) */
	int closed;      /* the snapshot is closed, or closed by this run (rule 4) */
	int still_there; /* its original path still has its identity (rule 4);
			  * needed only when fs_retire_asks_path() */
	int mapped;      /* a live process maps its identity (rule 5) */
	int unread_user; /* a process recorded for it is alive but could not be
			  * read (rule 5) */
} fs_retire_facts;

typedef enum fs_retire_verdict {
	FS_RETIRE_KEEP,      /* the entry stays */
	FS_RETIRE_REDUNDANT, /* dropped: the path keeps the file alive itself */
	FS_RETIRE_UNUSED     /* dropped: nothing maps it any more */
} fs_retire_verdict;

/* Rule 2: is a snapshot closed for the rules (closed before, or closed
 * now by a post-transaction run)? */
int fs_retire_closed(int was_open, int post_transaction);
/* Does judging an entry need still_there (a resolution of its path)? */
int fs_retire_asks_path(const fs_retire_facts *f);
/* Rules 3 to 5 for one entry. */
fs_retire_verdict fs_retire_judge(const fs_retire_facts *f);
/* Rule 5's unread user: is one of e's recorded processes (pid and start
 * time) among the n alive but unreadable ones? */
int fs_retire_unread_user(const fs_pidstart *unreadable, size_t n,
			  const fs_manifest_entry *e);
/* Rule 6: does a snapshot go, with kept entries left after dropping? */
int fs_retire_snapshot_goes(size_t kept, size_t dropped);

#endif
