/*
 * help.c - `forksafe --help` and `forksafe CMD --help`, written from the
 * tables (table.c): the synopsis, what the command does, one line per
 * option it takes and its exit statuses, wrapped to 79 columns.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#define WIDTH 79

/* Puts item at *col, on the next line (indented) when it would pass width. */
static void put_item(FILE *f, const char *item, size_t len, size_t *col, size_t indent,
		     size_t width)
{
	if (*col > indent && *col + 1 + len > width) {
		fprintf(f, "\n%*s", (int)indent, "");
		*col = indent;
	} else if (*col > indent) {
		fputc(' ', f);
		(*col)++;
	}
	fwrite(item, 1, len, f);
	*col += len;
}

/* Writes text's words from column col, continuation lines at indent. */
static void wrap(FILE *f, const char *text, size_t col, size_t indent)
{
	while (*text) {
		size_t len = strcspn(text, " ");

		if (len)
			put_item(f, text, len, &col, indent, WIDTH);
		text += len;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

/* cmd's options and operands, "[--root DIR] ... [PATH...]", from column indent. */
static int synopsis(const struct cli_cmd *cmd, FILE *f, size_t width, size_t indent)
{
	char item[128];
	size_t col = indent;

	for (size_t i = 0; i < cli_nopts; i++) {
		const struct cli_opt *o = &cli_opts[i];
		int n;

		if (!cli_shown(cmd, o))
			continue;
		n = o->value ? snprintf(item, sizeof item, "[--%s %s]", o->name, o->value)
			     : snprintf(item, sizeof item, "[--%s]", o->name);
		if (n < 0 || (size_t)n >= sizeof item)
			return -1;
		put_item(f, item, (size_t)n, &col, indent, width);
	}
	if (*cmd->operands)
		put_item(f, cmd->operands, strlen(cmd->operands), &col, indent, width);
	return 0;
}

/* "-u, --sysupgrade" or "--root DIR": the left column of an option's line. */
static int opt_label(const struct cli_opt *o, char *buf, size_t size)
{
	int n = o->letter ? snprintf(buf, size, "-%c, --%s%s%s", o->letter, o->name,
				     o->value ? " " : "", o->value ? o->value : "")
			  : snprintf(buf, size, "--%s%s%s", o->name, o->value ? " " : "",
				     o->value ? o->value : "");

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The width of the left column: the longest label or documented operand. */
static size_t label_width(const struct cli_cmd *cmd)
{
	char label[128];
	size_t w = 0;

	for (size_t i = 0; i < cli_nopts; i++)
		if (cli_shown(cmd, &cli_opts[i]) && opt_label(&cli_opts[i], label, sizeof label) == 0 &&
		    strlen(label) > w)
			w = strlen(label);
	for (size_t i = 0; i < sizeof cmd->args / sizeof *cmd->args && cmd->args[i].name; i++)
		if (strlen(cmd->args[i].name) > w)
			w = strlen(cmd->args[i].name);
	return w;
}

static void item_line(FILE *f, const char *label, const char *help, size_t w)
{
	fprintf(f, "  %-*s  ", (int)w, label);
	wrap(f, help, w + 4, w + 4);
}

int cli_write_help(const struct cli_cmd *cmd, FILE *f)
{
	size_t indent = strlen("usage: forksafe  ") + strlen(cmd->name);
	size_t w = label_width(cmd);
	char label[128];

	fprintf(f, "usage: forksafe %s ", cmd->name);
	if (synopsis(cmd, f, WIDTH, indent) < 0)
		return -1;
	fputc('\n', f);
	if (cmd->also)
		fprintf(f, "       forksafe %s %s\n", cmd->name, cmd->also);
	wrap(f, cmd->about, 0, 0);
	for (size_t i = 0; i < sizeof cmd->args / sizeof *cmd->args && cmd->args[i].name; i++)
		item_line(f, cmd->args[i].name, cmd->args[i].help, w);
	for (size_t i = 0; i < cli_nopts; i++) {
		if (!cli_shown(cmd, &cli_opts[i]))
			continue;
		if (opt_label(&cli_opts[i], label, sizeof label) < 0)
			return -1;
		item_line(f, label, cli_opt_help(cmd, &cli_opts[i]), w);
	}
	if (cmd->needs & NEED_PACKAGES)
		wrap(f, "Needs a build with package support (forksafe --version lists "
			"\"packages\").", 0, 0);
	fputs("exit status: ", f);
	wrap(f, cmd->exit, strlen("exit status: "), strlen("exit status: "));
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

int cli_write_usage(FILE *f)
{
	fprintf(f, "usage: forksafe [--version] [--help] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < CLI_NCMDS; i++)
		fprintf(f, "  %-8s %s\n", cli_cmds[i].name, cli_cmds[i].summary);
	fprintf(f, "\n`forksafe COMMAND --help` describes a command.\n");
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
