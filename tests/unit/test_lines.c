/* test_lines.c - the NeedsTargets line reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "forksafe.h"

struct seen {
	char lines[8][FS_LINE_MAX + 1];
	int n;
	int fail_at;
};

static int collect(void *ctx, const char *line, fs_err *err)
{
	struct seen *s = ctx;

	if (s->n == s->fail_at) {
		snprintf(err->msg, sizeof err->msg, "stop");
		return -1;
	}
	if (s->n < 8)
		strcpy(s->lines[s->n], line);
	s->n++;
	return 0;
}

static void test_split(void **state)
{
	const char in[] = "usr/bin/a\n\nusr/lib/b c\nlast";
	struct seen s = { .fail_at = -1 };
	fs_err err;
	(void)state;
	assert_int_equal(fs_lines_split(in, sizeof in - 1, collect, &s, &err), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.lines[0], "usr/bin/a");
	assert_string_equal(s.lines[1], "usr/lib/b c");
	assert_string_equal(s.lines[2], "last");
	s.n = 0;
	assert_int_equal(fs_lines_split("", 0, collect, &s, &err), 0);
	assert_int_equal(s.n, 0);
}

static void test_nul_rejected(void **state)
{
	const char in[] = "ok\nbad\0line\n";
	struct seen s = { .fail_at = -1 };
	fs_err err;
	(void)state;
	assert_int_equal(fs_lines_split(in, sizeof in - 1, collect, &s, &err), -1);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_non_null(strstr(err.msg, "NUL"));
}

static void test_length_limit(void **state)
{
	char *in = malloc(FS_LINE_MAX + 2);
	struct seen s = { .fail_at = -1 };
	fs_err err;
	(void)state;
	memset(in, 'a', FS_LINE_MAX + 1);
	in[FS_LINE_MAX] = '\n';
	assert_int_equal(fs_lines_split(in, FS_LINE_MAX + 1, collect, &s, &err), 0);
	assert_int_equal(s.n, 1);
	memset(in, 'a', FS_LINE_MAX + 2);
	assert_int_equal(fs_lines_split(in, FS_LINE_MAX + 2, collect, &s, &err), -1);
	assert_non_null(strstr(err.msg, "longer than"));
	free(in);
}

static void test_callback_error(void **state)
{
	struct seen s = { .fail_at = 1 };
	fs_err err;
	(void)state;
	assert_int_equal(fs_lines_split("a\nb\nc\n", 6, collect, &s, &err), -1);
	assert_string_equal(err.msg, "stop");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_nul_rejected),
		cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_callback_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
