/*
 * archive.c - the files a package archive would install or replace, read
 * with libarchive (which decodes zstd, xz, gzip ... itself): pacman's
 * .pkg.tar.zst / .pkg.tar.xz and Cygwin's .tar.xz / .tar.zst.
 */
#include "pkg.h"

#include <string.h>

#include <archive.h>
#include <archive_entry.h>

/* pacman's metadata at the top of a package: not installed. */
static int metadata(const char *name)
{
	return name[0] == '.' && !strchr(name, '/');
}

int fs_targets_add_archive(fs_targets *t, const char *file, fs_err *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t entries = 0;
	int r, rc = 0;

	if (!a)
		return fs_fail(err, "out of memory");
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_filename(a, file, 64 * 1024) != ARCHIVE_OK) {
		rc = fs_fail(err, "%s: not a readable package archive (%s)", file,
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
		rc = fs_targets_add(t, name, err);
	}
	if (rc == 0 && r != ARCHIVE_EOF)
		rc = fs_fail(err, "%s: not a package archive (%s)", file,
			     archive_error_string(a));
	else if (rc == 0 && entries == 0)
		rc = fs_fail(err, "%s: empty archive", file);
out:
	archive_read_free(a);
	return rc;
}
