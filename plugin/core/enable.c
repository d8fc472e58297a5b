/*
 * enable.c - Cygwin's forkables retry works only where <root>/var/run/cygfork
 * exists, on NTFS, on the volume of the installation's binaries (it
 * hardlinks the old images there).  enable makes the directory and says
 * which of those conditions hold.
 */
#include "cygwin.h"
#include "os.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

static int look(fs_os_root *root, const char *path, fs_target *t, fs_err *err)
{
	memset(t, 0, sizeof *t);
	return fs_os_resolve(root, path, t, err);
}

/* The runtime DLL the root holds (r->runtime, r->bin), or none. */
static int find_runtime(fs_os_root *root, fs_enable_result *r, fs_err *err)
{
	fs_target t;

	for (size_t i = 0; i < fs_cyg_nruntimes && !r->runtime; i++) {
		if (look(root, fs_cyg_runtimes[i].path, &t, err) < 0)
			return -1;
		if (t.exists && !t.is_dir) {
			r->runtime = fs_cyg_runtimes[i].name;
			r->bin = fs_cyg_runtimes[i].bin;
		}
		free(t.path);
	}
	if (r->bin)
		return 0;
	if (look(root, "usr/bin", &t, err) < 0) /* still compare with a binaries directory */
		return -1;
	r->bin = t.exists && t.is_dir ? "/usr/bin" : NULL;
	free(t.path);
	return 0;
}

/* Does p run the installation's runtime (a runtime DLL under the root)? */
static int of_installation(const fs_proc *p, const char *root)
{
	for (size_t m = 0; m < p->nimages; m++) {
		const char *path = p->images[m].path, *base = strrchr(path, '/');

		if (fs_cyg_is_runtime_name(base ? base + 1 : path) && fs_os_under_root(path, root))
			return 1;
	}
	return 0;
}

/*
 * The installation's running processes the directory may not cover: all
 * of them when it was made now or its birth is unknown, else those that
 * started before it.  (One that started later is covered unless a process
 * of the installation ran without a break since before the directory,
 * keeping the runtime's first answer: no running process shows that.)
 */
static int find_uncovered(fs_enable_result *r, fs_err *err)
{
	fs_scan_opts opts = { 0 };

	if (fs_scan_run(&opts, &r->scan, err) < 0)
		return -1;
	r->complete = r->scan->complete;
	r->uncovered = calloc(r->scan->nprocs + 1, sizeof *r->uncovered);
	if (!r->uncovered)
		return fs_fail(err, "out of memory");
	for (size_t i = 0; i < r->scan->nprocs; i++) {
		const fs_proc *p = &r->scan->procs[i];

		if (of_installation(p, r->root) &&
		    (r->created || r->birth == 0 || p->start_time <= r->birth))
			r->uncovered[r->nuncovered++] = *p;
	}
	return 0;
}

/* The directory and what it needs; hook: nothing at all without a runtime
 * DLL, and no scan unless the directory was made now or cannot serve. */
static int run(const char *root_path, int hook, fs_enable_result *r, fs_err *err)
{
	fs_os_root *root = fs_os_root_open(root_path, err);
	fs_target bin = { 0 }, dir = { 0 };
	int rc = -1;

	if (!root || find_runtime(root, r, err) < 0)
		goto out;
	if (hook && !r->runtime) {
		rc = 0;
		goto out;
	}
	if (fs_os_mkdir_shared(root, FS_CYGFORK_DIR, &r->created, err) < 0 ||
	    look(root, FS_CYGFORK_DIR, &dir, err) < 0 ||
	    (r->bin && look(root, r->bin, &bin, err) < 0) ||
	    fs_os_fs_type(root, FS_CYGFORK_DIR, r->fs_type, sizeof r->fs_type, err) < 0 ||
	    fs_os_shared_dir_check(root, FS_CYGFORK_DIR, &r->birth, r->problem, r->weakness,
				   sizeof r->problem, err) < 0)
		goto out;
	r->ntfs = strcmp(r->fs_type, "NTFS") == 0;
	r->same_volume = !r->bin ? -1 : bin.exists && dir.exists && bin.id.dev == dir.id.dev;
	r->ready = r->runtime && r->ntfs && r->same_volume == 1 && !r->problem[0];
	if (r->ready && (!hook || r->created) && find_uncovered(r, err) < 0)
		goto out;
	r->protected_ = r->ready && r->nuncovered == 0;
	rc = 0;
out:
	free(bin.path);
	free(dir.path);
	fs_os_root_close(root);
	return rc;
}

static fs_enable_result *result_new(const char *root_path, fs_err *err)
{
	fs_enable_result *r = calloc(1, sizeof *r);

	if (!r || !(r->root = strdup(root_path ? root_path : "/"))) {
		free(r);
		fs_fail(err, "out of memory");
		return NULL;
	}
	r->complete = 1;
	return r;
}

int fs_enable(const char *root_path, fs_enable_result **out, fs_err *err)
{
	fs_enable_result *r = result_new(root_path, err);

	*out = NULL;
	if (!r || run(r->root, 0, r, err) < 0) {
		fs_enable_result_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

int fs_enable_hook(const char *root_path, FILE *f, fs_err *err)
{
	fs_enable_result *r = result_new(root_path, err);
	int rc;

	if (!r || run(r->root, 1, r, err) < 0) {
		fs_enable_result_free(r);
		return -1;
	}
	rc = fs_enable_write_hook(r, f);
	fs_enable_result_free(r);
	return rc < 0 ? fs_fail(err, "cannot write the output") : 0;
}

void fs_enable_result_free(fs_enable_result *r)
{
	if (!r)
		return;
	free(r->uncovered);
	fs_scan_free(r->scan);
	free(r->root);
	free(r);
}
