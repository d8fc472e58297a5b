/*
 * cmd_hook.c - `forksafe hook pre-transaction|post-transaction`: what the
 * alpm hooks (hooks/pacman/) and Cygwin's setup scripts run.  One line of
 * output each; never fails the transaction unless /etc/forksafe.conf says
 * strict = yes.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
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
	"exit status: 0, even when protection failed (a warning says why),\n"
	"             unless the configuration says strict = yes: then 1\n";

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
	if (fs_pkgdb_open(so->root, so->store, &db, &err) < 0)
		db = NULL; /* the report then names no packages */
	if (fs_report(so, db, &rp, &err) < 0)
		rc = problem(cfg, "cannot tell who runs replaced images", err.msg);
	if (fs_post_write_summary(rt, rp, stdout) < 0)
		rc = problem(cfg, "output", "cannot write");
	fs_report_result_free(rp);
	fs_pkgdb_free(db);
	fs_retire_result_free(rt);
	return rc;
}

int cmd_hook(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_STORE_OPTIONS,
		{ "config", required_argument, NULL, 'c' },
		{ "all-in-use", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_common cc = { 0 };
	const char *config = FS_CONFIG_PATH, *when;
	fs_config cfg;
	fs_err err;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (cli_common_option(&cc, "hook", c, optarg)) {
		case 1: continue;
		case -1: return EXIT_ERROR;
		}
		switch (c) {
		case 'c': config = optarg; break;
		case 'a': cc.store.all_in_use = 1; break;
		case 'h': fputs(USAGE, stdout); return 0;
		default: return cli_bad_option("hook", c, argv);
		}
	}
	if (optind + 1 != argc)
		return cli_fail("hook", "say pre-transaction or post-transaction (see forksafe hook --help)");
	when = argv[optind];
	if (strcmp(when, "pre-transaction") != 0 && strcmp(when, "post-transaction") != 0)
		return cli_fail("hook", "'%s' is neither pre-transaction nor post-transaction", when);
	if (fs_config_load(config, &cfg, &err) < 0) {
		/* unreadable settings: strictness unknown, so never block */
		fs_text_line(stderr, "forksafe: warning: %s; going on with the defaults", err.msg);
		memset(&cfg, 0, sizeof cfg);
	}
	return when[1] == 'r' ? pre(&cfg, &cc.store) : post(&cfg, &cc.store);
}
