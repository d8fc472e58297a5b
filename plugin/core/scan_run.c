/* scan_run.c - the platform-neutral face of a scan; the work is
 * fs_os_scan(), into a scan made by scan.c. */
#include "os.h"
#include "scan.h"

int fs_scan_run(const fs_scan_opts *opts, fs_scan **out, fs_err *err)
{
	fs_scan_opts none = { 0 };
	fs_scan *scan = fs_scan_new(err);

	*out = NULL;
	if (!scan)
		return -1;
	if (fs_os_scan(opts ? opts : &none, scan, err) < 0) {
		fs_scan_free(scan);
		return -1;
	}
	scan->complete = scan->unreadable == 0;
	*out = scan;
	return 0;
}
