/* text.c - writing paths for people: control bytes shown as \ooo. */
#include "internal.h"

void fs_text_write(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;

	for (;; p++) {
		if (*p >= 0x20 && *p != 0x7f)
			continue;
		fwrite(run, 1, (size_t)(p - run), f);
		if (*p == '\0')
			return;
		fprintf(f, "\\%03o", *p);
		run = p + 1;
	}
}
