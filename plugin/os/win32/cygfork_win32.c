/*
 * cygfork_win32.c - a Cygwin or MSYS2 installation as its runtime sees it:
 * the runtime DLL, the object directory its own CreateMutexW makes named
 * objects in, the cygfork directory, and the runtime's snapshot
 * directories var/run/cygfork/<SID>/<EXE id>@<PID><TID>/ with their
 * mutexes cygfork@<SID>@<EXE id>@<PID><TID>.
 *
 * The installation key is what the runtime computes at start
 * (init_cygheap::init_installation_root, mm/cygheap.cc): the final path of
 * its DLL in "\??\C:\..." form, hashed as hash_path_name() does (each
 * character upcased, hash = c + (hash << 6) + (hash << 16) - hash, 64
 * bits), written as 16 lowercase hex digits.  The runtime's CreateMutexW
 * (kernel32.cc) creates names in \BaseNamedObjects\<dll id>S5-<key>
 * (get_shared_parent_dir, mm/shared.cc), case-insensitively.
 */
#include "win32.h"
#include "../../core/err.h"
#include "../../core/os_fork.h"
#include "../../core/vec.h"

#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <winternl.h>

#ifndef STATUS_OBJECT_NAME_EXISTS
#define STATUS_OBJECT_NAME_EXISTS ((NTSTATUS)0x40000000L)
#endif
#define FS_DIRECTORY_ACCESS 0x2000f /* the runtime's CYG_SHARED_DIR_ACCESS */
#define FS_MUTANT_ALL 0x1f0001      /* MUTANT_ALL_ACCESS */

NTSYSAPI NTSTATUS NTAPI NtCreateDirectoryObject(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES);
NTSYSAPI NTSTATUS NTAPI NtOpenDirectoryObject(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES);
NTSYSAPI NTSTATUS NTAPI NtCreateMutant(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, BOOLEAN);
NTSYSAPI WCHAR NTAPI RtlUpcaseUnicodeChar(WCHAR);

struct fs_os_inst {
	char *runtime;      /* '/' form */
	const char *name;   /* "cygwin1.dll" or "msys-2.0.dll" */
	wchar_t *rootdir;   /* the root's final name, "\\?\" form */
	char objdir[128];
	wchar_t wobjdir[128];
};

static const struct {
	const wchar_t *rel;
	const char *name;
	const wchar_t *id; /* CYGWIN_VERSION_DLL_IDENTIFIER */
} runtimes[] = {
	{ L"\\bin\\cygwin1.dll", "cygwin1.dll", L"cygwin1" },
	{ L"\\usr\\bin\\msys-2.0.dll", "msys-2.0.dll", L"msys-2.0" },
};

/* The runtime's key of its DLL's final name ("\\?\C:\..." or "\\?\UNC\..."). */
static uint64_t install_key(const wchar_t *final)
{
	uint64_t h = 0;

	for (size_t i = 0; final[i]; i++) {
		wchar_t c = i == 1 && final[0] == L'\\' ? L'?' : final[i]; /* "\??\" */

		h = (uint64_t)RtlUpcaseUnicodeChar(c) + (h << 6) + (h << 16) - h;
	}
	return h;
}

/* 1 with the DLL's final name in *final, 0 when there is none. */
static int find_runtime(const wchar_t *root, size_t i, wchar_t **final)
{
	size_t n = wcslen(root) + wcslen(runtimes[i].rel) + 1;
	wchar_t *p = malloc(n * sizeof *p);
	HANDLE h;

	*final = NULL;
	if (!p)
		return -1;
	swprintf(p, n, L"%ls%ls", root, runtimes[i].rel);
	h = CreateFileW(p, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			NULL, OPEN_EXISTING, 0, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		free(p);
		return 0;
	}
	*final = fs_win_final_name(h, p);
	free(p);
	CloseHandle(h);
	return *final ? 1 : -1;
}

/* Does root hold a file matching rel (a FindFirstFileW pattern)? */
static int has(const wchar_t *root, const wchar_t *rel)
{
	size_t n = wcslen(root) + wcslen(rel) + 1;
	wchar_t *p = malloc(n * sizeof *p);
	WIN32_FIND_DATAW fd;
	HANDLE f;

	if (!p)
		return 0;
	swprintf(p, n, L"%ls%ls", root, rel);
	f = FindFirstFileW(p, &fd);
	free(p);
	if (f == INVALID_HANDLE_VALUE)
		return 0;
	FindClose(f);
	return 1;
}

/* No runtime DLL at its place (its last name removed, which NTFS refuses
 * while it is loaded; Wine allows it): the installation its processes
 * loaded it from is still this one when the installation's other DLLs are
 * there (usr\bin\msys-*.dll, bin\cyg*.dll).  *which: 1 + runtimes' index. */
