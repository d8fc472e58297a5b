/* post.h - the post-transaction's two halves, retire and report, on one
 * scan of the processes (retire.c, report.c; hook.c runs them). */
#ifndef FS_POST_H
#define FS_POST_H

#include "forksafe.h"

/* *so becomes opts->scan as report scans with it: each process's root and
 * mount namespace, the images of filter's identities (NULL: every image,
 * fs_report()'s own scan; the post-transaction hook's: the kept files'). */
void fs_report_scan_opts(const fs_store_opts *opts, const fs_idset *filter, fs_scan_opts *so);
/* fs_retire(), its scan of the kept files (with every, of every image)
 * made with fs_report_scan_opts() and handed over in *scan: NULL when it
 * scanned nothing (no store, no snapshot). */
int fs_retire_keep_scan(const fs_store_opts *opts, int every, fs_retire_result **out,
			fs_scan **scan, fs_err *err);
/* fs_report() on scan (made with fs_report_scan_opts()), which it takes
 * whatever it returns: the images scan holds are the ones judged.  NULL:
 * it scans every image itself. */
int fs_report_on(const fs_store_opts *opts, const struct fs_pkgdb *db, fs_scan *scan,
		 fs_report_result **out, fs_err *err);

#endif
