/* test_maps.c - the /proc/PID/maps line parser and path unescaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include "os/linux/linux.h"

static int parse(const char *line, fs_maps_line *ml)
{
	return fs_maps_parse(line, strlen(line), NULL, ml);
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

/* The next region of the same file is answered from the previous line;
 * anything that differs after the offset is parsed afresh. */
static void test_same_file_as_previous_line(void **state)
{
	const char *a = "7f89-7f8a r--p 00000000 fe:00 10952821                   /usr/lib/libz.so.1";
	const char *b = "7f8a-7f8c r-xp 00003000 fe:00 10952821                   /usr/lib/libz.so.1";
	const char *c = "7f8c-7f8d r--p 00005000 fe:00 10952822                   /usr/lib/libz.so.1";
	const char *d = "7f8d-7f8e rw-p 00000000 00:00 0 ";
	fs_maps_line prev, ml;
	(void)state;
	assert_int_equal(fs_maps_parse(a, strlen(a), NULL, &prev), 1);
	assert_int_equal(fs_maps_parse(b, strlen(b), &prev, &ml), 1);
	assert_true(ml.id.ino == 10952821 && ml.id.dev == makedev(0xfe, 0));
	assert_memory_equal(ml.range, "7f8a-7f8c", ml.range_len);
	assert_memory_equal(ml.path, "/usr/lib/libz.so.1", ml.path_len);
	assert_int_equal(fs_maps_parse(c, strlen(c), &prev, &ml), 1);
	assert_true(ml.id.ino == 10952822);
	assert_int_equal(fs_maps_parse(d, strlen(d), &prev, &ml), 0);
	/* parsed in full, a bad offset or range is refused */
	assert_int_equal(fs_maps_parse("7f8a-7f8c r-xp 0000z000 fe:00 10952821                   /usr/lib/libz.so.1",
				       strlen(b), NULL, &ml), -1);
	assert_int_equal(fs_maps_parse("7f8a+7f8c r-xp 00000000 fe:00 10952821                   /usr/lib/libz.so.1",
				       strlen(b), NULL, &ml), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_library_line),
		cmocka_unit_test(test_same_file_as_previous_line),
		cmocka_unit_test(test_device_numbers_use_makedev),
		cmocka_unit_test(test_not_files),
		cmocka_unit_test(test_deleted_suffix),
		cmocka_unit_test(test_spaces_and_newlines),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
