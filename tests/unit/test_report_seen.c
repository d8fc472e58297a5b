/* test_report_seen.c - report's table of what each view holds at a path
 * (report_seen.c): each (view, path) kept apart, kept through growth, and
 * views told apart by mount namespace, root path and root identity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "core/report_seen.h"

static fs_seen seen(uint64_t ino)
{
	return (fs_seen){ .ok = 1, .exists = 1, .id = { .dev = 8, .ino = ino } };
}

static void test_views_of_a_path_apart(void **state)
{
	fs_seen_map *m = fs_seen_map_new();
	fs_seen a = seen(1), b = seen(2), none = { 0 };
	const fs_seen *got;

	(void)state;
	assert_non_null(m);
	assert_null(fs_seen_find(m, 0, "/usr/lib/libc.so.6"));
	assert_int_equal(fs_seen_put(m, 0, "/usr/lib/libc.so.6", &a), 0);
	assert_int_equal(fs_seen_put(m, 1, "/usr/lib/libc.so.6", &b), 0);
	assert_int_equal(fs_seen_put(m, 0, "/gone", &none), 0);
	assert_non_null(got = fs_seen_find(m, 0, "/usr/lib/libc.so.6"));
	assert_int_equal(got->id.ino, 1);
	assert_non_null(got = fs_seen_find(m, 1, "/usr/lib/libc.so.6"));
	assert_int_equal(got->id.ino, 2);
	assert_null(fs_seen_find(m, 2, "/usr/lib/libc.so.6"));
	assert_null(fs_seen_find(m, 0, "/usr/lib/libc.so"));
	assert_non_null(got = fs_seen_find(m, 0, "/gone"));
	assert_false(got->ok); /* a failure is kept as one */
	/* put again: replaced, not added twice */
	assert_int_equal(fs_seen_put(m, 0, "/usr/lib/libc.so.6", &b), 0);
	assert_int_equal(fs_seen_find(m, 0, "/usr/lib/libc.so.6")->id.ino, 2);
	fs_seen_map_free(m);
}

static void test_kept_through_growth(void **state)
{
	fs_seen_map *m = fs_seen_map_new();
	char path[64];

	(void)state;
	assert_non_null(m);
	for (uint64_t i = 0; i < 20000; i++) {
		fs_seen s = seen(i);

		snprintf(path, sizeof path, "/usr/lib/lib%llu.so", (unsigned long long)i);
		assert_int_equal(fs_seen_put(m, i % 3, path, &s), 0);
	}
	for (uint64_t i = 0; i < 20000; i++) {
		const fs_seen *got;

		snprintf(path, sizeof path, "/usr/lib/lib%llu.so", (unsigned long long)i);
		assert_non_null(got = fs_seen_find(m, i % 3, path));
		assert_int_equal(got->id.ino, i);
		assert_null(fs_seen_find(m, i % 3 + 1, path));
	}
	fs_seen_map_free(m);
}

static void test_views_told_apart(void **state)
{
	fs_seen_map *m = fs_seen_map_new();
	fs_id root = { .dev = 8, .ino = 2 }, other = { .dev = 8, .ino = 3 };
	size_t a, b;

	(void)state;
	assert_non_null(m);
	a = fs_seen_view(m, "mnt:[1]", "/", root);
	assert_int_not_equal(a, 0); /* 0 is the root's */
	assert_int_equal(fs_seen_view(m, "mnt:[1]", "/", root), a);
	b = fs_seen_view(m, "mnt:[2]", "/", root);
	assert_int_not_equal(b, 0);
	assert_int_not_equal(b, a);
	assert_int_not_equal(fs_seen_view(m, "mnt:[1]", "/srv/c", root), a);
	assert_int_not_equal(fs_seen_view(m, "mnt:[1]", "/", other), a);
	assert_int_equal(fs_seen_view(m, "mnt:[2]", "/", root), b);
	/* a view alone is never another's, nor the root's */
	a = fs_seen_view_alone(m);
	b = fs_seen_view_alone(m);
	assert_int_not_equal(a, 0);
	assert_int_not_equal(a, b);
	assert_int_not_equal(a, fs_seen_view(m, "mnt:[1]", "/", root));
	fs_seen_map_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_views_of_a_path_apart),
		cmocka_unit_test(test_kept_through_growth),
		cmocka_unit_test(test_views_told_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
