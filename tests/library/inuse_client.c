/*
 * inuse_client.c - a program an installer might write, built OUT OF TREE
 * against the installed libforksafe (tests/integration/test_library.sh
 * builds it with pkg-config and with CMake's find_package): it includes
 * only <forksafe/inuse.h> and calls only the public API.
 *
 * usage: inuse_client [--root DIR] [--packages | --archives] NAME...
 * Prints, tab-separated:
 *   version  VERSION
 *   complete 0|1
 *   file     INDEX  exists  complete  nprocesses  path|-  problem|-  name
 *   proc     INDEX  pid  start_time  uid  name  exe|-      (for file INDEX)
 * Exit status: 0 answered, 2 error (its message on stderr).
 */
#include <forksafe/inuse.h>

#include <stdio.h>
#include <string.h>

static void print_file(const forksafe_query *q, size_t i)
{
	const forksafe_file *f = forksafe_query_file(q, i);

	printf("file\t%zu\t%d\t%d\t%zu\t%s\t%s\t%s\n", i, f->exists, f->complete,
	       f->nprocesses, f->path ? f->path : "-", f->problem ? f->problem : "-",
	       f->name);
	for (size_t j = 0; j < f->nprocesses; j++) {
		const forksafe_process *p = forksafe_query_process(q, i, j);

		printf("proc\t%zu\t%ld\t%llu\t%ld\t%s\t%s\n", i, p->pid, p->start_time,
		       p->uid, p->name, p->exe ? p->exe : "-");
	}
	/* past the end is NULL, never a process */
	if (forksafe_query_process(q, i, f->nprocesses))
		printf("error\tprocess past the end of file %zu\n", i);
}

int main(int argc, char **argv)
{
	const char *root = NULL;
	int kind = FORKSAFE_PATHS, a = 1;
	forksafe_query *q;

	for (; a < argc && strncmp(argv[a], "--", 2) == 0; a++) {
		if (strcmp(argv[a], "--root") == 0 && a + 1 < argc)
			root = argv[++a];
		else if (strcmp(argv[a], "--packages") == 0)
			kind = FORKSAFE_PACKAGES;
		else if (strcmp(argv[a], "--archives") == 0)
			kind = FORKSAFE_ARCHIVES;
		else {
			fprintf(stderr, "inuse_client: unknown option %s\n", argv[a]);
			return 2;
		}
	}
	q = forksafe_query_new(root);
	if (!q || forksafe_query_run(q, kind, (const char *const *)argv + a,
				     (size_t)(argc - a)) < 0) {
		fprintf(stderr, "inuse_client: %s\n", forksafe_query_error(q));
		forksafe_query_free(q);
		return 2;
	}
	printf("version\t%s\n", forksafe_version());
	printf("complete\t%d\n", forksafe_query_complete(q));
	for (size_t i = 0; i < forksafe_query_files(q); i++)
		print_file(q, i);
	if (forksafe_query_file(q, forksafe_query_files(q)))
		printf("error\tfile past the end\n");
	forksafe_query_free(q);
	return 0;
}
