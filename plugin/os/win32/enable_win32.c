/*
 * enable_win32.c - enable's two questions on Windows: make the cygfork
 * directory, and name the file system a directory is on.
 *
 * Cygwin documents `mkdir -m a=rwxt /var/run/cygfork`: everyone may create
 * entries, only their owner may remove them.  A native program cannot
 * write Cygwin's own encoding of the sticky bit, so the directory gets an
 * NTFS ACL with that meaning: SYSTEM and Administrators full control;
 * Everyone list, traverse, read attributes, add files and subdirectories
 * (not delete); CREATOR OWNER full control of what it creates.
 */
#include "win32.h"
#include "../../core/err.h"

#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define SHARED_DIR_SDDL                                                       \
	L"D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICIIO;FA;;;CO)(A;;0x1200af;;;WD)"

int fs_os_mkdir_shared(fs_os_root *root, const char *relpath, int *created, fs_err *err)
{
	wchar_t *path = fs_win_join(root->dir, relpath);
	size_t base = wcslen(root->dir);
	SECURITY_ATTRIBUTES sa = { .nLength = sizeof sa };
	int rc;

	*created = 0;
	if (!path)
		return fs_fail(err, "out of memory");
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(
		    SHARED_DIR_SDDL, SDDL_REVISION_1, &sa.lpSecurityDescriptor, NULL)) {
		free(path);
		return fs_win_fail(err, GetLastError(), "cannot build the ACL of %s", relpath);
	}
	rc = fs_win_mkdir_path(path, base, &sa, created, relpath, err);
	LocalFree(sa.lpSecurityDescriptor);
	free(path);
	return rc;
}

int fs_os_fs_type(fs_os_root *root, const char *relpath, char *buf, size_t len,
		  fs_err *err)
{
	wchar_t *path = fs_win_join(root->dir, relpath);
	wchar_t vol[MAX_PATH + 1], name[64];
	char *s;

	if (!path)
		return fs_fail(err, "out of memory");
	if (!GetVolumePathNameW(path, vol, MAX_PATH + 1) ||
	    !GetVolumeInformationW(vol, NULL, 0, NULL, NULL, NULL, name, 64)) {
		free(path);
		return fs_win_fail(err, GetLastError(), "%s: file system", relpath);
	}
	free(path);
	if (!(s = fs_win_utf8(name, wcslen(name))))
		return fs_fail(err, "out of memory");
	snprintf(buf, len, "%s", s);
	free(s);
	return 0;
}
