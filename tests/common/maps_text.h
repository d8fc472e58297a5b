/*
 * maps_text.h - maps text for the tests of the maps parser: a line written
 * the way the kernel does (fs/proc/task_mmu.c: show_vma_header_prefix()
 * and show_map_vma(): hex fields of at least eight digits, the name padded
 * to column 73, a newline in it escaped as "\012"), and the cursor run
 * over a text read a few bytes at a time.
 */
#ifndef FS_TEST_MAPS_TEXT_H
#define FS_TEST_MAPS_TEXT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os/linux/linux.h"

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

typedef void maps_line_fn(void *ctx, const fs_maps_line *ml);

/* The cursor over text read into buf (len bytes of room) step bytes at a
 * time, the incomplete rest kept as a reader keeps it: fn for each line
 * it yields. */
static inline void maps_read_steps(const char *text, size_t len, size_t step,
				   char *buf, maps_line_fn *fn, void *ctx)
{
	fs_maps_cursor c;
	fs_maps_line ml;
	size_t have = 0, pos = 0;

	memset(&c, 0, sizeof c);
	while (pos < len) {
		size_t k = len - pos < step ? len - pos : step;

		memcpy(buf + have, text + pos, k);
		pos += k;
		have += k;
		fs_maps_feed(&c, buf, have);
		while (fs_maps_next(&c, &ml))
			fn(ctx, &ml);
		if (c.p < buf || c.p > buf + have)
			abort();
		have -= (size_t)(c.p - buf);
		memmove(buf, c.p, have);
	}
}

#endif
