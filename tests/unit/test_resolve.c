/* test_resolve.c - targets resolved inside a root, on a real scratch tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/targets.h"

static char root[256];
static struct stat lib_st;

static void sh(const char *fmt, const char *arg)
{
	char cmd[1024];

	snprintf(cmd, sizeof cmd, fmt, arg, arg, arg, arg);
	if (system(cmd) != 0)
		fail_msg("setup failed: %s", cmd);
}

static int setup(void **state)
{
	char path[512];
	(void)state;
	strcpy(root, "/tmp/fs-resolve-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	sh("mkdir -p %s/usr/lib %s/etc && echo x > %s/usr/lib/libx.so && "
	   "echo secret > %s/etc/passwd", root);
	sh("ln -s libx.so %s/usr/lib/libx.so.1 && ln -s /usr/lib/libx.so %s/usr/lib/abs && "
	   "ln -s ../../../../../etc/passwd %s/usr/lib/up && ln -s loop2 %s/usr/lib/loop1", root);
	sh("ln -s loop1 %s/usr/lib/loop2 && ln -s /usr/lib %s/lib && ln -s / %s/rootlink", root);
	snprintf(path, sizeof path, "%s/usr/lib/libx.so", root);
	return stat(path, &lib_st);
}

static int teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", root);
	return 0;
}

static const fs_target *add_ok(fs_targets *t, const char *p)
{
	fs_err err;

	if (fs_targets_add(t, p, &err) < 0)
		fail_msg("%s: %s", p, err.msg);
	return fs_targets_get(t, fs_targets_count(t) - 1);
}

static void expect_file(fs_targets *t, const char *req, const char *resolved)
{
	const fs_target *tg = add_ok(t, req);

	assert_string_equal(tg->request, req);
	assert_string_equal(tg->path, resolved);
	assert_true(tg->exists);
	assert_true(tg->id.ino == lib_st.st_ino && tg->id.dev == lib_st.st_dev);
}

static void test_plain_and_links(void **state)
{
	fs_err err;
	fs_targets *t = fs_targets_new(root, &err);
	(void)state;
	assert_non_null(t);
	expect_file(t, "usr/lib/libx.so", "/usr/lib/libx.so");
	expect_file(t, "/usr/lib/libx.so", "/usr/lib/libx.so");
	expect_file(t, "usr//lib/./libx.so", "/usr/lib/libx.so");
	expect_file(t, "usr/lib/libx.so.1", "/usr/lib/libx.so");
	expect_file(t, "usr/lib/abs", "/usr/lib/libx.so");     /* absolute link stays in root */
	expect_file(t, "lib/libx.so.1", "/usr/lib/libx.so");   /* link in the middle */
	expect_file(t, "rootlink/usr/lib/../lib/libx.so", "/usr/lib/libx.so");
	fs_targets_free(t);
}

static void test_missing_and_dirs(void **state)
{
	fs_err err;
	fs_targets *t = fs_targets_new(root, &err);
	const fs_target *tg;
	(void)state;
	tg = add_ok(t, "usr/lib/nothere.so");
	assert_false(tg->exists);
	assert_string_equal(tg->path, "/usr/lib/nothere.so");
	tg = add_ok(t, "usr/nodir/./x.so");
	assert_false(tg->exists);
	assert_string_equal(tg->path, "/usr/nodir/x.so");
	tg = add_ok(t, "nodir/./lib/../li/x");  /* found by fuzzing */
	assert_false(tg->exists);
	assert_string_equal(tg->path, "/nodir/li/x");
	/* a missing path's '..' must not spoil the directories the next
	 * target starts from (found by fuzzing) */
	tg = add_ok(t, "usr/lib//..//../usr/lib(//..//..");
	assert_string_equal(tg->path, "/");
	tg = add_ok(t, "usr/lib/nothere");
	assert_string_equal(tg->path, "/usr/lib/nothere");
	tg = add_ok(t, "usr/lib/libx.so/inside");
	assert_false(tg->exists);
	assert_string_equal(tg->path, "/usr/lib/libx.so/inside");
	/* a symlink pointing above the root stays inside it, as in a chroot */
	tg = add_ok(t, "usr/lib/up");
	assert_true(tg->exists);
	assert_string_equal(tg->path, "/etc/passwd");
	assert_int_equal(fs_targets_count(t), 7);
	/* directory entries of a package are skipped */
	assert_int_equal(fs_targets_add(t, "usr/lib/", &err), 0);
	assert_int_equal(fs_targets_count(t), 7);
	fs_targets_free(t);
}

/* A path that names no file inside the root is skipped with its problem;
 * the targets around it are kept (one bad target never cancels the rest). */
static void test_refusals(void **state)
{
	const char *const bad[] = { "../etc/passwd", "usr/../../x", "usr/lib/loop1", "" };
	const char *const why[] = { "leaves the root", "leaves the root", "symbolic links",
				    "empty" };
	const char *const paths[] = { "usr/lib/libx.so", "usr/lib/loop1", "../x",
				      "usr/lib/libx.so.1" };
	fs_err err;
	fs_targets *t = fs_targets_new(root, &err);
	(void)state;
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(fs_targets_add(t, bad[i], &err), 0);
		assert_int_equal(fs_targets_skipped(t), i + 1);
		assert_string_equal(fs_targets_skip_get(t, i)->request, bad[i]);
		assert_non_null(strstr(fs_targets_skip_get(t, i)->problem, why[i]));
	}
	assert_int_equal(fs_targets_count(t), 0);
	fs_targets_free(t);
	t = fs_targets_new(root, &err);
	assert_int_equal(fs_targets_add_many(t, paths, paths, 4, &err), 0);
	assert_int_equal(fs_targets_count(t), 2);
	assert_int_equal(fs_targets_skipped(t), 2);
	assert_string_equal(fs_targets_get(t, 0)->path, "/usr/lib/libx.so");
	assert_string_equal(fs_targets_get(t, 1)->request, "usr/lib/libx.so.1");
	fs_targets_free(t);
	assert_null(fs_targets_new("/nonexistent/root", &err));
	assert_non_null(strstr(err.msg, "/nonexistent/root"));
}

static void test_read_fd(void **state)
{
	fs_err err;
	fs_targets *t = fs_targets_new(root, &err);
	int p[2];
	const char in[] = "usr/\nusr/lib/\nusr/lib/libx.so\nusr/lib/libx.so.1\n";
	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], in, sizeof in - 1), (ssize_t)(sizeof in - 1));
	close(p[1]);
	assert_int_equal(fs_targets_read_fd(t, p[0], &err), 0);
	close(p[0]);
	assert_int_equal(fs_targets_count(t), 2);
	/* a directory cannot be read as a target list */
	p[0] = open(root, O_RDONLY | O_DIRECTORY);
	assert_int_equal(fs_targets_read_fd(t, p[0], &err), -1);
	assert_non_null(strstr(err.msg, "cannot read targets"));
	close(p[0]);
	fs_targets_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_links),
		cmocka_unit_test(test_missing_and_dirs),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_read_fd),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
