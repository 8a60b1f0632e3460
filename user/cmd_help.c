// SPDX-License-Identifier: GPL-2.0
/* preempthint help [COMMAND] */
#include "cli.h"

int cmd_help(struct ph_ctx *ctx, int argc, char **argv)
{
	const struct ph_command *cmds, *cmd;
	size_t i, n;

	if (argc > 1) {
		cmd = ph_find_command(argv[1]);
		if (!cmd) {
			fprintf(ctx->err, "preempthint: no command '%s'; run 'preempthint help'\n",
				argv[1]);
			return PH_EXIT_USAGE;
		}
		fprintf(ctx->out, "usage: preempthint [-j] %s\n  %s\n", cmd->usage, cmd->summary);
		if (cmd->details)
			fprintf(ctx->out, "\n%s", cmd->details);
		return PH_EXIT_OK;
	}

	fprintf(ctx->out, "usage: preempthint [-j|--json] COMMAND [ARGS]\n\ncommands:\n");
	cmds = ph_commands(&n);
	for (i = 0; i < n; i++)
		fprintf(ctx->out, "  %-12s %s\n", cmds[i].name, cmds[i].summary);
	return PH_EXIT_OK;
}
