/* test_config.c - /etc/forksafe.conf: defaults, values, comments, errors,
 * the hooks' time limit, what is not a regular file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "forksafe.h"

static char path[] = "/tmp/forksafe-config-XXXXXX";

/* Writes text to the test file and loads it: 0 or -1, with c and err. */
static int load(const char *text, fs_config *c, fs_err *err)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return fs_config_load(path, c, err);
}

static void test_missing_file_gives_defaults(void **state)
{
	fs_config c = { .strict = 7 };
	fs_err err;
	(void)state;
	assert_int_equal(fs_config_load("/nonexistent/forksafe.conf", &c, &err), 0);
	assert_int_equal(c.strict, 0);
	assert_int_equal(c.timeout, 60);
}

static void test_values_and_comments(void **state)
{
	fs_config c;
	fs_err err;
	(void)state;
	assert_int_equal(load("# settings\n\n  strict = yes   # really\n", &c, &err), 0);
	assert_int_equal(c.strict, 1);
	assert_int_equal(load("strict=no\n", &c, &err), 0);
	assert_int_equal(c.strict, 0);
	assert_int_equal(load("strict = true", &c, &err), 0); /* no final newline */
	assert_int_equal(c.strict, 1);
	assert_int_equal(load("strict = 0\r\n", &c, &err), 0);
	assert_int_equal(c.strict, 0);
}

static void test_errors(void **state)
{
	char big[2048];
	fs_config c;
	fs_err err;
	(void)state;
	assert_int_equal(load("strict = maybe\n", &c, &err), -1);
	assert_non_null(strstr(err.msg, ":1: strict is yes or no, not 'maybe'"));
	assert_int_equal(load("\nstore = /x\n", &c, &err), -1);
	assert_non_null(strstr(err.msg, ":2: unknown setting 'store'"));
	assert_int_equal(load("strict\n", &c, &err), -1);
	assert_non_null(strstr(err.msg, ":1: expected 'key = value'"));
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(load(big, &c, &err), -1);
	assert_non_null(strstr(err.msg, ":1: line too long"));
	assert_int_equal(c.strict, 0); /* an error leaves the defaults */
	assert_int_equal(load("strict = yes\ntimeout = 5\nbogus = 1\n", &c, &err), -1);
	assert_int_equal(c.strict, 0); /* nothing half-applied */
	assert_int_equal(c.timeout, 60);
}

static void test_timeout(void **state)
{
	static const char *const bad[] = { "0", "3601", "-1", "+5", "1x", "", "1 0",
					   "99999999999999999999", "0x10" };
	char text[128];
	fs_config c;
	fs_err err;
	(void)state;
	assert_int_equal(load("timeout = 1\n", &c, &err), 0);
	assert_int_equal(c.timeout, 1);
	assert_int_equal(load("timeout=3600 # an hour\n", &c, &err), 0);
	assert_int_equal(c.timeout, 3600);
	assert_int_equal(load("timeout = 007\nstrict = yes\n", &c, &err), 0);
	assert_int_equal(c.timeout, 7);
	assert_int_equal(c.strict, 1);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		snprintf(text, sizeof text, "timeout = %s\n", bad[i]);
		assert_int_equal(load(text, &c, &err), -1);
		assert_non_null(strstr(err.msg, ":1: timeout is a number of seconds from 1 to 3600"));
		assert_int_equal(c.timeout, 60);
	}
}

/* Read before the hooks' time limit applies: never blocks, never endless. */
static void test_not_a_regular_file(void **state)
{
	char fifo[64] = "/tmp/forksafe-config-fifo-XXXXXX";
	fs_config c;
	fs_err err;
	FILE *f;
	(void)state;
	assert_non_null(mkdtemp(fifo));
	strcat(fifo, "/conf");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(fs_config_load(fifo, &c, &err), -1); /* no writer: would block */
	assert_non_null(strstr(err.msg, ": not a regular file"));
	assert_int_equal(c.timeout, 60);
	unlink(fifo);
	*strrchr(fifo, '/') = '\0';
	assert_int_equal(fs_config_load(fifo, &c, &err), -1); /* a directory */
	assert_non_null(strstr(err.msg, ": not a regular file"));
	rmdir(fifo);

	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 70 * 1024 / 8; i++)
		fputs("# pad\n\n\n", f);
	fclose(f);
	assert_int_equal(fs_config_load(path, &c, &err), -1);
	assert_non_null(strstr(err.msg, ": longer than 65536 bytes"));
}

/* copy_budget = SIZE (the guard's copy budget, docs/store.md) */
static void test_copy_budget(void **state)
{
	fs_config c;
	fs_err err;
	uint64_t v;
	(void)state;
	assert_int_equal(load("strict = no\n", &c, &err), 0);
	assert_int_equal(c.copy_budget_set, 0);
	assert_int_equal(load("copy_budget = 512M\n", &c, &err), 0);
	assert_int_equal(c.copy_budget_set, 1);
	assert_true(c.copy_budget == 512ull << 20);
	assert_int_equal(load("copy_budget = 0\n", &c, &err), 0);
	assert_true(c.copy_budget_set == 1 && c.copy_budget == 0);
	assert_int_equal(load("copy_budget = lots\n", &c, &err), -1);
	assert_non_null(strstr(err.msg, ":1: copy_budget is a size such as 512M or 2G, not 'lots'"));
	assert_int_equal(fs_parse_size("2GiB", &v), 0);
	assert_true(v == 2ull << 30);
	assert_int_equal(fs_parse_size("7", &v), 0);
	assert_true(v == 7);
	assert_int_equal(fs_parse_size("unlimited", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(fs_parse_size("16384P", &v), -1);
	assert_int_equal(fs_parse_size("16777216T", &v), -1); /* 2^64: too big */
	assert_int_equal(fs_parse_size("16777215T", &v), 0);
	assert_int_equal(fs_parse_size("18446744073709551616", &v), -1);
	assert_int_equal(fs_parse_size("1.5G", &v), -1);
	assert_int_equal(fs_parse_size("-1", &v), -1);
	assert_int_equal(fs_parse_size("", &v), -1);
	assert_int_equal(fs_parse_size("1G ", &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_file_gives_defaults),
		cmocka_unit_test(test_values_and_comments),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_copy_budget),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_not_a_regular_file),
	};
	int fd = mkstemp(path), rc;

	if (fd < 0)
		return 1;
	close(fd);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	return rc;
}
