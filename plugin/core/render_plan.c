/*
 * render_plan.c - `forksafe plan` output: the packages a transaction would
 * change and, for each, its files running processes map.
 */
#include "json.h"
#include "render.h"
#include "forecast.h"

#include <stdlib.h>

const char *fs_plan_action_name(int action)
{
	static const char *const names[] = { "install", "upgrade", "downgrade",
					     "reinstall", "replace", "remove" };

	return action >= 0 && action <= FS_PLAN_REMOVE ? names[action] : "?";
}

/* Processes affected: how many distinct ones map a file of the plan. */
static size_t affected(const fs_plan *p)
{
	const fs_inuse *q = p->inuse;
	unsigned char *seen = calloc(q->scan->nprocs + 1, 1);
	size_t n = 0;

	for (size_t t = 0; seen && t < fs_targets_count(p->targets); t++)
		for (size_t u = 0; u < q->nusers[t]; u++)
			if (!seen[q->users[t][u]]++)
				n++;
	free(seen);
	return n;
}

static size_t files_in_use(const fs_plan *p, const fs_plan_pkg *pp)
{
	size_t n = 0;

	for (size_t t = pp->first; t < pp->first + pp->ntargets; t++)
		n += p->inuse->nusers[t] > 0;
	return n;
}

int fs_plan_write_json(const fs_plan *p, FILE *f)
{
	const fs_inuse *q = p->inuse;
	fs_json j;

	fs_json_doc(&j, f);
	fs_json_str(&j, "root", p->root);
	fs_json_completeness(&j, q->scan->complete, q->scan->unreadable);
	fs_json_uint(&j, "sync_databases", p->nrepos);
	fs_json_uint(&j, "processes_affected", affected(p));
	fs_json_arr_begin(&j, "packages");
	for (size_t i = 0; i < p->n; i++) {
		const fs_plan_pkg *pp = &p->v[i];

		fs_json_obj_begin(&j, NULL);
		fs_json_str(&j, "name", pp->name);
		fs_json_str(&j, "action", fs_plan_action_name(pp->action));
		fs_json_str(&j, "old_version", pp->old_version);
		fs_json_str(&j, "new_name", pp->new_name);
		fs_json_str(&j, "new_version", pp->new_version);
		fs_json_uint(&j, "files", pp->ntargets);
		fs_json_arr_begin(&j, "files_in_use");
		for (size_t t = pp->first; t < pp->first + pp->ntargets; t++) {
			const fs_target *tg = fs_targets_get(p->targets, t);

			if (q->nusers[t] == 0)
				continue;
			fs_json_obj_begin(&j, NULL);
			fs_json_file(&j, tg->path, tg->id);
			fs_json_arr_begin(&j, "processes");
			for (size_t u = 0; u < q->nusers[t]; u++) {
				fs_json_proc_object(&j, &q->scan->procs[q->users[t][u]]);
			}
			fs_json_arr_end(&j);
			fs_json_obj_end(&j);
		}
		fs_json_arr_end(&j);
		fs_json_obj_end(&j);
	}
	fs_json_arr_end(&j);
	fs_fork_forecast_json(&j, p->fork); /* Cygwin/MSYS2 only */
	fs_json_obj_end(&j);
	return fs_json_finish(&j);
}

int fs_plan_write_text(const fs_plan *p, FILE *f)
{
	const fs_inuse *q = p->inuse;
	size_t n = affected(p);

	if (p->n == 0)
		fputs("forksafe: nothing to do: every package is up to date\n", f);
	else
		fprintf(f, "forksafe: %zu package%s would change; %zu running process%s affected\n",
			p->n, p->n == 1 ? "" : "s", n, n == 1 ? " would be" : "es would be");
	for (size_t i = 0; i < p->n; i++) {
		const fs_plan_pkg *pp = &p->v[i];
		size_t used = files_in_use(p, pp);

		fprintf(f, "  %s ", fs_plan_action_name(pp->action));
		fs_text_write(f, pp->name);
		if (pp->old_version) {
			putc(' ', f);
			fs_text_write(f, pp->old_version);
		}
		if (pp->new_version && pp->action != FS_PLAN_INSTALL) {
			fputs(" -> ", f);
			if (pp->action == FS_PLAN_REPLACE && pp->new_name) {
				fs_text_write(f, pp->new_name);
				putc(' ', f);
			}
			fs_text_write(f, pp->new_version);
		} else if (pp->new_version) {
			putc(' ', f);
			fs_text_write(f, pp->new_version);
		}
		if (used)
			fprintf(f, ": %zu file%s in use\n", used, used == 1 ? "" : "s");
		else
			fputs(pp->old_version ? ": not in use\n" : "\n", f);
		for (size_t t = pp->first; t < pp->first + pp->ntargets; t++) {
			if (q->nusers[t] == 0)
				continue;
			fputs("      ", f);
			fs_text_write(f, fs_targets_get(p->targets, t)->path);
			fputs(":", f);
			for (size_t u = 0; u < q->nusers[t]; u++) {
				const fs_proc *pr = &q->scan->procs[q->users[t][u]];

				fprintf(f, " %d ", pr->pid);
				fs_text_write(f, pr->comm);
			}
			putc('\n', f);
		}
	}
	fs_fork_forecast_lines(f, p->fork); /* Cygwin/MSYS2 only */
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
