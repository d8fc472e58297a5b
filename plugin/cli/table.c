/*
 * table.c - every command and every option of forksafe, declared once.
 * Parsing (parse.c), `--help` (help.c), the man page and the bash
 * completion (gen/) read these tables; docs/cli.md is checked against
 * them (tests/integration/test_cli_docs.sh).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* ---- what each option does to the arguments ----------------------------- */

static int set_root(struct cli_args *a, const char *v) { a->store.root = v; return 0; }
static int set_store(struct cli_args *a, const char *v) { a->store.store = v; return 0; }
static int set_json(struct cli_args *a, const char *v) { (void)v; a->json = 1; return 0; }
static int set_stdin(struct cli_args *a, const char *v) { (void)v; a->from_stdin = 1; return 0; }
static int set_brief(struct cli_args *a, const char *v) { (void)v; a->brief = 1; return 0; }
static int set_help(struct cli_args *a, const char *v) { (void)v; a->help = 1; return 0; }
static int set_worker(struct cli_args *a, const char *v) { (void)v; a->worker = 1; return 0; }
static int set_config(struct cli_args *a, const char *v) { a->config = v; return 0; }
static int set_update_all(struct cli_args *a, const char *v) { (void)v; a->update_all = 1; return 0; }

static int set_all_in_use(struct cli_args *a, const char *v)
{
	(void)v;
	a->store.all_in_use = 1;
	return 0;
}

static int set_post_transaction(struct cli_args *a, const char *v)
{
	(void)v;
	a->store.post_transaction = 1;
	return 0;
}

static int set_dry_run(struct cli_args *a, const char *v)
{
	(void)v;
	a->store.dry_run = 1;
	return 0;
}

static int set_threads(struct cli_args *a, const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*v == '\0' || *end || n < 1 || n > 64) {
		cli_fail(a->cmd->name, "--threads takes a number from 1 to 64, not '%s'", v);
		return -1;
	}
	a->store.scan.threads = (unsigned)n;
	return 0;
}

static int set_copy_budget(struct cli_args *a, const char *v)
{
	if (fs_parse_size(v, &a->store.copy_budget) < 0) {
		cli_fail(a->cmd->name, "--copy-budget takes a size such as 512M, 2G or unlimited, "
			 "not '%s'", v);
		return -1;
	}
	a->store.copy_budget_set = 1;
	return 0;
}

static int set_kind(struct cli_args *a, int want)
{
	if (a->kind != FS_NAMES_PATHS && a->kind != want) {
		cli_fail(a->cmd->name, "--package and --archive cannot be combined");
		return -1;
	}
	a->kind = want;
	return 0;
}

static int set_package(struct cli_args *a, const char *v) { (void)v; return set_kind(a, FS_NAMES_PACKAGES); }
static int set_archive(struct cli_args *a, const char *v) { (void)v; return set_kind(a, FS_NAMES_ARCHIVES); }

/* ---- the options ---------------------------------------------------------- */

#define C(x) CLI_CMD(CMD_##x)

