/* err.h - failing with a message (err.c): every failure fills the caller's
 * fs_err where it happens and returns -1. */
#ifndef FS_ERR_H
#define FS_ERR_H

#include "forksafe.h"

#if defined(__MINGW32__) /* mingw's own C99 printf, not msvcrt's */
#define FS_PRINTF(a, b) __attribute__((format(gnu_printf, a, b)))
#elif defined(__GNUC__)
#define FS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FS_PRINTF(a, b)
#endif

/* Fills err (which may be NULL) and returns -1. */
int fs_fail(fs_err *err, const char *fmt, ...) FS_PRINTF(2, 3);
/* Same, with ": strerror(errnum)" appended. */
int fs_fail_errno(fs_err *err, int errnum, const char *fmt, ...) FS_PRINTF(3, 4);

#endif
