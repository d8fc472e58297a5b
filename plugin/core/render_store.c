/* render_store.c - guard, retire and status output, for people and programs. */
#include "json.h"
#include "render.h"
#include "cygfork.h"
#include "forecast.h"

#include <inttypes.h>

static int done(FILE *f)
{
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

static void json_entry_id(fs_json *j, const fs_manifest_entry *e)
{
	char path[FS_LINE_MAX + 2];

	snprintf(path, sizeof path, "/%s", e->path);
	fs_json_file(j, path, e->id);
	fs_json_uint(j, "size", e->size);
	fs_json_str(j, "method", fs_keep_method_name(e->method));
}

/* ---- guard ------------------------------------------------------------------ */

int fs_guard_write_json(const fs_guard_result *r, FILE *f)
{
	fs_json j;

	fs_json_doc(&j, f);
	fs_json_str(&j, "snapshot", r->snapshot);
	fs_json_completeness(&j, r->complete, r->unreadable);
	fs_json_uint(&j, "in_use", r->in_use);
	fs_json_uint(&j, "already_kept", r->already_kept);
	fs_json_uint(&j, "replaced", r->replaced);
	fs_json_uint(&j, "lock_holders", r->lock_holders);
	fs_json_uint(&j, "runtime_not_kept", r->runtime_in_use);
	fs_json_arr_begin(&j, "kept");
	for (size_t i = 0; i < r->kept.n; i++) {
		const fs_manifest_entry *e = &r->kept.v[i];

		fs_json_obj_begin(&j, NULL);
		json_entry_id(&j, e);
		fs_json_arr_begin(&j, "processes");
		for (size_t k = 0; k < e->nprocs; k++) {
			fs_json_obj_begin(&j, NULL);
			fs_json_int(&j, "pid", e->procs[k].pid);
			fs_json_uint(&j, "start_time", e->procs[k].start_time);
			fs_json_obj_end(&j);
		}
		fs_json_arr_end(&j);
		fs_json_obj_end(&j);
	}
	fs_json_arr_end(&j);
	fs_fork_forecast_json(&j, r->fork); /* Cygwin/MSYS2 only */
	fs_json_arr_begin(&j, "failed");
	for (size_t i = 0; i < r->failed; i++)
		fs_json_str(&j, NULL, r->messages[i]);
	fs_json_arr_end(&j);
	fs_json_skipped(&j, r->skipped, r->nskipped);
	fs_json_obj_end(&j);
	return fs_json_finish(&j);
}

int fs_guard_write_text(const fs_guard_result *r, FILE *f)
{
	size_t procs = 0;
	for (size_t i = 0; i < r->kept.n; i++)
		procs += r->kept.v[i].nprocs;
	size_t copies = 0;

	for (size_t i = 0; i < r->kept.n; i++)
		copies += r->kept.v[i].method != FS_KEEP_LINK;
	if (r->in_use == 0)
		fputs("forksafe: nothing in use, nothing to keep\n", f);
	else if (r->snapshot)
		fs_text_line(f, "forksafe: kept %zu file%s mapped %zu time%s, in %s", r->kept.n,
			     r->kept.n == 1 ? "" : "s", procs, procs == 1 ? "" : "s", r->snapshot);
	if (copies)
		fprintf(f, "forksafe: %zu of them copied (reflinked where possible): the store is "
			"on another filesystem, a hardlink is impossible\n", copies);
	if (r->replaced)
		fprintf(f, "forksafe: replaced %zu path%s by fresh copies; running processes keep "
			"the old files\n", r->replaced, r->replaced == 1 ? "" : "s");
	if (r->lock_holders)
		fprintf(f, "forksafe: %zu process%s hold%s the snapshot's lock\n", r->lock_holders,
			r->lock_holders == 1 ? "" : "es", r->lock_holders == 1 ? "s" : "");
	if (r->runtime_in_use)
		fputs("forksafe: the runtime DLL is in use and never kept: no process survives its "
		      "replacement, and processes using it must restart if it changes\n", f);
	if (r->already_kept)
		fprintf(f, "forksafe: %zu file%s in use already kept by an open snapshot\n",
			r->already_kept, r->already_kept == 1 ? "" : "s");
	for (size_t i = 0; i < r->failed; i++)
		fs_text_line(f, "forksafe: not kept: %s", r->messages[i]);
	for (size_t i = 0; i < r->nskipped; i++)
		fs_text_line(f, "forksafe: skipped %s: %s", r->skipped[i].request,
			     r->skipped[i].problem);
	return done(f);
}

/* ---- retire ----------------------------------------------------------------- */

int fs_retire_write_json(const fs_retire_result *r, FILE *f)
{
	fs_json j;

	fs_json_doc(&j, f);
	fs_json_bool(&j, "dry_run", r->dry_run);
	fs_json_completeness(&j, r->complete, r->unreadable);
	fs_json_uint(&j, "leftovers_removed", r->leftovers);
	fs_json_arr_begin(&j, "leftovers_failed");
	for (size_t i = 0; i < r->nleftovers_failed; i++)
		fs_json_str(&j, NULL, r->leftovers_failed[i]);
	fs_json_arr_end(&j);
	fs_json_arr_begin(&j, "snapshots");
	for (size_t i = 0; i < r->n; i++) {
		const fs_retire_snap *s = &r->v[i];

		fs_json_obj_begin(&j, NULL);
		fs_json_str(&j, "name", s->name);
		fs_json_bool(&j, "was_open", s->was_open);
		fs_json_bool(&j, "closed", s->closed_now);
		fs_json_bool(&j, "lock_held", s->lock_held);
		fs_json_uint(&j, "kept", s->kept);
		fs_json_uint(&j, "dropped", s->dropped);
		fs_json_uint(&j, "redundant", s->redundant);
		fs_json_bool(&j, "removed", s->removed);
		fs_json_str(&j, "problem", s->problem);
		fs_json_obj_end(&j);
	}
	fs_json_arr_end(&j);
	fs_cygfork_json(&j, r->cygfork); /* Cygwin/MSYS2 only */
	fs_json_obj_end(&j);
	return fs_json_finish(&j);
}

int fs_retire_write_text(const fs_retire_result *r, FILE *f)
{
	const char *verb = r->dry_run ? "would drop" : "dropped";
	size_t removed = 0, kept = 0;

	for (size_t i = 0; i < r->n; i++) {
		const fs_retire_snap *s = &r->v[i];

		if (s->problem) {
			fs_text_line(f, "forksafe: %s: %s", s->name, s->problem);
			continue;
		}
		removed += s->removed;
		kept += s->kept;
		if (s->dropped == 0 && !s->closed_now)
			continue;
		fs_text_line(f, "forksafe: %s: %s %zu, kept %zu%s%s%s", s->name, verb, s->dropped,
			     s->kept, s->closed_now ? ", closed" : "",
			     s->lock_held ? ", lock held" : "", s->removed ? ", removed" : "");
	}
	for (size_t i = 0; i < r->nleftovers_failed; i++) {
		fputs("forksafe: cannot remove the leftover ", f);
		fs_text_write(f, r->leftovers_failed[i]);
		putc('\n', f);
	}
	if (r->leftovers)
		fprintf(f, "forksafe: %s %zu leftover%s of interrupted runs\n",
			r->dry_run ? "would remove" : "removed", r->leftovers,
			r->leftovers == 1 ? "" : "s");
	fs_cygfork_text(f, r->cygfork, r->dry_run); /* Cygwin/MSYS2 only */
	fprintf(f, "forksafe: %zu snapshot%s, %zu file%s still held\n", r->n - removed,
		r->n - removed == 1 ? "" : "s", kept, kept == 1 ? "" : "s");
	return done(f);
}

/* ---- status ----------------------------------------------------------------- */

int fs_status_write_json(const fs_status_result *r, FILE *f)
{
	fs_json j;

	fs_json_doc(&j, f);
	fs_json_str(&j, "store", r->store);
	fs_json_completeness(&j, r->scan ? r->scan->complete : 1, r->scan ? r->scan->unreadable : 0);
	fs_json_arr_begin(&j, "snapshots");
	for (size_t i = 0; i < r->n; i++) {
		const fs_status_snap *s = &r->v[i];

		fs_json_obj_begin(&j, NULL);
		fs_json_str(&j, "name", s->name);
		fs_json_str(&j, "problem", s->problem);
		fs_json_str(&j, "root", s->m.root);
		fs_json_int(&j, "created", s->m.created);
		fs_json_int(&j, "age_seconds", r->now - s->m.created);
		fs_json_bool(&j, "open", s->open);
		fs_json_bool(&j, "lock_held", s->lock_held);
		fs_json_uint(&j, "cost_bytes", s->cost);
		fs_json_arr_begin(&j, "entries");
		for (size_t k = 0; k < s->n; k++) {
			const fs_status_entry *se = &s->v[k];

			fs_json_obj_begin(&j, NULL);
			json_entry_id(&j, se->e);
			fs_json_str(&j, "package", se->package);
			fs_json_bool(&j, "present", se->present);
			fs_json_uint(&j, "cost_bytes", se->cost);
			fs_json_arr_begin(&j, "held_by");
			for (size_t h = 0; h < se->nholders; h++) {
				fs_json_proc_object(&j, se->holders[h]);
			}
			fs_json_arr_end(&j);
			fs_json_obj_end(&j);
		}
		fs_json_arr_end(&j);
		fs_json_obj_end(&j);
	}
	fs_json_arr_end(&j);
	fs_json_obj_end(&j);
	return fs_json_finish(&j);
}

int fs_status_write_text(const fs_status_result *r, FILE *f)
{
	if (r->n == 0)
		fs_text_line(f, "forksafe: no snapshots in %s", r->store);
	for (size_t i = 0; i < r->n; i++) {
		const fs_status_snap *s = &r->v[i];
		int64_t age = r->now - s->m.created;

		if (s->problem) {
			fs_text_line(f, "%s: %s", s->name, s->problem);
			continue;
		}
		fs_text_write(f, s->name);
		fprintf(f, " (%s, %" PRId64 " min old%s): %zu file%s, %" PRIu64 " bytes of its own\n", s->open ? "open" : "closed", age / 60,
			s->lock_held ? ", lock held" : "", s->n, s->n == 1 ? "" : "s", s->cost);
		for (size_t k = 0; k < s->n; k++) {
			const fs_status_entry *se = &s->v[k];

			fprintf(f, "    /");
			fs_text_write(f, se->e->path);
			fputs(" (", f);
			if (se->package) {
				fs_text_write(f, se->package);
				fputs(", ", f);
			}
			fprintf(f, "%s%s)", fs_keep_method_name(se->e->method),
				se->present ? "" : ", missing from the store");
			if (se->nholders == 0)
				fputs(": not mapped", f);
			else
				fputs(": mapped by", f);
			for (size_t h = 0; h < se->nholders; h++) {
				fprintf(f, " %d ", se->holders[h]->pid);
				fs_text_write(f, se->holders[h]->comm);
			}
			putc('\n', f);
		}
	}
	return done(f);
}
