/*
 * render_report.c - `forksafe report` output: processes running replaced
 * images grouped by the package owning each image, and the processes that
 * must restart because a runtime component was replaced.
 */
#include "json.h"
#include "render.h"
#include "report_units.h"
#include "sort.h"
#include "verdict.h"

#include <stdlib.h>
#include <string.h>

static int same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Is ri the container's own file (not the root's), listed by container? */
static int own_file(const fs_report_proc *rp, const fs_report_image *ri)
{
	return rp->container && !ri->root_path;
}

/* The distinct packages of stale images the root holds, sorted; *n of them. */
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
			if (!own_file(&r->v[i], &r->v[i].v[m]))
				v[k++] = r->v[i].v[m].package;
	qsort(v, k, sizeof *v, fs_cmp_name);
	*n = 0;
	for (size_t i = 0; i < k; i++)
		if (*n == 0 || !same(v[*n - 1], v[i]))
			v[(*n)++] = v[i];
	return v;
}

/* The distinct mount namespaces of processes with files of their own
 * listed, sorted; *n of them. */
static const char **containers(const fs_report_result *r, size_t *n)
{
	size_t k = 0;
	const char **v = malloc((r->n + 1) * sizeof *v);

	if (!v)
		return NULL;
	for (size_t i = 0; i < r->n; i++)
		for (size_t m = 0; m < r->v[i].n; m++)
			if (own_file(&r->v[i], &r->v[i].v[m])) {
				v[k++] = r->v[i].container;
				break;
			}
	qsort(v, k, sizeof *v, fs_cmp_name);
	*n = 0;
	for (size_t i = 0; i < k; i++)
		if (*n == 0 || !same(v[*n - 1], v[i]))
			v[(*n)++] = v[i];
	return v;
}

enum group { BY_PACKAGE, BY_CONTAINER, RUNTIME };

static int in_group(const fs_report_proc *rp, const fs_report_image *ri, enum group g,
		    const char *key)
{
	switch (g) {
	case BY_PACKAGE:
		return !own_file(rp, ri) && same(ri->package, key);
	case BY_CONTAINER:
		return own_file(rp, ri) && same(rp->container, key);
	default:
		return ri->runtime && ri->state != FS_STALE_UNKNOWN;
	}
}

static const char *state_name(fs_stale st)
{
	return st == FS_STALE_REPLACED ? "replaced" : st == FS_STALE_REMOVED ? "removed"
									      : "unknown";
}

static void json_images(fs_json *j, const fs_report_proc *rp, enum group g, const char *key)
{
	fs_json_arr_begin(j, "images");
	for (size_t m = 0; m < rp->n; m++) {
		const fs_report_image *ri = &rp->v[m];

		if (!in_group(rp, ri, g, key))
			continue;
		fs_json_obj_begin(j, NULL);
		fs_json_image(j, ri->image);
		fs_json_str(j, "state", state_name(ri->state));
		/* the old file is unlinked: the kernel says so of the mapping and
		 * the path (by identity) no longer has it, or nothing is there */
		fs_json_bool(j, "deleted", ri->state == FS_STALE_REMOVED ||
						   (ri->state == FS_STALE_REPLACED &&
						    ri->image->flags & FS_IMAGE_DELETED));
		fs_json_str(j, "package", ri->package);
		fs_json_str(j, "snapshot", ri->snapshot);
		fs_json_bool(j, "runtime", ri->runtime);
		fs_json_obj_end(j);
	}
	fs_json_arr_end(j);
}

static int has_group(const fs_report_proc *rp, enum group g, const char *key)
{
	for (size_t m = 0; m < rp->n; m++)
		if (in_group(rp, &rp->v[m], g, key))
			return 1;
	return 0;
}

static void json_procs(fs_json *j, const fs_report_result *r, enum group g, const char *key)
{
	fs_json_arr_begin(j, g == RUNTIME ? "must_restart" : "processes");
	for (size_t i = 0; i < r->n; i++) {
		if (!has_group(&r->v[i], g, key))
			continue;
		fs_json_obj_begin(j, NULL);
		fs_json_proc(j, r->v[i].proc);
		fs_json_str(j, "mount_namespace", r->v[i].container);
		fs_unit_json(j, &r->v[i].unit);
		json_images(j, &r->v[i], g, key);
		fs_json_obj_end(j);
	}
	fs_json_arr_end(j);
}

