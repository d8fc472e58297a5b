/*
 * test_paths.c - the Windows backend's path rules, run under Wine: which
 * paths are absolute, what lies under a root (case and separators do not
 * matter), the '/' form of Win32 names, runtime DLL names.
 */
#include "os/win32/win32.h"

#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                            \
		}                                                              \
	} while (0)

static int streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

int main(void)
{
	char *s;
	wchar_t *w;

	CHECK(fs_os_path_absolute("C:/msys64"));
	CHECK(fs_os_path_absolute("c:\\msys64"));
	CHECK(fs_os_path_absolute("/usr/bin"));
	CHECK(!fs_os_path_absolute("usr/bin"));
	CHECK(!fs_os_path_absolute("C:msys64"));
	CHECK(!fs_os_path_absolute(""));

	CHECK(streq(fs_os_under_root("C:/msys64/usr/bin/x.dll", "c:\\MSYS64"), "/usr/bin/x.dll"));
	CHECK(streq(fs_os_under_root("C:\\msys64\\usr\\x.dll", "C:/msys64/"), "\\usr\\x.dll"));
	CHECK(fs_os_under_root("C:/msys64x/usr/x.dll", "C:/msys64") == NULL);
	CHECK(fs_os_under_root("C:/msys", "C:/msys64") == NULL);
	CHECK(fs_os_under_root("D:/msys64/x", "C:/msys64") == NULL);

	s = fs_win_mixed(L"\\\\?\\C:\\a\\b.dll", wcslen(L"\\\\?\\C:\\a\\b.dll"));
	CHECK(streq(s, "C:/a/b.dll"));
	free(s);
	s = fs_win_mixed(L"\\\\?\\UNC\\srv\\share\\x", wcslen(L"\\\\?\\UNC\\srv\\share\\x"));
	CHECK(streq(s, "//srv/share/x"));
	free(s);
	s = fs_win_mixed(L"Z:\\t\u00e9st.dll", 11);
	CHECK(streq(s, "Z:/t\xc3\xa9st.dll"));
	free(s);

	/* test_paths.exe is in no bin\ or usr\bin\: its installation is
	 * unknown, said, never guessed; "/x" then has no Win32 path */
	{
		fs_err err;

		CHECK(fs_win_install_root(&err) == NULL && strstr(err.msg, "give --root"));
		CHECK(fs_win_path("/usr/bin") == NULL);
		CHECK(fs_os_under_root("C:/usr/bin/x.dll", "/") == NULL);
	}
	CHECK(streq(fs_os_under_root("/usr/bin/x.dll", "/"), "/usr/bin/x.dll"));
	CHECK(streq(fs_os_under_root("\\\\?\\C:\\m\\usr\\x.dll", "C:/m"), "\\usr\\x.dll"));
	CHECK(streq(fs_os_under_root("C:/m//usr/x.dll", "C:\\m\\"), "/usr/x.dll"));
	CHECK(fs_win_drive_path("C:/x") && fs_win_drive_path("c:\\x") &&
	      fs_win_drive_path("//srv/s/x") && fs_win_drive_path("\\\\?\\C:\\x"));
	CHECK(!fs_win_drive_path("/usr/x") && !fs_win_drive_path("usr/x") &&
	      !fs_win_drive_path("C:x"));
	/* a path MAX_PATH long or more takes the \\?\ form, "." and ".." applied */
	{
		char longp[400] = "C:/a/../";
		wchar_t *l;

		for (size_t i = strlen(longp); i < 300; i++)
			longp[i] = i % 50 == 0 ? '/' : 'x';
		l = fs_win_path(longp);
		CHECK(l && wcsncmp(l, L"\\\\?\\C:\\xx", 9) == 0 && !wcsstr(l, L"..") &&
		      !wcschr(l, L'/'));
		free(l);
		l = fs_win_long_always(fs_win_wide("C:\\a\\.\\b"));
		CHECK(l && wcscmp(l, L"\\\\?\\C:\\a\\b") == 0);
		free(l);
		l = fs_win_long_always(fs_win_wide("\\\\srv\\s\\b"));
		CHECK(l && wcscmp(l, L"\\\\?\\UNC\\srv\\s\\b") == 0);
		free(l);
	}
	w = fs_win_path("C:/a/b");
	CHECK(w && wcscmp(w, L"C:\\a\\b") == 0);
	free(w);
	CHECK(fs_win_wide("\xff\xfe") == NULL); /* not UTF-8 */

	/* a relative path from a manifest never leaves its directory */
	{
		fs_err err;

		CHECK(fs_win_relpath_check("usr/bin/x.dll", &err) == 0);
		CHECK(fs_win_relpath_check("usr\\..\\..\\x.dll", &err) < 0);
		CHECK(fs_win_relpath_check("C:/windows/x.dll", &err) < 0);
		CHECK(fs_win_relpath_check("usr/x.dll:stream", &err) < 0);
		CHECK(fs_win_relpath_check("usr/../x.dll", &err) < 0);
		CHECK(fs_win_join(L"C:\\r", "a\\..\\..\\b") == NULL);
	}

	CHECK(fs_os_is_runtime("C:/cygwin64/bin/CYGWIN1.DLL"));
	CHECK(fs_os_is_runtime("/usr/bin/msys-2.0.dll"));
	CHECK(!fs_os_is_runtime("/usr/bin/msys-z.dll"));

	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	else
		puts("test_paths: all checks passed");
	return failures != 0;
}
