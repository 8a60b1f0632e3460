// SPDX-License-Identifier: GPL-2.0
/*
 * The "preempthint" generic netlink family: enable/disable cgroups, global
 * knobs, counters. Every command needs CAP_SYS_NICE in the initial user
 * namespace (see ph_nl_permitted); the family exists only in the initial
 * network namespace. Errors carry an extended-ACK message.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/module.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include "extension.h"
#include "netlink.h"
#include "enabled_cgroups.h"
#include "registry.h"
#include "stats.h"
#include "wq.h"

static struct genl_family ph_genl_family;

static const struct nla_policy ph_nl_policy[PREEMPTHINT_A_MAX + 1] = {
	[PREEMPTHINT_A_CGROUP_PATH] = { .type = NLA_NUL_STRING, .len = 4095 },
	[PREEMPTHINT_A_GRACE_US] = NLA_POLICY_RANGE(NLA_U32, PREEMPTHINT_GRACE_US_MIN,
						    PREEMPTHINT_GRACE_US_MAX),
	[PREEMPTHINT_A_MODE] = NLA_POLICY_RANGE(NLA_U32, 1, PREEMPTHINT_MODE_ALL),
	[PREEMPTHINT_A_ENABLED] = NLA_POLICY_MAX(NLA_U8, 1),
};

static int ph_nl_put_stats(struct sk_buff *skb, const struct ph_stats *s)
{
	u64 v[PREEMPTHINT_STAT_MAX + 1];
	struct nlattr *nest;
	int i;

	ph_stats_read(s, v);
	nest = nla_nest_start(skb, PREEMPTHINT_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = PREEMPTHINT_STAT_GRANTS; i < PREEMPTHINT_STAT_PAD; i++) {
		if (nla_put_u64_64bit(skb, i, v[i], PREEMPTHINT_STAT_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The path attribute, required and absolute (relative to the v2 root). */
static const char *ph_nl_path(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[PREEMPTHINT_A_CGROUP_PATH];

	if (GENL_REQ_ATTR_CHECK(info, PREEMPTHINT_A_CGROUP_PATH))
		return NULL;
	if (nla_data(attr) && ((char *)nla_data(attr))[0] != '/') {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "cgroup path must start with / (relative to the cgroup v2 root)");
		return NULL;
	}
	return nla_data(attr);
}

static int ph_nl_enable(struct sk_buff *skb, struct genl_info *info)
{
	const char *path = ph_nl_path(info);
	u32 grace = ph_policy_default_grace(), mode = PREEMPTHINT_MODE_HINT;

	if (!path)
		return -EINVAL;
	if (info->attrs[PREEMPTHINT_A_GRACE_US])
		grace = nla_get_u32(info->attrs[PREEMPTHINT_A_GRACE_US]);
	if (info->attrs[PREEMPTHINT_A_MODE])
		mode = nla_get_u32(info->attrs[PREEMPTHINT_A_MODE]);
	return ph_policy_enable(path, grace, mode, info->extack);
}

static int ph_nl_disable(struct sk_buff *skb, struct genl_info *info)
{
	const char *path = ph_nl_path(info);

	if (!path)
		return -EINVAL;
	return ph_policy_disable(path, info->extack);
}

/*
 * The attributes of one policy message with the longest path the family
 * accepts (the attribute policy's 4095 bytes and the NUL): what
 * ph_nl_fill_policy puts, TIME_NS included. Dumps and events reserve this
 * much, so that no policy can be too big for the skb it is written into.
 */
static size_t ph_nl_policy_attrs_size(void)
{
	return nla_total_size(4096) +				/* CGROUP_PATH */
	       nla_total_size_64bit(sizeof(u64)) +		/* CGROUP_ID */
	       2 * nla_total_size(sizeof(u32)) +		/* GRACE_US, MODE */
	       nla_total_size_64bit(sizeof(u64)) +		/* TIME_NS */
	       nla_total_size(0) +				/* STATS */
	       (PREEMPTHINT_STAT_PAD - PREEMPTHINT_STAT_GRANTS) * nla_total_size_64bit(sizeof(u64));
}

