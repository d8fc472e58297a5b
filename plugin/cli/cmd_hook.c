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

#include <stdio.h>
#include <stdlib.h>

/* The worker's command line on Windows: forksafe hook --worker ARGS...
 * (the words as getopt_long left them: options first, the same meaning). */
static char **worker_argv(const struct cli_args *a)
{
	char **w = calloc((size_t)a->argc + 3, sizeof *w);

	if (!w)
		return NULL;
	w[0] = "forksafe";
	w[1] = "hook";
	w[2] = "--worker";
	for (int i = 1; i < a->argc; i++)
		w[i + 2] = a->argv[i];
	return w;
}

int cmd_hook(struct cli_args *a)
{
	fs_hook h = { .config = a->config ? a->config : FS_CONFIG_PATH, .so = &a->store };
	char **wargv;
	fs_err err;
	int rc;

	if (a->noperands != 1)
		return cli_fail("hook", "say pre-transaction or post-transaction (see forksafe hook --help)");
	if (fs_hook_when_parse(a->operands[0], &h.when) < 0)
		return cli_fail("hook", "'%s' is neither pre-transaction nor post-transaction",
				a->operands[0]);
	/* unreadable settings: strictness unknown, so never block (the
	 * supervisor says so; a worker it started would say it again) */
	if (fs_config_load(h.config, &h.cfg, &err) < 0 && !a->worker)
		fs_text_line(stderr, "forksafe: warning: %s; going on with the defaults", err.msg);
	if (a->worker)
		return fs_hook_work(&h);
	wargv = worker_argv(a);
	rc = fs_hook_supervise(&h, wargv);
	free(wargv);
	return rc;
}
