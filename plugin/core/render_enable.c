/* render_enable.c - `forksafe enable` output: what is and is not protected. */
#include "json.h"
#include "render.h"

#include <string.h>

int fs_enable_write_json(const fs_enable_result *r, FILE *f)
{
	fs_json j;

	fs_json_doc(&j, f);
	fs_json_str(&j, "root", r->root);
	fs_json_str(&j, "cygfork", "/" FS_CYGFORK_DIR);
	fs_json_bool(&j, "created", r->created);
	fs_json_str(&j, "runtime", r->runtime);
	fs_json_str(&j, "bin", r->bin);
	fs_json_str(&j, "fs_type", r->fs_type);
	fs_json_bool(&j, "ntfs", r->ntfs);
	if (r->same_volume < 0)
		fs_json_null(&j, "same_volume");
	else
		fs_json_bool(&j, "same_volume", r->same_volume);
	fs_json_bool(&j, "protected", r->protected_);
	fs_json_obj_end(&j);
	return fs_json_finish(&j);
}

int fs_enable_write_text(const fs_enable_result *r, FILE *f)
{
	const char *sep = "";
	size_t rlen = strlen(r->root);

	while (rlen > 0 && r->root[rlen - 1] == '/')
		rlen--; /* "/" + "/bin" is "/bin" */
	fprintf(f, "forksafe: /%s %s\n", FS_CYGFORK_DIR,
		r->created ? "created (everyone may add entries, only owners remove them)"
			   : "exists already: left as it is");
	if (r->runtime)
		fs_text_line(f, "forksafe: runtime %.*s%s/%s", (int)rlen, r->root, r->bin, r->runtime);
	fs_text_line(f, "forksafe: file system %s%s", r->fs_type,
		     r->same_volume == 1 ? ", on the volume of the binaries" : "");
	if (r->protected_) {
		fputs("forksafe: protected: a fork that fails after an upgrade is retried "
		      "from hardlinks of the old images\n", f);
		fputs("forksafe: not protected, ever: an upgrade of the runtime DLL itself "
		      "(processes must restart)\n", f);
		return ferror(f) ? -1 : 0;
	}
	fputs("forksafe: not protected: ", f);
	if (!r->runtime) {
		fputs("no cygwin1.dll or msys-2.0.dll under ", f);
		fs_text_write(f, r->root);
		sep = "; ";
	}
	if (!r->ntfs) {
		fprintf(f, "%sCygwin's fork retry needs NTFS, not ", sep);
		fs_text_write(f, r->fs_type);
		sep = "; ";
	}
	if (r->same_volume == 0) {
		fprintf(f, "%s/%s is not on the volume of ", sep, FS_CYGFORK_DIR);
		fs_text_write(f, r->bin);
	}
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}
