/*
 * holder.c - the test process for the Wine tests (a real Win32 program):
 *
 *   holder.exe DIR [DLL...]   loads each DLL, creates DIR\ready, then waits;
 *                             DIR\spawn appearing makes it start
 *                             `holder.exe DIR\child` inheriting its handles
 *                             (as Cygwin's fork does); DIR\quit ends it.
 *   holder.exe --delete FILE  DeleteFileW(FILE): exit 0, or 1 with the error
 *   holder.exe --rename A B   MoveFileExW(A, B): as an installer moves a file aside
 *   holder.exe --volume PATH  prints PATH's volume serial as forksafe does
 *   holder.exe --denied DIR   starts `holder.exe DIR` as a process nobody may
 *                             open (a deny-all DACL), then exits
 *   holder.exe --set-dacl PATH SDDL  gives PATH (file or directory) the DACL of
 *                             SDDL ("D:P(...)": protected, no inherited ACE)
 *   holder.exe --dacl PATH    prints PATH's DACL as SDDL ("D:...")
 */
#include <windows.h>

#include <aclapi.h>
#include <sddl.h>
#include <shellapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

static wchar_t *in_dir(const wchar_t *dir, const wchar_t *name)
{
	wchar_t *p = malloc((wcslen(dir) + wcslen(name) + 2) * sizeof *p);

	if (!p)
		exit(3);
	swprintf(p, wcslen(dir) + wcslen(name) + 2, L"%ls\\%ls", dir, name);
	return p;
}

static int exists(const wchar_t *path)
{
	return GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES;
}

/* Starts `holder.exe dir` (process security sa, or inheriting our
 * handles when sa is NULL). */
static int start_self(const wchar_t *dir, SECURITY_ATTRIBUTES *sa)
{
	wchar_t self[MAX_PATH];
	STARTUPINFOW si = { .cb = sizeof si };
	PROCESS_INFORMATION pi;
	size_t n;
	wchar_t *cmd;

	GetModuleFileNameW(NULL, self, MAX_PATH);
	n = wcslen(self) + wcslen(dir) + 8;
	if (!(cmd = malloc(n * sizeof *cmd)))
		return -1;
	swprintf(cmd, n, L"\"%ls\" \"%ls\"", self, dir);
	if (!CreateProcessW(self, cmd, sa, NULL, sa == NULL, 0, NULL, NULL, &si, &pi)) {
		fprintf(stderr, "holder: cannot spawn: %lu\n", GetLastError());
		free(cmd);
		return -1;
	}
	free(cmd);
	CloseHandle(pi.hThread);
	CloseHandle(pi.hProcess);
	return 0;
}

static int spawn_child(const wchar_t *dir)
{
	wchar_t *child = in_dir(dir, L"child");
	int rc;

	CreateDirectoryW(child, NULL);
	rc = start_self(child, NULL);
	free(child);
	return rc;
}

/* The DACL of sddl on path (SetFileSecurityW: as given, "D:P" protected,
 * nothing merged from the parent). */
static int set_dacl(const wchar_t *path, const wchar_t *sddl)
{
	PSECURITY_DESCRIPTOR sd;
	BOOL ok;

	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd,
								   NULL)) {
		fprintf(stderr, "holder: bad SDDL: error %lu\n", GetLastError());
		return 1;
	}
	ok = SetFileSecurityW(path, DACL_SECURITY_INFORMATION, sd);
	LocalFree(sd);
	if (!ok) {
		fprintf(stderr, "holder: cannot set the DACL: error %lu\n", GetLastError());
		return 1;
	}
	return 0;
}

static int print_dacl(const wchar_t *path)
{
	PSECURITY_DESCRIPTOR sd;
	wchar_t *text;
	DWORD r = GetNamedSecurityInfoW(path, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL,
					NULL, NULL, NULL, &sd);

	if (r != ERROR_SUCCESS) {
		fprintf(stderr, "holder: cannot read the DACL: error %lu\n", r);
		return 1;
	}
	if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(
		    sd, SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &text, NULL)) {
		LocalFree(sd);
		return 1;
	}
	printf("%ls\n", text);
	LocalFree(text);
	LocalFree(sd);
	return 0;
}

int main(void)
{
	int argc;
	wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
	wchar_t *ready, *spawn, *quit;
	int spawned = 0;

	if (!argv || argc < 2) {
		fputs("usage: holder.exe DIR [DLL...] | --delete FILE | --rename A B | --volume PATH | --denied DIR\n"
		      "       | --set-dacl PATH SDDL | --dacl PATH\n", stderr);
		return 2;
	}
	if (wcscmp(argv[1], L"--delete") == 0 && argc == 3) {
		if (DeleteFileW(argv[2]))
			return 0;
		fprintf(stderr, "holder: cannot delete: error %lu\n", GetLastError());
		return 1;
	}
	if (wcscmp(argv[1], L"--rename") == 0 && argc == 4) {
		if (MoveFileExW(argv[2], argv[3], 0))
			return 0;
		fprintf(stderr, "holder: cannot rename: error %lu\n", GetLastError());
		return 1;
	}
	if (wcscmp(argv[1], L"--denied") == 0 && argc == 3) {
		SECURITY_ATTRIBUTES sa = { .nLength = sizeof sa };

		if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(
			    L"D:P(D;;GA;;;WD)", SDDL_REVISION_1, &sa.lpSecurityDescriptor, NULL))
			return 1;
		return start_self(argv[2], &sa) < 0;
	}
	if (wcscmp(argv[1], L"--set-dacl") == 0 && argc == 4)
		return set_dacl(argv[2], argv[3]);
	if (wcscmp(argv[1], L"--dacl") == 0 && argc == 3)
		return print_dacl(argv[2]);
	if (wcscmp(argv[1], L"--volume") == 0 && argc == 3) {
		DWORD serial = 0;
		wchar_t vol[MAX_PATH];

		if (!GetVolumePathNameW(argv[2], vol, MAX_PATH) ||
		    !GetVolumeInformationW(vol, NULL, 0, &serial, NULL, NULL, NULL, 0))
			return 1;
		printf("%04X-%04X\n", (unsigned)(serial >> 16), (unsigned)(serial & 0xffff));
		return 0;
	}
	for (int i = 2; i < argc; i++) {
		if (!LoadLibraryW(argv[i])) {
			fprintf(stderr, "holder: cannot load %ls: error %lu\n", argv[i],
				GetLastError());
			return 1;
		}
	}
	ready = in_dir(argv[1], L"ready");
	spawn = in_dir(argv[1], L"spawn");
	quit = in_dir(argv[1], L"quit");
	CloseHandle(CreateFileW(ready, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL));
	while (!exists(quit) && exists(argv[1])) { /* a test that ends removes DIR */
		if (!spawned && exists(spawn)) {
			if (spawn_child(argv[1]) < 0)
				return 1;
			spawned = 1;
		}
		Sleep(50);
	}
	return 0;
}
