/*
 * gen.c - `forksafe-gen man1|man5 DATE`, `forksafe-gen bash`,
 * `forksafe-gen list`: what the build installs, and for the tests every
 * command, option and configuration key the tables declare.
 */
#include "gen.h"

#include <string.h>

/* "command CMD", "option CMD --NAME" (and "option CMD -L"), "key NAME". */
static int list(FILE *f)
{
	const fs_config_key *keys;
	size_t nkeys;

	for (size_t c = 0; c < CLI_NCMDS; c++) {
		fprintf(f, "command %s\n", cli_cmds[c].name);
		for (size_t i = 0; i < cli_nopts; i++) {
			if (!cli_shown(&cli_cmds[c], &cli_opts[i]))
				continue;
			fprintf(f, "option %s --%s\n", cli_cmds[c].name, cli_opts[i].name);
			if (cli_opts[i].letter)
				fprintf(f, "option %s -%c\n", cli_cmds[c].name, cli_opts[i].letter);
		}
	}
	keys = fs_config_keys(&nkeys);
	for (size_t i = 0; i < nkeys; i++)
		fprintf(f, "key %s\n", keys[i].name);
	return 0;
}

static int generate(FILE *f, const char *kind, const char *date)
{
	if (strcmp(kind, "man1") == 0 && date)
		return gen_man1(f, date);
	if (strcmp(kind, "man5") == 0 && date)
		return gen_man5(f, date);
	if (strcmp(kind, "bash") == 0 && !date)
		return gen_bash(f);
	if (strcmp(kind, "list") == 0 && !date)
		return list(f);
	return -2;
}

/* forksafe-gen OUT KIND [DATE]: OUT is a file to write, or - for stdout. */
int main(int argc, char **argv)
{
	FILE *f;
	int rc;

	if (argc < 3 || argc > 4) {
		fputs("usage: forksafe-gen OUT man1 DATE | man5 DATE | bash | list\n", stderr);
		return EXIT_ERROR;
	}
	f = strcmp(argv[1], "-") == 0 ? stdout : fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		return EXIT_ERROR;
	}
	rc = generate(f, argv[2], argc == 4 ? argv[3] : NULL);
	if (rc == -2)
		fprintf(stderr, "forksafe-gen: unknown output '%s'\n", argv[2]);
	else if (rc < 0 || fflush(f) != 0 || ferror(f) || (f != stdout && fclose(f) != 0))
		fprintf(stderr, "forksafe-gen: cannot write %s\n", argv[1]);
	else
		return EXIT_OK;
	return EXIT_ERROR;
}
