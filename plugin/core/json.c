/*
 * json.c - the one JSON writer of forksafe, for every platform.  Streams
 * straight to a FILE; keeps only a comma flag per nesting level.
 */
#include "json.h"

#include <inttypes.h>
#include <string.h>

void fs_json_init(fs_json *j, FILE *f)
{
	memset(j, 0, sizeof *j);
	j->f = f;
}

size_t fs_utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Plain printable ASCII needs no escape: written in runs. */
static int plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void fs_json_write_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	putc('"', f);
	while (*s) {
		const unsigned char *run = s;
		size_t n;

		while (plain(*s))
			s++;
		fwrite(run, 1, (size_t)(s - run), f);
		if (!*s)
			break;
		n = fs_utf8_len(s);
		if (n == 0) {
			fputs("\xef\xbf\xbd", f); /* U+FFFD */
			s++;
			continue;
		}
		if (n > 1) {
			fwrite(s, 1, n, f);
			s += n;
			continue;
		}
		switch (*s) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default: fprintf(f, "\\u%04x", *s); /* other control bytes, DEL */
		}
		s++;
	}
	putc('"', f);
}

static void member(fs_json *j, const char *key)
{
	if (j->depth > 0 && j->depth <= FS_JSON_DEPTH) {
		if (j->has_items[j->depth - 1])
			putc(',', j->f);
		j->has_items[j->depth - 1] = 1;
	}
	if (key) {
		fs_json_write_string(j->f, key);
		putc(':', j->f);
	}
}

static void open_level(fs_json *j, const char *key, char c)
{
	member(j, key);
	putc(c, j->f);
	if (j->depth < FS_JSON_DEPTH)
		j->has_items[j->depth] = 0;
	j->depth++;
}

void fs_json_obj_begin(fs_json *j, const char *key) { open_level(j, key, '{'); }
void fs_json_arr_begin(fs_json *j, const char *key) { open_level(j, key, '['); }

void fs_json_obj_end(fs_json *j)
{
	j->depth--;
	putc('}', j->f);
}

void fs_json_arr_end(fs_json *j)
{
	j->depth--;
	putc(']', j->f);
}

void fs_json_str(fs_json *j, const char *key, const char *val)
{
	member(j, key);
	if (val)
		fs_json_write_string(j->f, val);
	else
		fputs("null", j->f);
}

void fs_json_int(fs_json *j, const char *key, long long val)
{
	member(j, key);
	fprintf(j->f, "%lld", val);
}

void fs_json_uint(fs_json *j, const char *key, unsigned long long val)
{
	member(j, key);
	fprintf(j->f, "%llu", val);
}

void fs_json_bool(fs_json *j, const char *key, int val)
{
	member(j, key);
	fputs(val ? "true" : "false", j->f);
}

void fs_json_null(fs_json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

void fs_json_raw(fs_json *j, const char *key, const char *text, size_t len)
{
	member(j, key);
	fwrite(text, 1, len, j->f);
}

int fs_json_finish(fs_json *j)
{
	putc('\n', j->f);
	return fflush(j->f) == 0 && !ferror(j->f) ? 0 : -1;
}
