/*
 * fuzz_maps.c - libFuzzer target for the /proc/PID/maps reader.
 *
 * The input is read twice.  As raw text, fed to the cursor in pieces: it
 * must not crash or read outside the buffer (ASan).  And as a recipe for
 * text the kernel could write (addresses going up, fields of the kernel's
 * widths, names of any bytes, "\012" for a newline, files mapped in runs
 * of regions): there the cursor, which answers most lines from the line
 * before, must yield exactly what parsing every line on its own yields.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/maps_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TEXT_MAX (64 * 1024)

struct seen {
	fs_id id;
	int deleted;
	size_t path_len;
	char path[512];
};

struct bytes {
	const uint8_t *p;
	size_t left;
};

static unsigned take(struct bytes *b)
{
	if (b->left == 0)
		return 0;
	b->left--;
	return *b->p++;
}

struct record {
	struct seen *out;
	size_t n;
};

static void record(void *ctx, const fs_maps_line *ml)
{
	struct record *r = ctx;
	struct seen *s = &r->out[r->n++];

	s->id = ml->id;
	s->deleted = ml->deleted;
	s->path_len = ml->path_len < sizeof s->path ? ml->path_len : sizeof s->path;
	memcpy(s->path, ml->path, s->path_len);
}

/* Every line parsed on its own; runs of one identity yield once. */
static size_t reference(const char *text, size_t len, struct seen *out)
{
	const char *p = text, *end = text + len;
	fs_id last = { 0, 0 };
	struct record r = { out, 0 };

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		fs_maps_line ml;

		if (!nl)
			break;
		if (fs_maps_parse(p, (size_t)(nl - p), &ml) == 1 &&
		    !(ml.id.dev == last.dev && ml.id.ino == last.ino)) {
			last = ml.id;
			record(&r, &ml);
		}
		p = nl + 1;
	}
	return r.n;
}

/* The cursor over text read in pieces of step bytes, as a reader would. */
static size_t cursor(const char *text, size_t len, size_t step, struct seen *out)
{
	static char buf[TEXT_MAX];
	struct record r = { out, 0 };

	maps_read_steps(text, len, step, buf, record, &r);
	return r.n;
}

/* Kernel-like text from the recipe; returns its length, *gate set when it
 * ends with the gate area's line. */
static size_t kernel_text(struct bytes *b, char *text, int *gate)
{
	unsigned long long addr = 0x1000, off = 0, ino = 0;
	unsigned maj = 0, min = 0;
	char name[300];
	size_t name_len = 0;
	int have_file = 0;

	text[0] = '\0';
	while (b->left > 0) {
		unsigned c = take(b), kind = c & 3;
		unsigned long long start;
		static const char *perms[] = { "r--p", "r-xp", "rw-p", "rw-s" };
		const char *anon = NULL;

		/* up, a little or into more hex digits */
		addr += (c & 4) ? 0x1000ull << (take(b) % 40) : 0x1000ull * (1 + take(b) % 4);
		if (addr >= 0xffffffffff000000ull)
			break;
		start = addr;
		addr += 0x1000ull * (1 + take(b) % 3);
		if (kind == 3 && have_file && (c & 64) && maj < 0x100) {
			/* another file whose line reads like the last one's, one
			 * character on: a longer MAJ after a shorter OFFSET */
			maj |= (1 + take(b) % 15) << 8;
			kind = 2;
		} else if (kind == 3 || (kind == 2 && !have_file)) { /* a new file */
			maj = take(b) % 3 == 0 ? 0x100 + take(b) : take(b) % 4;
			min = take(b);
			ino = take(b) % 8 + 1;
			if (c & 8)
				ino = ino * 1000000007ull + take(b);
			name_len = take(b) % 64;
			for (size_t i = 0; i < name_len; i++)
				name[i] = (char)take(b);
			if (name_len > 0)
				name[0] = '/';
			if (c & 16) {
				memcpy(name + name_len, " (deleted)", 10);
				name_len += 10;
			}
			have_file = 1;
			kind = 2;
		}
		if (kind == 2) { /* a region of the current file */
			off = (c & 32) ? 0x100000000ull * (1 + take(b) % 3) : 0x1000ull * (take(b) % 16);
			if (maps_line(text, TEXT_MAX, start, addr, perms[take(b) % 4], off,
				      maj, min, ino, name, name_len) < 0)
				break;
			continue;
		}
		if (kind == 1)
			anon = take(b) % 2 ? "[heap]" : "[anon:x 00:01 7 /bin/y]";
		if (maps_line(text, TEXT_MAX, start, addr, "rw-p", 0, 0, 0, 0,
			      anon, anon ? strlen(anon) : 0) < 0)
			break;
	}
	*gate = take(b) % 2 &&
		maps_line(text, TEXT_MAX, 0xffffffffff600000ull, 0xffffffffff601000ull, "--xp",
			  0, 0, 0, 0, "[vsyscall]", 10) == 0;
	return strlen(text);
}

static void compare(const char *text, size_t len, size_t step)
{
	static struct seen want[TEXT_MAX / 32], got[TEXT_MAX / 32];
	size_t nw = reference(text, len, want), ng = cursor(text, len, step, got);

	if (nw != ng)
		abort();
	for (size_t i = 0; i < nw; i++)
		if (want[i].id.dev != got[i].id.dev || want[i].id.ino != got[i].id.ino ||
		    want[i].deleted != got[i].deleted || want[i].path_len != got[i].path_len ||
		    memcmp(want[i].path, got[i].path, want[i].path_len) != 0)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[TEXT_MAX];
	struct bytes b = { data, size };
	size_t step, len;
	int gate;

	if (size == 0 || size > TEXT_MAX / 2)
		return 0;
	step = 1 + data[0] % 200;
	/* raw: anything at all */
	{
		static struct seen sink[TEXT_MAX / 32];

		cursor((const char *)data, size, step, sink);
		fs_maps_at_gate((const char *)data, size);
	}
	/* kernel-like: the cursor must agree with the line-by-line parse */
	take(&b);
	len = kernel_text(&b, text, &gate);
	compare(text, len, step);
	compare(text, len, len + 1);
	if (fs_maps_at_gate(text, len) != gate)
		abort();
	return 0;
}
