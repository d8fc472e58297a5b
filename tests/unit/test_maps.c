/* test_maps.c - the /proc/PID/maps line parser and path unescaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include "common/maps_text.h"

static int parse(const char *line, fs_maps_line *ml)
{
	return fs_maps_parse(line, strlen(line), ml);
}

static void test_library_line(void **state)
{
	fs_maps_line ml;
	(void)state;
	assert_int_equal(parse("7f89-7f8a r-xp 00003000 fe:00 10952821                   /usr/lib/libz.so.1", &ml), 1);
	assert_true(ml.id.dev == makedev(0xfe, 0));
	assert_true(ml.id.ino == 10952821);
	assert_int_equal(ml.path_len, strlen("/usr/lib/libz.so.1"));
	assert_memory_equal(ml.path, "/usr/lib/libz.so.1", ml.path_len);
	assert_int_equal(ml.range_len, 9);
	assert_false(ml.deleted);
}

static void test_device_numbers_use_makedev(void **state)
{
	fs_maps_line ml;
	(void)state;
	/* major 0x103, minor 0x1a2b3: maj*256+min would be wrong */
	assert_int_equal(parse("1000-2000 r--p 00000000 103:1a2b3 5 /x", &ml), 1);
	assert_int_equal(major((dev_t)ml.id.dev), 0x103);
	assert_int_equal(minor((dev_t)ml.id.dev), 0x1a2b3);
	assert_true(ml.id.dev != 0x103u * 256 + 0x1a2b3u);
	assert_int_equal(parse("1000-2000 r--p 00000000 00:1f 7 /y", &ml), 1);
	assert_true(ml.id.dev == makedev(0, 0x1f));
	/* SysV shared memory segment 0: inode 0 on a device of its own */
	assert_int_equal(parse("7f00-7f01 rw-s 00000000 00:01 0                          /SYSV00000000 (deleted)", &ml), 1);
	assert_true(ml.id.dev == makedev(0, 1) && ml.id.ino == 0 && ml.deleted);
}

static void test_not_files(void **state)
{
	fs_maps_line ml;
	(void)state;
	assert_int_equal(parse("7ffd-7ffe rw-p 00000000 00:00 0                          [stack]", &ml), 0);
	assert_int_equal(parse("7ffd-7ffe rw-p 00000000 00:00 0", &ml), 0);
	assert_int_equal(parse("7ffd-7ffe rw-p 00000000 00:00 0 ", &ml), 0);
	assert_int_equal(parse("7ffd-7ffe r-xp 00000000 00:00 0                          [vdso]", &ml), 0);
	assert_int_equal(parse("7ffd-7ffe rw-s 00000000 00:0e 1057 anon_inode:[perf_event]", &ml), 0);
}

static void test_deleted_suffix(void **state)
{
	fs_maps_line ml;
	(void)state;
	assert_int_equal(parse("1-2 r-xp 00000000 08:01 42 /tmp/lib x.so (deleted)", &ml), 1);
	assert_true(ml.deleted);
	assert_int_equal(ml.path_len, strlen("/tmp/lib x.so"));
	assert_memory_equal(ml.path, "/tmp/lib x.so", ml.path_len);
}

static void test_spaces_and_newlines(void **state)
{
	fs_maps_line ml;
	char out[64];
	size_t n;
	(void)state;
	assert_int_equal(parse("1-2 r-xp 00000000 08:01 42   /tmp/a  b\\012c.so", &ml), 1);
	n = fs_maps_unescape(ml.path, ml.path_len, out);
	assert_int_equal(n, strlen("/tmp/a  b\nc.so"));
	assert_string_equal(out, "/tmp/a  b\nc.so");
	n = fs_maps_unescape("\\01\\0123\\", 9, out);
	assert_string_equal(out, "\\01\n3\\");
	(void)n;
}

/* A name read apart from the maps text stands for it only if it prints as
 * that text: same bytes, each newline as "\012", nothing more or less. */
static void test_prints_as(void **state)
{
	static const char text[] = "/d/a\\012b";
	const size_t tl = sizeof text - 1;
	(void)state;
	assert_true(fs_maps_prints_as("/d/a\nb", 6, text, tl));
	assert_true(fs_maps_prints_as("/d/a\\012b", 9, text, tl)); /* literal text */
	assert_false(fs_maps_prints_as("/d/a\nbXXXXXXXXXXXXX", 19, text, tl)); /* renamed */
	assert_false(fs_maps_prints_as("/d/a\n", 5, text, tl));
	assert_false(fs_maps_prints_as("/d/a\nb\n", 7, text, tl));
	assert_false(fs_maps_prints_as("/d/a\n", 5, "/d/a\\01", 7)); /* cut escape */
	assert_false(fs_maps_prints_as("/d/a\nc", 6, text, tl));
	assert_false(fs_maps_prints_as("", 0, text, tl));
	assert_true(fs_maps_prints_as("", 0, "", 0));
}

