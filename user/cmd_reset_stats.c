// SPDX-License-Identifier: GPL-2.0
/* preempthint reset-stats: zero the global and every cgroup's counters. */
#include "args.h"
#include "nl.h"

int cmd_reset_stats(struct ph_ctx *ctx, int argc, char **argv)
{
	struct ph_json j;
	int ret;

	ret = ph_opts_parse(ctx, "reset-stats", argc, argv, NULL, 0);
	if (!ret)
		ret = ph_nl_request(ctx, "reset-stats", PREEMPTHINT_CMD_RESET_STATS, NULL, NULL);
	if (ret || !ctx->json)
		return ret;

	ph_json_init(&j, ctx->out);
	ph_json_obj(&j, NULL);
	ph_json_bool(&j, "reset", true);
	ph_json_end(&j);
	return PH_EXIT_OK;
}
