/*
 * test_dirs.c - os.h's file-system primitives as the Windows backend
 * implements them, run under Wine: names that are not one component are
 * refused, directory handles and their shown names, atomic writes, stat,
 * a removal deeper than its depth (lifting), the sweep, the exclusive lock
 * and the hold lock (a named mutex per directory, its marker file).
 */
#include "os/win32/win32.h"

#include <stdio.h>
#include <stdlib.h>
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

/* A fresh directory under the temporary directory, in our '/' form (Wine
 * may give a process the id of an earlier run's: the time tells them apart). */
static char *temp_root(void)
{
	wchar_t tmp[MAX_PATH + 1], dir[MAX_PATH + 64];
	DWORD n = GetTempPathW(MAX_PATH + 1, tmp);

	if (n == 0 || n > MAX_PATH)
		return NULL;
	swprintf(dir, MAX_PATH + 64, L"%lsforksafe-test-dirs-%lu-%llu", tmp,
		 (unsigned long)GetCurrentProcessId(), (unsigned long long)GetTickCount64());
	return fs_win_mixed(dir, wcslen(dir));
}

static void names_refused(fs_os_dir *d)
{
	const char *bad[] = { "a\\b", "c:x", "a/b", "..", ".", "" };
	fs_err err;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		err.msg[0] = '\0';
		CHECK(fs_os_touch(d, bad[i], &err) < 0);
		CHECK(strstr(err.msg, "not a name") != NULL);
	}
	CHECK(fs_os_dir_open_at(d, "x\\..\\..", 1, NULL, &err) == NULL);
	CHECK(fs_os_dir_open_at(d, "../x", 1, NULL, &err) == NULL);
}

static void handles(fs_os_dir *d, const char *path)
{
	fs_os_dir *z, *none;
	int missing = 0;
	fs_err err;

	CHECK(streq(d->shown, ""));
	CHECK(streq(d->path, path));
	z = fs_os_dir_open_at(d, "x/y/z", 1, NULL, &err);
	CHECK(z && streq(z->shown, "x/y/z"));
	none = fs_os_dir_open_at(d, "x/q", 0, &missing, &err);
	CHECK(!none && missing == 1);
	CHECK(fs_os_touch(z, "f", &err) == 0);
	CHECK(fs_os_dir_open_at(d, "x/y/z/f", 0, NULL, &err) == NULL);
	fs_os_dir_close(z);
	CHECK(fs_os_remove_if_empty(d, "x") == 0); /* not empty */
	CHECK(fs_os_remove_tree(d, "x", 4, &err) == 0);
	CHECK(fs_os_remove_if_empty(d, "x") == 0); /* gone */
}

static void files(fs_os_dir *d)
{
	char *buf = NULL, **names = NULL;
	size_t len = 0, n = 0;
	fs_os_info info;
	fs_err err;

	CHECK(fs_os_write_atomic(d, "m", "old", 3, &err) == 0);
	CHECK(fs_os_write_atomic(d, "m", "hello", 5, &err) == 0);
	CHECK(fs_os_read_file(d, "m", 64, &buf, &len, &err) == 0 && len == 5 &&
	      streq(buf, "hello"));
	free(buf);
	CHECK(fs_os_read_file(d, "m", 4, &buf, &len, &err) < 0); /* beyond max */
	CHECK(fs_os_list(d, &names, &n, &err) == 0 && n == 1 && streq(names[0], "m"));
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	CHECK(fs_os_stat(d, "m", &info, &err) == FS_PRESENT && info.kind == FS_OS_FILE &&
	      info.bytes == 5 && info.links == 1);
	CHECK(fs_os_mkdir(d, "sub", &err) == 0 && fs_os_mkdir(d, "sub", &err) < 0);
	CHECK(fs_os_stat(d, "sub", &info, &err) == FS_PRESENT && info.kind == FS_OS_DIR);
	CHECK(fs_os_stat(d, "nothing", &info, &err) == FS_ABSENT);
	CHECK(fs_os_rename(d, "m", "sub", &err) < 0); /* never over another */
	CHECK(fs_os_rename(d, "m", "m2", &err) == 0);
	CHECK(fs_os_unlink(d, "m2", &err) == 0 && fs_os_unlink(d, "m2", &err) == 0);
	CHECK(fs_os_unlink(d, "sub", &err) < 0); /* never a directory */
	CHECK(fs_os_remove_if_empty(d, "sub") == 1);
}

