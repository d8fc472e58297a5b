/* render_scan.c - `forksafe ps` output: processes and their images. */
#include "json.h"
#include "render.h"
#include "verdict.h"

#include <string.h>

/* Cygwin/MSYS2: the fork verdict of each process of the installation
 * forksafe.exe belongs to; NULL on Linux (nothing is written). */
static fs_fork_info *verdicts(const fs_scan *scan)
{
	fs_store_opts so = { 0 };
	fs_fork_info *fi = NULL;
	fs_err err;

	if (fs_fork_verdicts(NULL, scan, &so, &fi, &err) < 0)
		fprintf(stderr, "forksafe: no fork verdicts: %s\n", err.msg);
	return fi;
}

int fs_scan_write_json(const fs_scan *scan, FILE *f)
{
	fs_fork_info *fi = verdicts(scan);
	fs_json j;
	int rc;

	fs_json_doc(&j, f);
	fs_json_completeness(&j, scan->complete, scan->unreadable);
	fs_json_arr_begin(&j, "processes");
	for (size_t i = 0; i < scan->nprocs; i++) {
		const fs_proc *p = &scan->procs[i];

		fs_json_obj_begin(&j, NULL);
		fs_json_proc(&j, p);
		fs_json_bool(&j, "exe_deleted", p->exe_deleted);
		fs_json_str(&j, "root", p->root);
		fs_json_bool(&j, "foreign_mount_ns", p->foreign_mntns);
		fs_fork_proc_json(&j, fi, p);
		fs_json_arr_begin(&j, "images");
		for (size_t m = 0; m < p->nimages; m++) {
			const fs_image *im = &p->images[m];

			fs_json_obj_begin(&j, NULL);
			fs_json_image(&j, im);
			fs_json_bool(&j, "deleted", im->flags & FS_IMAGE_DELETED);
			fs_json_str(&j, "package", im->package);
			fs_json_obj_end(&j);
		}
		fs_json_arr_end(&j);
		fs_json_obj_end(&j);
	}
	fs_json_arr_end(&j);
	fs_json_obj_end(&j);
	rc = fs_json_finish(&j);
	fs_fork_info_free(fi);
	return rc;
}

static void proc_line(FILE *f, const fs_proc *p)
{
	fs_text_proc(f, p);
	if (p->foreign_mntns)
		fputs(" [other mount namespace]", f);
	else if (p->root && strcmp(p->root, "/") != 0) {
		fputs(" [root ", f);
		fs_text_write(f, p->root);
		putc(']', f);
	}
}

int fs_scan_write_text(const fs_scan *scan, FILE *f, int brief)
{
	fs_fork_info *fi = verdicts(scan);
	int rc;

	for (size_t i = 0; i < scan->nprocs; i++) {
		const fs_proc *p = &scan->procs[i];
		size_t deleted = 0;

		for (size_t m = 0; m < p->nimages; m++)
			deleted += (p->images[m].flags & FS_IMAGE_DELETED) != 0;
		proc_line(f, p);
		fs_fork_proc_text(f, fi, p);
		if (brief) {
			fprintf(f, ": %zu images", p->nimages);
			if (deleted)
				fprintf(f, ", %zu deleted", deleted);
			putc('\n', f);
			continue;
		}
		putc('\n', f);
		for (size_t m = 0; m < p->nimages; m++) {
			fputs("    ", f);
			fs_text_write(f, p->images[m].path);
			if (p->images[m].flags & FS_IMAGE_DELETED)
				fputs(" (deleted)", f);
			if (p->images[m].package) {
				fputs(" [", f);
				fs_text_write(f, p->images[m].package);
				putc(']', f);
			}
			putc('\n', f);
		}
	}
	fs_fork_info_free(fi);
	rc = fflush(f) == 0 && !ferror(f) ? 0 : -1;
	return rc;
}
