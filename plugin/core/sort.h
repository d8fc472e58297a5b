/* sort.h - the orders several files sort by (sort.c): qsort comparators. */
#ifndef FS_SORT_H
#define FS_SORT_H

/* Names (elements const char *) in strcmp order, NULL ("none") last. */
int fs_cmp_name(const void *a, const void *b);
/* Processes (elements fs_proc) by pid. */
int fs_cmp_proc_pid(const void *a, const void *b);

#endif
