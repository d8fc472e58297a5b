/* text.c - writing paths for people: control bytes shown as \ooo. */
#include "internal.h"

void fs_text_write(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\%03o", *p);
		else
			putc(*p, f);
	}
}