int fs_report_write_json(const fs_report_result *r, FILE *f)
{
	size_t ng = 0, nc = 0;
	const char **g = groups(r, &ng), **c = containers(r, &nc);
	fs_json j;

	if (!g || !c) {
		free(g);
		free(c);
		return -1;
	}
	fs_json_doc(&j, f);
	fs_json_str(&j, "root", r->root);
	fs_json_completeness(&j, r->scan->complete, r->scan->unreadable);
	fs_json_uint(&j, "processes_affected", r->n - r->unknown);
	fs_json_uint(&j, "processes_unknown", r->unknown);
	fs_json_arr_begin(&j, "packages");
	for (size_t i = 0; i < ng; i++) {
		fs_json_obj_begin(&j, NULL);
		fs_json_str(&j, "package", g[i]);
		json_procs(&j, r, BY_PACKAGE, g[i]);
		fs_json_obj_end(&j);
	}
	fs_json_arr_end(&j);
	fs_json_arr_begin(&j, "containers");
	for (size_t i = 0; i < nc; i++) {
		fs_json_obj_begin(&j, NULL);
		fs_json_str(&j, "mount_namespace", c[i]);
		json_procs(&j, r, BY_CONTAINER, c[i]);
		fs_json_obj_end(&j);
	}
	fs_json_arr_end(&j);
	json_procs(&j, r, RUNTIME, NULL);
	if (fs_units_json(&j, r) < 0) {
		free(g);
		free(c);
		return -1;
	}
	fs_fork_json(&j, r->fork); /* Cygwin/MSYS2 only */
	fs_json_obj_end(&j);
	free(g);
	free(c);
	return fs_json_finish(&j);
}

static void text_image(FILE *f, const fs_report_image *ri)
{
	fputs("        ", f);
	fs_text_write(f, ri->image->path);
	if (ri->state == FS_STALE_UNKNOWN) {
		fputs(" (unknown: the process's own view of it cannot be read)", f);
	} else if (ri->snapshot) {
		fputs(" (old file kept in ", f);
		fs_text_write(f, ri->snapshot);
		putc(')', f);
	} else {
		fputs(" (old file deleted)", f);
	}
	putc('\n', f);
}

static void text_procs(FILE *f, const fs_report_result *r, enum group g, const char *key)
{
	for (size_t i = 0; i < r->n; i++) {
		const fs_report_proc *rp = &r->v[i];

		if (!has_group(rp, g, key))
			continue;
		fputs("    ", f);
		fs_text_proc(f, rp->proc);
		fs_unit_text(f, &rp->unit);
		putc('\n', f);
		for (size_t m = 0; m < rp->n; m++)
			if (in_group(rp, &rp->v[m], g, key))
				text_image(f, &rp->v[m]);
	}
}

int fs_report_write_text(const fs_report_result *r, FILE *f)
{
	size_t ng = 0, nc = 0, n = r->n - r->unknown;
	const char **g = groups(r, &ng), **c = containers(r, &nc);

	if (!g || !c) {
		free(g);
		free(c);
		return -1;
	}
	if (n == 0)
		fputs("forksafe: no process runs a replaced or removed image\n", f);
	else
		fprintf(f, "forksafe: %zu process%s run%s replaced or removed images\n", n,
			n == 1 ? "" : "es", n == 1 ? "s" : "");
	if (r->unknown)
		fprintf(f, "forksafe: %zu process%s whose own view cannot be read: unknown\n",
			r->unknown, r->unknown == 1 ? "" : "es");
	for (size_t i = 0; i < ng; i++) {
		fputs("  ", f);
		if (g[i])
			fs_text_write(f, g[i]);
		else
			fputs("(no package)", f);
		fputs(":\n", f);
		text_procs(f, r, BY_PACKAGE, g[i]);
	}
	for (size_t i = 0; i < nc; i++) {
		fputs("  container ", f);
		fs_text_write(f, c[i]); /* only processes with a namespace are here */
		fputs(" (its own files, no package of this root):\n", f);
		text_procs(f, r, BY_CONTAINER, c[i]);
	}
	if (r->must_restart) {
		fprintf(f, "must restart (the loader, libc or runtime DLL was replaced; "
			"no snapshot makes that safe, and guard never keeps the Cygwin "
			"runtime DLL):\n");
		text_procs(f, r, RUNTIME, NULL);
	}
	free(g);
	free(c);
	if (fs_units_write_text(r, f) < 0)
		return -1;
	fs_fork_text(f, r->fork); /* Cygwin/MSYS2 only */
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
