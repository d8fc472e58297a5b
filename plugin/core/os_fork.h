/*
 * os_fork.h - what the fork verdict (verdict.c) and the retiring of the
 * runtime's own cygfork directories (cygfork.c) ask of an OS backend:
 * plugin/os/win32/{cygfork,verdict}_win32.c.  Linux has no Cygwin runtime:
 * plugin/os/linux/fork_linux.c answers "not applicable" (0) everywhere.
 */
#ifndef FS_OS_FORK_H
#define FS_OS_FORK_H

#include "os.h"

/* A Cygwin or MSYS2 installation: its runtime DLL and the object
 * directory its runtime makes named objects in. */
typedef struct fs_os_inst fs_os_inst;

/* The installation under root ("/": the one forksafe.exe belongs to):
 * 1 with *out, 0 when root holds no cygwin1.dll (bin/) or msys-2.0.dll
 * (usr/bin/), and always on Linux; -1 with err. */
int fs_os_inst_open(const char *root, fs_os_inst **out, fs_err *err);
void fs_os_inst_close(fs_os_inst *in);
/* The runtime DLL's path ("C:/msys64/usr/bin/msys-2.0.dll") and name. */
const char *fs_os_inst_runtime(const fs_os_inst *in);
const char *fs_os_inst_runtime_name(const fs_os_inst *in);
/* The object directory, "\BaseNamedObjects\msys-2.0S5-<key>" (for tests
 * and messages). */
const char *fs_os_inst_objdir(const fs_os_inst *in);

/* What the runtime looks at to decide whether its fork retry is on. */
typedef struct fs_os_cygfork_facts {
	int exists;        /* <root>/var/run/cygfork is a directory */
	int ntfs;          /* on NTFS */
	uint64_t created;  /* its creation time, in start_time units */
	uint64_t boot;     /* when the machine started, in the same units */
	char *dir;         /* its path ('/' form, malloc'ed) */
} fs_os_cygfork_facts;
int fs_os_inst_cygfork(fs_os_inst *in, fs_os_cygfork_facts *f, fs_err *err);

/* One module a process has loaded. */
typedef struct fs_os_loaded {
	char *path;        /* as it was loaded ('/' form) */
	char *mapped;      /* the loaded file's name now, NULL: it cannot be opened */
	int denied;        /* ... because we may not open it (another user's): unknown */
	fs_id id;          /* the loaded file, when mapped */
	int now;           /* 1: a file is at path now (now_id), 0: none */
	fs_id now_id;
	int reachable;     /* the loaded file opens by its file ID on the volume of
			    * the cygfork directory (else of the root), as the
			    * runtime's retry opens it: 1 yes, 0 no */
} fs_os_loaded;

/* The modules of process pid if it is still the one started at start:
 * 1 with *v, *n; 0 when it is gone; 2 when it cannot be read (*why says
 * why); -1 with err (out of memory). */
int fs_os_loaded_images(const fs_os_inst *in, const char *reach_dir, int pid,
			uint64_t start, fs_os_loaded **v, size_t *n, fs_err *why,
			fs_err *err);
void fs_os_loaded_free(fs_os_loaded *v, size_t n);
/* Does id open by its file ID on dir's volume (the runtime's way)? 1 or 0. */
int fs_os_reachable(const char *dir, fs_id id);

/* The runtime's snapshot directories, "SID/EXEID@PIDTID" (sorted, each
 * checked to be of the runtime's form; caller frees). */
int fs_os_cygfork_list(fs_os_inst *in, char ***names, size_t *n, fs_err *err);
/*
 * The entry's mutex cygfork@SID@EXEID@PIDTID in the installation's object
 * directory, with the runtime's semantics (create it owned; "it existed"
 * means somebody holds it): 1 it exists (left alone), 0 it did not: with
 * remove, the entry is removed while our new mutex is held (as the runtime's
 * rmdirs_synchronized does), then the mutex is closed; without, the mutex
 * is closed at once, and an object directory that does not exist (no
 * process of the installation runs) is not created: 0.  -1 with err: it
 * cannot be checked, or removed.
 */
int fs_os_cygfork_check(fs_os_inst *in, const char *entry, int remove, fs_err *err);

#endif
