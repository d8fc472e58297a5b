/* render.h - the pieces every output shares (render.c): how a document
 * starts, how a process, a file and a target are named, in JSON and for
 * people. */
#ifndef FS_RENDER_H
#define FS_RENDER_H

#include "forksafe.h"
#include "json.h"

#include <stddef.h>
#include <stdio.h>

/* Starts a document: the top object and its "schema" member. */
void fs_json_doc(fs_json *j, FILE *f);
/* Writes "complete" and "unreadable_processes": how every output says
 * whether its scan could read every process. */
void fs_json_completeness(fs_json *j, int complete, size_t unreadable);
/* Writes the members every process object has in JSON output. */
void fs_json_proc(fs_json *j, const fs_proc *p);
/* Writes one process object (fs_json_proc's members). */
void fs_json_proc_object(fs_json *j, const fs_proc *p);
/* Writes "path", "dev" ("MAJ:MIN") and "ino": how every output names a file. */
void fs_json_file(fs_json *j, const char *path, fs_id id);
/* The same for a mapped image: "dev" and "ino" null when its identity is
 * unknown (FS_IMAGE_NO_ID). */
void fs_json_image(fs_json *j, const fs_image *im);
/* Writes "path", "request" and "exists": how outputs name a requested file. */
void fs_json_target(fs_json *j, const fs_target *tg);
/* Writes "skipped": the targets left out, each {"request", "problem"}. */
void fs_json_skipped(fs_json *j, const fs_target_skip *v, size_t n);

/* Writes "PID COMM (uid N) EXE[ (deleted)]" for a person, no newline. */
void fs_text_proc(FILE *f, const fs_proc *p);
/* One line each for the targets left out: "PREFIXrequest: skipped: problem". */
void fs_targets_write_skipped_text(const fs_targets *t, const char *prefix, FILE *f);

#endif
