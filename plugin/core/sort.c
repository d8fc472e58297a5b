/* sort.c - the orders several files sort by. */
#include "forksafe.h"
#include "sort.h"

#include <string.h>

int fs_cmp_name(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	if (!x || !y)
		return !x - !y; /* "no package" last */
	return strcmp(x, y);
}

int fs_cmp_proc_pid(const void *a, const void *b)
{
	const fs_proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}
