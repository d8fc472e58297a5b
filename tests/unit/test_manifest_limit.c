/* test_manifest_limit.c - the store never writes a manifest its own parser
 * refuses (review, session 6).  A user who maps many of a transaction's
 * files from a few dozen processes (65 530 mappings each) gives guard
 * millions of "proc" lines: a manifest over 64 MiB was written, every later
 * retire reported it "unreadable, left alone" and the snapshot stayed for
 * good.  Now saving it fails, so guard removes its unfinished snapshot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store.h"

static char dir[] = "/tmp/forksafe-manifest-XXXXXX";
static char store[64];

/* A manifest of one entry with nprocs processes (each line 37 bytes). */
static void one_entry(fs_manifest *m, fs_manifest_entry *e, size_t nprocs)
{
	*m = (fs_manifest){ .root = "/", .created = 1 };
	*e = (fs_manifest_entry){ .path = "usr/lib/libx.so", .id = { 1, 2 }, .nprocs = nprocs,
				  .procs = calloc(nprocs + 1, sizeof *e->procs) };
	assert_non_null(e->procs);
	for (size_t i = 0; i < nprocs; i++)
		e->procs[i] = (fs_pidstart){ .pid = 2147483647, .start_time = UINT64_MAX };
	m->v = e;
	m->n = 1;
}

static void test_saved_manifests_can_be_read(void **state)
{
	fs_manifest m, back;
	fs_manifest_entry e;
	fs_store *s;
	fs_err err;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(store, sizeof store, "%s/store", dir);
	s = fs_store_open_path(store, 1, NULL, &err);
	assert_non_null(s);
	assert_int_equal(fs_snap_create(s, "snap-1-1-1", &err), 0);

	one_entry(&m, &e, 3);
	assert_int_equal(fs_store_save(s, "snap-1-1-1", &m, &err), 0);
	assert_int_equal(fs_store_load(s, "snap-1-1-1", &back, &err), 0);
	assert_int_equal(back.n, 1);
	fs_manifest_free(&back);
	free(e.procs);

	one_entry(&m, &e, (64u << 20) / 37 + 1); /* just over 64 MiB */
	assert_int_equal(fs_store_save(s, "snap-1-1-1", &m, &err), -1);
	assert_non_null(strstr(err.msg, "larger than"));
	free(e.procs);
	/* the manifest saved before is still the one there */
	assert_int_equal(fs_store_load(s, "snap-1-1-1", &back, &err), 0);
	assert_int_equal(back.v[0].nprocs, 3);
	fs_manifest_free(&back);

	assert_int_equal(fs_store_remove(s, "snap-1-1-1", &err), 0);
	fs_store_close(s);
	assert_int_equal(rmdir(store), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_saved_manifests_can_be_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
