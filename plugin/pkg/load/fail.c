/*
 * fail.c - the module's one error helper: the module links nothing of the
 * binary's (fs_fail is in plugin/core/err.c), so it fills fs_err itself.
 */
#include "load.h"

#include <stdarg.h>
#include <stdio.h>

int fs_load_fail(fs_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return -1;
}
