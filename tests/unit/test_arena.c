/* test_arena.c - the arena: small and large allocations, huge-page chunks,
 * merging, freeing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "core/os.h"

/* Many small allocations (well past the first chunk, into huge-page ones)
 * and some larger than a huge page: aligned, apart, and kept intact. */
static void test_many_and_large(void **state)
{
	enum { N = 40000 };
	static unsigned char *p[N];
	static size_t len[N];
	fs_arena a = { 0 };
	(void)state;
	for (size_t i = 0; i < N; i++) {
		len[i] = i % 1000 == 999 ? FS_OS_HUGE + i : 1 + i % 97;
		p[i] = fs_arena_alloc(&a, len[i]);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % _Alignof(max_align_t), 0);
		memset(p[i], (int)(i & 0xff), len[i]);
	}
	for (size_t i = 0; i < N; i++)
		for (size_t k = 0; k < len[i]; k += 1 + len[i] / 8)
			assert_int_equal(p[i][k], i & 0xff);
	assert_true(a.size >= N / 1000 * FS_OS_HUGE);
	fs_arena_free(&a);
	assert_null(a.head);
	assert_int_equal(a.size, 0);
}

static void test_merge(void **state)
{
	fs_arena a = { 0 }, b = { 0 };
	char *s, *t;
	(void)state;
	s = fs_arena_strdup(&a, "kept");
	for (int i = 0; i < 5000; i++)
		assert_non_null(fs_arena_alloc(&b, 100));
	t = fs_arena_strndup(&b, "also kept, not this", 10);
	fs_arena_merge(&a, &b);
	assert_null(b.head);
	assert_int_equal(b.size, 0);
	assert_string_equal(s, "kept");
	assert_string_equal(t, "also kept,");
	assert_true(a.size >= 5000 * 100);
	fs_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_and_large),
		cmocka_unit_test(test_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
