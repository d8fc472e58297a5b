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
 */
#include <windows.h>

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

static int spawn_child(const wchar_t *dir)
{
	wchar_t self[MAX_PATH];
	STARTUPINFOW si = { .cb = sizeof si };
	PROCESS_INFORMATION pi;
	wchar_t *child = in_dir(dir, L"child");
	size_t n;
	wchar_t *cmd;

	GetModuleFileNameW(NULL, self, MAX_PATH);
	n = wcslen(self) + wcslen(child) + 8;
	if (!(cmd = malloc(n * sizeof *cmd)))
		return -1;
	CreateDirectoryW(child, NULL);
	swprintf(cmd, n, L"\"%ls\" \"%ls\"", self, child);
	if (!CreateProcessW(self, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
		fprintf(stderr, "holder: cannot spawn: %lu\n", GetLastError());
		return -1;
	}
	CloseHandle(pi.hThread);
	CloseHandle(pi.hProcess);
	return 0;
}

int main(void)
{
	int argc;
	wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
	wchar_t *ready, *spawn, *quit;
	int spawned = 0;

	if (!argv || argc < 2) {
		fputs("usage: holder.exe DIR [DLL...] | --delete FILE | --rename A B | --volume PATH\n", stderr);
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
	while (!exists(quit)) {
		if (!spawned && exists(spawn)) {
			if (spawn_child(argv[1]) < 0)
				return 1;
			spawned = 1;
		}
		Sleep(50);
	}
	return 0;
}
