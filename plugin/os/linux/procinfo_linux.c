/* procinfo_linux.c - the parser for /proc/PID/stat. */
#define _GNU_SOURCE
#include "linux.h"

#include <string.h>

/*
 * "PID (COMM) STATE PPID ..." - COMM may hold spaces and parentheses, so it
 * ends at the last ')'.  starttime is field 22.
 */
int fs_proc_parse_stat(const char *buf, size_t len, char *comm, size_t comm_size,
		       unsigned long long *start_time)
{
	const char *open = memchr(buf, '(', len), *close = memrchr(buf, ')', len);
	const char *p, *end = buf + len;
	size_t n;
	int field;

	if (!open || !close || close < open)
		return -1;
	n = (size_t)(close - open - 1);
	if (n >= comm_size)
		n = comm_size - 1;
	memcpy(comm, open + 1, n);
	comm[n] = '\0';
	/* after ") " comes field 3 */
	p = close + 1;
	for (field = 3;; field++) {
		while (p < end && *p == ' ')
			p++;
		if (field == 22)
			break;
		while (p < end && *p != ' ')
			p++;
	}
	if (p >= end || *p < '0' || *p > '9')
		return -1;
	*start_time = 0;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		*start_time = *start_time * 10 + (unsigned)(*p - '0');
	return 0;
}
