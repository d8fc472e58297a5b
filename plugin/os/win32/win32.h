/*
 * win32.h - pieces of the Windows backend shared between its files.
 *
 * Paths cross this backend as UTF-8 with '/' separators ("C:/msys64/usr/bin",
 * the form `cygpath -m` prints); a path that starts with a single '/' is
 * taken inside the installation forksafe.exe belongs to, as Cygwin and
 * MSYS2 programs see it (fs_win_install_root).  Identities are (volume
 * serial number, NTFS file index).
 */
#ifndef FS_WIN32_H
#define FS_WIN32_H

#include "../../core/os.h"

#include <windows.h>

/* UTF-8 -> UTF-16 and back (malloc'ed; NULL on bad input or no memory). */
wchar_t *fs_win_wide(const char *s);
char *fs_win_utf8(const wchar_t *w, size_t len);

/* A path as Win32 takes it: '/' -> '\\', a leading single '/' inside the
 * installation.  malloc'ed wide string, NULL when out of memory. */
wchar_t *fs_win_path(const char *path);
/* The installation forksafe.exe belongs to: the directory above its bin\
 * (or usr\bin\), with '/' separators; else the exe's own directory. */
const char *fs_win_install_root(void);
/* A wide Win32 path in our form: '\\' -> '/', "\\?\" dropped (malloc'ed). */
char *fs_win_mixed(const wchar_t *w, size_t len);

/* A command line CommandLineToArgvW parses back into argv (argv0, when
 * given, instead of argv[0]); malloc'ed, NULL with err filled. */
wchar_t *fs_win_cmdline(const wchar_t *argv0, char *const *argv, fs_err *err);

/* Fills err with "fmt: <Windows message>" for code and returns -1. */
int fs_win_fail(fs_err *err, DWORD code, const char *fmt, ...) FS_PRINTF(3, 4);

/* Facts of an open handle: identity, size, last write (ns since 1970). */
typedef struct fs_win_info {
	fs_id id;
	uint64_t size;
	int64_t mtime_ns;
	DWORD attrs;
	DWORD links;
} fs_win_info;

int fs_win_handle_info(HANDLE h, fs_win_info *info);
/* Opens path for attributes only, sharing everything, following reparse
 * points unless nofollow; INVALID_HANDLE_VALUE with GetLastError() set. */
HANDLE fs_win_open_meta(const wchar_t *path, int nofollow);
/* FILETIME (100 ns since 1601) -> ns since 1970. */
int64_t fs_win_time_ns(FILETIME ft);

/* A root targets are resolved in (resolve_win32.c). */
struct fs_os_root {
	char *given;
	wchar_t *dir;      /* Win32 path */
	wchar_t *final;    /* its final name, "\\?\" form */
	size_t final_len;
};

/* fs_relpath_check(), and no '\' or ':' (which Win32 would take as a
 * separator, a drive or a stream): every relpath from a manifest passes here. */
int fs_win_relpath_check(const char *relpath, fs_err *err);
/* dir\relpath (malloc'ed, wide), relpath with '/' separators; NULL also for
 * a relpath holding '\' or ':', which could leave dir. */
wchar_t *fs_win_join(const wchar_t *dir, const char *relpath);

/* A directory handle (store_win32.c): a path, held open so it cannot be
 * renamed or removed meanwhile. */
struct fs_os_dir {
	wchar_t *dir;       /* "\\"-separated, no trailing separator */
	char *shown;        /* for messages: relative to the safe root */
	char *path;         /* the safe root's path as given */
	HANDLE dirh;        /* held open */
	HANDLE lockh;       /* fs_os_lock()'s file, once taken */
	fs_id root_id;      /* the safe root's identity (mutex names, volume) */
	int may_create;     /* opened with create: fs_os_lock() may make its file */
};

/* Creates each missing directory of path after path[from] (path is
 * changed and restored on the way), the last with last_sa; refuses a
 * reparse point or a file on the way.  *created (if given): the last was
 * made now.  shown names path in messages. */
int fs_win_mkdir_path(wchar_t *path, size_t from, SECURITY_ATTRIBUTES *last_sa,
		      int *created, const char *shown, fs_err *err);
/* Calls fn for each entry of dir but "." and "..", with its full path,
 * until fn returns -1. */
typedef int (*fs_win_entry_fn)(void *ctx, const wchar_t *path,
			       const WIN32_FIND_DATAW *fd, fs_err *err);
int fs_win_each(const wchar_t *dir, fs_win_entry_fn fn, void *ctx, fs_err *err);

/* dir\\name (malloc'ed), name one component (no '/', '\\' or ':');
 * NULL with err filled otherwise or when out of memory. */
wchar_t *fs_win_dir_join(const fs_os_dir *d, const char *name, fs_err *err);
/* A file or directory of d, not following a reparse point: 1 with its
 * facts, 0 when missing, -1 with GetLastError(). */
int fs_win_identify(const wchar_t *path, fs_win_info *info);
/* Creates every directory of relpath's parent under base (wide). */
int fs_win_mkdirs(const wchar_t *base, const char *relpath, fs_err *err);
/* Removes path and everything under it, never following a reparse point. */
int fs_win_remove_tree(const wchar_t *path, fs_err *err);

/* The name of d's hold lock's mutex (wide, malloc'ed): Global\ or Local\. */
wchar_t *fs_win_mutex_name(const fs_os_dir *d, int global);

#endif
