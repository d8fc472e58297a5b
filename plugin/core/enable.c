/*
 * enable.c - Cygwin's forkables retry works only where <root>/var/run/cygfork
 * exists, on NTFS, on the volume of the installation's binaries (it
 * hardlinks the old images there).  enable makes the directory and says
 * which of those conditions hold.
 */
#include "os.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

/* Where a Cygwin or MSYS2 installation keeps its runtime DLL. */
static const struct {
	const char *path, *runtime, *bin;
} runtimes[] = {
	{ "bin/cygwin1.dll", "cygwin1.dll", "/bin" },       /* /usr/bin is a mount of /bin */
	{ "usr/bin/msys-2.0.dll", "msys-2.0.dll", "/usr/bin" },
};

static int look(fs_os_root *root, const char *path, fs_target *t, fs_err *err)
{
	memset(t, 0, sizeof *t);
	return fs_os_resolve(root, path, t, err);
}

int fs_enable(const char *root_path, fs_enable_result **out, fs_err *err)
{
	fs_enable_result *r = calloc(1, sizeof *r);
	fs_os_root *root = NULL;
	fs_target bin = { 0 }, dir = { 0 }, t;
	int rc = -1;

	*out = NULL;
	root_path = root_path ? root_path : "/";
	if (!r || !(r->root = strdup(root_path))) {
		fs_fail(err, "out of memory");
		goto out;
	}
	if (!(root = fs_os_root_open(root_path, err)))
		goto out;
	for (size_t i = 0; i < sizeof runtimes / sizeof *runtimes && !r->runtime; i++) {
		if (look(root, runtimes[i].path, &t, err) < 0)
			goto out;
		if (t.exists) {
			r->runtime = runtimes[i].runtime;
			r->bin = runtimes[i].bin;
		}
		free(t.path);
	}
	if (!r->bin) { /* no runtime: still compare with a binaries directory */
		if (look(root, "usr/bin", &t, err) < 0)
			goto out;
		r->bin = t.exists && t.is_dir ? "/usr/bin" : NULL;
		free(t.path);
	}
	if (fs_os_mkdir_shared(root, FS_CYGFORK_DIR, &r->created, err) < 0 ||
	    look(root, FS_CYGFORK_DIR, &dir, err) < 0 ||
	    (r->bin && look(root, r->bin, &bin, err) < 0) ||
	    fs_os_fs_type(root, FS_CYGFORK_DIR, r->fs_type, sizeof r->fs_type, err) < 0)
		goto out;
	r->ntfs = strcmp(r->fs_type, "NTFS") == 0;
	r->same_volume = !r->bin ? -1 : bin.exists && dir.exists && bin.id.dev == dir.id.dev;
	r->protected_ = r->runtime && r->ntfs && r->same_volume == 1;
	rc = 0;
out:
	free(bin.path);
	free(dir.path);
	fs_os_root_close(root);
	if (rc == 0)
		*out = r;
	else
		fs_enable_result_free(r);
	return rc;
}

void fs_enable_result_free(fs_enable_result *r)
{
	if (!r)
		return;
	free(r->root);
	free(r);
}
