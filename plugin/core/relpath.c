/*
 * relpath.c - the one check of a path relative to a root (relpath.h): the
 * manifest's parser, guard, the walk to a kept file and the Windows
 * backend's own stricter check all start from it.
 */
#include "relpath.h"
#include "err.h"

#include <string.h>

int fs_relpath_check(const char *path, fs_err *err)
{
	const char *p = path;
	size_t len = strlen(path), dirs = 0;

	if (len == 0)
		return fs_fail(err, "empty path");
	if (len > FS_LINE_MAX)
		return fs_fail(err, "path longer than %d bytes", FS_LINE_MAX);
	if (path[0] == '/')
		return fs_fail(err, "absolute path");
	for (;;) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return fs_fail(err, "path has an empty, '.' or '..' component");
		if (p[n] == '\0')
			return 0;
		if (++dirs > FS_KEEP_DEPTH)
			return fs_fail(err, "more than %d directories deep, the most a snapshot "
				       "keeps", FS_KEEP_DEPTH);
		p += n + 1;
	}
}