static wchar_t *missing_runtime(const wchar_t *root, int *which)
{
	size_t i = has(root, L"\\usr\\bin\\msys-*.dll") ? 1 : has(root, L"\\bin\\cyg*.dll") ? 0 : 2;
	size_t n;
	wchar_t *p;

	if (i == 2)
		return NULL;
	n = wcslen(root) + wcslen(runtimes[i].rel) + 1;
	if (!(p = malloc(n * sizeof *p)))
		return NULL;
	swprintf(p, n, L"%ls%ls", root, runtimes[i].rel);
	*which = (int)i + 1;
	return p;
}

static void set_objdir(fs_os_inst *in, const wchar_t *id, const wchar_t *final)
{
	/* the runtime starts from "\\?\..." (a drive path gets that prefix first) */
	size_t n = wcslen(final) + 8;
	wchar_t *p = malloc(n * sizeof *p);
	uint64_t key;

	if (p && wcsncmp(final, L"\\\\?\\", 4) != 0 && wcsncmp(final, L"\\\\", 2) != 0)
		swprintf(p, n, L"\\\\?\\%ls", final);
	else if (p)
		wcscpy(p, final);
	key = install_key(p ? p : final);
	free(p);
	swprintf(in->wobjdir, 128, L"\\BaseNamedObjects\\%lsS5-%016llx", id,
		 (unsigned long long)key);
	snprintf(in->objdir, sizeof in->objdir, "\\BaseNamedObjects\\%lsS5-%016llx", id,
		 (unsigned long long)key);
}

int fs_os_inst_open(const char *root, fs_os_inst **out, fs_err *err)
{
	fs_os_root *r = fs_os_root_open(root, err);
	fs_os_inst *in;
	wchar_t *final = NULL;
	int found = 0;

	*out = NULL;
	if (!r)
		return -1;
	if (!(in = calloc(1, sizeof *in)) || !(in->rootdir = _wcsdup(r->final))) {
		fs_os_root_close(r);
		free(in);
		return fs_fail(err, "out of memory");
	}
	in->rootdir[r->final_len] = L'\0';
	fs_os_root_close(r);
	for (size_t i = 0; i < sizeof runtimes / sizeof *runtimes && !found; i++) {
		if ((found = find_runtime(in->rootdir, i, &final)) < 0)
			break;
		if (found) {
			in->name = runtimes[i].name;
			set_objdir(in, runtimes[i].id, final);
			in->runtime = fs_win_mixed(final, wcslen(final));
		}
	}
	if (!found && (final = missing_runtime(in->rootdir, &found)) != NULL) {
		in->name = runtimes[found - 1].name;
		set_objdir(in, runtimes[found - 1].id, final);
		in->runtime = fs_win_mixed(final, wcslen(final));
		found = 1;
	}
	if (found < 0 || (found && !in->runtime)) {
		free(final);
		fs_os_inst_close(in);
		return fs_fail(err, "%s: cannot read the runtime DLL's name", root);
	}
	free(final);
	if (!found) {
		fs_os_inst_close(in);
		return 0;
	}
	*out = in;
	return 1;
}

void fs_os_inst_close(fs_os_inst *in)
{
	if (!in)
		return;
	free(in->runtime);
	free(in->rootdir);
	free(in);
}

const char *fs_os_inst_runtime(const fs_os_inst *in) { return in->runtime; }
const char *fs_os_inst_runtime_name(const fs_os_inst *in) { return in->name; }
const char *fs_os_inst_objdir(const fs_os_inst *in) { return in->objdir; }

static wchar_t *cygfork_path(const fs_os_inst *in, const wchar_t *tail)
{
	size_t n = wcslen(in->rootdir) + wcslen(tail) + 24;
	wchar_t *p = malloc(n * sizeof *p);

	if (p)
		swprintf(p, n, L"%ls\\var\\run\\cygfork%ls", in->rootdir, tail);
	return p;
}

