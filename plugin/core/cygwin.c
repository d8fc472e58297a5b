/*
 * cygwin.c - the Cygwin-family runtime DLLs, named once (cygwin.h).
 */
#include "cygwin.h"

/* Where a Cygwin or MSYS2 installation keeps its runtime DLL: the one
 * list of runtime DLL names (cygwin.h). */
const fs_cyg_runtime fs_cyg_runtimes[] = {
	{ "bin/cygwin1.dll", "cygwin1.dll", "/bin" },       /* /usr/bin is a mount of /bin */
	{ "usr/bin/msys-2.0.dll", "msys-2.0.dll", "/usr/bin" },
};
const size_t fs_cyg_nruntimes = sizeof fs_cyg_runtimes / sizeof *fs_cyg_runtimes;

static int same_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if ((*a >= 'A' && *a <= 'Z' ? *a | 0x20 : *a) !=
		    (*b >= 'A' && *b <= 'Z' ? *b | 0x20 : *b))
			return 0;
	return *a == *b;
}

int fs_cyg_is_runtime_name(const char *name)
{
	for (size_t i = 0; i < fs_cyg_nruntimes; i++)
		if (same_name(name, fs_cyg_runtimes[i].name))
			return 1;
	return 0;
}
