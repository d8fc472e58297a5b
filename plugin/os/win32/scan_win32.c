/*
 * scan_win32.c - every process (Toolhelp32) and the modules it has loaded
 * (psapi).  A module's identity comes from the file its section maps *now*
 * (GetMappedFileNameW: the kernel's current name for it), never from the
 * as-loaded path GetModuleFileNameExW keeps, which may name a new file
 * after an upgrade.  The kernel writes that name as \Device\HarddiskVolumeN\...
 * on Windows and as \??\X:\... under Wine; both are taken.
 */
#include "win32.h"
#include "../../core/arena.h"
#include "../../core/err.h"
#include "../../core/scan.h"
#include "../../core/sort.h"
#include "../../core/vec.h"

#include <psapi.h>
#include <stdlib.h>
#include <string.h>
#include <tlhelp32.h>
#include <wchar.h>

#define NT_NAME_MAX 32768

/* What a mapped file's NT name resolves to, remembered for the scan. */
struct named {
	wchar_t *nt;      /* key */
	const char *path; /* ours, in the scan's arena */
	fs_id id;
	int ok;           /* the file could be opened: id is valid */
};

struct scanner {
	const fs_scan_opts *opts;
	fs_scan *scan;
	fs_arena arena;
	wchar_t devices[26][MAX_PATH];  /* QueryDosDevice of A: .. Z: */
	struct named *names;            /* open addressing, cap a power of two */
	size_t nnames, cap;
	wchar_t *ntbuf;
	HMODULE *mods;
	DWORD modcap;
	fs_image *img;
	size_t nimg, imgcap;
	fs_idset *seen;                 /* this process's identities */
	size_t procap, unreadcap;
};

static uint64_t hash_w(const wchar_t *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (uint16_t)*s) * 1099511628211ULL;
	return h;
}

static int grow_names(struct scanner *sc)
{
	size_t cap = sc->cap ? sc->cap * 2 : 512;
	struct named *v = calloc(cap, sizeof *v);

	if (!v)
		return -1;
	for (size_t i = 0; i < sc->cap; i++) {
		size_t k;

		if (!sc->names[i].nt)
			continue;
		for (k = hash_w(sc->names[i].nt) & (cap - 1); v[k].nt; k = (k + 1) & (cap - 1))
			;
		v[k] = sc->names[i];
	}
	free(sc->names);
	sc->names = v;
	sc->cap = cap;
	return 0;
}

/* The Win32 path that opens an NT name: X:\... via the drive table, else
 * through \\?\GLOBALROOT (malloc'ed). */
static wchar_t *win32_name(const struct scanner *sc, const wchar_t *nt)
{
	size_t n = wcslen(nt);
	wchar_t *w = malloc((n + 16) * sizeof *w);

	if (!w)
		return NULL;
	if (wcsncmp(nt, L"\\??\\", 4) == 0) {
		wcscpy(w, nt + 4);
		return w;
	}
	for (int d = 0; d < 26; d++) {
		size_t dl = wcslen(sc->devices[d]);

		if (dl && _wcsnicmp(nt, sc->devices[d], dl) == 0 && nt[dl] == L'\\') {
			w[0] = (wchar_t)(L'A' + d);
			w[1] = L':';
			wcscpy(w + 2, nt + dl);
			return w;
		}
	}
	wcscpy(w, L"\\\\?\\GLOBALROOT");
	wcscat(w, nt);
	return w;
}

/* Looks up (or opens once) the file behind an NT name. */
static const struct named *lookup(struct scanner *sc, const wchar_t *nt)
{
	size_t k;
	struct named *e;
	wchar_t *w;
	HANDLE h;
	char *mixed;

	if ((sc->nnames + 1) * 2 > sc->cap && grow_names(sc) < 0)
		return NULL;
	for (k = hash_w(nt) & (sc->cap - 1); sc->names[k].nt; k = (k + 1) & (sc->cap - 1))
		if (wcscmp(sc->names[k].nt, nt) == 0)
			return &sc->names[k];
	e = &sc->names[k];
	if (!(w = win32_name(sc, nt)) || !(e->nt = _wcsdup(nt))) {
		free(w);
		return NULL;
	}
	sc->nnames++;
	mixed = fs_win_mixed(w, wcslen(w));
	e->path = mixed ? fs_arena_strdup(&sc->arena, mixed) : NULL;
	free(mixed);
	h = fs_win_open_meta(w, 0);
	free(w);
	if (h != INVALID_HANDLE_VALUE) {
		fs_win_info info;

		e->ok = fs_win_handle_info(h, &info) == 0;
		e->id = info.id;
		CloseHandle(h);
	}
	return e->path ? e : NULL;
}

static int exited(HANDLE h)
{
	DWORD code;

	return GetExitCodeProcess(h, &code) && code != STILL_ACTIVE;
}

static int add_unreadable(struct scanner *sc, DWORD pid, uint64_t start)
{
	fs_pidstart *u = fs_grow((void **)&sc->scan->unreadable_procs, &sc->scan->unreadable,
				 &sc->unreadcap, sizeof *u);

	if (!u)
		return -1;
	u->pid = (int)pid;
	u->start_time = start;
	return 0;
}

