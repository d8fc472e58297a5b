/* render_enable.c - `forksafe enable` output: what is and is not protected. */
#include "json.h"
#include "render.h"

#include <inttypes.h>
#include <string.h>

static const char *es(size_t n) { return n == 1 ? "" : "es"; }

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
	fs_json_str(&j, "problem", r->problem[0] ? r->problem : NULL);
	fs_json_str(&j, "weakness", r->weakness[0] ? r->weakness : NULL);
	if (r->birth)
		fs_json_uint(&j, "created_time", r->birth);
	else
		fs_json_null(&j, "created_time");
	fs_json_bool(&j, "ready", r->ready);
	fs_json_completeness(&j, r->complete, r->scan ? r->scan->unreadable : 0);
	fs_json_arr_begin(&j, "uncovered");
	for (size_t i = 0; i < r->nuncovered; i++) {
		const fs_proc *p = &r->uncovered[i];

		fs_json_obj_begin(&j, NULL);
		fs_json_int(&j, "pid", p->pid);
		fs_json_str(&j, "comm", p->comm);
		fs_json_str(&j, "exe", p->exe);
		fs_json_uint(&j, "start_time", p->start_time);
		fs_json_obj_end(&j);
	}
	fs_json_arr_end(&j);
	fs_json_bool(&j, "protected", r->protected_);
	fs_json_obj_end(&j);
	return fs_json_finish(&j);
}

/* Why the directory cannot serve, after "not protected: " (one line). */
static void why_not(const fs_enable_result *r, FILE *f)
{
	const char *sep = "";

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
		sep = "; ";
	}
	if (r->problem[0]) {
		fprintf(f, "%s/%s: ", sep, FS_CYGFORK_DIR);
		fs_text_write(f, r->problem);
	}
	fputc('\n', f);
}

static void uncovered_list(const fs_enable_result *r, FILE *f)
{
	for (size_t i = 0; i < r->nuncovered; i++) {
		const fs_proc *p = &r->uncovered[i];

		fprintf(f, "    %d ", p->pid);
		fs_text_write(f, p->comm);
		fputc(' ', f);
		fs_text_write(f, p->exe ? p->exe : "?");
		fputc('\n', f);
	}
}

int fs_enable_write_text(const fs_enable_result *r, FILE *f)
{
	size_t rlen = strlen(r->root);
	size_t n = r->nuncovered;

	while (rlen > 0 && r->root[rlen - 1] == '/')
		rlen--; /* "/" + "/bin" is "/bin" */
	fprintf(f, "forksafe: /%s %s\n", FS_CYGFORK_DIR,
		r->created ? "created (everyone may add entries, only owners remove them)"
			   : "exists already: left as it is");
	if (r->runtime)
		fs_text_line(f, "forksafe: runtime %.*s%s/%s", (int)rlen, r->root, r->bin, r->runtime);
	fs_text_line(f, "forksafe: file system %s%s", r->fs_type,
		     r->same_volume == 1 ? ", on the volume of the binaries" : "");
	if (r->weakness[0])
		fs_text_line(f, "forksafe: warning: /%s: %s", FS_CYGFORK_DIR, r->weakness);
	if (!r->ready) {
		fputs("forksafe: not protected: ", f);
		why_not(r, f);
		return ferror(f) ? -1 : 0;
	}
	if (n) {
		fprintf(f, "forksafe: not protected yet: %zu running process%s of this "
			"installation started before /%s existed%s (the runtime decided "
			"without it); covered only once every process of the installation "
			"has exited:\n", n, es(n), FS_CYGFORK_DIR,
			r->birth ? "" : " or when that is unknown");
		uncovered_list(r, f);
	} else {
		fputs("forksafe: protected: a fork that fails after an upgrade is retried "
		      "from hardlinks of the old images\n", f);
	}
	if (!r->complete)
		fprintf(f, "forksafe: %zu process%s could not be read: the list may be "
			"incomplete\n", r->scan->unreadable, es(r->scan->unreadable));
	fputs("forksafe: not protected, ever: an upgrade of the runtime DLL itself "
	      "(processes must restart)\n", f);
	return ferror(f) ? -1 : 0;
}

int fs_enable_write_hook(const fs_enable_result *r, FILE *f)
{
	size_t n = r->nuncovered;

	if (!r->runtime || (r->ready && !r->created))
		return 0; /* not Cygwin, or nothing changed: quiet */
	if (!r->ready) {
		fputs("forksafe: warning: the fork retry is off: ", f);
		why_not(r, f);
	} else if (n) {
		fprintf(f, "forksafe: made /%s: a failed fork is retried from hardlinks once "
			"the %zu running process%s of this installation have all exited "
			"(forksafe enable names them)\n", FS_CYGFORK_DIR, n, es(n));
	} else {
		fprintf(f, "forksafe: made /%s: a failed fork is retried from hardlinks\n",
			FS_CYGFORK_DIR);
	}
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