static uint64_t ft64(FILETIME ft)
{
	return ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

int fs_os_inst_cygfork(fs_os_inst *in, fs_os_cygfork_facts *f, fs_err *err)
{
	wchar_t *p = cygfork_path(in, L""), vol[MAX_PATH + 1], fsname[64];
	BY_HANDLE_FILE_INFORMATION bi;
	FILETIME now;
	HANDLE h;

	memset(f, 0, sizeof *f);
	if (!p || !(f->dir = fs_win_mixed(p, wcslen(p)))) {
		free(p);
		return fs_fail(err, "out of memory");
	}
	GetSystemTimeAsFileTime(&now);
	f->boot = ft64(now) - GetTickCount64() * 10000;
	h = fs_win_open_meta(p, 0);
	if (h != INVALID_HANDLE_VALUE) {
		f->exists = GetFileInformationByHandle(h, &bi) &&
			    (bi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY);
		f->created = f->exists ? ft64(bi.ftCreationTime) : 0;
		CloseHandle(h);
	}
	if (f->exists && GetVolumePathNameW(p, vol, MAX_PATH + 1) &&
	    GetVolumeInformationW(vol, NULL, 0, NULL, NULL, NULL, fsname, 64))
		f->ntfs = wcscmp(fsname, L"NTFS") == 0;
	free(p);
	return 0;
}

/* ---- the runtime's snapshot directories ----------------------------------- */

static int is_hex16(const wchar_t *s)
{
	for (int i = 0; i < 16; i++)
		if (!((s[i] >= L'0' && s[i] <= L'9') || (s[i] >= L'A' && s[i] <= L'F')))
			return 0;
	return 1;
}

/* "<EXE id %016X>@<PID %08X><TID %08X>", as forkable.cc names it */
static int entry_form(const wchar_t *s)
{
	return wcslen(s) == 33 && is_hex16(s) && s[16] == L'@' && is_hex16(s + 17);
}

/* "S-1-..." with digits and '-' only (RtlConvertSidToUnicodeString) */
static int sid_form(const wchar_t *s)
{
	size_t n = wcslen(s);

	if (n < 5 || n > 184 || wcsncmp(s, L"S-1-", 4) != 0)
		return 0;
	for (size_t i = 4; i < n; i++)
		if (!((s[i] >= L'0' && s[i] <= L'9') || s[i] == L'-'))
			return 0;
	return 1;
}

struct listing {
	char ***names;
	size_t *n, cap;
	const wchar_t *sid;
	int oom;
};

static int plain_dir(const WIN32_FIND_DATAW *fd)
{
	return (fd->dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) &&
	       !(fd->dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT);
}

static int add_entry(void *ctx, const wchar_t *path, const WIN32_FIND_DATAW *fd, fs_err *err)
{
	struct listing *l = ctx;
	char *sid, *ent, **slot;
	size_t len;

	(void)path;
	if (!plain_dir(fd) || !entry_form(fd->cFileName))
		return 0; /* not the runtime's: never touched */
	sid = fs_win_utf8(l->sid, wcslen(l->sid));
	ent = fs_win_utf8(fd->cFileName, wcslen(fd->cFileName));
	slot = sid && ent ? fs_grow((void **)l->names, l->n, &l->cap, sizeof *slot) : NULL;
	len = sid && ent ? strlen(sid) + strlen(ent) + 2 : 0;
	if (!slot || !(*slot = malloc(len))) {
		if (slot) /* counted already: an empty name is freed as any other */
			*slot = NULL;
		free(sid);
		free(ent);
		l->oom = 1;
		return fs_fail(err, "out of memory");
	}
	snprintf(*slot, len, "%s/%s", sid, ent);
	free(sid);
	free(ent);
	return 0;
}

static int add_sid(void *ctx, const wchar_t *path, const WIN32_FIND_DATAW *fd, fs_err *err)
{
	struct listing *l = ctx;

	fs_err why;

	if (!plain_dir(fd) || !sid_form(fd->cFileName))
		return 0;
	l->sid = fd->cFileName;
	if (fs_win_each(path, add_entry, l, &why) == 0)
		return 0;
	/* add_entry fails only when out of memory; a directory we may not list
	 * (another user's) is not looked at, and never touched */
	return l->oom ? fs_fail(err, "out of memory") : 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int fs_os_cygfork_list(fs_os_inst *in, char ***names, size_t *n, fs_err *err)
{
	wchar_t *p = cygfork_path(in, L"");
	struct listing l = { .names = names, .n = n };
	DWORD a;
	int rc;

	*names = NULL;
	*n = 0;
	if (!p)
		return fs_fail(err, "out of memory");
	a = GetFileAttributesW(p);
	if (a == INVALID_FILE_ATTRIBUTES || !(a & FILE_ATTRIBUTE_DIRECTORY) ||
	    (a & FILE_ATTRIBUTE_REPARSE_POINT)) {
		free(p);
		return 0; /* no cygfork directory (or not a plain one): nothing of the runtime's */
	}
	rc = fs_win_each(p, add_sid, &l, err);
	free(p);
	if (rc < 0) {
		for (size_t i = 0; i < *n; i++)
			free((*names)[i]);
		free(*names);
		*names = NULL;
		*n = 0;
		return -1;
	}
	if (*n > 1)
		qsort(*names, *n, sizeof **names, by_name);
	return 0;
}

/* The installation's object directory: opened, or created as the runtime
 * creates it (every user may add objects) when no process of it runs. */
static NTSTATUS open_objdir(const fs_os_inst *in, int create, HANDLE *dir)
{
	UNICODE_STRING u;
	OBJECT_ATTRIBUTES oa;
	PSECURITY_DESCRIPTOR sd = NULL;
	NTSTATUS st;

	RtlInitUnicodeString(&u, in->wobjdir);
	if (!create) {
		InitializeObjectAttributes(&oa, &u, OBJ_CASE_INSENSITIVE, NULL, NULL);
		return NtOpenDirectoryObject(dir, FS_DIRECTORY_ACCESS, &oa);
	}
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:(A;;0x2000f;;;WD)",
								   SDDL_REVISION_1, &sd, NULL))
		return (NTSTATUS)0xC0000017L; /* no memory */
	InitializeObjectAttributes(&oa, &u, OBJ_OPENIF | OBJ_CASE_INSENSITIVE, NULL, sd);
	st = NtCreateDirectoryObject(dir, FS_DIRECTORY_ACCESS, &oa);
	LocalFree(sd);
	return st;
}

