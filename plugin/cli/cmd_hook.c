/*
 * cmd_hook.c - `forksafe hook pre-transaction|post-transaction`: what the
 * alpm hooks (hooks/pacman/) and Cygwin's setup scripts run.  One line of
 * output each; never fails the transaction unless /etc/forksafe.conf says
 * strict = yes.
 *
 * The work is fs_hook_work (plugin/core/hook.c), run by fs_hook_supervise
 * in a child process (a fork, or on Windows this program again with the
 * hidden option --worker) with the configuration's time limit.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

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
	fs_hook h = { .config = FS_CONFIG_PATH, .so = &cc.store };
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
	if (fs_hook_when_parse(argv[optind], &h.when) < 0)
		return cli_fail("hook", "'%s' is neither pre-transaction nor post-transaction",
				argv[optind]);
	/* unreadable settings: strictness unknown, so never block (the
	 * supervisor says so; a worker it started would say it again) */
	if (fs_config_load(h.config, &h.cfg, &err) < 0 && !worker)
		fs_text_line(stderr, "forksafe: warning: %s; going on with the defaults", err.msg);
	if (worker)
		return fs_hook_work(&h);
	wargv = worker_argv(argc, argv);
	rc = fs_hook_supervise(&h, wargv);
	free(wargv);
	return rc;
}
