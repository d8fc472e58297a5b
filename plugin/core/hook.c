/*
 * hook.c - the package-manager hooks' work (docs/hooks.md): what
 * `forksafe hook pre-transaction|post-transaction` does, for pacman's alpm
 * hooks and Cygwin's setup scripts.
 *
 * pre-transaction:  guard the transaction's targets (standard input, as
 *                   pacman's NeedsTargets gives them) or every in-use image;
 * post-transaction: close the snapshots and retire what nothing holds, then
 *                   count who runs the replaced files kept.
 * One line of output each.  A problem is a warning line, never a failure
 * unless the configuration says strict = yes.  fs_hook_supervise runs the
 * work in a worker with the configuration's time limit (fs_run_limited):
 * whatever ends the worker - a crash, the limit - the caller says so in
 * one line.
 */
#include "err.h"
#include "os.h"
#include "post.h"

#include <stdio.h>
#include <string.h>

static const char *const when_names[] = {
	[FS_HOOK_PRE_TRANSACTION] = "pre-transaction",
	[FS_HOOK_POST_TRANSACTION] = "post-transaction",
};

int fs_hook_when_parse(const char *word, fs_hook_when *when)
{
	for (size_t i = 0; i < sizeof when_names / sizeof *when_names; i++)
		if (strcmp(word, when_names[i]) == 0) {
			*when = (fs_hook_when)i;
			return 0;
		}
	return -1;
}

const char *fs_hook_when_name(fs_hook_when when)
{
	return when == FS_HOOK_PRE_TRANSACTION ? when_names[FS_HOOK_PRE_TRANSACTION]
					       : when_names[FS_HOOK_POST_TRANSACTION];
}

/* A problem: a warning, or an error that fails the hook when strict. */
static int problem(const fs_config *cfg, const char *what, const char *msg)
{
	fs_text_line(stderr, "forksafe: %s: %s: %s", cfg->strict ? "error" : "warning", what, msg);
	return cfg->strict ? 1 : 0;
}

static int pre(const fs_config *cfg, fs_store_opts *so)
{
	fs_targets *t = NULL;
	fs_guard_result *r = NULL;
	fs_err err;
	int rc = 0;

	so->copy_budget = cfg->copy_budget;
	so->copy_budget_set = cfg->copy_budget_set;
	if (!so->all_in_use && !(t = fs_targets_from(so->root, NULL, 0, 0, &err)))
		return problem(cfg, "cannot read the transaction's files", err.msg);
	if (fs_guard(t, so, &r, &err) < 0)
		rc = problem(cfg, "in-use files are not protected", err.msg);
	else if (fs_guard_write_summary(r, stdout) < 0 || fs_guard_write_skipped(r, stderr, 10) < 0)
		rc = problem(cfg, "output", "cannot write");
	else if (r->failed)
		rc = problem(cfg, "some in-use files are not protected", r->messages[0]);
	fs_guard_result_free(r);
	fs_targets_free(t);
	return rc;
}

static int post(const fs_config *cfg, fs_store_opts *so)
{
	fs_retire_result *rt = NULL;
	fs_report_result *rp = NULL;
	fs_scan *scan = NULL;
	fs_err err;
	int rc = 0, every = !fs_os_runtime_kept();

	so->post_transaction = 1;
	/*
	 * One scan for both halves: retire's, of the files kept, made as
	 * report wants it.  The line counts who runs the replaced files
	 * forksafe kept - a scan of every image of every process would cost
	 * the transaction as much again; forksafe report, run by a person,
	 * lists them all.  Nothing kept, nothing to count.  Where the runtime
	 * is never kept (Cygwin, MSYS2), its replacement is what makes
	 * processes restart: there the scan is of every image.
	 */
	if (fs_retire_keep_scan(so, every, &rt, &scan, &err) < 0)
		return problem(cfg, "cannot retire snapshots", err.msg);
	/* the line names no packages: no database, no loader module */
	if ((scan || every) && fs_report_on(so, NULL, scan, &rp, &err) < 0)
		rc = problem(cfg, "cannot tell who runs replaced images", err.msg);
	if (fs_post_write_summary(rt, rp, stdout) < 0)
		rc = problem(cfg, "output", "cannot write");
	/* Cygwin and MSYS2: the fork retry's directory, made and checked
	 * (quiet unless that changed something or is wrong) */
	if (fs_enable_hook(so->root, stdout, &err) < 0)
		rc = problem(cfg, "the fork retry may be off", err.msg);
	fs_report_result_free(rp);
	fs_retire_result_free(rt);
	return rc;
}

int fs_hook_work(const fs_hook *h)
{
	fs_store_opts so = *h->so; /* the work sets its own fields */

	return h->when == FS_HOOK_PRE_TRANSACTION ? pre(&h->cfg, &so) : post(&h->cfg, &so);
}

static int work(void *arg)
{
	return fs_hook_work(arg);
}

/* What the transaction lacks when the work did not end well. */
static const char *at_stake(const fs_hook *h)
{
	return h->when == FS_HOOK_PRE_TRANSACTION ? "in-use files may not be protected"
						  : "kept files were not retired";
}

int fs_hook_supervise(fs_hook *h, char *const *worker_argv)
{
	const fs_child child = { .run = work, .arg = h, .argv = worker_argv };
	const char *when = fs_hook_when_name(h->when);
	fs_child_end end;
	char why[1024];
	fs_err err;

	if (!worker_argv)
		return problem(&h->cfg, at_stake(h), "out of memory");
	if (fs_run_limited(&child, h->cfg.timeout, &end, &err) < 0)
		return problem(&h->cfg, at_stake(h), err.msg);
	switch (end.how) {
	case FS_CHILD_EXITED:
		/* 1 only ever means a strict failure the work has reported */
		if (end.code == 0 || (h->cfg.strict && end.code == 1))
			return end.code;
		snprintf(why, sizeof why, "the %s work ended with status %d", when, end.code);
		break;
	case FS_CHILD_KILLED:
		snprintf(why, sizeof why, "the %s work was killed by %s", when, end.what);
		break;
	default:
		snprintf(why, sizeof why,
			 "the %s work did not finish within %u s (timeout in %s) and was stopped",
			 when, h->cfg.timeout, h->config);
		break;
	}
	return problem(&h->cfg, at_stake(h), why);
}
