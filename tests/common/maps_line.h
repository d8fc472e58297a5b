/*
 * maps_line.h - writes one line of /proc/PID/maps the way the kernel does
 * (fs/proc/task_mmu.c: show_vma_header_prefix() and show_map_vma()), for
 * the tests of the maps parser: hex fields of at least eight digits, the
 * name padded to column 73, a newline in it escaped as "\012".
 */
#ifndef FS_TEST_MAPS_LINE_H
#define FS_TEST_MAPS_LINE_H

#include <stdio.h>
#include <string.h>

/* Appends the line to out (NUL-terminated, size bytes in all); name may be
 * NULL (an anonymous mapping).  Returns 0, or -1 (out unchanged) when it
 * does not fit. */
static inline int maps_line(char *out, size_t size, unsigned long long start,
			    unsigned long long end, const char *perm,
			    unsigned long long off, unsigned maj, unsigned min,
			    unsigned long long ino, const char *name, size_t name_len)
{
	size_t line = strlen(out), len = line;
	int n = snprintf(out + len, size - len, "%08llx-%08llx %.4s %08llx %02x:%02x %llu ",
			 start, end, perm, off, maj, min, ino);

	if (n < 0 || (size_t)n >= size - len)
		goto full;
	len += (size_t)n;
	if (name) {
		while (len - line < 72 && len + 1 < size)
			out[len++] = ' ';
		if (len + 1 >= size)
			goto full;
		out[len++] = ' ';
		for (size_t i = 0; i < name_len; i++) {
			const char *s = name[i] == '\n' ? "\\012" : NULL;
			size_t k = s ? 4 : 1;

			if (len + k + 1 >= size)
				goto full;
			memcpy(out + len, s ? s : &name[i], k);
			len += k;
		}
	}
	if (len + 2 > size)
		goto full;
	out[len++] = '\n';
	out[len] = '\0';
	return 0;
full:
	out[line] = '\0';
	return -1;
}

#endif
