/*
 * cygwin.h - the Cygwin-family runtime DLLs, named once: where an
 * installation keeps each (enable), and which images are the runtime
 * (fs_os_is_runtime on Windows, guard, report).  Defined in cygwin.c.
 */
#ifndef FS_CYGWIN_H
#define FS_CYGWIN_H

#include <stddef.h>

typedef struct fs_cyg_runtime {
	const char *path;    /* inside the root, no leading '/' */
	const char *name;    /* the DLL's file name */
	const char *bin;     /* the binaries' directory, "/bin" or "/usr/bin" */
} fs_cyg_runtime;

extern const fs_cyg_runtime fs_cyg_runtimes[];
extern const size_t fs_cyg_nruntimes;

/* Is name (a file name, no directory) a runtime DLL's?  Case does not
 * matter: Windows file names do not. */
int fs_cyg_is_runtime_name(const char *name);

#endif
