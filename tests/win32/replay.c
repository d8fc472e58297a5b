/*
 * replay.c - replays the Cygwin/MSYS2 runtime's fork retry ("forkables",
 * winsup/cygwin forkable.cc, dll_init.cc, fork.cc) with plain Win32 calls,
 * so the Wine tests can ask which DLL a forked child would get after an
 * upgrade.  It is a model written from a reading of those sources, not
 * their code:
 *
 *   replay.exe hold ROOT DIR
 *       a long-lived process of the installation ROOT (sshd, cron, a
 *       mintty): it attaches to the installation's shared state (deciding
 *       once whether the retry is available, see attach_installation),
 *       writes DIR\ready ("retry on" / "retry off") and waits for DIR\quit.
 *   replay.exe run ROOT DLL DIR
 *       a process of ROOT that dlopen()s DLL: attaches, loads DLL, records
 *       the file IDs of its own image and of DLL (stat_real_file_once),
 *       writes DIR\ready, waits for DIR\fork, then forks as fork() does:
 *       one attempt without links; if that child fails and the retry is
 *       on, the links are made (request_forkables) and a second attempt
 *       starts the exe's link, which loads DLL from its link.  It prints
 *       what happened and writes DIR\result ("version N attempts A" or
 *       "version none attempts A"), then waits for DIR\quit.
 *   replay.exe child DLL ADDR
 *       the forked child: loads DLL, fails as the runtime's child does
 *       when it cannot (exit 2) or when it lands elsewhere than ADDR, the
 *       parent's address (exit 3: "Loaded to different address"), else
 *       exits with the DLL's testdll_value() (42, 43, ...).
 *   replay.exe pacman-unlink FILE
 *       MSYS2 pacman's unlink of an in-use file (the runtime's unlink_nt ->
 *       try_to_bin): FILE is renamed into its volume's recycle bin,
 *       X:\$Recycle.Bin\<SID>\.msys<file ID><path hash>, then its delete
 *       is asked for and must be refused (exit 0 only then).
 *   replay.exe setup-replace FILE NEW
 *       Cygwin setup.exe's replacement: the legacy delete and the
 *       overwrite of FILE must both be refused; NEW is then written beside
 *       it as FILE.new (setup replaces it at reboot).  Exit 0 only when both
 *       were refused.
 *
 * Where Wine differs from Windows it says so on stdout ("wine:").
 */
#include <windows.h>

#include <sddl.h>
#include <shellapi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <winternl.h>

/* ntdll's file calls that mingw's winternl.h leaves out */
#define FS_FILE_INTERNAL_INFORMATION 6
#define FS_FILE_LINK_INFORMATION 11
#ifndef FILE_OPEN_BY_FILE_ID
#define FILE_OPEN_BY_FILE_ID 0x00002000
#endif
#ifndef FILE_DIRECTORY_FILE
#define FILE_DIRECTORY_FILE 0x00000001
#endif
#ifndef FILE_NON_DIRECTORY_FILE
#define FILE_NON_DIRECTORY_FILE 0x00000040
#endif
#ifndef FILE_SYNCHRONOUS_IO_NONALERT
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020
#endif
#define FS_SHARE_ALL (FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
#define FS_STATUS_OBJECT_NAME_COLLISION ((NTSTATUS)0xC0000035L)

struct link_info {
	BOOLEAN replace;
	HANDLE root;
	ULONG name_len;
	WCHAR name[1];
};

enum { NAME_MAX_W = 1024 };

/* The installation's shared state: the runtime keeps it in a named
 * section of its own (cygwin_shared, mm/shared.cc) that lives while any
 * process of the installation runs. */
struct installation {
	volatile LONG retry; /* 0 unknown, 1 yes, -1 no: forkable_hardlink_support */
};

