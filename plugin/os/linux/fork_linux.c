/*
 * fork_linux.c - Linux has no Cygwin runtime: no installation, no fork
 * verdict, no runtime snapshot directories (os_fork.h).  fs_os_inst_open()
 * says so (0), and nothing else is ever called.
 */
#include "../../core/err.h"
#include "../../core/os_fork.h"

#include <stdlib.h>

int fs_os_inst_open(const char *root, fs_os_inst **out, fs_err *err)
{
	(void)root;
	(void)err;
	*out = NULL;
	return 0;
}

void fs_os_inst_close(fs_os_inst *in)
{
	(void)in;
}

const char *fs_os_inst_runtime(const fs_os_inst *in) { (void)in; return NULL; }
const char *fs_os_inst_runtime_name(const fs_os_inst *in) { (void)in; return NULL; }
const char *fs_os_inst_objdir(const fs_os_inst *in) { (void)in; return NULL; }

int fs_os_inst_cygfork(fs_os_inst *in, fs_os_cygfork_facts *f, fs_err *err)
{
	(void)in;
	(void)f;
	return fs_fail(err, "no Cygwin runtime on Linux");
}

int fs_os_loaded_images(const fs_os_inst *in, const char *reach_dir, int pid,
			uint64_t start, fs_os_loaded **v, size_t *n, fs_err *why,
			fs_err *err)
{
	(void)in;
	(void)reach_dir;
	(void)pid;
	(void)start;
	(void)why;
	*v = NULL;
	*n = 0;
	return fs_fail(err, "no Cygwin runtime on Linux");
}

void fs_os_loaded_free(fs_os_loaded *v, size_t n)
{
	(void)n;
	free(v);
}

int fs_os_reachable(const char *dir, fs_id id)
{
	(void)dir;
	(void)id;
	return 0;
}

int fs_os_cygfork_list(fs_os_inst *in, char ***names, size_t *n, fs_err *err)
{
	(void)in;
	*names = NULL;
	*n = 0;
	return fs_fail(err, "no Cygwin runtime on Linux");
}

int fs_os_cygfork_check(fs_os_inst *in, const char *entry, int remove, fs_err *err)
{
	(void)in;
	(void)entry;
	(void)remove;
	return fs_fail(err, "no Cygwin runtime on Linux");
}
