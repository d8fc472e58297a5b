/*
 * maps_linux.c - parser for lines of /proc/PID/maps:
 *
 *   START-END PERM OFFSET MAJ:MIN INODE<spaces>PATH[ (deleted)]
 *
 * The identity comes from MAJ:MIN and INODE on the line itself, never from
 * stat() of PATH: the path may already name another file.
 */
#define _GNU_SOURCE
#include "linux.h"

#include <stdint.h>
#include <string.h>
#include <sys/sysmacros.h>

static const char DELETED[] = " (deleted)";
/* x86-64's vsyscall page: the kernel lists this "gate" area after every
 * other mapping of a process, at an address no mapping of a file can have */
static const char GATE[] = "ffffffffff600000-ffffffffff601000 ";

/* A hex digit's value plus one, 0 for other bytes: a table, as this runs
 * for every line. */
static const unsigned char HEX1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/*
 * Reads hex digits at p up to stop; returns the position after stop, or
 * NULL when there are none, a non-digit, or more than max of them.
 */
static inline const char *hex_field(const char *p, const char *end, char stop,
				    size_t max, unsigned long long *val)
{
	const char *start = p;
	unsigned long long v = 0;
	unsigned d;

	while (p < end && (d = HEX1[(unsigned char)*p]) != 0) {
		v = v << 4 | (d - 1);
		p++;
	}
	if (p == start || p == end || *p != stop || (size_t)(p - start) > max)
		return NULL;
	*val = v;
	return p + 1;
}

/* "MAJ:MIN INODE<spaces>PATH[ (deleted)]" from p to end: the part of a
 * line after OFFSET.  Returns as fs_maps_parse(). */
static int parse_tail(const char *p, const char *end, fs_maps_line *out)
{
	const char *digits;
	unsigned long long maj, min, ino = 0;

	out->tail = p;
	out->tail_len = (size_t)(end - p);
	/* MAJ:MIN (at most 12 and 20 bits) */
	if (!(p = hex_field(p, end, ':', 3, &maj)) ||
	    !(p = hex_field(p, end, ' ', 5, &min)) || maj > 0xfff || min > 0xfffff)
		return -1;
	/* INODE: 19 digits cannot overflow; 20 may, more do */
	digits = p;
	while (p < end && (unsigned)(*p - '0') < 10 && p - digits < 19)
		ino = ino * 10 + (unsigned)(*p++ - '0');
	if (p < end && (unsigned)(*p - '0') < 10) {
		unsigned dgt = (unsigned)(*p++ - '0');

		if (ino > (~0ull - dgt) / 10)
			return -1;
		ino = ino * 10 + dgt;
	}
	if (p == digits || (p < end && *p != ' '))
		return -1;
	/* anonymous memory is 00:00 0; a file may have inode 0 on another
	 * device (SysV shared memory segment 0 is 00:01 0) */
	if (ino == 0 && maj == 0 && min == 0)
		return 0;
	/* the kernel pads the path to a column: skip eight spaces at a time */
	for (uint64_t word; end - p >= 8; p += 8) {
		memcpy(&word, p, 8);
		if (word != 0x2020202020202020ull)
			break;
	}
	while (p < end && *p == ' ')
		p++;
	if (p == end || *p != '/')
		return 0;
	out->id.dev = (unsigned long long)makedev((unsigned)maj, (unsigned)min);
	out->id.ino = ino;
	out->path = p;
	out->path_len = (size_t)(end - p);
	out->deleted = fs_name_deleted(out->path, &out->path_len);
	return 1;
}

int fs_name_deleted(const char *name, size_t *len)
{
	const size_t dl = sizeof DELETED - 1;

	if (*len <= dl || memcmp(name + *len - dl, DELETED, dl) != 0)
		return 0;
	*len -= dl;
	return 1;
}

int fs_maps_parse(const char *line, size_t len, fs_maps_line *out)
{
	const char *end = line + len, *sp, *off;
	unsigned long long skip;

	/* START-END PERM OFFSET: found by their spaces first, checked below */
	sp = memchr(line, ' ', len);
	if (!sp || end - sp < 7 || sp[5] != ' ' ||
	    !(off = memchr(sp + 6, ' ', (size_t)(end - sp - 6))))
		return -1;
	out->range = line;
	out->range_len = (size_t)(sp - line);
	if (!memchr(line, '-', out->range_len) ||
	    hex_field(sp + 6, end, ' ', 16, &skip) != off + 1)
		return -1;
	return parse_tail(off + 1, end, out);
}

