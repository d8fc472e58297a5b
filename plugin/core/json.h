/*
 * json.h - the streaming JSON writer (json.c).
 * Every call takes the member key when inside an object and NULL inside an
 * array or at top level.  Strings are written as valid UTF-8: bytes that are
 * not valid UTF-8 become U+FFFD (docs/json.md).
 */
#ifndef FS_JSON_H
#define FS_JSON_H

#include <stddef.h>
#include <stdio.h>

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

#endif
