/* render.c - the pieces every output shares: a document's start, a
 * process, a file and a target, in JSON and for people. */
#include "render.h"
#include "json.h"

void fs_json_doc(fs_json *j, FILE *f)
{
	fs_json_init(j, f);
	fs_json_obj_begin(j, NULL);
	fs_json_int(j, "schema", FS_JSON_SCHEMA);
}

void fs_json_completeness(fs_json *j, int complete, size_t unreadable)
{
	fs_json_bool(j, "complete", complete);
	fs_json_uint(j, "unreadable_processes", unreadable);
}

void fs_json_proc(fs_json *j, const fs_proc *p)
{
	fs_json_int(j, "pid", p->pid);
	fs_json_str(j, "comm", p->comm);
	fs_json_str(j, "exe", p->exe);
	if (p->uid >= 0)
		fs_json_int(j, "uid", p->uid);
	else
		fs_json_null(j, "uid");
	fs_json_uint(j, "start_time", p->start_time);
}

void fs_json_proc_object(fs_json *j, const fs_proc *p)
{
	fs_json_obj_begin(j, NULL);
	fs_json_proc(j, p);
	fs_json_obj_end(j);
}

void fs_json_file(fs_json *j, const char *path, fs_id id)
{
	char dev[32];

	fs_json_str(j, "path", path);
	fs_id_dev_str(id, dev, sizeof dev);
	fs_json_str(j, "dev", dev);
	fs_json_uint(j, "ino", id.ino);
}

void fs_json_image(fs_json *j, const fs_image *im)
{
	if (!(im->flags & FS_IMAGE_NO_ID)) {
		fs_json_file(j, im->path, im->id);
		return;
	}
	fs_json_str(j, "path", im->path);
	fs_json_null(j, "dev");
	fs_json_null(j, "ino");
}

void fs_json_target(fs_json *j, const fs_target *tg)
{
	fs_json_str(j, "path", tg->path);
	fs_json_str(j, "request", tg->request);
	fs_json_bool(j, "exists", tg->exists);
}

void fs_json_skipped(fs_json *j, const fs_target_skip *v, size_t n)
{
	fs_json_arr_begin(j, "skipped");
	for (size_t i = 0; i < n; i++) {
		fs_json_obj_begin(j, NULL);
		fs_json_str(j, "request", v[i].request);
		fs_json_str(j, "problem", v[i].problem);
		fs_json_obj_end(j);
	}
	fs_json_arr_end(j);
}

void fs_text_proc(FILE *f, const fs_proc *p)
{
	fprintf(f, "%d ", p->pid);
	fs_text_write(f, p->comm);
	if (p->uid >= 0)
		fprintf(f, " (uid %ld)", p->uid);
	if (p->exe) {
		putc(' ', f);
		fs_text_write(f, p->exe);
		if (p->exe_deleted)
			fputs(" (deleted)", f);
	}
}

void fs_targets_write_skipped_text(const fs_targets *t, const char *prefix, FILE *f)
{
	for (size_t i = 0; i < fs_targets_skipped(t); i++) {
		const fs_target_skip *k = fs_targets_skip_get(t, i);

		fs_text_line(f, "%s%s: skipped: %s", prefix, k->request, k->problem);
	}
}
