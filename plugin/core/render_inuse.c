/* render_inuse.c - `forksafe inuse` output: per file, the processes. */
#include "json.h"
#include "render.h"
#include "rendered.h"

static void proc_json(FILE *f, const fs_proc *p)
{
	fs_json j;

	fs_json_init(&j, f);
	fs_json_proc_object(&j, p);
}

static void proc_text(FILE *f, const fs_proc *p)
{
	fputs("    ", f);
	fs_text_proc(f, p);
	putc('\n', f);
}

int fs_inuse_write_json(const fs_inuse *q, FILE *f)
{
	const fs_targets *t = q->targets;
	fs_rendered r;
	fs_err e; /* these writers say -1 only (forksafe.h): the caller reports it */
	fs_json j;
	char dev[32];

	if (fs_render_procs(q->scan, proc_json, &r, &e) < 0)
		return -1;
	fs_json_doc(&j, f);
	fs_json_str(&j, "root", fs_targets_root(t));
	fs_json_completeness(&j, q->scan->complete, q->scan->unreadable);
	fs_json_arr_begin(&j, "files");
	for (size_t i = 0; i < fs_targets_count(t); i++) {
		const fs_target *tg = fs_targets_get(t, i);
		const char *users;
		size_t len;

		fs_json_obj_begin(&j, NULL);
		fs_json_target(&j, tg);
		if (tg->exists) {
			fs_id_dev_str(tg->id, dev, sizeof dev);
			fs_json_str(&j, "dev", dev);
			fs_json_uint(&j, "ino", tg->id.ino);
		} else {
			fs_json_null(&j, "dev");
			fs_json_null(&j, "ino");
		}
		fs_json_arr_begin(&j, "processes");
		if (q->nusers[i] > 0) {
			/* the array's elements as one piece of raw text */
			if (fs_rendered_join(&r, q->users[i], q->nusers[i], ',', &users, &len, &e) < 0)
				goto oom;
			fs_json_raw(&j, NULL, users, len);
		}
		fs_json_arr_end(&j);
		fs_json_obj_end(&j);
	}
	fs_json_arr_end(&j);
	fs_json_skipped(&j, fs_targets_skipped(t) ? fs_targets_skip_get(t, 0) : NULL,
			fs_targets_skipped(t));
	fs_json_obj_end(&j);
	fs_rendered_free(&r);
	return fs_json_finish(&j);
oom:
	fs_rendered_free(&r);
	return -1;
}

int fs_inuse_write_text(const fs_inuse *q, FILE *f)
{
	const fs_targets *t = q->targets;
	fs_rendered r;
	fs_err e; /* these writers say -1 only (forksafe.h): the caller reports it */

	if (fs_render_procs(q->scan, proc_text, &r, &e) < 0)
		return -1;
	for (size_t i = 0; i < fs_targets_count(t); i++) {
		const fs_target *tg = fs_targets_get(t, i);
		const char *users;
		size_t len;

		fs_text_write(f, tg->path);
		if (!tg->exists)
			fputs(": missing\n", f);
		else if (q->nusers[i] == 0)
			fputs(": not in use\n", f);
		else
			fprintf(f, ": in use by %zu process%s\n", q->nusers[i],
				q->nusers[i] == 1 ? "" : "es");
		if (q->nusers[i] == 0)
			continue;
		if (fs_rendered_join(&r, q->users[i], q->nusers[i], 0, &users, &len, &e) < 0) {
			fs_rendered_free(&r);
			return -1;
		}
		fwrite(users, 1, len, f);
	}
	fs_targets_write_skipped_text(t, "", f);
	fs_rendered_free(&r);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