/* 7 directories under "deep", removed with depth 2: the deeper ones are
 * lifted to the top and removed by later passes. */
static void deep_removal(fs_os_dir *d)
{
	fs_os_dir *deep = fs_os_dir_open_at(d, "deep/a/b/c/d/e/f", 1, NULL, NULL);
	fs_os_info info;
	fs_err err;

	CHECK(deep != NULL);
	CHECK(deep && fs_os_touch(deep, "file", &err) == 0);
	fs_os_dir_close(deep);
	CHECK(fs_os_remove_tree(d, "deep", 2, &err) == 0);
	CHECK(fs_os_stat(d, "deep", &info, &err) == FS_ABSENT);
}

static int keep_first(void *ctx, fs_id id)
{
	const fs_id *kept = ctx;

	return id.dev == kept->dev && id.ino == kept->ino;
}

static void sweep(fs_os_dir *d)
{
	fs_os_dir *k = fs_os_dir_open_at(d, "k/sub", 1, NULL, NULL), *top;
	fs_os_info info;
	fs_err err;

	CHECK(k && fs_os_touch(k, "one", &err) == 0 && fs_os_touch(k, "two", &err) == 0);
	CHECK(k && fs_os_stat(k, "one", &info, &err) == FS_PRESENT);
	top = fs_os_dir_open_at(d, "k", 0, NULL, &err);
	CHECK(top && fs_os_sweep(top, 0, keep_first, &info.id, &err) < 0); /* too deep */
	CHECK(top && fs_os_sweep(top, 1, keep_first, &info.id, &err) == 1);
	CHECK(k && fs_os_stat(k, "one", &info, &err) == FS_PRESENT);
	CHECK(k && fs_os_stat(k, "two", &info, &err) == FS_ABSENT);
	fs_os_dir_close(k);
	fs_os_dir_close(top);
	CHECK(fs_os_remove_tree(d, "k", 4, &err) == 0);
}

static void locks(fs_os_dir *d)
{
	fs_os_dir *s = fs_os_dir_open_at(d, "s", 1, NULL, NULL);
	fs_os_hold *h = NULL, *none = NULL;
	fs_err err;

	CHECK(fs_os_lock(d, "lk", &err) == 0 && fs_os_lock(d, "lk", &err) == 0);
	CHECK(s && fs_os_hold_take(s, "L", &none, &err) < 0); /* no marker */
	CHECK(s && fs_os_hold_held(s, "L", &err) == FS_ABSENT);
	CHECK(s && fs_os_hold_make(s, "L", &err) == 0);
	CHECK(s && fs_os_hold_take(s, "L", &h, &err) == 0);
	CHECK(s && fs_os_hold_held(s, "L", &err) == FS_PRESENT);
	CHECK(s && h && fs_os_hold_same(s, "L", h, &err) == 0);
	/* made again: another file (made while the first one lives, so that
	 * its file ID cannot be the first one's, reused) */
	CHECK(s && fs_os_touch(s, "L2", &err) == 0 && fs_os_unlink(s, "L", &err) == 0 &&
	      fs_os_rename(s, "L2", "L", &err) == 0);
	CHECK(s && h && fs_os_hold_same(s, "L", h, &err) < 0);
	fs_os_hold_release(h);
	CHECK(s && fs_os_hold_held(s, "L", &err) == FS_ABSENT);
	fs_os_dir_close(s);
	CHECK(fs_os_remove_tree(d, "s", 4, &err) == 0);
}

int main(void)
{
	char *path = temp_root();
	int missing = 0;
	fs_os_dir *d;
	fs_err err;

	CHECK(path != NULL);
	if (!path)
		return 1;
	CHECK(fs_os_dir_open_safe(path, 0, &missing, &err) == NULL && missing == 1);
	d = fs_os_dir_open_safe(path, 1, NULL, &err);
	CHECK(d != NULL);
	if (!d)
		return 1;
	names_refused(d);
	handles(d, path);
	files(d);
	deep_removal(d);
	sweep(d);
	locks(d);
	fs_os_dir_close(d); /* releases "lk" */
	{
		wchar_t *w = fs_win_path(path), *lk = w ? fs_win_join(w, "lk") : NULL;

		CHECK(lk && DeleteFileW(lk) && RemoveDirectoryW(w));
		free(lk);
		free(w);
	}
	free(path);
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	else
		puts("test_dirs: all checks passed");
	return failures != 0;
}
