/*
 * forecast.c - what a transaction will do to the next fork() of each
 * process of a Cygwin or MSYS2 installation, said before anything is
 * replaced (the pre-transaction hook, guard): a process that maps a
 * target will run a replaced image afterwards.  The runtime DLL replaced:
 * restart.  Another image: the retry re-links the old file (it stays on the
 * volume: in the store, or where the package manager renamed it) if the
 * installation's retry is on, else the fork fails.  Processes that map no
 * target keep the verdict they have now.
 */
#include "err.h"
#include "os_fork.h"
#include "vec.h"
#include "forecast.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The target p maps that decides (the runtime first), or -1.  which[k]:
 * the target of identity k of ids. */
static long decisive(const fs_proc *p, const fs_targets *t, const fs_idset *ids,
		     const size_t *which, const char *runtime_rel)
{
	long found = -1;

	for (size_t m = 0; m < p->nimages; m++) {
		long k = fs_idset_find(ids, p->images[m].id);
		const fs_target *tg;

		if (k < 0 || (p->images[m].id.dev == 0 && p->images[m].id.ino == 0))
			continue;
		tg = fs_targets_get(t, which[k]);
		if (runtime_rel && fs_fork_same_path(tg->path, runtime_rel))
			return (long)which[k];
		if (found < 0)
			found = (long)which[k];
	}
	return found;
}

static int after(const fs_fork_info *fi, const fs_fork_proc *now, const fs_targets *t,
		 long k, const char *runtime_rel, fs_fork_proc *out)
{
	const char *path = k >= 0 ? fs_targets_get(t, (size_t)k)->path : NULL;

	*out = *now;
	if (!path || now->verdict == FS_FORK_RESTART) {
		out->reason = fs_fork_strf("%s", now->reason);
	} else if (runtime_rel && fs_fork_same_path(path, runtime_rel)) {
		out->verdict = FS_FORK_RESTART;
		out->reason = fs_fork_strf("the transaction replaces the runtime %s: restart it after", path);
	} else if (now->verdict == FS_FORK_FAILS) {
		out->reason = fs_fork_strf("%s", now->reason);
	} else if (fi->retry != FS_RETRY_ON) {
		out->verdict = FS_FORK_FAILS;
		out->reason = fs_fork_strf("the transaction replaces %s and the runtime's retry is %s: %s",
				   path, fi->retry == FS_RETRY_OFF ? "off" : "not proven on",
				   fi->retry_reason);
	} else {
		out->verdict = FS_FORK_RETRY;
		out->reason = fs_fork_strf("the transaction replaces %s: the runtime's retry will link the "
				   "old file", path);
	}
	return out->reason ? 0 : -1;
}

