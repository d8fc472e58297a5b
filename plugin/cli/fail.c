/*
 * fail.c - what every command says on stderr: an error ("forksafe CMD:
 * MSG", escaped for the terminal) and the warning of an answer that may be
 * incomplete.  The lowest file of cli/: it calls nothing of cli/.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>

int cli_fail(const char *cmd, const char *fmt, ...)
{
	char msg[2 * FS_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* messages name paths and processes: escaped for the terminal */
	fs_text_line(stderr, "forksafe %s: %s", cmd, msg);
	return EXIT_ERROR;
}

void cli_warn_unreadable(const char *cmd, size_t unreadable)
{
	fprintf(stderr,
		"forksafe %s: warning: %zu process%s could not be read; "
		"the answer may be incomplete%s\n",
		cmd, unreadable, unreadable == 1 ? "" : "es",
		fs_privilege_hint());
}

void cli_warn_incomplete(const char *cmd, const fs_scan *scan)
{
	if (!scan->complete)
		cli_warn_unreadable(cmd, scan->unreadable);
}
