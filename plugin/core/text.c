/*
 * text.c - the one place text meant for people is made safe for a
 * terminal: every byte that could steer one is shown as \ooo (octal), so a
 * name chosen by someone else can neither move the cursor, retitle the
 * window nor hide a line, and one name always stays on one line.
 * Escaped: C0 controls (0x00-0x1f, newline and tab too), DEL (0x7f), C1
 * controls, both as UTF-8 (U+0080-U+009F: \302\200 ... \302\237) and as
 * raw bytes, and every other byte that is not part of valid UTF-8.
 * Valid UTF-8 otherwise passes as it is.  JSON output is exact instead
 * (json.c); docs/cli.md says the same.
 */
#include "forksafe.h"
#include "json.h"

#include <stdarg.h>
#include <stdlib.h>

/* Bytes of s that pass as they are: 0 when *s must be escaped. */
static size_t safe_len(const unsigned char *s)
{
	size_t n;

	if (*s >= 0x20 && *s < 0x7f)
		return 1;
	n = fs_utf8_len(s);
	if (n < 2 || (s[0] == 0xc2 && s[1] < 0xa0))
		return 0; /* a control, invalid UTF-8, or U+0080..U+009F */
	return n;
}

void fs_text_write(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *run = s;

	while (*s) {
		size_t n = safe_len(s);

		if (n > 0) {
			s += n;
			continue;
		}
		fwrite(run, 1, (size_t)(s - run), f);
		if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] < 0xa0) /* a C1 control: both bytes */
			fprintf(f, "\\%03o", *s++);
		fprintf(f, "\\%03o", *s++);
		run = s;
	}
	fwrite(run, 1, (size_t)(s - run), f);
}

void fs_text_line(FILE *f, const char *fmt, ...)
{
	char small[1024], *buf = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof small && (buf = malloc((size_t)n + 1))) {
		va_start(ap, fmt);
		vsnprintf(buf, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	fs_text_write(f, buf ? buf : small); /* out of memory: the line cut short */
	putc('\n', f);
	if (buf != small)
		free(buf);
}
