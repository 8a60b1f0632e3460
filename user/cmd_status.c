// SPDX-License-Identifier: GPL-2.0
/*
 * preempthint status: module and kernel, global settings and counters, then
 * every enabled cgroup. Everything is fetched first and printed after, so a
 * failure prints one error line and no partial report.
 */
#include <stdio.h>

#include "args.h"
#include "nl.h"

int cmd_status(struct ph_ctx *ctx, int argc, char **argv)
{
	struct ph_status st = { 0 };
	struct ph_nl nl;
	int ret, err;

	ret = ph_opts_parse(ctx, "status", argc, argv, NULL, 0);
	if (!ret)
		ret = ph_nl_open(ctx, &nl);
	if (ret)
		return ret;
	err = ph_fetch_global(&nl, &st.global);
	if (!err)
		err = ph_fetch_policies(&nl, &st.policies);
	ph_nl_close(&nl);
	if (err) {
		ret = ph_nl_fail(ctx, &nl, "status", err);
		goto out;
	}
	/* sysfs is the module's own word; the netlink reply serves if it is unreadable. */
	if (ph_module_version(ctx->sysfs, st.module, sizeof(st.module)))
		snprintf(st.module, sizeof(st.module), "%s", st.global.version);
	/* The module asks the kernel; debugfs serves an older module. */
	if (st.global.preempt[0])
		snprintf(st.preempt, sizeof(st.preempt), "%s", st.global.preempt);
	else
		ph_preempt_mode(ctx->sysfs, st.preempt, sizeof(st.preempt));
	ph_print_status(ctx, &st);
out:
	ph_policies_free(&st.policies);
	return ret;
}
