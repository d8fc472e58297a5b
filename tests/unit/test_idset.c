/* test_idset.c - identity hash set: indexes, growth, clearing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "forksafe.h"

#define N 20000

static fs_id id_of(size_t i)
{
	/* many identities share a device or an inode number */
	return (fs_id){ .dev = i % 7, .ino = i / 3 };
}

static void test_add_find(void **state)
{
	fs_idset *s = fs_idset_new(4);
	int added;
	(void)state;
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(fs_idset_add(s, id_of(i), &added), (long)i);
		assert_true(added);
	}
	assert_int_equal(fs_idset_count(s), N);
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(fs_idset_find(s, id_of(i)), (long)i);
		assert_int_equal(fs_idset_add(s, id_of(i), &added), (long)i);
		assert_false(added);
	}
	assert_int_equal(fs_idset_find(s, (fs_id){ 99, 99 }), -1);
	fs_idset_free(s);
}

static void test_clear_reuse(void **state)
{
	fs_idset *s = fs_idset_new(64);
	int added;
	(void)state;
	for (int round = 0; round < 50; round++) {
		size_t n = 10 + (size_t)round * 3;

		for (size_t i = 0; i < n; i++)
			assert_int_equal(fs_idset_add(s, id_of(i + (size_t)round), &added), (long)i);
		fs_idset_clear(s);
		assert_int_equal(fs_idset_count(s), 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(fs_idset_find(s, id_of(i + (size_t)round)), -1);
	}
	fs_idset_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_find),
		cmocka_unit_test(test_clear_reuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