const struct cli_opt cli_opts[] = {
	{ "root", 0, "DIR", COMPLETE_DIR, NEED_ROOT, 0, 0,
	  "the root the store belongs to (default /)",
	  { { C(INUSE) | C(GUARD) | C(PROTECT), "paths are inside DIR (default /)" },
	    { C(OWNER), "paths and the package database are inside DIR (default /)" },
	    { C(REPORT), "only images under DIR (default /)" },
	    { C(ENABLE), "the installation (default: the one forksafe belongs to)" },
	    { C(PLAN) | C(HOOK), "the root the package manager works on (default /)" } },
	  set_root },
	{ "store", 0, "DIR", COMPLETE_DIR, NEED_STORE, 0, 0,
	  "the snapshot store (default ROOT/var/lib/forksafe); refused if it or a parent "
	  "is a symlink or writable by another user",
	  { { C(OWNER) | C(PLAN), "where the package database cache pkgdb.solv is kept "
				  "(default ROOT/var/lib/forksafe)" } },
	  set_store },
	{ "stdin", 0, NULL, COMPLETE_NONE, 0, C(INUSE) | C(GUARD) | C(OWNER), 0,
	  "also read paths from standard input, one per line, as pacman's NeedsTargets "
	  "gives them", { { 0, NULL } }, set_stdin },
	{ "all-in-use", 0, NULL, COMPLETE_NONE, 0, C(GUARD) | C(HOOK), 0,
	  "keep every in-use image under the root (no paths)",
	  { { C(HOOK), "pre-transaction: keep every in-use image under the root, not the "
		       "targets on standard input" } },
	  set_all_in_use },
	{ "package", 0, NULL, COMPLETE_NONE, 0, C(INUSE) | C(GUARD), 0,
	  "the arguments are installed packages: their files", { { 0, NULL } }, set_package },
	{ "archive", 0, NULL, COMPLETE_NONE, 0, C(INUSE) | C(GUARD), 0,
	  "the arguments are package files (.pkg.tar.zst, .tar.xz, ...): the files each "
	  "would install or replace", { { 0, NULL } }, set_archive },
	{ "copy-budget", 0, "SIZE", COMPLETE_NONE, 0, C(GUARD), 0,
	  "the most the copies of this snapshot may write, as 512M, 2G or unlimited "
	  "(default 1G); a file beyond it is not kept", { { 0, NULL } }, set_copy_budget },
	{ "post-transaction", 0, NULL, COMPLETE_NONE, 0, C(RETIRE), 0,
	  "the transaction ended: close open snapshots, so files that were not replaced "
	  "are dropped", { { 0, NULL } }, set_post_transaction },
	{ "dry-run", 0, NULL, COMPLETE_NONE, 0, C(RETIRE), 0,
	  "say what would be dropped, change nothing", { { 0, NULL } }, set_dry_run },
	{ "sysupgrade", 'u', NULL, COMPLETE_NONE, 0, C(PLAN), 0,
	  "update every installed package (pacman -Su)", { { 0, NULL } }, set_update_all },
	{ "brief", 0, NULL, COMPLETE_NONE, 0, C(PS), 0,
	  "one line per process: pid, command, uid, executable, number of images",
	  { { 0, NULL } }, set_brief },
	{ "config", 0, "FILE", COMPLETE_FILE, 0, C(HOOK), 0,
	  "settings (default " FS_CONFIG_PATH ", see forksafe.conf(5)); a regular file",
	  { { 0, NULL } }, set_config },
	{ "json", 0, NULL, COMPLETE_NONE, NEED_JSON, 0, 0,
	  "machine-readable output (docs/json.md)", { { 0, NULL } }, set_json },
	{ "threads", 0, "N", COMPLETE_NONE, NEED_SCAN, 0, 0,
	  "read /proc with N threads, 1 to 64 (default: one per CPU, at most 8)",
	  { { 0, NULL } }, set_threads },
	/* the post-transaction hook's worker on Windows (fs_hook_supervise) */
	{ "worker", 0, NULL, COMPLETE_NONE, 0, C(HOOK), 1,
	  "be the hook's worker", { { 0, NULL } }, set_worker },
	{ "help", 'h', NULL, COMPLETE_NONE, 0, ~0u, 0,
	  "describe the command and exit", { { 0, NULL } }, set_help },
};

const size_t cli_nopts = sizeof cli_opts / sizeof *cli_opts;

/* ---- the commands --------------------------------------------------------- */

#define STORE_CMD (NEED_ROOT | NEED_STORE | NEED_SCAN | NEED_JSON)