/* One enabled cgroup; @time_ns (events only) is added when non-zero. */
static int ph_nl_fill_policy(struct sk_buff *skb, const struct ph_policy *pol,
			     u32 portid, u32 seq, int flags, u8 cmd, u64 time_ns)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ph_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(skb, PREEMPTHINT_A_CGROUP_PATH, pol->path) ||
	    nla_put_u64_64bit(skb, PREEMPTHINT_A_CGROUP_ID, cgroup_id(READ_ONCE(pol->cgrp)),
			      PREEMPTHINT_A_PAD) ||
	    nla_put_u32(skb, PREEMPTHINT_A_GRACE_US, READ_ONCE(pol->grace_us)) ||
	    nla_put_u32(skb, PREEMPTHINT_A_MODE, READ_ONCE(pol->mode)) ||
	    (time_ns && nla_put_u64_64bit(skb, PREEMPTHINT_A_TIME_NS, time_ns, PREEMPTHINT_A_PAD)) ||
	    ph_nl_put_stats(skb, &pol->stats)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * The first skb of a dump is allocated before the reader has said how big
 * its buffer is: NLMSG_GOODSIZE, under a page. A policy whose cgroup path
 * is near PATH_MAX does not fit there, and a dump that cannot place a single
 * entry ends with EMSGSIZE: on a fresh socket, every dump whose first entry
 * was such a cgroup failed (found by nlfuzz probe). Ask for room for the
 * largest entry.
 */
/*
 * What the family changes is how tasks are scheduled: which ones the
 * scheduler lets run on past its own decision. The authority for that is
 * CAP_SYS_NICE, which already lets its holder make any task SCHED_FIFO and
 * so delay every other task far more than a grace; CAP_NET_ADMIN is the
 * network's authority, held by network daemons and CNI agents. Checked as
 * GENL_ADMIN_PERM checks CAP_NET_ADMIN: in the initial user namespace, of
 * both the socket's opener and the sender. Reads need it too: one service's
 * counters are a timing channel on another's locking, and monitoring has a
 * root-run path.
 */
static bool ph_nl_permitted(struct sk_buff *skb, struct netlink_ext_ack *extack)
{
	if (netlink_capable(skb, CAP_SYS_NICE))
		return true;
	NL_SET_ERR_MSG(extack, "needs CAP_SYS_NICE in the initial user namespace");
	return false;
}

static int ph_nl_pre_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
			  struct genl_info *info)
{
	return ph_nl_permitted(skb, info->extack) ? 0 : -EPERM;
}

static int ph_nl_dump_policy_start(struct netlink_callback *cb)
{
	if (!ph_nl_permitted(cb->skb, cb->extack))
		return -EPERM;
	cb->min_dump_alloc = nlmsg_total_size(genlmsg_total_size(ph_nl_policy_attrs_size()));
	return 0;
}

/*
 * The dump walks the list by position, one skb at a time, and the list may
 * change between two of them: an entry is then skipped (one before it was
 * removed) or listed twice (removed and enabled again, so now at the tail).
 * The nlfuzz storm saw the second. So each message carries the list's
 * generation: if it moved since the previous skb, the netlink core flags
 * the message (and NLMSG_DONE) NLM_F_DUMP_INTR and the reader must dump
 * again. Within one skb the list cannot move: changes and dump rounds both
 * run under the genetlink mutex (the family has no parallel_ops).
 */
