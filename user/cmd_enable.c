// SPDX-License-Identifier: GPL-2.0
/* preempthint enable --cgroup PATH [--grace-us N] [--mode hint|kernel|both] */
#include <string.h>

#include "args.h"
#include "nl.h"

enum { OPT_CGROUP, OPT_GRACE, OPT_MODE, OPT_COUNT };

int ph_enable_args_parse(struct ph_ctx *ctx, int argc, char **argv, struct ph_enable_args *a)
{
	struct ph_opt opts[OPT_COUNT] = {
		[OPT_CGROUP] = { .name = "--cgroup" },
		[OPT_GRACE] = { .name = "--grace-us" },
		[OPT_MODE] = { .name = "--mode" },
	};
	int ret;

	memset(a, 0, sizeof(*a));
	ret = ph_opts_parse(ctx, "enable", argc, argv, opts, OPT_COUNT);
	if (ret)
		return ret;
	if (!opts[OPT_CGROUP].value) {
		fprintf(ctx->err, "preempthint: enable: --cgroup PATH is required\n");
		return PH_EXIT_USAGE;
	}
	ret = ph_arg_cgroup(ctx, opts[OPT_CGROUP].value, a->cgroup, sizeof(a->cgroup));
	if (!ret && opts[OPT_GRACE].value) {
		a->has_grace = true;
		ret = ph_arg_grace(ctx, "--grace-us", opts[OPT_GRACE].value, &a->grace_us);
	}
	if (!ret && opts[OPT_MODE].value) {
		a->has_mode = true;
		ret = ph_arg_mode(ctx, "--mode", opts[OPT_MODE].value, &a->mode);
	}
	return ret;
}

/* Only what was given: the kernel fills in its defaults for the rest. */
static int ph_enable_fill(struct nl_msg *msg, const void *arg)
{
	const struct ph_enable_args *a = arg;
	int ret = nla_put_string(msg, PREEMPTHINT_A_CGROUP_PATH, a->cgroup);

	if (!ret && a->has_grace)
		ret = nla_put_u32(msg, PREEMPTHINT_A_GRACE_US, a->grace_us);
	if (!ret && a->has_mode)
		ret = nla_put_u32(msg, PREEMPTHINT_A_MODE, a->mode);
	return ret;
}

int cmd_enable(struct ph_ctx *ctx, int argc, char **argv)
{
	struct ph_enable_args a;
	struct ph_json j;
	int ret;

	ret = ph_enable_args_parse(ctx, argc, argv, &a);
	if (!ret)
		ret = ph_cgroup_check(ctx, a.cgroup);
	if (!ret)
		ret = ph_nl_request(ctx, "enable", PREEMPTHINT_CMD_ENABLE, ph_enable_fill, &a);
	if (ret || !ctx->json)
		return ret;

	/* grace_us null: the module's default grace applies. */
	ph_json_init(&j, ctx->out);
	ph_json_obj(&j, NULL);
	ph_json_str(&j, "cgroup", a.cgroup);
	ph_json_bool(&j, "enabled", true);
	if (a.has_grace)
		ph_json_u64(&j, "grace_us", a.grace_us);
	else
		ph_json_str(&j, "grace_us", NULL);
	ph_json_str(&j, "mode", ph_mode_name(a.has_mode ? a.mode : PREEMPTHINT_MODE_HINT));
	ph_json_end(&j);
	return PH_EXIT_OK;
}
