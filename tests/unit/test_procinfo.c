/* test_procinfo.c - parsers for /proc/PID/stat and /proc/PID/status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "os/linux/linux.h"

static void test_stat_plain(void **state)
{
	const char *s = "1234 (bash) S 1 1234 1234 34816 1234 4194560 1000 0 0 0 "
			"5 3 0 0 20 0 1 0 987654 123 45 18446744073709551615\n";
	char comm[64];
	unsigned long long start = 0;
	(void)state;
	assert_int_equal(fs_proc_parse_stat(s, strlen(s), comm, sizeof comm, &start), 0);
	assert_string_equal(comm, "bash");
	assert_true(start == 987654);
}

static void test_stat_hostile_comm(void **state)
{
	const char *s = "77 (a) (b) c) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 424242 1\n";
	char comm[64], small[4];
	unsigned long long start = 0;
	(void)state;
	assert_int_equal(fs_proc_parse_stat(s, strlen(s), comm, sizeof comm, &start), 0);
	assert_string_equal(comm, "a) (b) c");
	assert_true(start == 424242);
	assert_int_equal(fs_proc_parse_stat(s, strlen(s), small, sizeof small, &start), 0);
	assert_string_equal(small, "a) ");
}

static void test_stat_bad(void **state)
{
	char comm[16];
	unsigned long long start;
	(void)state;
	assert_int_equal(fs_proc_parse_stat("", 0, comm, sizeof comm, &start), -1);
	assert_int_equal(fs_proc_parse_stat("1 (x) S 1 2", 11, comm, sizeof comm, &start), -1);
	assert_int_equal(fs_proc_parse_stat("1 x) S", 6, comm, sizeof comm, &start), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_plain),
		cmocka_unit_test(test_stat_hostile_comm),
		cmocka_unit_test(test_stat_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