static struct {
	wchar_t root[NAME_MAX_W];      /* Win32 path of the installation */
	wchar_t sid[192];
	HMODULE dll;
	wchar_t dll_path[NAME_MAX_W];
	wchar_t dll_mod[NAME_MAX_W];   /* basename */
	LARGE_INTEGER dll_id;          /* -1 when not recorded */
	wchar_t exe_path[NAME_MAX_W];
	wchar_t exe_mod[NAME_MAX_W];
	LARGE_INTEGER exe_id;
	int retry;                     /* what the installation decided */
} R;

static void die(const char *what)
{
	fprintf(stderr, "replay: %s: error %lu\n", what, GetLastError());
	exit(10);
}

static void put(const wchar_t *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* dst = a \ b, refusing what does not fit */
static void join(wchar_t *dst, size_t n, const wchar_t *a, const wchar_t *b)
{
	int r = swprintf(dst, n, L"%ls\\%ls", a, b);

	if (r < 0 || (size_t)r >= n) {
		fputs("replay: path too long\n", stderr);
		exit(10);
	}
}

static const wchar_t *base_name(const wchar_t *p)
{
	const wchar_t *s = wcsrchr(p, L'\\'), *t = wcsrchr(p, L'/');

	if (t && (!s || t > s))
		s = t;
	return s ? s + 1 : p;
}

static int exists(const wchar_t *p)
{
	return GetFileAttributesW(p) != INVALID_FILE_ATTRIBUTES;
}

/* The test reads a signal file as soon as it exists: it is written under
 * a temporary name and renamed into place, so it never appears empty. */
static void touch(const wchar_t *dir, const wchar_t *name, const char *text)
{
	wchar_t p[NAME_MAX_W], tmp[NAME_MAX_W + 8];
	HANDLE h;
	DWORD n;

	join(p, NAME_MAX_W, dir, name);
	swprintf(tmp, NAME_MAX_W + 8, L"%ls.tmp", p);
	h = CreateFileW(tmp, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
	if (h == INVALID_HANDLE_VALUE)
		die("cannot write a signal file");
	if (text && (!WriteFile(h, text, (DWORD)strlen(text), &n, NULL) || n != strlen(text)))
		die("cannot write a signal file");
	if (!CloseHandle(h) || !MoveFileExW(tmp, p, MOVEFILE_REPLACE_EXISTING))
		die("cannot write a signal file");
}

static void wait_for(const wchar_t *dir, const wchar_t *name)
{
	wchar_t p[NAME_MAX_W];

	join(p, NAME_MAX_W, dir, name);
	for (int i = 0; i < 6000 && !exists(p); i++) /* 5 min */
		Sleep(50);
	if (!exists(p)) {
		fputs("replay: timed out waiting for a signal file\n", stderr);
		exit(10);
	}
}

/* NT name "\??\X:\..." of a Win32 drive path, as the runtime forms it */
static void nt_name(wchar_t *dst, size_t n, const wchar_t *win32)
{
	int r = swprintf(dst, n, L"\\??\\%ls", win32);

	if (r < 0 || (size_t)r >= n) {
		fputs("replay: path too long\n", stderr);
		exit(10);
	}
	for (wchar_t *c = dst; *c; c++)
		if (*c == L'/')
			*c = L'\\';
}

static NTSTATUS nt_open(HANDLE *h, const wchar_t *name, ULONG len_bytes, HANDLE root,
			ACCESS_MASK access, ULONG opts)
{
	UNICODE_STRING us = { (USHORT)len_bytes, (USHORT)len_bytes, (PWSTR)name };
	OBJECT_ATTRIBUTES oa;
	IO_STATUS_BLOCK io;

	InitializeObjectAttributes(&oa, &us, OBJ_CASE_INSENSITIVE, root, NULL);
	return NtOpenFile(h, access | SYNCHRONIZE | FILE_READ_ATTRIBUTES, &oa, &io, FS_SHARE_ALL,
			  opts | FILE_SYNCHRONOUS_IO_NONALERT);
}

/* The file ID (FileInternalInformation) of the file at a Win32 path:
 * dll::stat_real_file_once.  -1 when it cannot be opened. */
static LARGE_INTEGER file_id_of(const wchar_t *win32)
{
	wchar_t nt[NAME_MAX_W];
	HANDLE h;
	IO_STATUS_BLOCK io;
	LARGE_INTEGER id = { .QuadPart = -1 };

	nt_name(nt, NAME_MAX_W, win32);
	if (!NT_SUCCESS(nt_open(&h, nt, (ULONG)(wcslen(nt) * sizeof *nt), NULL, 0,
				FILE_NON_DIRECTORY_FILE)))
		return id;
	if (!NT_SUCCESS(NtQueryInformationFile(h, &io, &id, sizeof id,
					       (FILE_INFORMATION_CLASS)FS_FILE_INTERNAL_INFORMATION)))
		id.QuadPart = -1;
	NtClose(h);
	return id;
}

/* The installation key: the runtime hashes its installation root; any
 * stable hash of the path serves the model (FNV-1a of the upper-cased
 * path). */
static uint64_t installation_key(const wchar_t *root)
{
	uint64_t h = 1469598103934665603ULL;

	for (const wchar_t *c = root; *c; c++) {
		wchar_t u = (*c == L'/') ? L'\\' : towupper(*c);

		h = (h ^ (uint64_t)u) * 1099511628211ULL;
	}
	return h;
}

/* dll_list::forkable_ntnamesize's first part: while the installation's
 * shared state says "unknown", look for ROOT\var\run\cygfork (a directory
 * on NTFS) and store yes or no there.  Every later process of the
 * installation takes the stored answer, whatever exists now; the
 * section lives while any process of the installation has it mapped. */
static int attach_installation(void)
{
	wchar_t name[96], dir[NAME_MAX_W], vol[MAX_PATH], fs[32];
	HANDLE map;
	struct installation *in;

	swprintf(name, 96, L"Local\\replay-S5-%016llX.shared",
		 (unsigned long long)installation_key(R.root));
	map = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, sizeof *in, name);
	if (!map || !(in = MapViewOfFile(map, FILE_MAP_ALL_ACCESS, 0, 0, sizeof *in)))
		die("cannot map the installation's shared state");
	/* the handle stays open: the section lives as long as this process */
	if (in->retry == 0) {
		LONG v = -1;
		DWORD attr;

		join(dir, NAME_MAX_W, R.root, L"var\\run\\cygfork");
		attr = GetFileAttributesW(dir);
		if (attr != INVALID_FILE_ATTRIBUTES && (attr & FILE_ATTRIBUTE_DIRECTORY) &&
		    GetVolumePathNameW(dir, vol, MAX_PATH) &&
		    GetVolumeInformationW(vol, NULL, 0, NULL, NULL, NULL, fs, 32) &&
		    wcscmp(fs, L"NTFS") == 0)
			v = 1;
		InterlockedCompareExchange(&in->retry, v, 0);
		put(L"installation: first process: the retry is %ls (decided now, kept while any"
		    L" process of the installation runs)\n", in->retry > 0 ? L"on" : L"off");
	} else {
		put(L"installation: already running: the retry is %ls (decided by its first"
		    L" process)\n", in->retry > 0 ? L"on" : L"off");
	}
	return in->retry > 0;
}

static void user_sid(void)
{
	HANDLE tok;
	union {
		TOKEN_USER u;
		char buf[256];
	} tu;
	DWORD n;
	wchar_t *s;

	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok) ||
	    !GetTokenInformation(tok, TokenUser, &tu, sizeof tu, &n) ||
	    !ConvertSidToStringSidW(tu.u.User.Sid, &s))
		die("cannot read the user's SID");
	CloseHandle(tok);
	if (wcslen(s) >= sizeof R.sid / sizeof *R.sid)
		die("SID too long");
	wcscpy(R.sid, s);
	LocalFree(s);
}

