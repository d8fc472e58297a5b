/* test_cli.c - the CLI's tables: each command accepts exactly the options
 * the table says it takes (getopt_long built from it), hold's options end
 * at its first operand, the hook's two words, and every configuration key
 * takes the default its documentation names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* cli_parse of {cmd, words...}: 0, 1 (--help) or -1; stderr and stdout
 * (--help) go to /dev/null. */
static int parse(const struct cli_cmd *cmd, struct cli_args *a, char **words, int n)
{
	/* static: cli_parse leaves a->operands pointing into argv, and the
	 * tests read them after parse() returns */
	static char *argv[8];
	int rc;

	assert_true(n < 7);
	memset(argv, 0, sizeof argv);
	argv[0] = (char *)cmd->name;
	for (int i = 0; i < n; i++)
		argv[i + 1] = words[i];
	optind = 0; /* glibc: start a new scan */
	rc = cli_parse(cmd, n + 1, argv, a);
	return rc;
}

static void test_each_command_takes_exactly_its_options(void **state)
{
	struct cli_args a;
	char name[64], value[] = "2";
	size_t taken = 0, refused = 0;
	(void)state;

	assert_non_null(freopen("/dev/null", "w", stderr));
	for (size_t c = 0; c < CLI_NCMDS; c++)
		for (size_t i = 0; i < cli_nopts; i++) {
			const struct cli_opt *o = &cli_opts[i];
			char *words[] = { name, value };

			if (o->letter == 'h')
				continue;
			snprintf(name, sizeof name, "--%s", o->name);
			int rc = parse(&cli_cmds[c], &a, words, o->value ? 2 : 1);

			if (cli_takes(&cli_cmds[c], o)) {
				assert_int_equal(rc, 0);
				taken++;
			} else {
				assert_int_equal(rc, -1);
				refused++;
			}
		}
	assert_true(taken > 40 && refused > 40);
}

static void test_common_options_follow_needs(void **state)
{
	(void)state;
	const struct cli_opt *json = NULL, *threads = NULL;

	for (size_t i = 0; i < cli_nopts; i++) {
		if (strcmp(cli_opts[i].name, "json") == 0)
			json = &cli_opts[i];
		if (strcmp(cli_opts[i].name, "threads") == 0)
			threads = &cli_opts[i];
	}
	assert_non_null(json);
	assert_non_null(threads);
	assert_false(cli_takes(cli_find("hold"), json));
	assert_false(cli_takes(cli_find("hold"), threads));
	assert_false(cli_takes(cli_find("hook"), json));
	assert_false(cli_takes(cli_find("owner"), threads));
	assert_true(cli_takes(cli_find("ps"), threads));
	assert_true(cli_takes(cli_find("inuse"), json));
}

static void test_values_reach_the_arguments(void **state)
{
	struct cli_args a;
	char *words[] = { "--root", "/r", "--threads", "3", "--stdin", "x" };
	(void)state;

	assert_int_equal(parse(cli_find("inuse"), &a, words, 6), 0);
	assert_string_equal(a.store.root, "/r");
	assert_int_equal(a.store.scan.threads, 3);
	assert_int_equal(a.from_stdin, 1);
	assert_int_equal(a.noperands, 1);
	assert_string_equal(a.operands[0], "x");
}

static void test_hold_options_end_at_snapshot(void **state)
{
	struct cli_args a;
	char *words[] = { "--root", "/r", "snap", "--", "ls", "--json" };
	(void)state;

	assert_int_equal(parse(cli_find("hold"), &a, words, 6), 0);
	assert_int_equal(a.noperands, 4);
	assert_string_equal(a.operands[0], "snap");
	assert_string_equal(a.operands[3], "--json");
}

static void test_hook_words(void **state)
{
	fs_hook_when w = FS_HOOK_POST_TRANSACTION;
	(void)state;

	assert_int_equal(fs_hook_when_parse("pre-transaction", &w), 0);
	assert_int_equal(w, FS_HOOK_PRE_TRANSACTION);
	assert_string_equal(fs_hook_when_name(w), "pre-transaction");
	assert_int_equal(fs_hook_when_parse("post-transaction", &w), 0);
	assert_int_equal(w, FS_HOOK_POST_TRANSACTION);
	assert_string_equal(fs_hook_when_name(w), "post-transaction");
	/* a second letter 'r' is not "pre" */
	assert_int_equal(fs_hook_when_parse("prX-transaction", &w), -1);
	assert_int_equal(fs_hook_when_parse("pre", &w), -1);
	assert_int_equal(fs_hook_when_parse("pre-transactionX", &w), -1);
	assert_int_equal(fs_hook_when_parse("", &w), -1);
	assert_int_equal(w, FS_HOOK_POST_TRANSACTION);
}

static void test_config_keys_take_their_defaults(void **state)
{
	size_t n;
	const fs_config_key *k = fs_config_keys(&n);
	fs_config c;
	(void)state;

	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		fs_config_defaults(&c);
		assert_int_equal(k[i].set(&c, k[i].fallback), 0);
		assert_int_equal(k[i].set(&c, "bogus"), -1);
		assert_non_null(k[i].help);
		assert_non_null(k[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_command_takes_exactly_its_options),
		cmocka_unit_test(test_common_options_follow_needs),
		cmocka_unit_test(test_values_reach_the_arguments),
		cmocka_unit_test(test_hold_options_end_at_snapshot),
		cmocka_unit_test(test_hook_words),
		cmocka_unit_test(test_config_keys_take_their_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
