/*
 * internal.h - helpers shared by the platform-neutral core and the OS
 * backends.  Nothing here is part of the public API.
 */
#ifndef FS_INTERNAL_H
#define FS_INTERNAL_H

#include "forksafe.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#if defined(__MINGW32__) /* mingw's own C99 printf, not msvcrt's */
#define FS_PRINTF(a, b) __attribute__((format(gnu_printf, a, b)))
#elif defined(__GNUC__)
#define FS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FS_PRINTF(a, b)
#endif

/* Fills err (which may be NULL) and returns -1. */
int fs_fail(fs_err *err, const char *fmt, ...) FS_PRINTF(2, 3);
/* Same, with ": strerror(errnum)" appended. */
int fs_fail_errno(fs_err *err, int errnum, const char *fmt, ...) FS_PRINTF(3, 4);

/* Adds n targets at once (fs_targets_add for each, resolved in parallel):
 * requests[i] is shown, paths[i] resolved. */
int fs_targets_add_many(fs_targets *t, const char *const *requests,
			const char *const *paths, size_t n, fs_err *err);
/* Records a target left out and why; -1 only when the list cannot grow. */
int fs_targets_skip(fs_targets *t, const char *request, const char *problem,
		    fs_err *err);

/* ---- arena: many small allocations freed at once ------------------------- */

typedef struct fs_arena {
	struct fs_arena_chunk *head;
	size_t size;   /* of all its chunks */
} fs_arena;

void *fs_arena_alloc(fs_arena *a, size_t size);
char *fs_arena_strndup(fs_arena *a, const char *s, size_t len);
char *fs_arena_strdup(fs_arena *a, const char *s);
void fs_arena_free(fs_arena *a);
/* Moves every allocation of from into into; from is left empty. */
void fs_arena_merge(fs_arena *into, fs_arena *from);

/* ---- growable array of fixed-size elements ------------------------------- */

/* Makes room for want elements in all (one allocation when the count is
 * known ahead); 0 or -1. */
int fs_reserve(void **items, size_t *cap, size_t want, size_t elem);
/* Makes room for one more element; returns a pointer to it, zeroed, or NULL. */
void *fs_grow(void **items, size_t *count, size_t *cap, size_t elem);

/* ---- streaming JSON writer ------------------------------------------------
 * Every call takes the member key when inside an object and NULL inside an
 * array or at top level.  Strings are written as valid UTF-8: bytes that are
 * not valid UTF-8 become U+FFFD (docs/json.md).
 */
#define FS_JSON_DEPTH 16

typedef struct fs_json {
	FILE *f;
	int depth;
	unsigned char has_items[FS_JSON_DEPTH];
} fs_json;

void fs_json_init(fs_json *j, FILE *f);
void fs_json_obj_begin(fs_json *j, const char *key);
void fs_json_obj_end(fs_json *j);
void fs_json_arr_begin(fs_json *j, const char *key);
void fs_json_arr_end(fs_json *j);
void fs_json_str(fs_json *j, const char *key, const char *val); /* NULL -> null */
void fs_json_int(fs_json *j, const char *key, long long val);
void fs_json_uint(fs_json *j, const char *key, unsigned long long val);
void fs_json_bool(fs_json *j, const char *key, int val);
void fs_json_null(fs_json *j, const char *key);
/* A value already written as JSON text (for output rendered once, used often). */
void fs_json_raw(fs_json *j, const char *key, const char *text, size_t len);
/* Ends the document with a newline; returns 0 or -1 on a write error. */
int fs_json_finish(fs_json *j);

/* Writes s as a JSON string literal (quotes included). */
void fs_json_write_string(FILE *f, const char *s);

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid (an
 * overlong form, a surrogate, above U+10FFFF, cut short). */
size_t fs_utf8_len(const unsigned char *s);

/* Writes "PID COMM (uid N) EXE[ (deleted)]" for a person, no newline. */
void fs_text_proc(FILE *f, const fs_proc *p);

