// SPDX-License-Identifier: GPL-2.0
/* Global options and dispatch to the subcommand table. */
#include <string.h>

#include "cli.h"

static const struct ph_command ph_command_table[] = {
	{ "version", cmd_version, "print the CLI and module versions", "version" },
	{ "help", cmd_help, "show commands, or one command's usage", "help [COMMAND]" },
};

const struct ph_command *ph_commands(size_t *count)
{
	*count = sizeof(ph_command_table) / sizeof(ph_command_table[0]);
	return ph_command_table;
}

const struct ph_command *ph_find_command(const char *name)
{
	size_t i, n;
	const struct ph_command *cmds = ph_commands(&n);

	for (i = 0; i < n; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

/*
 * preempthint [-j|--json] COMMAND [ARGS...]. Global options come before the
 * command; everything after it belongs to the command.
 */
int ph_main(struct ph_ctx *ctx, int argc, char **argv)
{
	const struct ph_command *cmd;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			ctx->json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			return cmd_help(ctx, 0, NULL);
		} else if (!strcmp(argv[i], "--version")) {
			return cmd_version(ctx, 0, NULL);
		} else {
			fprintf(ctx->err, "preempthint: unknown option '%s'; run 'preempthint help'\n",
				argv[i]);
			return PH_EXIT_USAGE;
		}
	}
	if (i == argc) {
		cmd_help(ctx, 0, NULL);
		return PH_EXIT_USAGE;
	}
	cmd = ph_find_command(argv[i]);
	if (!cmd) {
		fprintf(ctx->err, "preempthint: unknown command '%s'; run 'preempthint help'\n",
			argv[i]);
		return PH_EXIT_USAGE;
	}
	return cmd->run(ctx, argc - i, argv + i);
}