/* ---- the forked child ------------------------------------------------- */

typedef int (*value_fn)(void);

static int child(const wchar_t *dll, const wchar_t *addr)
{
	unsigned long long want = wcstoull(addr, NULL, 16);
	HMODULE h = LoadLibraryW(dll);
	value_fn f;

	if (!h)
		return 2; /* "unable to map": the runtime's child aborts */
	if ((unsigned long long)(uintptr_t)h != want)
		return 3; /* "Loaded to different address: parent != child" */
	f = (value_fn)(void (*)(void))GetProcAddress(h, "testdll_value");
	return f ? f() : 4;
}

/* ---- the parent: fork() ------------------------------------------------ */

/* Starts `exe child DLL ADDR` and waits for it; its exit code. */
static DWORD start_child(const wchar_t *exe, const wchar_t *dll)
{
	wchar_t cmd[3 * NAME_MAX_W];
	STARTUPINFOW si = { .cb = sizeof si };
	PROCESS_INFORMATION pi;
	DWORD code = 1;

	swprintf(cmd, 3 * NAME_MAX_W, L"\"%ls\" child \"%ls\" %llx", R.exe_path, dll,
		 (unsigned long long)(uintptr_t)R.dll);
	if (!CreateProcessW(exe, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
		put(L"  the child cannot start from %ls: error %lu\n", exe, GetLastError());
		return 1;
	}
	WaitForSingleObject(pi.hProcess, INFINITE);
	GetExitCodeProcess(pi.hProcess, &code);
	CloseHandle(pi.hThread);
	CloseHandle(pi.hProcess);
	return code;
}

/* A child's exit code that is a testdll_value() (42, 43, ...), not an
 * error of ours nor a crash's status. */
static int got_version(DWORD code)
{
	return code >= 40 && code <= 99;
}

static const wchar_t *child_says(DWORD code)
{
	switch (code) {
	case 1: return L"the child did not start";
	case 2: return L"the child cannot load the DLL (unable to map)";
	case 3: return L"the child loaded the DLL at another address (Loaded to different address)";
	case 4: return L"the DLL has no testdll_value";
	default: return got_version(code) ? L"the child runs" : L"the child crashed";
	}
}

static int mkdir_ok(const wchar_t *p)
{
	return CreateDirectoryW(p, NULL) || GetLastError() == ERROR_ALREADY_EXISTS;
}

/* dll::create_forkable: open the recorded file ID relative to a handle on
 * the link's volume and hardlink it at link (an NT name), never replacing.
 * The runtime opens the device ("\??\X:"); Wine 8 resolves a file ID only
 * relative to a directory, so then the volume's root directory is used. */
static int link_by_id(LARGE_INTEGER id, const wchar_t *link)
{
	wchar_t dev[8], rootdir[8];
	HANDLE vh = NULL, fh = NULL;
	NTSTATUS st;
	IO_STATUS_BLOCK io;
	size_t len = wcslen(link) * sizeof *link;
	struct link_info *li;
	int ok;

	if (id.QuadPart == -1 || wcslen(link) < 7 || link[5] != L':')
		return 0;
	swprintf(dev, 8, L"%.6ls", link);       /* \??\X: */
	swprintf(rootdir, 8, L"%.7ls", link);   /* \??\X:\ */
	st = nt_open(&vh, dev, (ULONG)(wcslen(dev) * sizeof *dev), NULL, 0, 0);
	if (NT_SUCCESS(st))
		st = nt_open(&fh, (const wchar_t *)&id, sizeof id, vh, 0,
			     FILE_OPEN_BY_FILE_ID | FILE_NON_DIRECTORY_FILE);
	if (!NT_SUCCESS(st)) {
		if (vh)
			NtClose(vh);
		vh = NULL;
		st = nt_open(&vh, rootdir, (ULONG)(wcslen(rootdir) * sizeof *rootdir), NULL, 0,
			     FILE_DIRECTORY_FILE);
		if (NT_SUCCESS(st)) {
			put(L"  wine: a file ID opens relative to %ls only\n", rootdir + 4);
			st = nt_open(&fh, (const wchar_t *)&id, sizeof id, vh, 0,
				     FILE_OPEN_BY_FILE_ID | FILE_NON_DIRECTORY_FILE);
		}
	}
	if (vh)
		NtClose(vh);
	if (!NT_SUCCESS(st)) {
		put(L"  file ID %016llX cannot be opened: status 0x%08lX\n",
		    (unsigned long long)id.QuadPart, (unsigned long)st);
		return 0;
	}
	if (!(li = calloc(1, sizeof *li + len)))
		die("out of memory");
	li->replace = FALSE;
	li->name_len = (ULONG)len;
	memcpy(li->name, link, len);
	st = NtSetInformationFile(fh, &io, li, (ULONG)(sizeof *li + len),
				  (FILE_INFORMATION_CLASS)FS_FILE_LINK_INFORMATION);
	free(li);
	NtClose(fh);
	ok = NT_SUCCESS(st) || st == FS_STATUS_OBJECT_NAME_COLLISION;
	if (!ok)
		put(L"  the link %ls cannot be made: status 0x%08lX\n", link + 4, (unsigned long)st);
	return ok;
}

/* dll_list::request_forkables: the directory
 * ROOT\var\run\cygfork\<SID>\<exe id>@<pid><tid>\ with the exe linked by
 * its module name, an empty <exe>.local, and the dlopen'ed DLL under
 * <DLL id>\<module name>; the mutex cygfork@<SID>@<exe id>@<pid><tid>
 * says the directory is in use.  A link that fails leaves that image at
 * its original path (nominate_forkable(NULL)).  Fills exe and dll with
 * what the retry's child is started from. */
static void request_forkables(wchar_t *exe, wchar_t *dll, size_t n)
{
	wchar_t dir[NAME_MAX_W], sub[NAME_MAX_W], p[NAME_MAX_W], nt[NAME_MAX_W], mutex[256];
	wchar_t thr[32], idname[20];
	HANDLE m;

	swprintf(thr, 32, L"%08lX%08lX", GetCurrentProcessId(), GetCurrentThreadId());
	swprintf(mutex, 256, L"cygfork@%ls@%016llX@%ls", R.sid,
		 (unsigned long long)R.exe_id.QuadPart, thr);
	/* the runtime's CreateMutexW puts it in the installation's object
	 * directory (\BaseNamedObjects\cygwin1S5-<key>); a plain Win32 program
	 * has the session's: the name is the runtime's, the place is not */
	m = CreateMutexW(NULL, FALSE, mutex);
	if (!m)
		die("cannot create the forkables mutex");
	/* kept open: the directory is ours while this process lives */
	join(dir, NAME_MAX_W, R.root, L"var\\run\\cygfork");
	join(sub, NAME_MAX_W, dir, R.sid);
	if (!mkdir_ok(sub))
		die("cannot create cygfork\\<SID>");
	swprintf(p, NAME_MAX_W, L"%016llX@%ls", (unsigned long long)R.exe_id.QuadPart, thr);
	join(dir, NAME_MAX_W, sub, p);
	if (!mkdir_ok(dir))
		die("cannot create the forkables directory");
	put(L"  links in %ls (mutex %ls)\n", dir, mutex);
	swprintf(p, NAME_MAX_W, L"%ls.local", R.exe_mod);
	touch(dir, p, NULL);

	join(p, NAME_MAX_W, dir, R.exe_mod);
	nt_name(nt, NAME_MAX_W, p);
	if (link_by_id(R.exe_id, nt)) {
		wcsncpy(exe, p, n - 1);
		put(L"  exe linked by its file ID\n");
	} else {
		wcsncpy(exe, R.exe_path, n - 1);
		put(L"  exe not linked: the child starts from its path\n");
	}
	swprintf(idname, 20, L"%016llX", (unsigned long long)R.dll_id.QuadPart);
	join(sub, NAME_MAX_W, dir, idname);
	join(p, NAME_MAX_W, sub, R.dll_mod);
	nt_name(nt, NAME_MAX_W, p);
	if (R.dll_id.QuadPart != -1 && mkdir_ok(sub) && link_by_id(R.dll_id, nt)) {
		wcsncpy(dll, p, n - 1);
		put(L"  DLL linked by its file ID\n");
	} else {
		wcsncpy(dll, R.dll_path, n - 1);
		put(L"  DLL not linked: the child loads it from its path\n");
	}
}

/* fork(): dofork without links, and again with them if the first child
 * failed and the retry is on.  The version the child got, or 0. */
static int do_fork(int *attempts)
{
	wchar_t exe[NAME_MAX_W], dll[NAME_MAX_W];
	DWORD code;

	*attempts = 1;
	code = start_child(R.exe_path, R.dll_path);
	put(L"attempt 1 (no links): %ls", child_says(code));
	if (got_version(code)) {
		put(L": version %lu\n", code);
		return (int)code;
	}
	put(L"\n");
	if (!R.retry) {
		put(L"no retry: the retry is off in this installation: the fork fails\n");
		return 0;
	}
	*attempts = 2;
	memset(exe, 0, sizeof exe);
	memset(dll, 0, sizeof dll);
	request_forkables(exe, dll, NAME_MAX_W);
	code = start_child(exe, dll);
	put(L"attempt 2 (links): %ls", child_says(code));
	if (got_version(code)) {
		put(L": version %lu\n", code);
		return (int)code;
	}
	put(L"\nthe fork fails\n");
	return 0;
}

static int run(const wchar_t *dll, const wchar_t *dir)
{
	char text[64];
	int version, attempts;
	DWORD n;

	R.retry = attach_installation();
	n = GetModuleFileNameW(NULL, R.exe_path, NAME_MAX_W);
	if (n == 0 || n >= NAME_MAX_W)
		die("cannot read the exe's path");
	wcscpy(R.exe_mod, base_name(R.exe_path));
	if (wcslen(dll) >= NAME_MAX_W)
		die("DLL path too long");
	wcscpy(R.dll_path, dll);
	wcscpy(R.dll_mod, base_name(dll));
	R.exe_id.QuadPart = R.dll_id.QuadPart = -1;
	if (!(R.dll = LoadLibraryW(dll)))
		die("cannot load the DLL");
	/* the runtime records file IDs only while the retry is on */
	if (R.retry) {
		R.exe_id = file_id_of(R.exe_path);
		R.dll_id = file_id_of(R.dll_path);
		put(L"loaded: file IDs recorded: exe %016llX, DLL %016llX\n",
		    (unsigned long long)R.exe_id.QuadPart, (unsigned long long)R.dll_id.QuadPart);
	} else {
		put(L"loaded: no file IDs recorded (the retry is off)\n");
	}
	touch(dir, L"ready", R.retry ? "retry on\n" : "retry off\n");
	wait_for(dir, L"fork");
	version = do_fork(&attempts);
	if (version)
		snprintf(text, sizeof text, "version %d attempts %d\n", version, attempts);
	else
		snprintf(text, sizeof text, "version none attempts %d\n", attempts);
	touch(dir, L"result", text);
	wait_for(dir, L"quit");
	return 0;
}

static int hold(const wchar_t *dir)
{
	int on = attach_installation();

	touch(dir, L"ready", on ? "retry on\n" : "retry off\n");
	wait_for(dir, L"quit");
	return 0;
}

/* ---- the package managers' replacements ---------------------------------- */

/* try_to_bin: the recycle bin of FILE's volume, "X:\$Recycle.Bin\<SID>\",
 * made when it does not exist yet */
static void recycle_bin(wchar_t *bin, size_t n, const wchar_t *file)
{
	wchar_t top[32];

	if (wcslen(file) < 3 || file[1] != L':' || (file[2] != L'\\' && file[2] != L'/'))
		die("FILE must be a drive path");
	swprintf(top, 32, L"%lc:\\$Recycle.Bin", file[0]);
	if (!mkdir_ok(top))
		die("cannot make the recycle bin");
	join(bin, n, top, R.sid);
	if (!mkdir_ok(bin))
		die("cannot make the user's recycle bin");
}

static int pacman_unlink(const wchar_t *file)
{
	wchar_t bin[NAME_MAX_W], name[64], to[NAME_MAX_W];
	LARGE_INTEGER id = file_id_of(file);

	if (id.QuadPart == -1)
		die("cannot read the file's ID");
	user_sid();
	recycle_bin(bin, NAME_MAX_W, file);
	/* ".msys" is in the private use area on NTFS; plain here, which the
	 * replay does not depend on */
	swprintf(name, 64, L".msys%016llX%016llX", (unsigned long long)id.QuadPart,
		 (unsigned long long)installation_key(file));
	join(to, NAME_MAX_W, bin, name);
	if (!MoveFileExW(file, to, MOVEFILE_REPLACE_EXISTING))
		die("cannot move the file into the recycle bin");
	put(L"moved into the recycle bin as %ls\n", to);
	if (DeleteFileW(to)) {
		put(L"its delete was allowed: a mapped image's is refused on Windows\n");
		return 1;
	}
	put(L"its delete is refused (error %lu): it stays in the bin\n", GetLastError());
	return 0;
}

static int setup_replace(const wchar_t *file, const wchar_t *newfile)
{
	wchar_t dotnew[NAME_MAX_W];
	HANDLE h;
	int refused = 1;

	if (DeleteFileW(file)) {
		put(L"the delete was allowed: a mapped image's is refused on Windows\n");
		refused = 0;
	} else {
		put(L"delete refused (error %lu)\n", GetLastError());
	}
	h = CreateFileW(file, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
	if (h != INVALID_HANDLE_VALUE) {
		CloseHandle(h);
		put(L"the overwrite was allowed: a mapped image's is refused on Windows\n");
		refused = 0;
	} else {
		put(L"overwrite refused (error %lu)\n", GetLastError());
	}
	if (swprintf(dotnew, NAME_MAX_W, L"%ls.new", file) < 0 ||
	    !CopyFileW(newfile, dotnew, FALSE))
		die("cannot write FILE.new");
	put(L"the new file waits as .new (replaced at reboot)\n");
	return !refused;
}

int main(void)
{
	int argc;
	wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);

	if (!argv || argc < 2)
		goto usage;
	if (wcscmp(argv[1], L"child") == 0 && argc == 4)
		return child(argv[2], argv[3]);
	if (wcscmp(argv[1], L"pacman-unlink") == 0 && argc == 3)
		return pacman_unlink(argv[2]);
	if (wcscmp(argv[1], L"setup-replace") == 0 && argc == 4)
		return setup_replace(argv[2], argv[3]);
	if ((wcscmp(argv[1], L"hold") == 0 && argc == 4) ||
	    (wcscmp(argv[1], L"run") == 0 && argc == 5)) {
		if (wcslen(argv[2]) >= NAME_MAX_W)
			die("root too long");
		wcscpy(R.root, argv[2]);
		user_sid();
		return argv[1][0] == L'h' ? hold(argv[3]) : run(argv[3], argv[4]);
	}
usage:
	fputs("usage: replay.exe hold ROOT DIR | run ROOT DLL DIR | child DLL ADDR\n"
	      "       | pacman-unlink FILE | setup-replace FILE NEW\n", stderr);
	return 2;
}
