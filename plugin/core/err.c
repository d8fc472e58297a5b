/* err.c - one-line error messages. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void vfill(fs_err *err, const char *fmt, va_list ap)
{
	if (err)
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

int fs_fail(fs_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfill(err, fmt, ap);
	va_end(ap);
	return -1;
}

int fs_fail_errno(fs_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vfill(err, fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof err->msg - n, ": %s", strerror(errnum));
	return -1;
}
