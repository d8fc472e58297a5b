/*
 * cmd_hook.c - `forksafe hook pre-transaction|post-transaction`: what the
 * alpm hooks (hooks/pacman/) and Cygwin's setup scripts run.  One line of
 * output each; never fails the transaction unless /etc/forksafe.conf says
 * strict = yes.
 *
 * Not by care alone: the work (scan, store, databases) runs in a child
 * process (fs_run_limited: a fork, or on Windows this program again
 * with the hidden option --worker) with the configuration's time limit.
 * Whatever ends it - a crash, an abort, the limit - this process, which
 * only read the configuration, says so in one line and exits 0 (strict: 1).
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
	"usage: forksafe hook pre-transaction [--all-in-use] [OPTIONS]   (targets on stdin)\n"
	"       forksafe hook post-transaction [OPTIONS]\n"
	"Run as a package manager's hook: pre-transaction keeps the in-use targets\n"
	"(read from standard input as pacman's NeedsTargets gives them, or every\n"
	"in-use image with --all-in-use); post-transaction closes the snapshots,\n"
	"retires what nothing holds and reports who runs replaced images.\n"
	"  --root DIR     the root the package manager works on (default /)\n"
	"  --store DIR    snapshot store (default ROOT/var/lib/forksafe)\n"
	"  --config FILE  settings (default " FS_CONFIG_PATH ", see docs/hooks.md)\n"
	"The work runs in a child process stopped after the configuration's\n"
	"timeout (default 60 s); a crash or the limit is a warning like any other.\n"
	"exit status: 0, even when protection failed (a warning says why),\n"
	"             unless the configuration says strict = yes: then 1\n";

/* What one run is asked to do, for the worker as for the supervisor. */
struct hook {
	const char *when;   /* "pre-transaction" or "post-transaction" */
	const char *config; /* the configuration's path, for messages */
	fs_config cfg;
	fs_store_opts *so;
};

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
	fs_pkgdb *db = NULL;
	fs_err err;
	int rc = 0;

	so->post_transaction = 1;
	if (fs_retire(so, &rt, &err) < 0)
		return problem(cfg, "cannot retire snapshots", err.msg);
	/* the report then names no packages: a warning, never a failure */
	if (fs_pkgdb_open_labels(so->root, so->store, &db, &err) < 0)
		fs_text_line(stderr, "forksafe: warning: packages are not named: %s", err.msg);
	if (fs_report(so, db, &rp, &err) < 0)
		rc = problem(cfg, "cannot tell who runs replaced images", err.msg);
	if (fs_post_write_summary(rt, rp, stdout) < 0)
		rc = problem(cfg, "output", "cannot write");
	/* Cygwin and MSYS2: the fork retry's directory, made and checked
	 * (quiet unless that changed something or is wrong) */
	if (fs_enable_hook(so->root, stdout, &err) < 0)
		rc = problem(cfg, "the fork retry may be off", err.msg);
	fs_report_result_free(rp);
	fs_pkgdb_free(db);
	fs_retire_result_free(rt);
	return rc;
}

/* The work, in the worker process: its exit status is 0, or 1 when strict. */
static int work(void *arg)
{
	struct hook *h = arg;

	return h->when[1] == 'r' ? pre(&h->cfg, h->so) : post(&h->cfg, h->so);
}

/* What the transaction lacks when the work did not end well. */
static const char *at_stake(const struct hook *h)
{
	return h->when[1] == 'r' ? "in-use files may not be protected"
				 : "kept files were not retired";
}

/* Runs the work in a worker with the time limit; one line for any end
 * but the work's own. */
static int supervise(struct hook *h, char *const *wargv)
{
	const fs_child child = { .run = work, .arg = h, .argv = wargv };
	fs_child_end end;
	char why[1024];
	fs_err err;

	if (!wargv)
		return problem(&h->cfg, at_stake(h), "out of memory");
	if (fs_run_limited(&child, h->cfg.timeout, &end, &err) < 0)
		return problem(&h->cfg, at_stake(h), err.msg);
	switch (end.how) {
	case FS_CHILD_EXITED:
		/* 1 only ever means a strict failure the work has reported */
		if (end.code == 0 || (h->cfg.strict && end.code == 1))
			return end.code;
		snprintf(why, sizeof why, "the %s work ended with status %d", h->when, end.code);
		break;
	case FS_CHILD_KILLED:
		snprintf(why, sizeof why, "the %s work was killed by %s", h->when, end.what);
		break;
	default:
		snprintf(why, sizeof why,
			 "the %s work did not finish within %u s (timeout in %s) and was stopped",
			 h->when, h->cfg.timeout, h->config);
		break;
	}
	return problem(&h->cfg, at_stake(h), why);
}

/* The worker's command line on Windows: forksafe hook --worker ARGS...
 * (argv as getopt left it: options first, the same meaning). */
static char **worker_argv(int argc, char **argv)
{
	char **w = calloc((size_t)argc + 3, sizeof *w);

	if (!w)
		return NULL;
	w[0] = "forksafe";
	w[1] = "hook";
	w[2] = "--worker";
	for (int i = 1; i < argc; i++)
		w[i + 2] = argv[i];
	return w;
}

int cmd_hook(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_STORE_OPTIONS,
		{ "config", required_argument, NULL, 'c' },
		{ "all-in-use", no_argument, NULL, 'a' },
		{ "worker", no_argument, NULL, 'W' }, /* internal: be the worker */
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_common cc = { 0 };
	struct hook h = { .config = FS_CONFIG_PATH, .so = &cc.store };
	char **wargv;
	fs_err err;
	int c, worker = 0, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (cli_common_option(&cc, "hook", c, optarg)) {
		case 1: continue;
		case -1: return EXIT_ERROR;
		}
		switch (c) {
		case 'c': h.config = optarg; break;
		case 'a': cc.store.all_in_use = 1; break;
		case 'W': worker = 1; break;
		case 'h': fputs(USAGE, stdout); return 0;
		default: return cli_bad_option("hook", c, argv);
		}
	}
	if (optind + 1 != argc)
		return cli_fail("hook", "say pre-transaction or post-transaction (see forksafe hook --help)");
	h.when = argv[optind];
	if (strcmp(h.when, "pre-transaction") != 0 && strcmp(h.when, "post-transaction") != 0)
		return cli_fail("hook", "'%s' is neither pre-transaction nor post-transaction", h.when);
	/* unreadable settings: strictness unknown, so never block (the
	 * supervisor says so; a worker it started would say it again) */
	if (fs_config_load(h.config, &h.cfg, &err) < 0 && !worker)
		fs_text_line(stderr, "forksafe: warning: %s; going on with the defaults", err.msg);
	if (worker)
		return work(&h);
	wargv = worker_argv(argc, argv);
	rc = supervise(&h, wargv);
	free(wargv);
	return rc;
}
