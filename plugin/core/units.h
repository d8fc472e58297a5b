/* units.h - a process's systemd unit from its cgroup (units.c). */
#ifndef FS_UNITS_H
#define FS_UNITS_H

#include "forksafe.h"

#include <stddef.h>

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

#endif