const struct cli_cmd cli_cmds[CLI_NCMDS] = {
	[CMD_PS] = { "ps", cmd_ps, NEED_SCAN | NEED_JSON, "", NULL,
		"list running processes and the images they map",
		"List running processes with the executable images they map, and the "
		"installed packages (pacman or dpkg) that own them.",
		{ { NULL, NULL } }, COMPLETE_NONE, NULL,
		"0, or 2 on an error" },
	[CMD_INUSE] = { "inuse", cmd_inuse, NEED_ROOT | NEED_SCAN | NEED_JSON, "[PATH...]",
		"[OPTIONS] --package NAME... | --archive FILE...",
		"tell which processes map the given files",
		"Tell which running processes map each file: by identity, so a process that "
		"mapped it under another name (a hardlink, a bind mount, a chroot) is found.",
		{ { NULL, NULL } }, COMPLETE_FILE, NULL,
		"0 none in use, 1 some in use, 2 error, 3 none found in use, but some processes "
		"could not be read or some targets were skipped (they name no file inside the root)" },
	[CMD_GUARD] = { "guard", cmd_guard, STORE_CMD, "[PATH...]",
		"[OPTIONS] --package NAME... | --archive FILE...",
		"keep in-use files in a snapshot before they are replaced",
		"Keep the files running processes map in a new snapshot before they are replaced.",
		{ { NULL, NULL } }, COMPLETE_FILE, NULL,
		"0 all in-use files kept (or none in use), 1 some could not be kept, 2 error" },
	[CMD_RETIRE] = { "retire", cmd_retire, STORE_CMD, "", NULL,
		"drop kept files nothing holds any more",
		"Drop kept files that no running process maps and no holder needs, and "
		"snapshots left empty.",
		{ { NULL, NULL } }, COMPLETE_NONE, NULL,
		"0 done, 1 some snapshot or leftover was left alone (see output), 2 error" },
	[CMD_STATUS] = { "status", cmd_status, STORE_CMD, "", NULL,
		"list snapshots, their cost and who holds them",
		"List snapshots, the files they keep, what they cost and who maps them.",
		{ { NULL, NULL } }, COMPLETE_NONE, NULL,
		"0, or 2 on an error" },
	[CMD_HOLD] = { "hold", cmd_hold, NEED_ROOT | NEED_STORE | NEED_IN_ORDER,
		"SNAPSHOT -- CMD [ARG...]", NULL,
		"keep a snapshot while a command runs",
		"Run CMD holding SNAPSHOT's lock: retire keeps the snapshot until CMD exits.",
		{ { "SNAPSHOT", "a snapshot's name, as forksafe status lists them" },
		  { "CMD [ARG...]", "the command to run (signals sent to forksafe go on to it)" } },
		COMPLETE_SNAPSHOT, NULL,
		"CMD's, or 2 when forksafe itself failed (message on stderr)" },
	[CMD_PROTECT] = { "protect", cmd_protect, STORE_CMD, "PATH...", NULL,
		"keep in-use files and give their paths fresh copies",
		"Keep each in-use PATH in a snapshot, then replace the path by a fresh copy, "
		"so a build that rewrites it in place cannot touch what processes map.",
		{ { NULL, NULL } }, COMPLETE_FILE, NULL,
		"0 every in-use path protected (or none in use), 1 some not, 2 error" },
	[CMD_REPORT] = { "report", cmd_report, STORE_CMD, "", NULL,
		"list processes still running replaced images",
		"List processes still running images that were replaced or removed, grouped "
		"by owning package, and those that must restart because the dynamic loader, "
		"libc or the runtime DLL itself was replaced.",
		{ { NULL, NULL } }, COMPLETE_NONE, NULL,
		"0 no process runs a replaced image, 1 some do, 2 error, 3 none found but some "
		"processes could not be read" },
	[CMD_ENABLE] = { "enable", cmd_enable, NEED_ROOT | NEED_JSON, "", NULL,
		"make Cygwin's fork retry directory; say what is protected",
		"Create ROOT/var/run/cygfork (everyone may add entries, only owners remove "
		"them) so that Cygwin's and MSYS2's fork retries a failed fork from hardlinks "
		"of the old images; check it is on NTFS, on the binaries' volume.",
		{ { NULL, NULL } }, COMPLETE_NONE, NULL,
		"0 protected, 1 not protected (the reasons are printed), 2 error" },
	[CMD_PLAN] = { "plan", cmd_plan, STORE_CMD | NEED_PACKAGES, "-u | PKG...", NULL,
		"predict which running processes an upgrade affects",
		"Predict which running processes a pacman transaction would affect: read the "
		"local and sync databases, let libsolv's solver work out the transaction, and "
		"tell which files of the packages it changes are in use.",
		{ { "PKG...", "install or update these packages (pacman -S PKG...)" } },
		COMPLETE_NONE, NULL,
		"0 no running process affected, 1 some affected, 2 error, 3 none found affected "
		"but some processes could not be read" },
	[CMD_HOOK] = { "hook", cmd_hook, NEED_ROOT | NEED_STORE | NEED_SCAN,
		"pre-transaction | post-transaction", NULL,
		"run as a package manager's pre- or post-transaction hook",
		"Run as a package manager's hook: pre-transaction keeps the in-use targets "
		"(read from standard input as pacman's NeedsTargets gives them, or every "
		"in-use image with --all-in-use); post-transaction closes the snapshots, "
		"retires what nothing holds and counts who runs the replaced files kept. The work "
		"runs in a child process stopped after the configuration's timeout (default "
		"60 s); a crash or the limit is a warning like any other.",
		{ { NULL, NULL } }, COMPLETE_WORDS, "pre-transaction post-transaction",
		"0, even when protection failed (a warning says why), unless the configuration "
		"says strict = yes: then 1" },
	[CMD_OWNER] = { "owner", cmd_owner, NEED_ROOT | NEED_STORE | NEED_JSON | NEED_PACKAGES,
		"PATH...", NULL,
		"tell which installed package owns each file",
		"Tell which installed packages (pacman or dpkg) own each file: a symbolic link "
		"is the link's own path, a directory names every package listing it, dpkg's "
		"diversions are honoured.",
		{ { NULL, NULL } }, COMPLETE_FILE, NULL,
		"0 every file is owned, 1 some file is owned by no package (or was skipped: it "
		"names no file inside the root), 2 error" },
};

int cli_takes(const struct cli_cmd *cmd, const struct cli_opt *opt)
{
	unsigned bit = CLI_CMD((unsigned)(cmd - cli_cmds));

	return (opt->cmds & bit) || (opt->needs & cmd->needs);
}

int cli_shown(const struct cli_cmd *cmd, const struct cli_opt *opt)
{
	return !opt->hidden && opt->letter != 'h' && cli_takes(cmd, opt);
}

const char *cli_opt_help(const struct cli_cmd *cmd, const struct cli_opt *opt)
{
	unsigned bit = CLI_CMD((unsigned)(cmd - cli_cmds));

	for (size_t i = 0; i < sizeof opt->alt / sizeof *opt->alt; i++)
		if (opt->alt[i].cmds & bit)
			return opt->alt[i].help;
	return opt->help;
}

const struct cli_cmd *cli_find(const char *name)
{
	for (size_t i = 0; i < CLI_NCMDS; i++)
		if (strcmp(cli_cmds[i].name, name) == 0)
			return &cli_cmds[i];
	return NULL;
}
