/*
 * maps_linux.c - parser for lines of /proc/PID/maps:
 *
 *   START-END PERM OFFSET MAJ:MIN INODE<spaces>PATH[ (deleted)]
 *
 * The identity comes from MAJ:MIN and INODE on the line itself, never from
 * stat() of PATH: the path may already name another file.
 */
#include "linux.h"

#include <stdint.h>
#include <string.h>
#include <sys/sysmacros.h>

static const char DELETED[] = " (deleted)";

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

/* This runs for every line of every process: one forward pass, no copies. */
int fs_maps_parse(const char *line, size_t len, const fs_maps_line *prev,
		  fs_maps_line *out)
{
	const char *p = line, *end = line + len, *sp, *off;
	unsigned long long maj, min, ino = 0, skip;

	/* START-END PERM OFFSET: found by their spaces first, checked below */
	sp = memchr(p, ' ', len);
	if (!sp || end - sp < 7 || sp[5] != ' ' ||
	    !(off = memchr(sp + 6, ' ', (size_t)(end - sp - 6))))
		return -1;
	out->range = p;
	out->range_len = (size_t)(sp - p);
	/*
	 * The next region of the same library: the same "MAJ:MIN INODE PATH"
	 * after the offset as the last file line (the fields are the kernel's,
	 * so this text starts where prev's did).  The same file, at the cost of
	 * one comparison.
	 */
	if (prev && prev->tail_len == (size_t)(end - off - 1) &&
	    memcmp(prev->tail, off + 1, prev->tail_len) == 0) {
		const char *range = out->range;
		size_t range_len = out->range_len;

		*out = *prev;
		out->range = range;
		out->range_len = range_len;
		return 1;
	}
	if (!memchr(p, '-', out->range_len) ||
	    hex_field(sp + 6, end, ' ', 16, &skip) != off + 1)
		return -1;
	p = off + 1;
	out->tail = p;
	out->tail_len = (size_t)(end - p);
	/* MAJ:MIN (at most 12 and 20 bits) */
	if (!(p = hex_field(p, end, ':', 3, &maj)) ||
	    !(p = hex_field(p, end, ' ', 5, &min)) || maj > 0xfff || min > 0xfffff)
		return -1;
	/* INODE: 19 digits cannot overflow; only a 20th needs a check */
	sp = p;
	while (p < end && (unsigned)(*p - '0') < 10) {
		unsigned dgt = (unsigned)(*p - '0');

		if (p - sp >= 19 && (p - sp > 19 || ino > (~0ull - dgt) / 10))
			return -1;
		ino = ino * 10 + dgt;
		p++;
	}
	if (p == sp || (p < end && *p != ' '))
		return -1;
	if (ino == 0)
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
	out->deleted = 0;
	if (end[-1] == ')' && out->path_len > sizeof DELETED - 1 &&
	    memcmp(end - (sizeof DELETED - 1), DELETED, sizeof DELETED - 1) == 0) {
		out->path_len -= sizeof DELETED - 1;
		out->deleted = 1;
	}
	return 1;
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