static int predict(const fs_targets *t, const fs_store_opts *opts, fs_fork_forecast *fc,
		   fs_err *err)
{
	fs_scan_opts so = opts->scan;
	fs_scan *scan = NULL;
	fs_idset *ids = fs_idset_new(fs_targets_count(t) + 1);
	size_t *which = calloc(fs_targets_count(t) + 1, sizeof *which);
	const char *runtime_rel;
	int rc = -1, r;

	so.filter = NULL;
	so.process_view = 0;
	if (!ids || !which) {
		fs_fail(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < fs_targets_count(t); i++) {
		const fs_target *tg = fs_targets_get(t, i);
		long k;
		int added;

		if (!tg->exists)
			continue;
		if ((k = fs_idset_add(ids, tg->id, &added)) < 0) {
			fs_fail(err, "out of memory");
			goto out;
		}
		if (added)
			which[k] = i;
	}
	if (fs_scan_run(&so, &scan, err) < 0 ||
	    (r = fs_fork_verdicts(opts->root, scan, opts, &fc->now, err)) < 0)
		goto out;
	if (r == 0) {
		rc = 0;
		goto out;
	}
	runtime_rel = fs_os_under_root(fc->now->runtime, opts->root ? opts->root : "/");
	if (!(fc->v = calloc(fc->now->n + 1, sizeof *fc->v))) {
		fs_fail(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < fc->now->n; i++) {
		const fs_fork_proc *now = &fc->now->v[i];
		long k = decisive(now->proc, t, ids, which, runtime_rel);

		if (after(fc->now, now, t, k, runtime_rel, &fc->v[i]) < 0) {
			fs_fail(err, "out of memory");
			goto out;
		}
		fc->count[fc->v[i].verdict]++;
	}
	rc = 1;
out:
	if (fc->now) /* its processes point into the scan, which goes now */
		for (size_t i = 0; i < fc->now->n; i++)
			fc->now->v[i].proc = NULL;
	fs_scan_free(scan);
	fs_idset_free(ids);
	free(which);
	return rc;
}

int fs_fork_predict(const fs_targets *t, const fs_store_opts *opts, fs_fork_forecast **out,
		    fs_err *err)
{
	fs_fork_forecast *fc;
	fs_os_inst *in = NULL;
	int rc;

	*out = NULL;
	if (!t || (rc = fs_os_inst_open(opts->root ? opts->root : "/", &in, err)) <= 0)
		return t ? rc : 0; /* Linux, or no installation: no scan at all */
	fs_os_inst_close(in);
	if (!(fc = calloc(1, sizeof *fc)))
		return fs_fail(err, "out of memory");
	if ((rc = predict(t, opts, fc, err)) <= 0) {
		fs_fork_forecast_free(fc);
		return rc;
	}
	*out = fc;
	return 1;
}

void fs_fork_forecast_free(fs_fork_forecast *fc)
{
	if (!fc)
		return;
	for (size_t i = 0; fc->v && fc->now && i < fc->now->n; i++)
		free(fc->v[i].reason);
	free(fc->v);
	fs_fork_info_free(fc->now);
	free(fc->problem);
	free(fc);
}

int fs_guard_forecast(const fs_targets *t, const fs_store_opts *opts, fs_guard_result *r,
		      fs_err *err)
{
	fs_err why = { { 0 } };

	if (fs_fork_predict(t, opts, &r->fork, &why) >= 0)
		return 0;
	/* guard's work stands: the forecast only says it could not be made */
	if (!(r->fork = calloc(1, sizeof *r->fork)) || !(r->fork->problem = fs_fork_strf("%s", why.msg)))
		return fs_fail(err, "out of memory");
	return 0;
}

void fs_fork_forecast_text(FILE *f, const fs_fork_forecast *fc)
{
	size_t fails, restart;

	if (!fc)
		return;
	if (fc->problem) {
		fputs("; no fork forecast: ", f);
		fs_text_write(f, fc->problem);
		return;
	}
	fails = fc->count[FS_FORK_FAILS];
	restart = fc->count[FS_FORK_RESTART];
	if (!fails && !restart)
		return;
	fputs("; fork after it:", f);
	if (fails)
		fprintf(f, " %zu process%s will fail", fails, fails == 1 ? "" : "es");
	if (restart)
		fprintf(f, "%s %zu must restart", fails ? "," : "", restart);
	fputs(" (forksafe guard --json)", f);
}

void fs_fork_forecast_json(fs_json *j, const fs_fork_forecast *fc)
{
	if (!fc)
		return;
	fs_json_obj_begin(j, "fork");
	fs_json_str(j, "problem", fc->problem);
	if (fc->now) {
		fs_json_str(j, "retry", fs_fork_retry_name(fc->now->retry));
		fs_json_str(j, "retry_reason", fc->now->retry_reason);
	}
	fs_json_arr_begin(j, "processes");
	for (size_t i = 0; fc->now && i < fc->now->n; i++) {
		fs_json_obj_begin(j, NULL);
		fs_json_int(j, "pid", fc->v[i].pid);
		fs_json_uint(j, "start_time", fc->v[i].start_time);
		fs_json_str(j, "verdict_now", fs_fork_verdict_name(fc->now->v[i].verdict));
		fs_json_str(j, "verdict", fs_fork_verdict_name(fc->v[i].verdict));
		fs_json_str(j, "reason", fc->v[i].reason);
		fs_json_obj_end(j);
	}
	fs_json_arr_end(j);
	fs_json_obj_end(j);
}

void fs_fork_forecast_lines(FILE *f, const fs_fork_forecast *fc)
{
	if (!fc)
		return;
	if (fc->problem) {
		fs_text_line(f, "forksafe: no fork forecast: %s", fc->problem);
		return;
	}
	fs_text_line(f, "forksafe: fork after it: %zu ok, %zu retry, %zu fail, %zu must restart; "
		     "retry %s: %s", fc->count[FS_FORK_OK], fc->count[FS_FORK_RETRY],
		     fc->count[FS_FORK_FAILS], fc->count[FS_FORK_RESTART],
		     fs_fork_retry_name(fc->now->retry), fc->now->retry_reason);
	for (size_t i = 0; i < fc->now->n; i++)
		if (fc->v[i].verdict == FS_FORK_FAILS || fc->v[i].verdict == FS_FORK_RESTART)
			fs_text_line(f, "  %d: %s: %s", fc->v[i].pid,
				     fs_fork_verdict_name(fc->v[i].verdict), fc->v[i].reason);
}
