// SPDX-License-Identifier: GPL-2.0
/* Fetch the module's settings, counters and policies into struct ph_*. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nl.h"

int ph_global_parse(struct nlattr **tb, void *arg)
{
	struct ph_global *g = arg;

	if (tb[PREEMPTHINT_A_VERSION])
		snprintf(g->version, sizeof(g->version), "%s",
			 nla_get_string(tb[PREEMPTHINT_A_VERSION]));
	if (tb[PREEMPTHINT_A_ENABLED])
		g->enabled = nla_get_u8(tb[PREEMPTHINT_A_ENABLED]);
	if (tb[PREEMPTHINT_A_GRACE_US])
		g->grace_us = nla_get_u32(tb[PREEMPTHINT_A_GRACE_US]);
	if (tb[PREEMPTHINT_A_REGISTERED])
		g->registered = nla_get_u32(tb[PREEMPTHINT_A_REGISTERED]);
	if (tb[PREEMPTHINT_A_PREEMPT_MODEL])
		snprintf(g->preempt, sizeof(g->preempt), "%s",
			 nla_get_string(tb[PREEMPTHINT_A_PREEMPT_MODEL]));
	return ph_nl_stats(tb[PREEMPTHINT_A_STATS], &g->stats);
}

int ph_fetch_global(struct ph_nl *nl, struct ph_global *g)
{
	struct nl_msg *msg = ph_nl_msg(nl, PREEMPTHINT_CMD_GET_STATS, 0);

	memset(g, 0, sizeof(*g));
	if (!msg)
		return -ENOMEM;
	return ph_nl_exec(nl, msg, ph_global_parse, g);
}

int ph_policy_parse(struct nlattr **tb, void *arg)
{
	struct ph_policies *p = arg;
	struct ph_policy_info *v, *pol;

	/* A policy without its name is useless to print or to match on. */
	if (!tb[PREEMPTHINT_A_CGROUP_PATH])
		return -EBADMSG;
	v = realloc(p->v, (p->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	p->v = v;
	pol = &v[p->n];
	memset(pol, 0, sizeof(*pol));
	pol->path = strdup(nla_get_string(tb[PREEMPTHINT_A_CGROUP_PATH]));
	if (!pol->path)
		return -ENOMEM;
	p->n++;
	if (tb[PREEMPTHINT_A_CGROUP_ID])
		pol->cgroup_id = nla_get_u64(tb[PREEMPTHINT_A_CGROUP_ID]);
	if (tb[PREEMPTHINT_A_GRACE_US])
		pol->grace_us = nla_get_u32(tb[PREEMPTHINT_A_GRACE_US]);
	if (tb[PREEMPTHINT_A_MODE])
		pol->mode = nla_get_u32(tb[PREEMPTHINT_A_MODE]);
	return ph_nl_stats(tb[PREEMPTHINT_A_STATS], &pol->stats);
}

/*
 * An EVENT_STATS message into struct ph_event; path points into the
 * message. TIME_NS is what ties a round together: without it, a bad message.
 */
int ph_event_parse(struct nlattr **tb, void *arg)
{
	struct ph_event *ev = arg;

	memset(ev, 0, sizeof(*ev));
	if (!tb[PREEMPTHINT_A_TIME_NS] || !tb[PREEMPTHINT_A_STATS])
		return -EBADMSG;
	ev->time_ns = nla_get_u64(tb[PREEMPTHINT_A_TIME_NS]);
	if (tb[PREEMPTHINT_A_CGROUP_PATH])
		ev->path = nla_get_string(tb[PREEMPTHINT_A_CGROUP_PATH]);
	if (tb[PREEMPTHINT_A_CGROUP_ID])
		ev->cgroup_id = nla_get_u64(tb[PREEMPTHINT_A_CGROUP_ID]);
	if (tb[PREEMPTHINT_A_REGISTERED])
		ev->registered = nla_get_u32(tb[PREEMPTHINT_A_REGISTERED]);
	return ph_nl_stats(tb[PREEMPTHINT_A_STATS], &ev->stats);
}

/*
 * Every enabled cgroup, in the kernel's order; free with ph_policies_free.
 * A dump that the kernel flags as interrupted (the list changed between two
 * of its messages: an entry may be missing or listed twice) is read again.
 */
int ph_fetch_policies(struct ph_nl *nl, struct ph_policies *p)
{
	int tries, ret = -EAGAIN;

	for (tries = 0; tries < 10 && ret == -EAGAIN; tries++) {
		struct nl_msg *msg = ph_nl_msg(nl, PREEMPTHINT_CMD_GET_POLICY, NLM_F_DUMP);

		ph_policies_free(p);
		if (!msg)
			return -ENOMEM;
		ret = ph_nl_exec(nl, msg, ph_policy_parse, p);
	}
	return ret;
}

void ph_policies_free(struct ph_policies *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i].path);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}
