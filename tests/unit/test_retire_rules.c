/* test_retire_rules.c - retire's rules (docs/store.md), each by itself,
 * over facts: no store, no processes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/retire_rules.h"
#include "core/store.h"

/* Rule 1: what a crash leaves is a leftover; a snapshot or anything else
 * is not. */
static void test_leftovers(void **state)
{
	(void)state;
	assert_true(fs_store_is_leftover(".tmp-snap-1-2-3"));
	assert_true(fs_store_is_leftover(".dead-snap-1-2-3"));
	assert_true(fs_store_is_leftover(".tmp-protect-12-0"));
	assert_false(fs_store_is_leftover(".tmp-protect-"));
	assert_false(fs_store_is_leftover(".tmp-protect-a/b"));
	assert_false(fs_store_is_leftover(".tmp-other"));
	assert_false(fs_store_is_leftover(".dead-other"));
	assert_false(fs_store_is_leftover("snap-1-2-3"));
	assert_false(fs_store_is_leftover("lock"));
	assert_false(fs_store_is_leftover("pkgdb.solv"));
	assert_true(fs_store_is_snapshot("snap-1-2-3"));
	assert_false(fs_store_is_snapshot("snap-"));
	assert_false(fs_store_is_snapshot("snap-1.2"));
	assert_true(fs_store_is_protect_copy(".tmp-protect-1"));
	assert_false(fs_store_is_protect_copy(".tmp-snap-1"));
}

/* Rule 2: a post-transaction run closes open snapshots; others stay as
 * they are. */
static void test_closing(void **state)
{
	(void)state;
	assert_true(fs_retire_closed(0, 0));
	assert_true(fs_retire_closed(0, 1));
	assert_true(fs_retire_closed(1, 1));
	assert_false(fs_retire_closed(1, 0));
}

/* Rule 3: a held snapshot keeps everything, whatever else is true, and
 * its paths are not even looked at. */
static void test_held_keeps_all(void **state)
{
	(void)state;
	for (int bits = 0; bits < 16; bits++) {
		fs_retire_facts f = { .held = 1, .closed = bits & 1, .still_there = bits >> 1 & 1,
				      .mapped = bits >> 2 & 1, .unread_user = bits >> 3 & 1 };

		assert_int_equal(fs_retire_judge(&f), FS_RETIRE_KEEP);
		assert_false(fs_retire_asks_path(&f));
	}
}

/* Rule 4: in a closed snapshot, an entry whose path still has it is
 * redundant, even while mapped; in an open one it is not. */
static void test_redundant(void **state)
{
	fs_retire_facts closed = { .closed = 1, .still_there = 1, .mapped = 1 };
	fs_retire_facts open = { .closed = 0, .still_there = 1, .mapped = 1 };

	(void)state;
	assert_true(fs_retire_asks_path(&closed));
	assert_false(fs_retire_asks_path(&open));
	assert_int_equal(fs_retire_judge(&closed), FS_RETIRE_REDUNDANT);
	assert_int_equal(fs_retire_judge(&open), FS_RETIRE_KEEP);
	closed.mapped = 0;
	assert_int_equal(fs_retire_judge(&closed), FS_RETIRE_REDUNDANT);
}

/* Rule 5: otherwise an entry stays while mapped or while a recorded
 * process cannot be read; else it goes. */
static void test_in_use(void **state)
{
	fs_retire_facts f = { .closed = 1 };

	(void)state;
	assert_int_equal(fs_retire_judge(&f), FS_RETIRE_UNUSED);
	f.mapped = 1;
	assert_int_equal(fs_retire_judge(&f), FS_RETIRE_KEEP);
	f.mapped = 0;
	f.unread_user = 1;
	assert_int_equal(fs_retire_judge(&f), FS_RETIRE_KEEP);
	f = (fs_retire_facts){ .closed = 0 };
	assert_int_equal(fs_retire_judge(&f), FS_RETIRE_UNUSED);
}

/* Rule 5's unread user: the same pid AND start time; a reused pid is
 * another process. */
static void test_unread_user(void **state)
{
	fs_pidstart recorded[] = { { 10, 100 }, { 20, 200 } };
	fs_manifest_entry e = { .nprocs = 2, .procs = recorded };
	fs_pidstart same[] = { { 5, 1 }, { 20, 200 } };
	fs_pidstart reused[] = { { 20, 201 }, { 11, 100 } };

	(void)state;
	assert_true(fs_retire_unread_user(same, 2, &e));
	assert_false(fs_retire_unread_user(reused, 2, &e));
	assert_false(fs_retire_unread_user(same, 0, &e));
	e.nprocs = 0;
	assert_false(fs_retire_unread_user(same, 2, &e));
}

/* Rule 6: a snapshot goes when this run dropped its last entries; one
 * that had none dropped (or keeps some) stays. */
static void test_snapshot_goes(void **state)
{
	(void)state;
	assert_true(fs_retire_snapshot_goes(0, 3));
	assert_false(fs_retire_snapshot_goes(1, 3));
	assert_false(fs_retire_snapshot_goes(0, 0));
	assert_false(fs_retire_snapshot_goes(2, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leftovers),     cmocka_unit_test(test_closing),
		cmocka_unit_test(test_held_keeps_all), cmocka_unit_test(test_redundant),
		cmocka_unit_test(test_in_use),        cmocka_unit_test(test_unread_user),
		cmocka_unit_test(test_snapshot_goes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
