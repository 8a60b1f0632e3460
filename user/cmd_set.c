// SPDX-License-Identifier: GPL-2.0
/* preempthint set [--enabled 0|1] [--grace-us N] */
#include <string.h>

#include "args.h"
#include "nl.h"

enum { OPT_ENABLED, OPT_GRACE, OPT_COUNT };

int ph_set_args_parse(struct ph_ctx *ctx, int argc, char **argv, struct ph_set_args *a)
{
	struct ph_opt opts[OPT_COUNT] = {
		[OPT_ENABLED] = { .name = "--enabled" },
		[OPT_GRACE] = { .name = "--grace-us" },
	};
	int ret;

	memset(a, 0, sizeof(*a));
	ret = ph_opts_parse(ctx, "set", argc, argv, opts, OPT_COUNT);
	if (ret)
		return ret;
	/* The kernel refuses an empty SET too; say so before opening a socket. */
	if (!opts[OPT_ENABLED].value && !opts[OPT_GRACE].value) {
		fprintf(ctx->err, "preempthint: set: nothing to set; give --enabled 0|1 and/or --grace-us N\n");
		return PH_EXIT_USAGE;
	}
	if (opts[OPT_ENABLED].value) {
		a->has_enabled = true;
		ret = ph_arg_switch(ctx, "--enabled", opts[OPT_ENABLED].value, &a->enabled);
	}
	if (!ret && opts[OPT_GRACE].value) {
		a->has_grace = true;
		ret = ph_arg_grace(ctx, "--grace-us", opts[OPT_GRACE].value, &a->grace_us);
	}
	return ret;
}

static int ph_set_fill(struct nl_msg *msg, const void *arg)
{
	const struct ph_set_args *a = arg;
	int ret = 0;

	if (a->has_enabled)
		ret = nla_put_u8(msg, PREEMPTHINT_A_ENABLED, a->enabled);
	if (!ret && a->has_grace)
		ret = nla_put_u32(msg, PREEMPTHINT_A_GRACE_US, a->grace_us);
	return ret;
}

int cmd_set(struct ph_ctx *ctx, int argc, char **argv)
{
	struct ph_set_args a;
	struct ph_json j;
	int ret;

	ret = ph_set_args_parse(ctx, argc, argv, &a);
	if (!ret)
		ret = ph_nl_request(ctx, "set", PREEMPTHINT_CMD_SET, ph_set_fill, &a);
	if (ret || !ctx->json)
		return ret;

	/* What was set, under the names status uses. */
	ph_json_init(&j, ctx->out);
	ph_json_obj(&j, NULL);
	if (a.has_enabled)
		ph_json_bool(&j, "enabled", a.enabled);
	if (a.has_grace)
		ph_json_u64(&j, "default_grace_us", a.grace_us);
	ph_json_end(&j);
	return PH_EXIT_OK;
}
