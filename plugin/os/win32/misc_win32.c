/*
 * misc_win32.c - the small services the core asks of the OS: a UTF-8
 * command line, running a command, a stream into memory, the privilege
 * hint, how an identity is written, which images are the runtime.
 */
#include "win32.h"
#include "../../core/err.h"
#include "../../core/cygwin.h"

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <shellapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Large pages on Windows need a privilege nobody grants: malloc serves. */
void *fs_os_huge_alloc(size_t size)
{
	(void)size;
	return NULL;
}

void fs_os_huge_free(void *p, size_t size)
{
	(void)p;
	(void)size;
}

int fs_args_init(int *argc, char ***argv)
{
	int n;
	wchar_t **w = CommandLineToArgvW(GetCommandLineW(), &n);
	char **v;

	/* output is UTF-8 bytes with '\n' line ends, as on every platform */
	_setmode(_fileno(stdout), _O_BINARY);
	_setmode(_fileno(stderr), _O_BINARY);
	_setmode(_fileno(stdin), _O_BINARY);
	if (!w)
		return -1;
	v = calloc((size_t)n + 1, sizeof *v);
	for (int i = 0; v && i < n; i++)
		if (!(v[i] = fs_win_utf8(w[i], wcslen(w[i]))))
			v = NULL; /* left for the process's end, as argv is */
	LocalFree(w);
	if (!v)
		return -1;
	*argc = n;
	*argv = v;
	return 0;
}

void fs_id_dev_str(fs_id id, char *buf, size_t len)
{
	snprintf(buf, len, "%04X-%04X", (unsigned)(id.dev >> 16) & 0xffff,
		 (unsigned)id.dev & 0xffff);
}

const char *fs_privilege_hint(void)
{
	TOKEN_ELEVATION e = { 0 };
	DWORD n = 0;
	HANDLE t;

	if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &t)) {
		GetTokenInformation(t, TokenElevation, &e, sizeof e, &n);
		CloseHandle(t);
	}
	return e.TokenIsElevated ? "" : " (run as administrator)";
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c;
}

static int sep(char c)
{
	return c == '/' || c == '\\';
}

/* path without a \\?\ prefix ("\\?\C:\x" is "C:\x"). */
static const char *short_form(const char *path)
{
	if (sep(path[0]) && sep(path[1]) && path[2] == '?' && sep(path[3]) && path[4] &&
	    path[5] == ':')
		return path + 4;
	return path;
}

const char *fs_os_under_root(const char *path, const char *root)
{
	size_t rlen;

	if (sep(root[0]) && !root[1]) { /* "/": the installation */
		if (sep(path[0]) && !sep(path[1]))
			return path; /* "/x" is the installation's already */
		if (!(root = fs_win_install_root(NULL)))
			return NULL; /* an installation it cannot tell holds nothing */
	}
	path = short_form(path);
	root = short_form(root);
	rlen = strlen(root);
	while (rlen > 0 && sep(root[rlen - 1]))
		rlen--;
	for (size_t i = 0; i < rlen; i++) /* case and separators do not matter */
		if (!(sep(path[i]) && sep(root[i])) && lower(path[i]) != lower(root[i]))
			return NULL;
	if (!sep(path[rlen]))
		return NULL;
	path += rlen;
	while (sep(path[1])) /* "R//x" is "R/x" */
		path++;
	return path;
}

int fs_os_path_absolute(const char *path)
{
	return path[0] == '/' || path[0] == '\\' ||
	       (((path[0] | 0x20) >= 'a' && (path[0] | 0x20) <= 'z') && path[1] == ':' &&
		(path[2] == '/' || path[2] == '\\'));
}

int fs_os_is_runtime(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return fs_cyg_is_runtime_name(base);
}

int fs_os_runtime_kept(void)
{
	return 0; /* never kept: guard.c */
}

int fs_os_is_pseudo(const char *path)
{
	(void)path; /* every module Windows lists is a file */
	return 0;
}

FILE *fs_os_fopen(const char *path, const char *mode)
{
	wchar_t *w = fs_win_path(path), *m = fs_win_wide(mode);
	FILE *f = w && m ? _wfopen(w, m) : NULL;

	if (!w || !m)
		errno = ENOMEM;
	/* "/etc/x" of a program in no installation: there is no such file
	 * (not "out of memory": the config loader then takes its defaults) */
	if (!w && (path[0] == '/' || path[0] == '\\') && !fs_win_install_root(NULL))
		errno = ENOENT;
	free(w);
	free(m);
	/* "r": a file on a disk only (no pipe, console or device to wait on) */
	if (f && strcmp(mode, "r") == 0 &&
	    GetFileType((HANDLE)_get_osfhandle(_fileno(f))) != FILE_TYPE_DISK) {
		fclose(f);
		errno = EINVAL;
		return NULL;
	}
	return f;
}

