/* render_owner.c - `forksafe owner` output: the packages owning each file. */
#include "json.h"
#include "render.h"

/* The name a file list has for the target: a symbolic link's own path. */
static const char *looked_up(const fs_target *tg)
{
	return tg->link ? tg->link : tg->path;
}

static void json_diversion(fs_json *j, const fs_pkg *o)
{
	if (!o->diverted) {
		fs_json_null(j, "diversion");
		return;
	}
	fs_json_obj_begin(j, "diversion");
	fs_json_str(j, "by", o->diverted_by);
	fs_json_str(j, "from", o->diverted_from);
	fs_json_str(j, "to", o->diverted_to);
	fs_json_str(j, "path_is", o->diverted == FS_DIVERTED_FROM ? "from" : "to");
	fs_json_obj_end(j);
}

static void json_file(fs_json *j, const fs_target *tg, const fs_pkg *o)
{
	fs_json_obj_begin(j, NULL);
	fs_json_str(j, "path", looked_up(tg));
	fs_json_str(j, "request", tg->request);
	fs_json_bool(j, "exists", tg->exists || tg->link);
	fs_json_str(j, "resolves_to", tg->link ? tg->path : NULL);
	fs_json_str(j, "package", o->name);
	fs_json_str(j, "version", o->version);
	fs_json_arr_begin(j, "packages");
	for (size_t k = 0; k < o->npackages; k++) {
		fs_json_obj_begin(j, NULL);
		fs_json_str(j, "name", o->packages[k].name);
		fs_json_str(j, "version", o->packages[k].version);
		fs_json_obj_end(j);
	}
	fs_json_arr_end(j);
	json_diversion(j, o);
	fs_json_obj_end(j);
}

int fs_owners_write_json(const fs_pkgdb *db, const fs_targets *t,
			 const fs_pkg *owners, FILE *f)
{
	fs_json j;

	fs_json_doc(&j, f);
	fs_json_str(&j, "root", fs_targets_root(t));
	fs_json_str(&j, "database", fs_pkgdb_source(db));
	fs_json_bool(&j, "cached", fs_pkgdb_cached(db));
	fs_json_arr_begin(&j, "files");
	for (size_t i = 0; i < fs_targets_count(t); i++)
		json_file(&j, fs_targets_get(t, i), &owners[i]);
	fs_json_arr_end(&j);
	fs_json_skipped(&j, fs_targets_skipped(t) ? fs_targets_skip_get(t, 0) : NULL,
			fs_targets_skipped(t));
	fs_json_obj_end(&j);
	return fs_json_finish(&j);
}

/* " (diverted by D to T)", " (a local diversion from F)", ... */
static void text_diversion(const fs_pkg *o, FILE *f)
{
	int from = o->diverted == FS_DIVERTED_FROM;

	if (!o->diverted)
		return;
	if (o->diverted_by) {
		fputs(" (diverted by ", f);
		fs_text_write(f, o->diverted_by);
	} else {
		fputs(" (a local diversion", f);
	}
	fputs(from ? " to " : " from ", f);
	fs_text_write(f, from ? o->diverted_to : o->diverted_from);
	putc(')', f);
}

int fs_owners_write_text(const fs_targets *t, const fs_pkg *owners, FILE *f)
{
	for (size_t i = 0; i < fs_targets_count(t); i++) {
		const fs_target *tg = fs_targets_get(t, i);
		const fs_pkg *o = &owners[i];

		fs_text_write(f, looked_up(tg));
		if (o->npackages)
			fputs(" is owned by ", f);
		else
			fputs(tg->exists || tg->link ? " is owned by no package"
						     : " does not exist", f);
		for (size_t k = 0; k < o->npackages; k++) {
			fputs(k ? ", " : "", f);
			fs_text_write(f, o->packages[k].name);
			putc(' ', f);
			fs_text_write(f, o->packages[k].version);
		}
		text_diversion(o, f);
		putc('\n', f);
	}
	fs_targets_write_skipped_text(t, "", f);
	return ferror(f) ? -1 : 0;
}
