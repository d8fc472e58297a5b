/*
 * rtholder.c - a process of a Cygwin or MSYS2 installation as its runtime
 * looks from outside, for the fork verdict and cygfork tests under Wine:
 *
 *   rtholder.exe DIR RUNTIME [--mutex NAME] [DLL...]
 *       loads RUNTIME (the installation's cygwin1.dll or msys-2.0.dll, here
 *       a test DLL by that name) and each DLL; with --mutex, opens the
 *       runtime's object directory \BaseNamedObjects\<id>S5-<key> (key: the
 *       runtime's hash of its DLL's final path, as init_installation_root
 *       computes it) and creates mutex NAME in it, as the runtime's own
 *       CreateMutexW does for cygfork@<SID>@<EXE>@<PID><TID>, and keeps it;
 *       writes the object directory's name to DIR\objdir, creates
 *       DIR\ready and waits for DIR\quit (or DIR to go).
 *   rtholder.exe --key PATH   prints the runtime's key of PATH's final name
 *   rtholder.exe --squat DIR NTNAME   holds a mutex named NTNAME (where an
 *       installation's object directory belongs) until DIR\quit
 *
 * The key is computed here on its own (the test compares it with a third
 * computation in the shell script): forksafe's own copy is not used.
 */
#include <windows.h>
#include <winternl.h>

#include <shellapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

NTSYSAPI NTSTATUS NTAPI NtCreateDirectoryObject(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES);
NTSYSAPI NTSTATUS NTAPI NtCreateMutant(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, BOOLEAN);
NTSYSAPI WCHAR NTAPI RtlUpcaseUnicodeChar(WCHAR);

static unsigned long long key_of(const wchar_t *dll)
{
	HANDLE h = CreateFileW(dll, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			       NULL, OPEN_EXISTING, 0, NULL);
	wchar_t buf[4096];
	unsigned long long k = 0;

	if (h == INVALID_HANDLE_VALUE || !GetFinalPathNameByHandleW(h, buf, 4096, 0)) {
		fprintf(stderr, "rtholder: cannot read the final name: %lu\n", GetLastError());
		exit(1);
	}
	CloseHandle(h);
	buf[1] = L'?'; /* "\\?\" -> "\??\" */
	for (wchar_t *p = buf; *p; p++)
		k = RtlUpcaseUnicodeChar(*p) + (k << 6) + (k << 16) - k;
	return k;
}

static int hold_mutex(const wchar_t *dir, const wchar_t *runtime, const wchar_t *name)
{
	const wchar_t *base = runtime;
	wchar_t objdir[160], id[32], path[MAX_PATH];
	UNICODE_STRING u;
	OBJECT_ATTRIBUTES oa;
	HANDLE d, m;
	FILE *f;

	for (const wchar_t *p = runtime; *p; p++)
		if (*p == L'\\' || *p == L'/')
			base = p + 1;
	swprintf(id, 32, L"%ls", base);
	if (wcslen(id) > 4)
		id[wcslen(id) - 4] = L'\0'; /* ".dll" */
	swprintf(objdir, 160, L"\\BaseNamedObjects\\%lsS5-%016llx", id, key_of(runtime));
	RtlInitUnicodeString(&u, objdir);
	InitializeObjectAttributes(&oa, &u, OBJ_OPENIF | OBJ_CASE_INSENSITIVE, NULL, NULL);
	if (NtCreateDirectoryObject(&d, 0xf, &oa) < 0)
		return fprintf(stderr, "rtholder: no object directory\n"), 1;
	RtlInitUnicodeString(&u, name);
	InitializeObjectAttributes(&oa, &u, OBJ_OPENIF | OBJ_CASE_INSENSITIVE, d, NULL);
	if (NtCreateMutant(&m, 0x1f0001, &oa, FALSE) < 0)
		return fprintf(stderr, "rtholder: no mutex\n"), 1;
	swprintf(path, MAX_PATH, L"%ls\\objdir", dir);
	if (!(f = _wfopen(path, L"w")))
		return 1;
	fprintf(f, "%ls\n", objdir);
	fclose(f);
	return 0; /* d and m stay open as long as we live */
}

static int exists(const wchar_t *dir, const wchar_t *name);

/* A mutex at the NT name an installation's object directory should have:
 * nobody can then check a cygfork mutex there. */
static int squat(const wchar_t *dir, const wchar_t *ntname)
{
	UNICODE_STRING u;
	OBJECT_ATTRIBUTES oa;
	wchar_t p[MAX_PATH];
	HANDLE m;

	RtlInitUnicodeString(&u, ntname);
	InitializeObjectAttributes(&oa, &u, OBJ_CASE_INSENSITIVE, NULL, NULL);
	if (NtCreateMutant(&m, 0x1f0001, &oa, FALSE) < 0)
		return fprintf(stderr, "rtholder: cannot squat\n"), 1;
	swprintf(p, MAX_PATH, L"%ls\\ready", dir);
	CloseHandle(CreateFileW(p, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL));
	while (!exists(dir, L"quit") && exists(dir, L""))
		Sleep(50);
	return 0;
}

static int exists(const wchar_t *dir, const wchar_t *name)
{
	wchar_t p[MAX_PATH];

	swprintf(p, MAX_PATH, L"%ls%ls%ls", dir, name[0] ? L"\\" : L"", name);
	return GetFileAttributesW(p) != INVALID_FILE_ATTRIBUTES;
}

int main(void)
{
	int argc, i = 3;
	wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc), p[MAX_PATH];

	if (argv && argc == 4 && wcscmp(argv[1], L"--squat") == 0)
		return squat(argv[2], argv[3]);
	if (argv && argc == 3 && wcscmp(argv[1], L"--key") == 0) {
		printf("%016llx\n", key_of(argv[2]));
		return 0;
	}
	if (!argv || argc < 3) {
		fputs("usage: rtholder.exe DIR RUNTIME [--mutex NAME] [DLL...] | --key PATH\n"
		      "       | --squat DIR NTNAME\n", stderr);
		return 2;
	}
	if (!LoadLibraryW(argv[2]))
		return fprintf(stderr, "rtholder: cannot load the runtime: %lu\n", GetLastError()), 1;
	if (argc > 4 && wcscmp(argv[3], L"--mutex") == 0) {
		if (hold_mutex(argv[1], argv[2], argv[4]))
			return 1;
		i = 5;
	}
	for (; i < argc; i++)
		if (!LoadLibraryW(argv[i]))
			return fprintf(stderr, "rtholder: cannot load %ls: %lu\n", argv[i],
				       GetLastError()), 1;
	swprintf(p, MAX_PATH, L"%ls\\ready", argv[1]);
	CloseHandle(CreateFileW(p, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL));
	while (!exists(argv[1], L"quit") && exists(argv[1], L""))
		Sleep(50);
	return 0;
}
