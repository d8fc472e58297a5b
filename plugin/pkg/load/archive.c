/*
 * archive.c - the files a package archive would install or replace, read
 * with libarchive (which decodes zstd, xz, gzip ... itself): pacman's
 * .pkg.tar.zst / .pkg.tar.xz and Cygwin's .tar.xz / .tar.zst.
 */
#include "load.h"

#include <stdlib.h>
#include <string.h>

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

int fs_load_archive(const char *file, char ***paths, size_t *n, fs_err *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t entries = 0, cap = 0;
	int r, rc = 0;

	*paths = NULL;
	*n = 0;
	if (!a)
		return fs_load_fail(err, "out of memory");
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_filename(a, file, 64 * 1024) != ARCHIVE_OK) {
		rc = fs_load_fail(err, "%s: not a readable package archive (%s)", file,
			     archive_error_string(a));
		goto out;
	}
	while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);

		entries++;
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
	if (rc < 0) {
		while (*n > 0)
			free((*paths)[--*n]);
		free(*paths);
		*paths = NULL;
	}
	return rc;
}
