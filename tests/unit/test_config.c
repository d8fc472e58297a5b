/* test_config.c - /etc/forksafe.conf: defaults, values, comments, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	};
	int fd = mkstemp(path), rc;

	if (fd < 0)
		return 1;
	close(fd);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	return rc;
}
