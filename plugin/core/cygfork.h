/*
 * cygfork.h - retiring the Cygwin runtime's own snapshot directories,
 * <root>/var/run/cygfork/<SID>/<EXE>@<PID><TID>/ (cygfork.c): retire
 * removes those whose process is gone.  On Linux there are none.
 */
#ifndef FS_CYGFORK_H
#define FS_CYGFORK_H

#include "forksafe.h"
#include "json.h"

typedef struct fs_cygfork_result {
	size_t removed;       /* stale: their mutex did not exist */
	size_t held;          /* their mutex exists: left alone */
	size_t nproblems;
	char **problems;      /* "SID/ENTRY: why" for each that could not be checked or removed */
	char **removed_names;
} fs_cygfork_result;

/* Removes var/run/cygfork/<SID>/<EXE>@<PID><TID>/ of root whose mutex no
 * longer exists (dry_run: counts them only).  1 with *out, 0 when root is
 * no Cygwin or MSYS2 installation (Linux), -1 with err. */
int fs_cygfork_retire(const char *root, int dry_run, fs_cygfork_result **out, fs_err *err);
void fs_cygfork_result_free(fs_cygfork_result *r);
/* retire's part: fs_cygfork_retire() of opts's root into r->cygfork; a
 * failure is reported there as a problem ("*: why"), never fails retire.
 * -1 only when out of memory. */
int fs_retire_cygfork(const fs_store_opts *opts, fs_retire_result *r, fs_err *err);
/* retire's member "cygfork" and text lines; nothing when r is NULL. */
void fs_cygfork_json(fs_json *j, const fs_cygfork_result *r);
void fs_cygfork_text(FILE *f, const fs_cygfork_result *r, int dry_run);

#endif
