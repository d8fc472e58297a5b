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
#include "../../core/err.h"

#include <windows.h>

/* UTF-8 -> UTF-16 and back (malloc'ed; NULL on bad input or no memory). */
wchar_t *fs_win_wide(const char *s);
char *fs_win_utf8(const wchar_t *w, size_t len);

/* Longest Win32 path taken (NT names hold at most 32767 characters). */
#define FS_WIN_PATH_MAX 32768

/* A path as Win32 takes it: '/' -> '\\', a leading single '/' inside the
 * installation, the \\?\ form when it is MAX_PATH long or more.  malloc'ed
 * wide string; NULL when out of memory, or for a path inside an
 * installation forksafe.exe cannot tell (fs_win_install_root says why). */
wchar_t *fs_win_path(const char *path);
/* The installation forksafe.exe belongs to: the directory above its bin\
 * (or usr\bin\), with '/' separators.  NULL with err set when it cannot
 * tell (its own path unreadable, or not in a bin\ or usr\bin\ directory):
 * never a guess. */
const char *fs_win_install_root(fs_err *err);
/* An absolute Win32 path (drive or UNC) as one that works at any length:
 * made full (GetFullPathNameW applies "." and "..") and given the \\?\
 * prefix when it is MAX_PATH long or more.  Takes w; NULL with no memory. */
wchar_t *fs_win_long(wchar_t *w);
/* The same, at any length: the form every join below a root can grow long
 * in (the root's dir). */
wchar_t *fs_win_long_always(wchar_t *w);
/* Is path a drive or UNC path ("C:/x", "C:\\x", "//srv/x", "\\\\?\\C:\\x"):
 * a file of the host, whatever root is in use? */
int fs_win_drive_path(const char *path);
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

/* A directory handle (os.h's fs_os_dir, store_win32.c): the directory is
 * held open without FILE_SHARE_DELETE, so it cannot be renamed or removed
 * meanwhile, and every primitive works by its path plus one name, never
 * following the name if it is a reparse point. */
struct fs_os_dir {
	wchar_t *dir;   /* Win32 path, '\\'-separated, no trailing separator */
	HANDLE h;       /* the directory, held open */
	HANDLE lockh;   /* fs_os_lock()'s file, locked until closed */
	fs_id root;     /* the safe root's identity: its volume bounds every walk */
	char *shown;    /* for messages: relative to the safe root, '/'-separated */
	char *path;     /* the safe root's absolute path, for messages */
};

/* d's path + '\\' + name (malloc'ed), name one component (os.h: not
 * empty, not "." or "..", no '/', '\\' or ':'); NULL with err filled. */
wchar_t *fs_win_dir_name(const fs_os_dir *d, const char *name, fs_err *err);
/* "<shown>/<name>" for messages ("./<name>" in the safe root). */
#define FS_WIN_SHOWN(d) ((d)->shown[0] ? (d)->shown : ".")

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

/* Creates every directory of relpath's parent under base (wide), never
 * through a reparse point. */
int fs_win_mkdirs(const wchar_t *base, const char *relpath, fs_err *err);
/* The final name of the file h (opened as opened, which may be NULL),
 * malloc'ed, in \\?\ form: GetFinalPathNameByHandleW, else (past what it
 * names, as under Wine) the drive of opened with FileNameInfo when the
 * drive's volume is h's.  NULL when neither can tell. */
wchar_t *fs_win_final_name(HANDLE h, const wchar_t *opened);

/* The environment variable that tells a worker (child_win32.c) its
 * supervisor's pid: the worker's scans leave that process out when it is
 * its parent and runs the same program file (scan_win32.c). */
#define FS_WIN_SUPERVISOR_VAR L"FORKSAFE_SUPERVISOR"

/* Removes path, a file or an empty directory (attrs: its attributes), or a
 * reparse point as itself; a read-only file too.  0, or -1 with
 * GetLastError() set. */
int fs_win_remove_one(const wchar_t *path, DWORD attrs);

#endif
