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
	char problems[8][128];
	int n;
	int fail_at;
};

static int collect(void *ctx, const char *line, const char *problem, fs_err *err)
{
	struct seen *s = ctx;

	if (s->n == s->fail_at) {
		snprintf(err->msg, sizeof err->msg, "stop");
		return -1;
	}
	if (s->n < 8) {
		strcpy(s->lines[s->n], line);
		snprintf(s->problems[s->n], sizeof s->problems[s->n], "%s", problem ? problem : "");
	}
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

/* A line with a NUL byte is handed over as bad (its text up to the NUL);
 * the lines around it are not lost. */
static void test_nul_skipped(void **state)
{
	const char in[] = "ok\nbad\0line\nnext";
	struct seen s = { .fail_at = -1 };
	fs_err err;
	(void)state;
	assert_int_equal(fs_lines_split(in, sizeof in - 1, collect, &s, &err), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.lines[0], "ok");
	assert_string_equal(s.problems[0], "");
	assert_string_equal(s.lines[1], "bad");
	assert_non_null(strstr(s.problems[1], "line 2"));
	assert_non_null(strstr(s.problems[1], "NUL"));
	assert_string_equal(s.lines[2], "next");
	assert_string_equal(s.problems[2], "");
}

/* FS_LINE_MAX bytes pass; one more makes a bad line, shown by its first
 * FS_LINE_SHOW bytes; the next line is read as usual. */
static void test_length_limit(void **state)
{
	char *in = malloc(FS_LINE_MAX + 8);
	struct seen s = { .fail_at = -1 };
	fs_err err;
	(void)state;
	memset(in, 'a', FS_LINE_MAX + 1);
	in[FS_LINE_MAX] = '\n';
	assert_int_equal(fs_lines_split(in, FS_LINE_MAX + 1, collect, &s, &err), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(strlen(s.lines[0]), FS_LINE_MAX);
	s.n = 0;
	memset(in, 'a', FS_LINE_MAX + 1);
	memcpy(in + FS_LINE_MAX + 1, "\nb\n", 3);
	assert_int_equal(fs_lines_split(in, FS_LINE_MAX + 4, collect, &s, &err), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(strlen(s.lines[0]), FS_LINE_SHOW);
	assert_non_null(strstr(s.problems[0], "longer than"));
	assert_string_equal(s.lines[1], "b");
	assert_string_equal(s.problems[1], "");
	free(in);
}

/* Fed a byte at a time, the stream gives the same lines as in one piece. */
static void test_stream(void **state)
{
	const char in[] = "usr/lib/a\n\nx\0y\nlast";
	struct seen s = { .fail_at = -1 };
	fs_lines l;
	fs_err err;
	(void)state;
	fs_lines_init(&l);
	for (size_t i = 0; i < sizeof in - 1; i++)
		assert_int_equal(fs_lines_feed(&l, in + i, 1, collect, &s, &err), 0);
	assert_int_equal(fs_lines_end(&l, collect, &s, &err), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.lines[0], "usr/lib/a");
	assert_string_equal(s.lines[1], "x");
	assert_non_null(strstr(s.problems[1], "line 3"));
	assert_string_equal(s.lines[2], "last");
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
		cmocka_unit_test(test_nul_skipped),
		cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_callback_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
