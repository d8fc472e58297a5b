/* main.c - `forksafe COMMAND ...`: find the command in the table, parse its
 * options (parse.c), run it. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	/* reports can be long: write them in few large pieces */
	static char outbuf[1 << 16];
	const struct cli_cmd *cmd;
	struct cli_args a;

	if (fs_args_init(&argc, &argv) < 0) {
		fputs("forksafe: cannot read the command line\n", stderr);
		return EXIT_ERROR;
	}
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	if (argc < 2) {
		fputs("forksafe: no command given (see forksafe --help)\n", stderr);
		return EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cli_write_usage(stdout) < 0 ? cli_fail("--help", "cannot write the output")
						   : EXIT_OK;
	if (strcmp(argv[1], "--version") == 0) {
		printf("forksafe %s (json schema %d; features: %s)\n", FORKSAFE_VERSION,
		       FS_JSON_SCHEMA, *fs_features() ? fs_features() : "none");
		return EXIT_OK;
	}
	if (!(cmd = cli_find(argv[1]))) {
		fs_text_line(stderr, "forksafe: '%s' is not a command (see forksafe --help)", argv[1]);
		return EXIT_ERROR;
	}
	switch (cli_parse(cmd, argc - 1, argv + 1, &a)) {
	case 0: return cmd->run(&a);
	case 1: return EXIT_OK;
	default: return EXIT_ERROR;
	}
}
