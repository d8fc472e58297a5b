/*
 * render_report.c - `forksafe report` output: processes running replaced
 * images grouped by the package owning each image, and the processes that
 * must restart because a runtime component was replaced.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static int by_name(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	if (!x || !y)
		return !x - !y; /* "no package" last */
	return strcmp(x, y);
}

static int same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* The distinct packages of stale images, sorted; *n of them. */
static const char **groups(const fs_report_result *r, size_t *n)
{
	size_t total = 0, k = 0;
	const char **v;

	for (size_t i = 0; i < r->n; i++)
		total += r->v[i].n;
	v = malloc((total + 1) * sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < r->n; i++)
		for (size_t m = 0; m < r->v[i].n; m++)
			v[k++] = r->v[i].v[m].package;
	qsort(v, total, sizeof *v, by_name);
	*n = 0;
	for (size_t i = 0; i < total; i++)
		if (*n == 0 || !same(v[*n - 1], v[i]))
			v[(*n)++] = v[i];
	return v;
}

static int in_group(const fs_report_image *ri, const char *pkg, int runtime_only)
{
	return runtime_only ? ri->runtime : same(ri->package, pkg);
}

static void json_images(fs_json *j, const fs_report_proc *rp, const char *pkg,
			int runtime_only)
{
	fs_json_arr_begin(j, "images");
	for (size_t m = 0; m < rp->n; m++) {
		const fs_report_image *ri = &rp->v[m];

		if (!in_group(ri, pkg, runtime_only))
			continue;
		fs_json_obj_begin(j, NULL);
		fs_json_file(j, ri->image->path, ri->image->id);
		fs_json_bool(j, "deleted", ri->image->flags & FS_IMAGE_DELETED);
		fs_json_str(j, "package", ri->package);
		fs_json_str(j, "snapshot", ri->snapshot);
		fs_json_bool(j, "runtime", ri->runtime);
		fs_json_obj_end(j);
	}
	fs_json_arr_end(j);
}

static int has_group(const fs_report_proc *rp, const char *pkg, int runtime_only)
{
	for (size_t m = 0; m < rp->n; m++)
		if (in_group(&rp->v[m], pkg, runtime_only))
			return 1;
	return 0;
}

static void json_procs(fs_json *j, const fs_report_result *r, const char *pkg,
		       int runtime_only)
{
	fs_json_arr_begin(j, runtime_only ? "must_restart" : "processes");
	for (size_t i = 0; i < r->n; i++) {
		if (!has_group(&r->v[i], pkg, runtime_only))
			continue;
		fs_json_obj_begin(j, NULL);
		fs_json_proc(j, r->v[i].proc);
		fs_unit_json(j, &r->v[i].unit);
		json_images(j, &r->v[i], pkg, runtime_only);
		fs_json_obj_end(j);
	}
	fs_json_arr_end(j);
}

int fs_report_write_json(const fs_report_result *r, FILE *f)
{
	size_t ng = 0;
	const char **g = groups(r, &ng);
	fs_json j;

	if (!g)
		return -1;
	fs_json_doc(&j, f);
	fs_json_str(&j, "root", r->root);
	fs_json_completeness(&j, r->scan->complete, r->scan->unreadable);
	fs_json_uint(&j, "processes_affected", r->n);
	fs_json_arr_begin(&j, "packages");
	for (size_t i = 0; i < ng; i++) {
		fs_json_obj_begin(&j, NULL);
		fs_json_str(&j, "package", g[i]);
		json_procs(&j, r, g[i], 0);
		fs_json_obj_end(&j);
	}
	fs_json_arr_end(&j);
	json_procs(&j, r, NULL, 1);
	if (fs_units_json(&j, r) < 0) {
		free(g);
		return -1;
	}
	fs_json_obj_end(&j);
	free(g);
	return fs_json_finish(&j);
}

static void text_procs(FILE *f, const fs_report_result *r, const char *pkg,
		       int runtime_only)
{
	for (size_t i = 0; i < r->n; i++) {
		const fs_report_proc *rp = &r->v[i];

		if (!has_group(rp, pkg, runtime_only))
			continue;
		fputs("    ", f);
		fs_text_proc(f, rp->proc);
		fs_unit_text(f, &rp->unit);
		putc('\n', f);
		for (size_t m = 0; m < rp->n; m++) {
			if (!in_group(&rp->v[m], pkg, runtime_only))
				continue;
			fputs("        ", f);
			fs_text_write(f, rp->v[m].image->path);
			if (rp->v[m].snapshot) {
				fputs(" (old file kept in ", f);
				fs_text_write(f, rp->v[m].snapshot);
				putc(')', f);
			} else {
				fputs(" (old file deleted)", f);
			}
			putc('\n', f);
		}
	}
}

int fs_report_write_text(const fs_report_result *r, FILE *f)
{
	size_t ng = 0;
	const char **g = groups(r, &ng);

	if (!g)
		return -1;
	if (r->n == 0)
		fputs("forksafe: no process runs a replaced or removed image\n", f);
	else
		fprintf(f, "forksafe: %zu process%s run%s replaced or removed images\n", r->n,
			r->n == 1 ? "" : "es", r->n == 1 ? "s" : "");
	for (size_t i = 0; i < ng; i++) {
		fputs("  ", f);
		if (g[i])
			fs_text_write(f, g[i]);
		else
			fputs("(no package)", f);
		fputs(":\n", f);
		text_procs(f, r, g[i], 0);
	}
	if (r->must_restart) {
		fprintf(f, "must restart (the loader, libc or runtime DLL was replaced; "
			"no snapshot makes that safe):\n");
		text_procs(f, r, NULL, 1);
	}
	free(g);
	if (fs_units_write_text(r, f) < 0)
		return -1;
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
