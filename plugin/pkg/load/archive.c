/*
 * archive.c - the files a package archive would install or replace, read
 * with libarchive (which decodes zstd, xz, gzip ... itself): pacman's
 * .pkg.tar.zst / .pkg.tar.xz and Cygwin's .tar.xz / .tar.zst.  Only the
 * headers are read (.PKGINFO and the other metadata are skipped unread), but
 * skipping an entry's data decompresses it: the entries, their paths and
 * the bytes decompressed are bounded (FS_ARCHIVE_*).
 */
#define _GNU_SOURCE
#include "load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

/* pacman's metadata at the top of a package: not installed. */
static int metadata(const char *name)
{
	return name[0] == '.' && !strchr(name, '/');
}

static int add_path(char ***paths, size_t *n, size_t *cap, const char *name)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		char **v = realloc(*paths, c * sizeof *v);

		if (!v)
			return -1;
		*paths = v;
		*cap = c;
	}
	(*paths)[*n] = strdup(name);
	if (!(*paths)[*n])
		return -1;
	++*n;
	return 0;
}

/* The most an archive of insize bytes may decompress to. */
static unsigned long long out_limit(unsigned long long insize)
{
	unsigned long long lim = insize > FS_ARCHIVE_OUT_MAX / FS_ARCHIVE_RATIO
					 ? FS_ARCHIVE_OUT_MAX : insize * FS_ARCHIVE_RATIO;

	return lim < FS_ARCHIVE_OUT_FLOOR ? FS_ARCHIVE_OUT_FLOOR : lim;
}

/* Refuses an entry past the limits before its data is skipped. */
static int entry_ok(struct archive_entry *e, const char *name, size_t entries,
		    unsigned long long *declared, unsigned long long limit, const char *file,
		    fs_err *err)
{
	la_int64_t size = archive_entry_size(e);

	if (entries > FS_ARCHIVE_ENTRIES_MAX)
		return fs_load_fail(err, "%s: more than %d entries", file, FS_ARCHIVE_ENTRIES_MAX);
	if (name && strlen(name) > FS_LIST_LINE_MAX)
		return fs_load_fail(err, "%s: an entry's name is longer than %d bytes", file,
				    FS_LIST_LINE_MAX);
	if (size > 0)
		*declared += (unsigned long long)size;
	if (*declared > limit)
		return fs_load_fail(err, "%s: decompresses to more than %llu MiB (limit: %d times "
				    "its size, at least %llu MiB, at most %llu MiB)", file, limit >> 20,
				    FS_ARCHIVE_RATIO, FS_ARCHIVE_OUT_FLOOR >> 20,
				    FS_ARCHIVE_OUT_MAX >> 20);
	return 0;
}

int fs_load_archive(const char *file, char ***paths, size_t *n, fs_err *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t entries = 0, cap = 0;
	unsigned long long declared = 0, limit;
	struct stat st;
	int r = ARCHIVE_OK, rc = 0, fd;

	*paths = NULL;
	*n = 0;
	fd = fs_load_open(AT_FDCWD, file, file, 0, ~0ull, err);
	if (fd < 0)
		return -1;
	if (!a || fstat(fd, &st) < 0) {
		close(fd);
		archive_read_free(a);
		return fs_load_fail(err, "%s: %s", file, a ? strerror(errno) : "out of memory");
	}
	limit = out_limit((unsigned long long)st.st_size);
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_fd(a, fd, 64 * 1024) != ARCHIVE_OK) {
		rc = fs_load_fail(err, "%s: not a readable package archive (%s)", file,
			     archive_error_string(a));
		goto out;
	}
	while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);

		if (entry_ok(e, name, ++entries, &declared, limit, file, err) < 0) {
			rc = -1;
			break;
		}
		while (name && name[0] == '.' && name[1] == '/')
			name += 2;
		if (!name || !*name || metadata(name) || archive_entry_filetype(e) == AE_IFDIR)
			continue;
		if (add_path(paths, n, &cap, name) < 0)
			rc = fs_load_fail(err, "out of memory");
	}
	if (rc == 0 && r != ARCHIVE_EOF)
		rc = fs_load_fail(err, "%s: not a package archive (%s)", file,
			     archive_error_string(a));
	else if (rc == 0 && entries == 0)
		rc = fs_load_fail(err, "%s: empty archive", file);
out:
	archive_read_free(a);
	close(fd);
	if (rc < 0) {
		while (*n > 0)
			free((*paths)[--*n]);
		free(*paths);
		*paths = NULL;
	}
	return rc;
}
