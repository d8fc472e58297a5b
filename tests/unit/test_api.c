/* test_api.c - the public in-use query (forksafe/inuse.h, docs/api.md):
 * errors as messages, a child mapping a file found with its details,
 * missing and unresolvable names, ends of the lists, a second run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <forksafe/inuse.h>

static char dir[] = "/tmp/forksafe-api-XXXXXX";
static char mapped[64], missing[64], loop[64];
static pid_t child;

/* A child that maps the file "mapped" and waits to be killed. */
static int setup(void **state)
{
	int p[2], fd;
	char c;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(mapped, sizeof mapped, "%s/mapped", dir);
	snprintf(missing, sizeof missing, "%s/missing", dir);
	snprintf(loop, sizeof loop, "%s/loop", dir);
	fd = open(mapped, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, "data", 4) != 4 || symlink("loop", loop) < 0 || pipe(p) < 0)
		return -1;
	child = fork();
	if (child == 0) {
		void *m = mmap(NULL, 4, PROT_READ, MAP_SHARED, fd, 0);

		c = m == MAP_FAILED ? 'n' : 'y';
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fd);
	close(p[1]);
	if (child < 0 || read(p[0], &c, 1) != 1 || c != 'y')
		return -1;
	close(p[0]);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	unlink(mapped);
	unlink(loop);
	rmdir(dir);
	return 0;
}

static void test_errors_are_messages(void **state)
{
	forksafe_query *q = forksafe_query_new(NULL);
	const char *names[] = { mapped };
	(void)state;
	assert_non_null(q);
	assert_string_equal(forksafe_query_error(q), "");
	assert_string_equal(forksafe_query_error(NULL), "out of memory");
	assert_int_equal(forksafe_query_run(q, 7, names, 1), -1);
	assert_non_null(strstr(forksafe_query_error(q), "unknown kind"));
	assert_null(strchr(forksafe_query_error(q), '\n'));
	assert_int_equal(forksafe_query_run(q, FORKSAFE_PATHS, NULL, 1), -1);
	assert_int_equal(forksafe_query_files(q), 0);
	assert_int_equal(forksafe_query_complete(q), 0);
	forksafe_query_free(q);

	q = forksafe_query_new(mapped); /* a file is no root */
	assert_non_null(q);
	assert_int_equal(forksafe_query_run(q, FORKSAFE_PATHS, names, 1), -1);
	assert_true(strlen(forksafe_query_error(q)) > 0);
	assert_null(forksafe_query_file(q, 0));
	forksafe_query_free(q);
	forksafe_query_free(NULL);
}

static void test_a_mapping_child_is_found(void **state)
{
	forksafe_query *q = forksafe_query_new("/");
	const char *names[] = { mapped, missing, loop };
	const forksafe_file *f;
	const forksafe_process *p;
	(void)state;
	assert_non_null(q);
	assert_int_equal(forksafe_query_run(q, FORKSAFE_PATHS, names, 3), 0);
	assert_string_equal(forksafe_query_error(q), "");
	assert_int_equal(forksafe_query_files(q), 3);

	f = forksafe_query_file(q, 0);
	assert_string_equal(f->name, mapped);
	assert_string_equal(f->path, mapped);
	assert_null(f->problem);
	assert_int_equal(f->exists, 1);
	assert_int_equal(f->nprocesses, 1); /* the caller is never listed */
	p = forksafe_query_process(q, 0, 0);
	assert_non_null(p);
	assert_int_equal(p->pid, child);
	assert_true(p->start_time > 0);
	assert_string_equal(p->name, "test_api");
	assert_non_null(p->exe);
	assert_int_equal(p->uid, (long)geteuid());
	assert_null(forksafe_query_process(q, 0, 1));

	f = forksafe_query_file(q, 1);
	assert_string_equal(f->path, missing);
	assert_int_equal(f->exists, 0);
	assert_int_equal(f->nprocesses, 0);
	assert_null(forksafe_query_process(q, 1, 0));

	f = forksafe_query_file(q, 2); /* named no file: checked last */
	assert_string_equal(f->name, loop);
	assert_null(f->path);
	assert_non_null(f->problem);
	assert_int_equal(f->complete, 0);
	assert_int_equal(forksafe_query_complete(q), 0);
	assert_null(forksafe_query_file(q, 3));
	assert_null(forksafe_query_process(q, 3, 0));

	/* a second run replaces the answer */
	assert_int_equal(forksafe_query_run(q, FORKSAFE_PATHS, names + 1, 1), 0);
	assert_int_equal(forksafe_query_files(q), 1);
	assert_string_equal(forksafe_query_file(q, 0)->path, missing);
	assert_int_equal(forksafe_query_file(q, 0)->complete, forksafe_query_complete(q));
	forksafe_query_free(q);
}

/* Bad input from a caller (review, session 6): a query that could not be
 * made, a NULL among the names, more names than a list may hold (refused
 * before any is read: the count alone says so). */
static void test_bad_input_is_refused(void **state)
{
	forksafe_query *q = forksafe_query_new(NULL);
	const char *with_null[] = { mapped, NULL };
	size_t too_many = 8u * 1024 * 1024 + 1;
	const char **many = calloc(too_many, sizeof *many);
	(void)state;
	assert_non_null(q);
	assert_non_null(many);
	assert_int_equal(forksafe_query_run(NULL, FORKSAFE_PATHS, with_null, 1), -1);
	assert_int_equal(forksafe_query_files(NULL), 0);
	assert_int_equal(forksafe_query_complete(NULL), 0);
	assert_null(forksafe_query_file(NULL, 0));
	assert_null(forksafe_query_process(NULL, 0, 0));

	assert_int_equal(forksafe_query_run(q, FORKSAFE_PATHS, with_null, 2), -1);
	assert_non_null(strstr(forksafe_query_error(q), "NULL"));
	assert_int_equal(forksafe_query_files(q), 0);

	many[0] = mapped; /* the others NULL: never read */
	assert_int_equal(forksafe_query_run(q, FORKSAFE_PATHS, many, too_many), -1);
	assert_non_null(strstr(forksafe_query_error(q), "too many"));
	free(many);
	forksafe_query_free(q);
}

static void test_version(void **state)
{
	(void)state;
	assert_string_equal(forksafe_version(), FORKSAFE_VERSION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors_are_messages),
		cmocka_unit_test(test_a_mapping_child_is_found),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_bad_input_is_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