static int by_address(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (HMODULE const *)a, y = (uintptr_t) * (HMODULE const *)b;

	return x < y ? -1 : x > y;
}

enum mods { MODS_NO_MEMORY = -2, MODS_UNREADABLE = -1, MODS_GONE = 0, MODS_LISTED = 1 };

/* The modules of one open process, into sc->mods. */
static enum mods list_modules(struct scanner *sc, HANDLE h, DWORD *n)
{
	DWORD need = 0;

	for (;;) {
		if (!EnumProcessModulesEx(h, sc->mods, sc->modcap * sizeof *sc->mods, &need,
					  LIST_MODULES_ALL))
			return exited(h) ? MODS_GONE : MODS_UNREADABLE;
		if (need <= sc->modcap * sizeof *sc->mods)
			break;
		free(sc->mods);
		sc->modcap = need / sizeof *sc->mods + 64;
		if (!(sc->mods = malloc(sc->modcap * sizeof *sc->mods)))
			return MODS_NO_MEMORY;
	}
	*n = need / sizeof *sc->mods;
	if (*n > 2) /* the exe first, then the DLLs in address order */
		qsort(sc->mods + 1, *n - 1, sizeof *sc->mods, by_address);
	return MODS_LISTED;
}

/* The images of the nmods modules of process h into sc->img (one per
 * identity; with a filter, only those in it); *exe the first one's path.
 * -1 only when out of memory. */
static int read_images(struct scanner *sc, HANDLE h, DWORD nmods, const char **exe)
{
	sc->nimg = 0;
	fs_idset_clear(sc->seen);
	for (DWORD i = 0; i < nmods; i++) {
		DWORD len = GetMappedFileNameW(h, sc->mods[i], sc->ntbuf, NT_NAME_MAX);
		const struct named *e;
		fs_image *img;
		int added = 1;

		if (len == 0 || len >= NT_NAME_MAX)
			continue; /* unloaded meanwhile, or cut: not its name */
		sc->ntbuf[len] = L'\0';
		if (!(e = lookup(sc, sc->ntbuf)))
			return -1;
		if (i == 0)
			*exe = e->path;
		if (e->ok && sc->opts->filter && fs_idset_find(sc->opts->filter, e->id) < 0)
			continue;
		if (!e->ok && sc->opts->filter)
			continue;
		if (e->ok && fs_idset_add(sc->seen, e->id, &added) < 0)
			return -1;
		if (!added)
			continue;
		if (!(img = fs_grow((void **)&sc->img, &sc->nimg, &sc->imgcap, sizeof *img)))
			return -1;
		img->id = e->ok ? e->id : (fs_id){ 0, 0 };
		img->path = e->path;
		img->flags = e->ok ? 0 : FS_IMAGE_DELETED | FS_IMAGE_NO_ID; /* delete-pending or gone */
		img->package = NULL;
	}
	return 0;
}

/* The process pe with the images in sc->img, into the scan; -1 only when
 * out of memory. */
static int add_proc(struct scanner *sc, const PROCESSENTRY32W *pe, uint64_t start,
		    const char *exe)
{
	fs_proc *p = fs_grow((void **)&sc->scan->procs, &sc->scan->nprocs, &sc->procap,
			     sizeof *p);
	char *comm = fs_win_utf8(pe->szExeFile, wcslen(pe->szExeFile));
	fs_image *imgs;

	if (!p || !comm) {
		free(comm);
		return -1;
	}
	memset(p, 0, sizeof *p);
	p->pid = (int)pe->th32ProcessID;
	p->uid = -1;
	p->start_time = start;
	p->comm = fs_arena_strdup(&sc->arena, comm);
	free(comm);
	p->exe = exe;
	p->nimages = sc->nimg;
	imgs = fs_arena_alloc(&sc->arena, sc->nimg * sizeof *imgs + 1);
	if (!p->comm || !imgs)
		return -1;
	memcpy(imgs, sc->img, sc->nimg * sizeof *sc->img);
	p->images = imgs;
	return 0;
}

/* The identity of the program file process h runs; -1 if unknown. */
static int program_id(HANDLE h, fs_id *id)
{
	wchar_t *name = malloc(FS_WIN_PATH_MAX * sizeof *name);
	DWORD n = FS_WIN_PATH_MAX;
	fs_win_info info;
	HANDLE f = INVALID_HANDLE_VALUE;
	int rc = -1;

	if (name && QueryFullProcessImageNameW(h, 0, name, &n) && n < FS_WIN_PATH_MAX)
		f = fs_win_open_meta(name, 0);
	if (f != INVALID_HANDLE_VALUE && fs_win_handle_info(f, &info) == 0) {
		*id = info.id;
		rc = 0;
	}
	if (f != INVALID_HANDLE_VALUE)
		CloseHandle(f);
	free(name);
	return rc;
}