void fs_maps_feed(fs_maps_cursor *c, const char *buf, size_t len)
{
	c->p = buf;
	c->end = buf + len;
	c->tail = NULL; /* the last file line is not in this buffer */
}

/*
 * Does the line at p (avail bytes on) have its first three fields where
 * the last file line had them?  Cheap because of what the kernel writes:
 * lines go up in address order and START, END (%08lx) and OFFSET (%08llx)
 * never print fewer digits than they need, so this line's START-END is no
 * shorter than the last one's; a space where the last one had its first
 * space means it has the same length, PERM is four characters, and a
 * space where the last offset ended (with no space before it, when that
 * offset was longer than the minimum eight digits) is this line's third.
 * The text after it is then what fs_maps_parse() would parse.
 */
static inline int same_fields(const fs_maps_cursor *c, const char *p, size_t avail)
{
	size_t r = c->range_len, t = c->tail_off, width = t - 1 - (r + 6);

	if (avail <= t || p[r] != ' ' || p[r + 5] != ' ' || p[t - 1] != ' ')
		return 0;
	return width == 8 || !memchr(p + r + 6, ' ', width);
}

/* A line of the last file line's fields whose text after them is the
 * last one's too (up to a newline just where that line's was): the next
 * region of the same file. */
static int same_file(const fs_maps_cursor *c, const char *p, size_t avail)
{
	size_t t = c->tail_off;

	return avail > t + c->tail_len && p[t + c->tail_len] == '\n' &&
	       same_fields(c, p, avail) && memcmp(p + t, c->tail, c->tail_len) == 0;
}

int fs_maps_next(fs_maps_cursor *c, fs_maps_line *out)
{
	while (c->p < c->end) {
		const char *p = c->p, *nl;
		int r;

		if (c->tail && same_file(c, p, (size_t)(c->end - p))) {
			c->p = p + c->tail_off + c->tail_len + 1;
			continue;
		}
		nl = memchr(p, '\n', (size_t)(c->end - p));
		if (!nl)
			return 0;
		c->p = nl + 1;
		if (c->tail && same_fields(c, p, (size_t)(nl - p))) {
			/* another file (or none) in the same columns: its tail only */
			out->range = p;
			out->range_len = c->range_len;
			r = parse_tail(p + c->tail_off, nl, out);
		} else {
			r = fs_maps_parse(p, (size_t)(nl - p), out);
		}
		if (r != 1)
			continue;
		c->tail = out->tail;
		c->tail_len = out->tail_len;
		c->tail_off = (size_t)(out->tail - p);
		c->range_len = out->range_len;
		if (out->id.ino == c->last.ino && out->id.dev == c->last.dev)
			continue;
		c->last = out->id;
		return 1;
	}
	return 0;
}

int fs_maps_at_gate(const char *text, size_t len)
{
	const char *last;

	if (len < sizeof GATE || text[len - 1] != '\n')
		return 0;
	last = memrchr(text, '\n', len - 1);
	last = last ? last + 1 : text;
	return (size_t)(text + len - last) > sizeof GATE - 1 &&
	       memcmp(last, GATE, sizeof GATE - 1) == 0;
}

size_t fs_maps_unescape(const char *src, size_t len, char *dst)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (src[i] == '\\' && len - i >= 4 && memcmp(src + i, "\\012", 4) == 0) {
			dst[o++] = '\n';
			i += 3;
		} else {
			dst[o++] = src[i];
		}
	}
	dst[o] = '\0';
	return o;
}

/* Does name (len bytes) print as text in /proc/PID/maps, where the kernel
 * writes a newline as "\012" and every other byte as it is? */
int fs_maps_prints_as(const char *name, size_t len, const char *text, size_t text_len)
{
	size_t t = 0;

	for (size_t i = 0; i < len; i++) {
		if (name[i] == '\n') {
			if (text_len - t < 4 || memcmp(text + t, "\\012", 4) != 0)
				return 0;
			t += 4;
		} else if (t == text_len || text[t++] != name[i]) {
			return 0;
		}
	}
	return t == text_len;
}
