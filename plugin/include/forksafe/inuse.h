/*
 * forksafe/inuse.h - the installers' question: which running processes
 * use these files?  The stable C API of libforksafe (docs/api.md).
 *
 *   forksafe_query *q = forksafe_query_new(NULL);      // root "/"
 *   if (!q || forksafe_query_run(q, FORKSAFE_PATHS, names, n) < 0)
 *           fail(q ? forksafe_query_error(q) : "out of memory");
 *   for (size_t i = 0; i < forksafe_query_files(q); i++) {
 *           const forksafe_file *f = forksafe_query_file(q, i);
 *           for (size_t j = 0; j < f->nprocesses; j++)
 *                   use(forksafe_query_process(q, i, j));
 *   }
 *   forksafe_query_free(q);
 *
 * A file is in use when a process maps it: its executable, a shared
 * library or any other file mapped into its memory, matched by the file's
 * identity (device and inode, or volume and file ID), never by its name.
 *
 * Ownership: the library owns every object and string it returns; they
 * live until the query is run again or freed.  The caller owns what it
 * passes in; nothing is kept of it after the call returns.
 * Errors: a function that can fail returns -1 (NULL for
 * forksafe_query_new) and forksafe_query_error() says why in one line.
 * Threads: a query is used by one thread at a time; different queries may
 * run at once in different threads.
 * Stability: these names keep their meaning and their ABI in every
 * libforksafe.so.0 (version node FORKSAFE_0); the structs below only grow
 * at their end, and the library always allocates them.
 */
#ifndef FORKSAFE_INUSE_H
#define FORKSAFE_INUSE_H

#include <stddef.h>

#include "export.h"
#include "version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the names given to forksafe_query_run() are. */
enum forksafe_names {
	/* Files.  With root "/", a relative path is taken from the current
	 * directory; under another root every path is inside that root. */
	FORKSAFE_PATHS = 0,
	/* Installed packages (pacman, dpkg): the files each owns. */
	FORKSAFE_PACKAGES = 1,
	/* Package archives (.pkg.tar.zst, Cygwin's .tar.xz, ...): the files
	 * each would install or replace. */
	FORKSAFE_ARCHIVES = 2,
};

/* A running process.  (pid, start_time) names it for good: pids are
 * reused, the pair is not. */
typedef struct forksafe_process {
	long pid;
	/* When it started: Linux: clock ticks after boot (field 22 of
	 * /proc/PID/stat); Windows: its creation time (FILETIME, 100 ns
	 * units since 1601).  0 when unknown. */
	unsigned long long start_time;
	const char *name;       /* short command name ("bash"), "" when unknown */
	const char *exe;        /* its executable's path, NULL when unknown */
	long uid;               /* its effective user id, -1 when unknown (Windows) */
} forksafe_process;

/* One file of the answer. */
typedef struct forksafe_file {
	const char *name;       /* as given (PATHS), else as the package lists it */
	const char *path;       /* absolute, inside the root; NULL when not checked */
	const char *problem;    /* why it was not checked (it names no file inside
				 * the root: a symlink loop, ".." above the root,
				 * too long ...), else NULL */
	int exists;             /* 0: no such file (then nprocesses is 0) */
	/* 1 when nprocesses is the whole truth: the file was checked and every
	 * running process could be read.  0 when some process could not be
	 * read (run as root; even root cannot read some), so there may be
	 * more users than listed, or when the file was not checked. */
	int complete;
	size_t nprocesses;      /* the processes mapping it */
} forksafe_file;

typedef struct forksafe_query forksafe_query;

/* The library's version ("0.1.0"): which library the program runs with. */
FORKSAFE_API const char *forksafe_version(void);

/* A query for files inside root ("/" when NULL; copied).  On Windows
 * paths are written with '/' ("C:/msys64"), and "/" is the Cygwin or
 * MSYS2 installation the running program belongs to: an installer names
 * the installation it works on.  NULL only when out of memory. */
FORKSAFE_API forksafe_query *forksafe_query_new(const char *root);

/*
 * Answers the question for n names of the given kind (enum
 * forksafe_names): resolves them to files, reads every running process
 * once (the calling process is never listed) and attributes each file its
 * processes.  0, or -1 with forksafe_query_error(): a bad root or kind, a
 * package that is not installed, an unreadable archive, a build without
 * package support (PACKAGES, ARCHIVES), out of memory, a NULL name, more
 * than 8388608 names (refused by n alone).  q NULL: -1 (and the calls
 * below answer 0 or NULL).  A name that names
 * no file is not an error: it is a file with its problem.  Running a
 * query again replaces its answer.
 */
FORKSAFE_API int forksafe_query_run(forksafe_query *q, int kind,
				    const char *const *names, size_t n);

/* The last error's message (one line, no newline), "" when none; with
 * q NULL (forksafe_query_new failed) "out of memory". */
FORKSAFE_API const char *forksafe_query_error(const forksafe_query *q);

/* 1 when the whole answer is complete (every file's complete is 1). */
FORKSAFE_API int forksafe_query_complete(const forksafe_query *q);

/* The files of the answer: first those checked, in the order the names
 * gave them, then those that could not be checked.  A PATHS name ending
 * in '/' names a directory and is left out; a package's directories too. */
FORKSAFE_API size_t forksafe_query_files(const forksafe_query *q);
/* File i (NULL past the end). */
FORKSAFE_API const forksafe_file *forksafe_query_file(const forksafe_query *q, size_t i);
/* Process j of file i's (NULL past the end); the same process is the
 * same object for every file it maps. */
FORKSAFE_API const forksafe_process *forksafe_query_process(const forksafe_query *q,
							    size_t file, size_t j);

/* Frees q and everything it returned; NULL is allowed. */
FORKSAFE_API void forksafe_query_free(forksafe_query *q);

#ifdef __cplusplus
}
#endif

#endif