/*
 * The hook's supervisor, which only waits for this worker: never a user of
 * a file (docs/cli.md).  The pid FS_WIN_SUPERVISOR_VAR names, only if it is
 * this process's parent and runs this same program file; else 0.
 */
static DWORD supervisor(HANDLE snap)
{
	PROCESSENTRY32W pe = { .dwSize = sizeof pe };
	wchar_t var[16], *end;
	DWORD self = GetCurrentProcessId(), parent = 0;
	unsigned long named;
	fs_id mine, theirs;
	HANDLE h;
	int same;

	if (GetEnvironmentVariableW(FS_WIN_SUPERVISOR_VAR, var, 16) - 1u >= 15u)
		return 0;
	named = wcstoul(var, &end, 10);
	if (*end || named == 0 || named == self)
		return 0;
	for (BOOL more = Process32FirstW(snap, &pe); more; more = Process32NextW(snap, &pe))
		if (pe.th32ProcessID == self)
			parent = pe.th32ParentProcessID;
	if (parent != named ||
	    !(h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, parent)))
		return 0;
	same = program_id(h, &theirs) == 0 && program_id(GetCurrentProcess(), &mine) == 0 &&
	       theirs.dev == mine.dev && theirs.ino == mine.ino;
	CloseHandle(h);
	return same ? parent : 0;
}

/* Reads one process; -1 only when out of memory. */
static int scan_process(struct scanner *sc, const PROCESSENTRY32W *pe)
{
	HANDLE h = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE,
			       pe->th32ProcessID);
	FILETIME created, x1, x2, x3;
	uint64_t start = 0;
	const char *exe = NULL;
	DWORD nmods = 0;
	enum mods m;
	int r;

	if (!h) {
		if (GetLastError() == ERROR_INVALID_PARAMETER)
			return 0; /* exited since the snapshot */
		sc->scan->seen++;
		return add_unreadable(sc, pe->th32ProcessID, 0);
	}
	if (GetProcessTimes(h, &created, &x1, &x2, &x3))
		start = ((uint64_t)created.dwHighDateTime << 32) | created.dwLowDateTime;
	m = list_modules(sc, h, &nmods);
	if (m == MODS_NO_MEMORY || m == MODS_GONE) {
		CloseHandle(h);
		return m == MODS_NO_MEMORY ? -1 : 0;
	}
	sc->scan->seen++;
	if (m == MODS_UNREADABLE) {
		CloseHandle(h);
		return add_unreadable(sc, pe->th32ProcessID, start);
	}
	r = read_images(sc, h, nmods, &exe);
	CloseHandle(h);
	if (r < 0)
		return -1;
	if (sc->opts->filter && sc->nimg == 0)
		return 0;
	return add_proc(sc, pe, start, exe);
}

int fs_os_scan(const fs_scan_opts *opts, fs_scan *scan, fs_err *err)
{
	struct scanner sc = { .opts = opts, .scan = scan };
	PROCESSENTRY32W pe = { .dwSize = sizeof pe };
	HANDLE snap;
	DWORD not_me;
	int rc = -1;

	for (int d = 0; d < 26; d++) {
		wchar_t drive[3] = { (wchar_t)(L'A' + d), L':', 0 };

		if (!QueryDosDeviceW(drive, sc.devices[d], MAX_PATH))
			sc.devices[d][0] = L'\0';
	}
	sc.ntbuf = malloc((NT_NAME_MAX + 1) * sizeof *sc.ntbuf);
	sc.modcap = 256;
	sc.mods = malloc(sc.modcap * sizeof *sc.mods);
	sc.seen = fs_idset_new(256);
	if (!sc.ntbuf || !sc.mods || !sc.seen) {
		fs_fail(err, "out of memory");
		goto out;
	}
	snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
	if (snap == INVALID_HANDLE_VALUE) {
		fs_win_fail(err, GetLastError(), "cannot list processes");
		goto out;
	}
	not_me = supervisor(snap);
	for (BOOL more = Process32FirstW(snap, &pe); more; more = Process32NextW(snap, &pe)) {
		/* the idle process and the kernel's System process map no files;
		 * forksafe itself (and its hook's supervisor) is never a user of
		 * a file (docs/cli.md) */
		if (pe.th32ProcessID == 0 || pe.th32ProcessID == 4 ||
		    pe.th32ProcessID == GetCurrentProcessId() ||
		    (not_me && pe.th32ProcessID == not_me))
			continue;
		if (scan_process(&sc, &pe) < 0) {
			CloseHandle(snap);
			fs_fail(err, "out of memory while scanning processes");
			goto out;
		}
	}
	CloseHandle(snap);
	if (scan->nprocs > 1)
		qsort(scan->procs, scan->nprocs, sizeof *scan->procs, fs_cmp_proc_pid);
	rc = 0;
out:
	fs_scan_adopt(scan, &sc.arena);
	for (size_t i = 0; i < sc.cap; i++)
		free(sc.names[i].nt);
	free(sc.names);
	free(sc.ntbuf);
	free(sc.mods);
	free(sc.img);
	fs_idset_free(sc.seen);
	return rc;
}
