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

#include <aclapi.h>
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
	/* and set once more, exactly: a file system's create path may keep
	 * less of it (Wine derives a mode and drops the rest) */
	if (rc == 0 && *created &&
	    !SetFileSecurityW(path, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
			      sa.lpSecurityDescriptor))
		rc = fs_win_fail(err, GetLastError(), "cannot set the ACL of %s", relpath);
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

/* Is sid one that stands for every user (Everyone, Authenticated Users,
 * Users, Interactive)? */
static int every_user(PSID sid)
{
	static const WELL_KNOWN_SID_TYPE all[] = {
		WinWorldSid, WinAuthenticatedUserSid, WinBuiltinUsersSid, WinInteractiveSid,
	};
	BYTE buf[SECURITY_MAX_SID_SIZE];

	for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
		DWORD n = sizeof buf;

		if (CreateWellKnownSid(all[i], NULL, buf, &n) && EqualSid(sid, buf))
			return 1;
	}
	return 0;
}

/* The rights the DACL gives every user (deny ACEs taken off; ACEs that
 * only pass to children are not the directory's). */
static ACCESS_MASK rights_of_everyone(const ACL *dacl)
{
	GENERIC_MAPPING map = { FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE,
				FILE_ALL_ACCESS };
	ACCESS_MASK allowed = 0, denied = 0;

	for (DWORD i = 0; i < dacl->AceCount; i++) {
		ACE_HEADER *ace;
		ACCESS_MASK m;

		if (!GetAce((ACL *)dacl, i, (void **)&ace) || (ace->AceFlags & INHERIT_ONLY_ACE))
			continue;
		if (ace->AceType == ACCESS_ALLOWED_ACE_TYPE &&
		    every_user(&((ACCESS_ALLOWED_ACE *)ace)->SidStart)) {
			m = ((ACCESS_ALLOWED_ACE *)ace)->Mask;
			MapGenericMask(&m, &map);
			allowed |= m & ~denied;
		} else if (ace->AceType == ACCESS_DENIED_ACE_TYPE &&
			   every_user(&((ACCESS_DENIED_ACE *)ace)->SidStart)) {
			m = ((ACCESS_DENIED_ACE *)ace)->Mask;
			MapGenericMask(&m, &map);
			denied |= m & ~allowed;
		}
	}
	return allowed;
}

int fs_os_shared_dir_check(fs_os_root *root, const char *relpath, uint64_t *birth,
			   char *why, char *weak, size_t len, fs_err *err)
{
	wchar_t *path = fs_win_join(root->dir, relpath);
	BY_HANDLE_FILE_INFORMATION bi;
	PSECURITY_DESCRIPTOR sd = NULL;
	ACL *dacl = NULL;
	ACCESS_MASK m;
	HANDLE h;
	DWORD e;

	*birth = 0;
	why[0] = weak[0] = '\0';
	if (!path)
		return fs_fail(err, "out of memory");
	h = CreateFileW(path, READ_CONTROL | FILE_READ_ATTRIBUTES,
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
			FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
	e = GetLastError();
	free(path);
	if (h == INVALID_HANDLE_VALUE)
		return fs_win_fail(err, e, "%s", relpath);
	if (!GetFileInformationByHandle(h, &bi)) {
		e = GetLastError();
		CloseHandle(h);
		return fs_win_fail(err, e, "%s", relpath);
	}
	*birth = ((uint64_t)bi.ftCreationTime.dwHighDateTime << 32) |
		 bi.ftCreationTime.dwLowDateTime; /* the unit of a process's start */
	if (bi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) {
		CloseHandle(h);
		snprintf(why, len, "a link (reparse point), not a directory of its own");
		return 0;
	}
	e = GetSecurityInfo(h, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, &dacl,
			    NULL, &sd);
	CloseHandle(h);
	if (e != ERROR_SUCCESS)
		return fs_win_fail(err, e, "cannot read the ACL of %s", relpath);
	m = dacl ? rights_of_everyone(dacl) : FILE_ALL_ACCESS; /* no DACL: all for all */
	LocalFree(sd);
	if ((m & (FILE_ADD_SUBDIRECTORY | FILE_TRAVERSE)) != (FILE_ADD_SUBDIRECTORY | FILE_TRAVERSE))
		snprintf(why, len, "its ACL does not let every user add entries and pass through");
	if (m & (DELETE | FILE_DELETE_CHILD | WRITE_DAC | WRITE_OWNER))
		snprintf(weak, len, "its ACL lets every user remove or change others' entries");
	return 0;
}