static int ph_nl_dump_policy(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long index = cb->args[0];
	struct ph_policy *pol;
	struct nlmsghdr *nlh;
	int ret = 0;

	cb->seq = ph_policy_generation();
	rcu_read_lock();
	for (; (pol = ph_policy_nth(index)) != NULL; index++) {
		nlh = (struct nlmsghdr *)skb_tail_pointer(skb);
		ret = ph_nl_fill_policy(skb, pol, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI, PREEMPTHINT_CMD_GET_POLICY, 0);
		if (ret)
			break;
		nl_dump_check_consistent(cb, nlh);
	}
	rcu_read_unlock();
	cb->args[0] = index;
	/* A full skb ends this round; the dump goes on in the next one. */
	return ret == -EMSGSIZE && skb->len ? skb->len : ret ?: skb->len;
}

static int ph_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_iput(msg, info);
	if (!hdr)
		goto err_free;
	if (nla_put_string(msg, PREEMPTHINT_A_VERSION, PREEMPTHINT_VERSION) ||
	    nla_put_u8(msg, PREEMPTHINT_A_ENABLED, ph_policy_enabled()) ||
	    nla_put_u32(msg, PREEMPTHINT_A_GRACE_US, ph_policy_default_grace()) ||
	    nla_put_u32(msg, PREEMPTHINT_A_REGISTERED, ph_registry_count()) ||
	    nla_put_string(msg, PREEMPTHINT_A_PREEMPT_MODEL, ph_preempt_model()) ||
	    ph_nl_put_stats(msg, &ph_global_stats))
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int ph_nl_set(struct sk_buff *skb, struct genl_info *info)
{
	if (!info->attrs[PREEMPTHINT_A_ENABLED] && !info->attrs[PREEMPTHINT_A_GRACE_US]) {
		NL_SET_ERR_MSG(info->extack, "nothing to set: give ENABLED and/or GRACE_US");
		return -EINVAL;
	}
	/* The switch first: turning it on can fail, and must then change nothing. */
	if (info->attrs[PREEMPTHINT_A_ENABLED]) {
		int ret = ph_policy_set_enabled(nla_get_u8(info->attrs[PREEMPTHINT_A_ENABLED]),
						info->extack);

		if (ret)
			return ret;
	}
	if (info->attrs[PREEMPTHINT_A_GRACE_US])
		ph_policy_set_default_grace(nla_get_u32(info->attrs[PREEMPTHINT_A_GRACE_US]));
	return 0;
}

static int ph_nl_reset_stats(struct sk_buff *skb, struct genl_info *info)
{
	ph_policy_reset_stats();
	return 0;
}

/* Each doit passes ph_nl_pre_doit, the dump its start: ph_nl_permitted. */
static const struct genl_ops ph_genl_ops[] = {
	{ .cmd = PREEMPTHINT_CMD_ENABLE, .doit = ph_nl_enable },
	{ .cmd = PREEMPTHINT_CMD_DISABLE, .doit = ph_nl_disable },
	{ .cmd = PREEMPTHINT_CMD_GET_POLICY, .start = ph_nl_dump_policy_start,
	  .dumpit = ph_nl_dump_policy },
	{ .cmd = PREEMPTHINT_CMD_GET_STATS, .doit = ph_nl_get_stats },
	{ .cmd = PREEMPTHINT_CMD_SET, .doit = ph_nl_set },
	{ .cmd = PREEMPTHINT_CMD_RESET_STATS, .doit = ph_nl_reset_stats },
};

/* Groups can only ask for CAP_NET_ADMIN or CAP_SYS_ADMIN: the host's. */
static const struct genl_multicast_group ph_genl_mcgrps[] = {
	{ .name = PREEMPTHINT_GENL_MCGRP, .flags = GENL_MCAST_CAP_SYS_ADMIN },
};