/* Appends arg to cmd quoted as CommandLineToArgvW parses it back. */
static size_t quote_arg(wchar_t *cmd, size_t at, const wchar_t *arg)
{
	int plain = *arg && !wcspbrk(arg, L" \t\n\v\"");

	if (at)
		cmd[at++] = L' ';
	if (plain) {
		wcscpy(cmd + at, arg);
		return at + wcslen(arg);
	}
	cmd[at++] = L'"';
	for (const wchar_t *p = arg;; p++) {
		size_t bs = 0;

		while (*p == L'\\') {
			p++;
			bs++;
		}
		if (!*p || *p == L'"') /* backslashes before a quote are doubled */
			bs = bs * 2 + (*p == L'"');
		while (bs--)
			cmd[at++] = L'\\';
		if (!*p)
			break;
		cmd[at++] = *p;
	}
	cmd[at++] = L'"';
	return at;
}

wchar_t *fs_win_cmdline(const wchar_t *argv0, char *const *argv, fs_err *err)
{
	size_t cap = 1 + (argv0 ? 3 + 2 * wcslen(argv0) : 0), at = 0;
	wchar_t *cmd;

	for (size_t i = 0; argv[i]; i++)
		cap += 3 + 3 * strlen(argv[i]);
	if (!(cmd = malloc(cap * sizeof *cmd))) {
		fs_fail(err, "out of memory");
		return NULL;
	}
	if (argv0)
		at = quote_arg(cmd, at, argv0);
	for (size_t i = argv0 ? 1 : 0; argv[i]; i++) {
		wchar_t *w = fs_win_wide(argv[i]);

		if (!w) {
			free(cmd);
			fs_fail(err, "%s: not valid UTF-8", argv[i]);
			return NULL;
		}
		at = quote_arg(cmd, at, w);
		free(w);
	}
	cmd[at] = L'\0';
	return cmd;
}

int fs_os_run(char *const *argv, int *status, fs_err *err)
{
	STARTUPINFOW si = { .cb = sizeof si };
	PROCESS_INFORMATION pi;
	wchar_t *cmd = fs_win_cmdline(NULL, argv, err);
	DWORD code;
	BOOL ok;

	if (!cmd)
		return -1;
	/* bInheritHandles: the held lock passes to the command */
	ok = CreateProcessW(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi);
	free(cmd);
	if (!ok)
		return fs_win_fail(err, GetLastError(), "cannot start %s", argv[0]);
	WaitForSingleObject(pi.hProcess, INFINITE);
	GetExitCodeProcess(pi.hProcess, &code);
	CloseHandle(pi.hThread);
	CloseHandle(pi.hProcess);
	*status = (int)code;
	return 0;
}

/* No open_memstream: a temporary file that never reaches the disk unless
 * memory is short, read back whole. */
struct fs_os_membuf {
	int unused;
};

FILE *fs_os_membuf_open(fs_os_membuf **mb)
{
	wchar_t dir[MAX_PATH + 1], name[MAX_PATH + 1];
	HANDLE h;
	int fd;
	FILE *f;

	*mb = NULL;
	if (!GetTempPathW(MAX_PATH + 1, dir) || !GetTempFileNameW(dir, L"fs", 0, name))
		return NULL;
	h = CreateFileW(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
			FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		DeleteFileW(name);
		return NULL;
	}
	fd = _open_osfhandle((intptr_t)h, _O_RDWR | _O_BINARY);
	if (fd < 0) {
		CloseHandle(h);
		return NULL;
	}
	f = _fdopen(fd, "w+b");
	if (!f)
		_close(fd);
	else
		*mb = malloc(sizeof **mb);
	if (f && !*mb) {
		fclose(f);
		f = NULL;
	}
	return f;
}

int fs_os_membuf_done(fs_os_membuf *mb, FILE *f, char **text, size_t *len)
{
	long n = fflush(f) == 0 ? ftell(f) : -1;
	char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;

	free(mb);
	*text = NULL;
	*len = 0;
	if (!buf || fseek(f, 0, SEEK_SET) != 0 || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return -1;
	}
	buf[n] = '\0';
	fclose(f);
	*text = buf;
	*len = (size_t)n;
	return 0;
}