static void test_malformed(void **state)
{
	fs_maps_line ml;
	static const char *bad[] = {
		"",
		"garbage",
		"1-2",
		"1-2 r-xp",
		"1-2 r-xp 00000000",
		"1-2 r-xp 00000000 08:01",
		"1-2 r-xp 00000000 0801 42 /x",
		"1-2 r-xp 00000000 zz:01 42 /x",
		"1-2 r-xp 0000g000 08:01 42 /x",
		"1-2 r-xp 00000000 08:01 4x2 /x",
		"1-2 r-xp 00000000 08:01 99999999999999999999999 /x",
		"1-2 r-xp 00000000 08: 42 /x",
		"12 r-xp 00000000 08:01 42 /x",
		"1-2 rxp 00000000 08:01 42 /x",
		"1-2 r-xp 00000000 10000:01 42 /x",
		"1-2 r-xp 00000000 01:100000 42 /x",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (parse(bad[i], &ml) != -1)
			fail_msg("accepted: '%s'", bad[i]);
	}
}

struct ids {
	char *out;
	size_t size;
};

static void add_id(void *ctx, const fs_maps_line *ml)
{
	struct ids *ids = ctx;
	size_t o = strlen(ids->out);

	snprintf(ids->out + o, ids->size - o, "%s%llx:%llu", o ? " " : "",
		 (unsigned long long)ml->id.dev, (unsigned long long)ml->id.ino);
}

/* The identities the cursor yields over text fed in pieces of at most
 * step bytes, as "dev:ino" words. */
static void cursor_ids(const char *text, size_t step, char *out, size_t outsize)
{
	char buf[4096];
	struct ids ids = { out, outsize };

	out[0] = '\0';
	maps_read_steps(text, strlen(text), step, buf, add_id, &ids);
}

/* Regions of one file are one identity; anything else is parsed afresh. */
static void test_cursor_runs(void **state)
{
	static const char text[] =
		"1000-2000 r--p 00000000 00:01 7                          /bin/x\n"
		"2000-3000 r-xp 00001000 00:01 7                          /bin/x\n"
		"3000-4000 rw-p 00000000 00:00 0 \n"
		"4000-5000 r--p 00002000 00:01 7                          /bin/x\n"
		/* same file by another name (a hard link), then a longer offset */
		"5000-6000 r--p 00000000 00:01 7                          /bin/y\n"
		"6000-7000 r--p 100000000 00:01 7                         /bin/y\n"
		/* a name that holds another line's fields */
		"7000-8000 r--p 00000000 00:01 8   /tmp/a 00000000 00:01 7                          /bin/y\n"
		"8000-9000 r--p 00001000 00:01 8   /tmp/a 00000000 00:01 7                          /bin/y\n"
		"9000-a000 r--p 00000000 00:01 9 /lib/z.so (deleted)\n"
		"a000-b000 r--p 00000000 00:01 7                          /bin/x\n"
		"b000-c000 rw-p 00000000 00:00 0                          [heap]\n"
		"c000-d000 rw-p 00000000 00:00 0                          [heap]\n"
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";
	static const char want[] = "1:7 1:8 1:9 1:7";
	char got[256];
	(void)state;
	for (size_t step = 1; step <= sizeof text; step++) {
		cursor_ids(text, step, got, sizeof got);
		if (strcmp(got, want) != 0)
			fail_msg("fed %zu bytes at a time: '%s'", step, got);
	}
	assert_true(fs_maps_at_gate(text, strlen(text)));
}

/*
 * After a region with a nine-digit offset, a region whose shorter offset
 * and longer MAJ:MIN put its fields off by one: the rest of the line is
 * the same text, yet it is another file.
 */
static void test_cursor_field_shift(void **state)
{
	char text[1024] = "", got[128], want[128];
	(void)state;
	assert_int_equal(maps_line(text, sizeof text, 0x6000, 0x7000, "r--p", 0x100000000ull,
				   0, 1, 7, "/bin/y", 6), 0);
	assert_int_equal(maps_line(text, sizeof text, 0x7000, 0x8000, "r--p", 0,
				   0x100, 1, 7, "/bin/y", 6), 0);
	assert_memory_equal(strchr(text, '\n') - 20, strrchr(text, '\n') - 20, 20);
	cursor_ids(text, sizeof text, got, sizeof got);
	snprintf(want, sizeof want, "1:7 %llx:7", (unsigned long long)makedev(0x100, 1));
	assert_string_equal(got, want);
}

static void test_gate(void **state)
{
	static const char gate[] =
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";
	char two[512];
	(void)state;
	assert_true(fs_maps_at_gate(gate, strlen(gate)));
	assert_false(fs_maps_at_gate(gate, strlen(gate) - 1)); /* no newline yet */
	assert_false(fs_maps_at_gate(gate, 20));
	assert_false(fs_maps_at_gate("", 0));
	snprintf(two, sizeof two, "%s1000-2000 r--p 00000000 00:01 7 /x\n", gate);
	assert_false(fs_maps_at_gate(two, strlen(two)));
	snprintf(two, sizeof two, "1000-2000 r--p 00000000 00:01 7 /x\n%s", gate);
	assert_true(fs_maps_at_gate(two, strlen(two)));
	/* a file whose name ends like the gate's line is not the gate */
	snprintf(two, sizeof two, "1000-2000 r--p 00000000 00:01 7 /x\\012%s", gate);
	assert_false(fs_maps_at_gate(two, strlen(two)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_library_line),
		cmocka_unit_test(test_cursor_runs),
		cmocka_unit_test(test_cursor_field_shift),
		cmocka_unit_test(test_gate),
		cmocka_unit_test(test_device_numbers_use_makedev),
		cmocka_unit_test(test_not_files),
		cmocka_unit_test(test_deleted_suffix),
		cmocka_unit_test(test_spaces_and_newlines),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_prints_as),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
