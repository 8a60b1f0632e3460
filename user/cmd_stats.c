// SPDX-License-Identifier: GPL-2.0
/* preempthint stats [--cgroup PATH]: the global counters, or one enabled cgroup's. */
#include <string.h>

#include "args.h"
#include "nl.h"

int ph_stats_args_parse(struct ph_ctx *ctx, int argc, char **argv, struct ph_cgroup_args *a)
{
	return ph_cgroup_args_parse(ctx, "stats", argc, argv, false, a);
}

/*
 * There is no per-cgroup GET: dump the policies and pick ours by the path
 * the kernel stores, which is the canonical one this CLI sent on enable.
 */
static int ph_stats_cgroup(struct ph_ctx *ctx, struct ph_nl *nl, const char *path)
{
	struct ph_policies p = { 0 };
	const struct ph_policy_info *pol = NULL;
	size_t i;
	int err;

	err = ph_fetch_policies(nl, &p);
	if (err) {
		ph_policies_free(&p);
		return ph_nl_fail(ctx, nl, "stats", err);
	}
	for (i = 0; i < p.n && !pol; i++)
		if (!strcmp(p.v[i].path, path))
			pol = &p.v[i];
	if (pol)
		ph_print_stats(ctx, &pol->stats, pol);
	else
		fprintf(ctx->err, "preempthint: stats: cgroup %s is not enabled\n", path);
	ph_policies_free(&p);
	return pol ? PH_EXIT_OK : PH_EXIT_FAIL;
}

int cmd_stats(struct ph_ctx *ctx, int argc, char **argv)
{
	struct ph_cgroup_args a;
	struct ph_global g;
	struct ph_nl nl;
	int ret, err;

	ret = ph_stats_args_parse(ctx, argc, argv, &a);
	if (!ret)
		ret = ph_nl_open(ctx, &nl);
	if (ret)
		return ret;
	if (a.has_cgroup) {
		ret = ph_stats_cgroup(ctx, &nl, a.cgroup);
	} else {
		err = ph_fetch_global(&nl, &g);
		if (err)
			ret = ph_nl_fail(ctx, &nl, "stats", err);
		else
			ph_print_stats(ctx, &g.stats, NULL);
	}
	ph_nl_close(&nl);
	return ret;
}