/*
 * Removes the runtime's entry SID/NAME under cygfork with the backend's one
 * tree removal (fs_os_remove_tree: no reparse point followed, one volume).
 */
static int remove_entry(const fs_os_inst *in, const char *entry, fs_err *err)
{
	const char *slash = strchr(entry, '/');
	wchar_t *wbase = cygfork_path(in, L"");
	char *base = wbase ? fs_win_utf8(wbase, wcslen(wbase)) : NULL;
	char *sid = slash ? malloc((size_t)(slash - entry) + 1) : NULL;
	fs_os_dir *top = NULL, *d = NULL;
	int rc = -1;

	if (!base || !sid) {
		rc = fs_fail(err, "out of memory");
		goto out;
	}
	memcpy(sid, entry, (size_t)(slash - entry));
	sid[slash - entry] = '\0';
	if ((top = fs_os_dir_open_safe(base, 0, NULL, err)) &&
	    (d = fs_os_dir_open_at(top, sid, 0, NULL, err)))
		rc = fs_os_remove_tree(d, slash + 1, FS_KEEP_DEPTH, err);
out:
	fs_os_dir_close(d);
	fs_os_dir_close(top);
	free(sid);
	free(base);
	free(wbase);
	return rc;
}

int fs_os_cygfork_check(fs_os_inst *in, const char *entry, int remove, fs_err *err)
{
	const char *slash = strchr(entry, '/');
	wchar_t *wentry = fs_win_wide(entry), *mname = NULL, *path = NULL;
	PSECURITY_DESCRIPTOR sd = NULL;
	HANDLE dir = NULL, m = NULL;
	UNICODE_STRING u;
	OBJECT_ATTRIBUTES oa;
	NTSTATUS st;
	int rc = -1;

	if (!slash || !wentry)
		goto nomem;
	wentry[slash - entry] = L'\\';
	if (!(mname = malloc((wcslen(wentry) + 16) * sizeof *mname)))
		goto nomem;
	swprintf(mname, wcslen(wentry) + 16, L"cygfork@%ls", wentry);
	mname[8 + (slash - entry)] = L'@';
	st = open_objdir(in, remove, &dir);
	if (!remove && st == (NTSTATUS)0xC0000034L) { /* STATUS_OBJECT_NAME_NOT_FOUND */
		dir = NULL;
		rc = 0; /* no process of the installation runs: nobody holds it */
		goto out;
	}
	if (st < 0) {
		dir = NULL;
		fs_fail(err, "%s: cannot open the object directory %s (NTSTATUS 0x%08lx)", entry,
			in->objdir, (unsigned long)st);
		goto out;
	}
	/* the runtime's own waiters need MUTEX_ALL_ACCESS to our mutex meanwhile */
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:(A;;GA;;;WD)", SDDL_REVISION_1,
								   &sd, NULL))
		goto nomem;
	RtlInitUnicodeString(&u, mname);
	InitializeObjectAttributes(&oa, &u, OBJ_OPENIF | OBJ_CASE_INSENSITIVE, dir, sd);
	st = NtCreateMutant(&m, FS_MUTANT_ALL, &oa, TRUE);
	if (st < 0) {
		fs_fail(err, "%s: cannot check its mutex (NTSTATUS 0x%08lx)", entry,
			(unsigned long)st);
		goto out;
	}
	if (st == STATUS_OBJECT_NAME_EXISTS) {
		rc = 1;
		goto out;
	}
	rc = 0;
	if (remove && remove_entry(in, entry, err) < 0)
		rc = -1;
	goto out;
nomem:
	rc = fs_fail(err, "out of memory");
out:
	if (m) {
		if (rc != 1)
			ReleaseMutex(m);
		CloseHandle(m);
	}
	if (dir)
		CloseHandle(dir);
	if (sd)
		LocalFree(sd);
	free(path);
	free(mname);
	free(wentry);
	return rc;
}
