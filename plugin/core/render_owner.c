/* render_owner.c - `forksafe owner` output: the package owning each file. */
#include "internal.h"

int fs_owners_write_json(const fs_pkgdb *db, const fs_targets *t,
			 const fs_pkg *owners, FILE *f)
{
	fs_json j;

	fs_json_doc(&j, f);
	fs_json_str(&j, "root", fs_targets_root(t));
	fs_json_str(&j, "database", fs_pkgdb_source(db));
	fs_json_bool(&j, "cached", fs_pkgdb_cached(db));
	fs_json_arr_begin(&j, "files");
	for (size_t i = 0; i < fs_targets_count(t); i++) {
		const fs_target *tg = fs_targets_get(t, i);

		fs_json_obj_begin(&j, NULL);
		fs_json_target(&j, tg);
		fs_json_str(&j, "package", owners[i].name);
		fs_json_str(&j, "version", owners[i].version);
		fs_json_obj_end(&j);
	}
	fs_json_arr_end(&j);
	fs_json_skipped(&j, fs_targets_skipped(t) ? fs_targets_skip_get(t, 0) : NULL,
			fs_targets_skipped(t));
	fs_json_obj_end(&j);
	return fs_json_finish(&j);
}

int fs_owners_write_text(const fs_targets *t, const fs_pkg *owners, FILE *f)
{
	for (size_t i = 0; i < fs_targets_count(t); i++) {
		const fs_target *tg = fs_targets_get(t, i);

		fs_text_write(f, tg->path);
		if (owners[i].name) {
			fputs(" is owned by ", f);
			fs_text_write(f, owners[i].name);
			putc(' ', f);
			fs_text_write(f, owners[i].version);
		} else {
			fputs(tg->exists ? " is owned by no package" : " does not exist", f);
		}
		putc('\n', f);
	}
	fs_targets_write_skipped_text(t, "", f);
	return ferror(f) ? -1 : 0;
}