/*
 * Who may use the family (tests/guest/t/86-privilege.sh asserts each case):
 *
 * - Every command, reads included, needs CAP_SYS_NICE in the initial user
 *   namespace, of both the socket's opener and the sender
 *   (ph_nl_permitted). Policy and counters are host-wide (any cgroup, every
 *   CPU), so nothing is left for an unprivileged reader: it gets EPERM, as
 *   do root inside a user namespace and a holder of CAP_NET_ADMIN alone.
 *   The events group needs CAP_SYS_ADMIN, the narrowest a group can ask.
 * - netnsok is false: the family exists only in the initial network
 *   namespace. Elsewhere nlctrl does not list it and requests to its id get
 *   ENOENT, whatever the caller's capabilities; a container with its own
 *   network namespace cannot even see that the module is there. Joining
 *   the events group by its number from another namespace is possible
 *   (genetlink checks only capabilities there), but events are multicast in
 *   the initial namespace only, so nothing arrives.
 */
static struct genl_family ph_genl_family __ro_after_init = {
	.name = PREEMPTHINT_GENL_NAME,
	.netnsok = false,
	.version = PREEMPTHINT_GENL_VERSION,
	.maxattr = PREEMPTHINT_A_MAX,
	.policy = ph_nl_policy,
	.pre_doit = ph_nl_pre_doit,
	.module = THIS_MODULE,
	.ops = ph_genl_ops,
	.n_ops = ARRAY_SIZE(ph_genl_ops),
	/*
	 * resv_start_op stays 0: every command gets the genetlink core's
	 * header check, which refuses a non-zero genlmsghdr.reserved and
	 * nlmsg_flags other than REQUEST/ACK/ECHO/DUMP with EINVAL instead of
	 * ignoring them. A higher value exists for families older than that
	 * check whose users may send such bits; ours (libnl) never did.
	 */
	.mcgrps = ph_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ph_genl_mcgrps),
};

/*
 * Once a second, while anyone listens on the "events" group: every enabled
 * cgroup's counters and the global ones. Built here, in a worker, because
 * the scheduler hooks themselves must never allocate or send.
 */
static void ph_nl_events_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(ph_nl_events_work, ph_nl_events_fn);

static void ph_nl_send_event(struct sk_buff *skb)
{
	genlmsg_multicast(&ph_genl_family, skb, 0, 0, GFP_KERNEL);
}

static void ph_nl_events_fn(struct work_struct *work)
{
	u64 now = ktime_get_ns();
	struct ph_policy *pol;
	struct sk_buff *skb;
	unsigned long i;
	void *hdr;
	int ret;

	if (!genl_has_listeners(&ph_genl_family, &init_net, 0))
		goto again;

	for (i = 0;; i++) {
		skb = genlmsg_new(ph_nl_policy_attrs_size(), GFP_KERNEL);
		if (!skb)
			goto again;
		rcu_read_lock();
		pol = ph_policy_nth(i);
		ret = pol ? ph_nl_fill_policy(skb, pol, 0, 0, 0, PREEMPTHINT_CMD_EVENT_STATS, now)
			  : -ENOENT;
		rcu_read_unlock();
		if (ret) {
			nlmsg_free(skb);
			break;
		}
		ph_nl_send_event(skb);
	}

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		goto again;
	hdr = genlmsg_put(skb, 0, 0, &ph_genl_family, 0, PREEMPTHINT_CMD_EVENT_STATS);
	if (!hdr || nla_put_u64_64bit(skb, PREEMPTHINT_A_TIME_NS, now, PREEMPTHINT_A_PAD) ||
	    nla_put_u32(skb, PREEMPTHINT_A_REGISTERED, ph_registry_count()) ||
	    ph_nl_put_stats(skb, &ph_global_stats)) {
		nlmsg_free(skb);
		goto again;
	}
	genlmsg_end(skb, hdr);
	ph_nl_send_event(skb);
again:
	queue_delayed_work(ph_wq, &ph_nl_events_work, HZ);
}

int ph_netlink_init(void)
{
	int ret = genl_register_family(&ph_genl_family);

	if (!ret)
		queue_delayed_work(ph_wq, &ph_nl_events_work, HZ);
	return ret;
}

void ph_netlink_exit(void)
{
	cancel_delayed_work_sync(&ph_nl_events_work);
	genl_unregister_family(&ph_genl_family);
}
