/* budget.h - bytes of data copies may write, shared by workers (budget.c):
 * the core sets the limit (guard's copy budget), the backends charge it
 * (os.h's fs_os_keep). */
#ifndef FS_BUDGET_H
#define FS_BUDGET_H

#include "forksafe.h"

#include <stdatomic.h>
#include <stdint.h>

typedef struct fs_budget {
	uint64_t limit;
	_Atomic uint64_t used;
} fs_budget;
/* Takes n bytes: 0, or -1 when they are not left (nothing taken). */
int fs_budget_take(fs_budget *b, uint64_t n);
/* Gives back n bytes taken for a copy that failed. */
void fs_budget_give(fs_budget *b, uint64_t n);
/* The message (and -1) for what's copy of bytes of data beyond b. */
int fs_budget_refuse(const fs_budget *b, uint64_t bytes, const char *what, fs_err *err);

#endif