/* size bytes that live as long as scan (NULL when out of memory). */
void *fs_scan_alloc(fs_scan *scan, size_t size);

/*
 * Users of each identity of ids in scan, in one pass: the processes
 * (scan->procs indexes) mapping identity k are store[start[k] .. start[k+1]).
 * store lives in the scan's memory; start is the caller's to free.
 */
int fs_users_by_id(fs_scan *scan, const fs_idset *ids, size_t **start,
		   size_t **store);

/* Starts a document: the top object and its "schema" member. */
void fs_json_doc(fs_json *j, FILE *f);
/* Writes "complete" and "unreadable_processes": how every output says
 * whether its scan could read every process. */
void fs_json_completeness(fs_json *j, int complete, size_t unreadable);
/* Writes one process object (fs_json_proc's members). */
void fs_json_proc_object(fs_json *j, const fs_proc *p);

/* Writes "path", "dev" ("MAJ:MIN") and "ino": how every output names a file. */
void fs_json_file(fs_json *j, const char *path, fs_id id);
/* Writes "path", "request" and "exists": how outputs name a requested file. */
void fs_json_target(fs_json *j, const fs_target *tg);

/* Writes "skipped": the targets left out, each {"request", "problem"}. */
void fs_json_skipped(fs_json *j, const fs_target_skip *v, size_t n);
/* One line each for the targets left out: "PREFIXrequest: skipped: problem". */
void fs_targets_write_skipped_text(const fs_targets *t, const char *prefix, FILE *f);

/* Writes the members every process object has in JSON output. */
void fs_json_proc(fs_json *j, const fs_proc *p);

/*
 * Each process rendered once, for outputs that name a process many times:
 * text is the concatenation, process i is text[off[i] .. off[i + 1]).
 */
typedef struct fs_rendered {
	char *text;
	size_t len;
	size_t *off;
	char *joined;   /* fs_rendered_join()'s */
	size_t joined_cap;
} fs_rendered;

typedef void (*fs_render_fn)(FILE *f, const fs_proc *p);
int fs_render_procs(const fs_scan *scan, fs_render_fn fn, fs_rendered *out);
/* The texts of processes procs[0..n) one after another (sep between them
 * unless it is 0), in memory r owns until the next join: a write per
 * file instead of one per process. */
int fs_rendered_join(fs_rendered *r, const size_t *procs, size_t n, char sep,
		     const char **text, size_t *len);
void fs_rendered_free(fs_rendered *r);

/* ---- units: a process's systemd unit from its cgroup (units.c) ---------- */

/* The path of systemd's hierarchy in the text of /proc/PID/cgroup (len
 * bytes): the cgroup v2 line "0::PATH", or cgroup v1's "N:name=systemd:PATH"
 * when v2 says only "/".  0 and *path, *plen (inside buf); -1 when there is
 * none, a line is not of the kernel's form, or one of them is there twice. */
int fs_cgroup_path(const char *buf, size_t len, const char **path, size_t *plen);
/* The unit of a process in cgroup path (len bytes, not NUL-terminated):
 * slices skipped, the first unit below them; below a user's manager
 * (user@UID.service) the first unit below its slices, hers.  0 with *u
 * filled (kind FS_UNIT_NONE for "/" or a slice); -1 when a component is not
 * a unit name (*u says none). */
int fs_unit_parse(const char *path, size_t len, fs_unit *u);
/* The units of r's processes from their cgroups (fs_report()). */
void fs_report_units(fs_report_result *r);
/* " [x.service]", " [user 1000: x.service]"... after a process, for people. */
void fs_unit_text(FILE *f, const fs_unit *u);
/* "unit", "unit_type" and "unit_uid" of a process. */
void fs_unit_json(fs_json *j, const fs_unit *u);
/* What to restart, by unit: lines for people, and the "units" member. */
int fs_units_write_text(const fs_report_result *r, FILE *f);
int fs_units_json(fs_json *j, const fs_report_result *r);

#endif
