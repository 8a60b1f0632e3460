// SPDX-License-Identifier: GPL-2.0
/* preempthint disable --cgroup PATH */
#include "args.h"
#include "nl.h"

/*
 * No local check that the cgroup directory exists: the kernel keeps the
 * policy of a cgroup removed since it was enabled, and finds it by path.
 */
int ph_disable_args_parse(struct ph_ctx *ctx, int argc, char **argv, struct ph_cgroup_args *a)
{
	return ph_cgroup_args_parse(ctx, "disable", argc, argv, true, a);
}

static int ph_disable_fill(struct nl_msg *msg, const void *arg)
{
	const struct ph_cgroup_args *a = arg;

	return nla_put_string(msg, PREEMPTHINT_A_CGROUP_PATH, a->cgroup);
}

int cmd_disable(struct ph_ctx *ctx, int argc, char **argv)
{
	struct ph_cgroup_args a;
	struct ph_json j;
	int ret;

	ret = ph_disable_args_parse(ctx, argc, argv, &a);
	if (!ret)
		ret = ph_nl_request(ctx, "disable", PREEMPTHINT_CMD_DISABLE, ph_disable_fill, &a);
	if (ret || !ctx->json)
		return ret;

	ph_json_init(&j, ctx->out);
	ph_json_obj(&j, NULL);
	ph_json_str(&j, "cgroup", a.cgroup);
	ph_json_bool(&j, "enabled", false);
	ph_json_end(&j);
	return PH_EXIT_OK;
}
